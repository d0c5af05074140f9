"""A station keeps a verified tree whatever happens to it, and fails in one clear line.

Real server (tests/server's `rtest server` subprocess), real station folders; the only
fault injected is a full disk (os.write and Path writes raising ENOSPC).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server.conftest import GOOD_SCRIPT, ServerProcess, small_suite, write_suite
from typer.testing import CliRunner

from robotest.cli import app
from robotest.server.clock import now_iso
from robotest.server.errors import SyncError
from robotest.server.manifest import FileEntry, Manifest
from robotest.server.service import Service
from robotest.server.storage import VersionRecord


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("server-data")).start()
    yield proc
    proc.stop()


def tree_files(tree: Path) -> dict[str, bytes]:
    return {
        p.relative_to(tree).as_posix(): p.read_bytes()
        for p in tree.rglob("*")
        if p.is_file() and p.name != ".rtest-version.json"
    }


def suite_files(suite: Path) -> dict[str, bytes]:
    return {
        p.relative_to(suite).as_posix(): p.read_bytes() for p in suite.rglob("*") if p.is_file()
    }


def publish_unchecked(proc: ServerProcess, files: dict[str, bytes], channel: str) -> str:
    """Store a genuinely signed version the way a server without publish checks did."""
    service = Service(proc.config())
    entries = [
        FileEntry(path, service.objects.put(data), len(data)) for path, data in files.items()
    ]
    manifest = Manifest.from_entries(entries)
    raw = manifest.to_bytes()
    record = VersionRecord(
        id=manifest.version,
        created_at=now_iso(),
        publisher="old",
        file_count=len(entries),
        total_size=manifest.total_size,
        manifest=raw,
        signature=service.signer.sign(raw),
    )
    service.storage.publish(record, channel, "old", service.sign_channel)
    return manifest.version


def station_report(proc: ServerProcess, name: str) -> tuple[str, str]:
    with sqlite3.connect(proc.data / "robotest-server.db") as db:
        row = db.execute(
            "SELECT sync_status, sync_error FROM stations WHERE name = ?", (name,)
        ).fetchone()
    return row[0], row[1]


UNINSTALLABLE = {
    "2,500 levels": {"a/" * 2500 + "x.json": b"1"},
    "300-character name": {"a" * 296 + ".txt": b"1"},
    "file and folder": {"specs/product.json/x.json": b"1"},
    "root version marker": {".rtest-version.json": b'{"version": "forged"}'},
}


@pytest.mark.parametrize("case", sorted(UNINSTALLABLE))
def test_a_station_that_cannot_install_says_so_and_keeps_its_version(
    server: ServerProcess, tmp_path: Path, case: str
) -> None:
    channel = f"old-{sorted(UNINSTALLABLE).index(case)}"
    suite = small_suite(tmp_path / "suite")
    with server.client() as client:
        v1 = client.publish(suite, channel)["version"]
    station = server.station(tmp_path / "dest", name=f"bad-{channel}", channel=channel)
    station.sync()
    objects_before = {
        p: p.read_bytes() for p in (tmp_path / "dest/.rtest/objects").rglob("*") if p.is_file()
    }
    publish_unchecked(server, {**suite_files(suite), **UNINSTALLABLE[case]}, channel)
    with pytest.raises(SyncError, match=f"cannot be installed: .*keeping version {v1[:12]}"):
        station.sync()
    assert station.current_version() == v1
    assert tree_files(tmp_path / "dest/current") == suite_files(suite)
    status = json.loads((tmp_path / "dest/.rtest-version.json").read_text())
    assert status["status"] != "ok" and "cannot be installed" in status["error"]
    reported_status, reported_error = station_report(server, f"bad-{channel}")
    assert reported_status == "failed" and "cannot be installed" in reported_error
    for path, data in objects_before.items():
        assert path.read_bytes() == data


def test_the_live_tree_never_shares_an_inode_with_the_object_store(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = small_suite(tmp_path / "suite")
    with server.client() as client:
        client.publish(suite, "inode")
    station = server.station(tmp_path / "dest", channel="inode")
    station.sync()
    current = tmp_path / "dest/current"
    objects = {p.stat().st_ino for p in (tmp_path / "dest/.rtest/objects").rglob("*")}
    assert not objects & {p.stat().st_ino for p in current.rglob("*") if p.is_file()}
    # a same-size edit of a live file; the next version (sharing that file) is still right
    target = current / "specs/product.json"
    os.chmod(target, 0o644)
    target.write_text(target.read_text().replace('"1"', '"9"'))
    write_suite(suite, {"boot2.rtest": GOOD_SCRIPT.replace("BIOS version", "Second")})
    with server.client() as client:
        v2 = client.publish(suite, "inode")["version"]
    assert station.sync(verify_files=True).version == v2
    assert tree_files(current) == suite_files(suite)


def test_a_tampered_local_manifest_is_not_trusted(server: ServerProcess, tmp_path: Path) -> None:
    suite = small_suite(tmp_path / "suite")
    with server.client() as client:
        version = client.publish(suite, "forged")["version"]
    station = server.station(tmp_path / "dest", channel="forged")
    station.sync()
    # another object as boot.rtest, in the live tree and in the local manifest alike
    manifest_file = tmp_path / f"dest/.rtest/manifests/{version}.json"
    doc = json.loads(manifest_file.read_bytes())
    by_path = {path: [digest, size] for path, digest, size in doc["files"]}
    by_path["boot.rtest"] = by_path["specs/product.json"]
    doc["files"] = sorted([path, *entry] for path, entry in by_path.items())
    manifest_file.write_text(json.dumps(doc))
    live = tmp_path / "dest/current/boot.rtest"
    os.chmod(live, 0o644)
    live.write_bytes((tmp_path / "dest/current/specs/product.json").read_bytes())
    result = station.sync()
    assert result.repaired and "failed verification" in result.repaired[0]
    assert tree_files(tmp_path / "dest/current") == suite_files(suite)


def test_status_files_are_private_and_never_show_the_token(
    server: ServerProcess, tmp_path: Path
) -> None:
    with server.client() as client:
        version = client.publish(small_suite(tmp_path / "suite"), "tok")["version"]
    args = [
        "sync",
        "--server",
        server.url,
        "--channel",
        "tok",
        "--dest",
        str(tmp_path / "d"),
        "--public-key",
        server.public_key,
    ]
    # a token read from a file, with its newline, works
    env = {"RTEST_TOKEN": server.token("st-tok", "station") + "\n"}
    done = CliRunner().invoke(app, args, env=env)
    assert done.exit_code == 0, done.stderr
    assert f"synced tok to {version[:12]}" in done.stdout
    status_file = tmp_path / "d/.rtest-version.json"
    assert stat.S_IMODE(status_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "d/.rtest/state.json").stat().st_mode) == 0o600
    # a wrong token, with a newline or a control character inside: never written anywhere
    secret = "SECRET-never-print-me"
    for token in (f"{secret}\n", f"{secret}\nmore", f"{secret}\x01"):
        failed = CliRunner().invoke(app, args, env={"RTEST_TOKEN": token})
        assert failed.exit_code != 0 and isinstance(failed.exception, SystemExit)
        assert secret not in failed.stderr and secret not in failed.stdout
        assert len(failed.stderr.strip().splitlines()) == 1
        assert secret not in status_file.read_text()
    assert stat.S_IMODE(status_file.stat().st_mode) == 0o600


def test_a_full_disk_leaves_no_downloads_no_temp_files_and_one_line(
    server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a", "1"), "full")["version"]
    station = server.station(tmp_path / "dest", channel="full")
    station.sync()
    dest = tmp_path / "dest"
    before = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    status_before = (dest / ".rtest-version.json").read_bytes()
    suite = write_suite(
        small_suite(tmp_path / "b", "2"),
        {f"specs/sku{i}.json": f'{{"sku": {i}}}' for i in range(50)},
    )
    with server.client() as client:
        client.publish(suite, "full")
    real_write = os.write
    budget = {"bytes": 400}  # the disk fills after a few objects

    def write(fd: int, data: Any) -> int:
        if budget["bytes"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        budget["bytes"] -= len(data)
        return real_write(fd, data)

    def no_space(*_: object, **__: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(Path, "write_bytes", no_space)
    monkeypatch.setattr(Path, "write_text", no_space)
    with pytest.raises(SyncError) as failure:
        station.sync()
    monkeypatch.undo()
    message = str(failure.value)
    assert "disk full" in message and f"keeping version {v1[:12]}" in message
    assert "\n" not in message
    after = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert [p for p in after if ".tmp" in p or ".build-" in p] == []
    assert [p for p in after if "/objects/" in p] == [p for p in before if "/objects/" in p]
    assert (dest / ".rtest-version.json").read_bytes() == status_before
    assert station.sync().version != v1  # space back: the sync goes through
    assert tree_files(dest / "current") == suite_files(suite)


@pytest.mark.parametrize(
    "option", ["--dest", "--channel ../versions", "--channel ../public-key", "--channel .."]
)
def test_rtest_sync_mistakes_are_one_line_errors(
    server: ServerProcess, tmp_path: Path, option: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    name, _, value = option.partition(" ")
    dest = str(a_file) if name == "--dest" else str(tmp_path / "d")
    result = CliRunner().invoke(
        app,
        [
            "sync",
            "--server",
            server.url,
            "--dest",
            dest,
            "--channel",
            value or "stable",
            "--token",
            server.token("st1", "station"),
            "--public-key",
            server.public_key,
        ],
    )
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert ("not a folder" if name == "--dest" else "invalid channel name") in lines[0]
    assert a_file.read_text() == "not a folder"


def test_a_damaged_object_is_downloaded_again_not_used(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = small_suite(tmp_path / "suite")
    with server.client() as client:
        client.publish(suite, "rot")
    station = server.station(tmp_path / "dest", channel="rot")
    station.sync()
    spec = (suite / "specs/product.json").read_bytes()
    blob = next(
        p
        for p in (tmp_path / "dest/.rtest/objects").rglob("*")
        if p.is_file() and p.read_bytes() == spec
    )
    os.chmod(blob, 0o644)
    blob.write_bytes(spec.replace(b"1", b"9"))  # same size, same name: bit rot
    write_suite(suite, {"boot2.rtest": GOOD_SCRIPT.replace("BIOS version", "Second")})
    with server.client() as client:
        client.publish(suite, "rot")
    result = station.sync()
    assert result.downloaded == 2  # the new file, and the damaged one again
    assert tree_files(tmp_path / "dest/current") == suite_files(suite)
