"""Station sync against a real server: delta, verification, failures keep the last good version."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from robotest.cli import app
from robotest.server.client import ServerClient
from robotest.server.errors import SyncError
from robotest.station_sync import StationSync, read_synced_version

from .conftest import ServerProcess, big_suite, small_suite, write_suite


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


def other_key() -> str:
    raw = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()


def test_first_sync_installs_the_version_and_records_it(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = small_suite(tmp_path / "suite")
    with server.client() as client:
        version = client.publish(suite, "s1")["version"]
    station = server.station(tmp_path / "dest", channel="s1")
    result = station.sync()
    assert (result.version, result.changed, result.downloaded) == (version, True, 4)
    assert tree_files(tmp_path / "dest/current") == suite_files(suite)
    recorded = read_synced_version(tmp_path / "dest/current/lib/enter_setup.rtest")
    assert recorded is not None and recorded.version == version and recorded.channel == "s1"
    status = json.loads((tmp_path / "dest/.rtest-version.json").read_text())
    assert status["version"] == version and status["status"] == "ok"
    again = station.sync()
    assert (again.changed, again.downloaded) == (False, 0)


def test_one_changed_file_in_10000_transfers_one_file(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = big_suite(tmp_path / "suite", 10_000)
    station = server.station(tmp_path / "dest", channel="big")
    with server.client() as client:
        v1 = client.publish(suite, "big")["version"]
        assert station.sync().downloaded == 10_000
        old_tree = (tmp_path / "dest/current").resolve()
        (suite / "area07/spec5007.json").write_text('{"sku": 5007, "fan_rpm": 1}')
        v2 = client.publish(suite, "big")["version"]
    result = station.sync()
    assert (result.previous, result.version, result.downloaded) == (v1, v2, 1)
    assert result.downloaded_bytes == len('{"sku": 5007, "fan_rpm": 1}')
    assert (tmp_path / "dest/current/area07/spec5007.json").read_text().endswith('"fan_rpm": 1}')
    assert len(tree_files(tmp_path / "dest/current")) == 10_000
    # the old tree was never modified in place
    assert '"fan_rpm": 35049' in (old_tree / "area07/spec5007.json").read_text()
    station.cleanup()
    assert not old_tree.exists() or old_tree.name.startswith(v1)


def test_corrupt_download_keeps_the_last_good_version(
    server: ServerProcess, tmp_path: Path
) -> None:
    with server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a", "1"), "corrupt")["version"]
        station = server.station(tmp_path / "dest", channel="corrupt")
        station.sync()
        published = client.publish(small_suite(tmp_path / "b", "corrupted"), "corrupt")
    changed = published["changes"]["changed"]
    assert changed == ["icons/terminal.png", "specs/product.json"]
    raw, _ = ServerClient(server.url, server.token("alice", "publisher")).manifest(
        published["version"]
    )
    entry = next(f for f in json.loads(raw)["files"] if f[0] == "specs/product.json")
    blob = server.data / "objects" / entry[1][:2] / entry[1]
    os.chmod(blob, 0o644)
    blob.write_text('{"bios_version": "evil!!!!"}')
    with pytest.raises(SyncError, match=f"corrupt download.*keeping version {v1[:12]}"):
        station.sync()
    assert station.current_version() == v1
    assert tree_files(tmp_path / "dest/current") == suite_files(tmp_path / "a")
    status = json.loads((tmp_path / "dest/.rtest-version.json").read_text())
    assert status["version"] == v1 and status["status"] == "stale"
    assert "corrupt download" in status["error"]
    assert not station.objects.has(entry[1])


def test_unreachable_server_keeps_the_version(server: ServerProcess, tmp_path: Path) -> None:
    with server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a"), "away")["version"]
    server.station(tmp_path / "dest", channel="away").sync()
    away = StationSync(
        ServerClient("http://127.0.0.1:9", "x", timeout=2),
        "away",
        tmp_path / "dest",
        server.public_key,
    )
    with pytest.raises(SyncError, match=f"unreachable.*keeping version {v1[:12]}"):
        away.sync()
    assert away.current_version() == v1
    code = CliRunner().invoke(
        app,
        [
            "sync",
            "--server",
            "http://127.0.0.1:9",
            "--channel",
            "away",
            "--dest",
            str(tmp_path / "dest"),
            "--token",
            "x",
        ],
    )
    assert code.exit_code == 1
    assert code.stderr.startswith("error: sync failed: server http://127.0.0.1:9 unreachable")
    assert f"keeping version {v1[:12]}" in code.stderr


def test_a_version_signed_by_another_key_is_refused(server: ServerProcess, tmp_path: Path) -> None:
    with server.client() as client:
        client.publish(small_suite(tmp_path / "a"), "keys")
    client = ServerClient(server.url, server.token("st1", "station"))
    station = StationSync(client, "keys", tmp_path / "dest", other_key())
    with pytest.raises(SyncError, match="bad signature.*no version yet"):
        station.sync()
    assert not (tmp_path / "dest/current").exists()
    # a station pinned to one key refuses to be re-pinned silently
    server.station(tmp_path / "dest2", channel="keys").sync()
    repinned = StationSync(client, "keys", tmp_path / "dest2", other_key())
    with pytest.raises(SyncError, match="differs from the one pinned"):
        repinned.sync()
    missing = StationSync(client, "keys", tmp_path / "dest3", None)
    with pytest.raises(SyncError, match="no server public key pinned"):
        missing.sync()


@pytest.mark.parametrize("signature", ["", "forged"])
def test_unsigned_or_mis_signed_channel_moves_are_refused(
    server: ServerProcess, tmp_path: Path, signature: str
) -> None:
    channel = f"sig-channel-{signature}"
    with server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a", channel + "1"), channel)["version"]
        station = server.station(tmp_path / "dest", channel=channel)
        station.sync()
        client.publish(small_suite(tmp_path / "b", channel + "2"), channel)
    if signature == "forged":  # a valid signature by the server's own key, of other bytes
        signature = (tmp_path / "dest/.rtest/manifests" / f"{v1}.sig").read_text()
    with sqlite3.connect(server.data / "robotest-server.db") as db:
        db.execute("UPDATE channels SET signature = ? WHERE name = ?", (signature, channel))
    what = "unsigned" if not signature else "bad signature"
    with pytest.raises(SyncError, match=f"channel .*{what}.*keeping version {v1[:12]}"):
        station.sync()
    assert station.current_version() == v1


def test_unsigned_or_mis_signed_versions_are_refused(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    stations, old, new = {}, {}, {}
    with fresh_server.client() as client:
        for case in ("unsigned", "forged"):
            old[case] = client.publish(small_suite(tmp_path / case / "a", case + "1"), case)[
                "version"
            ]
            stations[case] = fresh_server.station(tmp_path / case / "dest", channel=case)
            stations[case].sync()
            new[case] = client.publish(small_suite(tmp_path / case / "b", case + "2"), case)[
                "version"
            ]
    forged = (tmp_path / "forged/dest/.rtest/manifests" / f"{old['forged']}.sig").read_text()
    with sqlite3.connect(fresh_server.data / "robotest-server.db") as db:
        db.execute("UPDATE versions SET signature = '' WHERE id = ?", (new["unsigned"],))
        db.execute("UPDATE versions SET signature = ? WHERE id = ?", (forged, new["forged"]))
    fresh_server.stop()  # the server keeps manifests in memory: start it afresh
    fresh_server.start()
    for case, message in (("unsigned", "is unsigned"), ("forged", "bad signature")):
        with pytest.raises(
            SyncError, match=f"version .*{message}.*keeping version {old[case][:12]}"
        ):
            stations[case].sync()
        assert stations[case].current_version() == old[case]


def test_files_slipped_onto_a_station_are_removed_on_the_next_sync(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = small_suite(tmp_path / "suite")
    with server.client() as client:
        client.publish(suite, "tamper")
    station = server.station(tmp_path / "dest", channel="tamper")
    station.sync()
    current = tmp_path / "dest/current"
    (current / "lib/rogue.rtest").write_text(suite.joinpath("boot.rtest").read_text())
    result = station.sync()
    assert result.repaired == ["lib/rogue.rtest (not in the version)"]
    assert tree_files(current) == suite_files(suite)
    # a same-size edit in place is found by --verify (re-hash)
    target = current / "specs/product.json"
    os.chmod(target, 0o644)
    target.write_text(target.read_text().replace('"1"', '"9"'))
    assert station.sync().repaired == []
    assert station.sync(verify_files=True).repaired == ["specs/product.json"]
    assert tree_files(current) == suite_files(suite)


def test_server_killed_in_the_middle_of_a_sync(fresh_server: ServerProcess, tmp_path: Path) -> None:
    with fresh_server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a", "1"), "stable")["version"]
        StationSync(client, "stable", tmp_path / "warm", fresh_server.public_key).sync()
        station = fresh_server.station(tmp_path / "dest")
        station.sync()
        suite = write_suite(
            small_suite(tmp_path / "b", "2"),
            {f"specs/sku{i}.json": f'{{"sku": {i}}}' for i in range(300)},
        )
        v2 = client.publish(suite, "stable")["version"]

    def kill_after_manifest(step: str) -> None:
        if step == "manifest":
            fresh_server.kill()

    station.progress = kill_after_manifest
    with pytest.raises(SyncError, match=f"keeping version {v1[:12]}"):
        station.sync()
    assert station.current_version() == v1
    assert tree_files(tmp_path / "dest/current") == suite_files(tmp_path / "a")
    assert not list((tmp_path / "dest/.rtest/trees").glob(".build-*"))
    fresh_server.start()
    station.progress = None
    assert station.sync().version == v2
    assert tree_files(tmp_path / "dest/current") == suite_files(suite)


def test_rtest_sync_command(server: ServerProcess, tmp_path: Path) -> None:
    with server.client() as client:
        version = client.publish(small_suite(tmp_path / "a"), "cmd")["version"]
    key_file = tmp_path / "server.pub"
    key_file.write_text(server.public_key)
    args = [
        "sync",
        "--server",
        server.url,
        "--channel",
        "cmd",
        "--dest",
        str(tmp_path / "d"),
        "--token",
        server.token("st1", "station"),
        "--public-key",
        str(key_file),
    ]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert f"synced cmd to {version[:12]}: downloaded 4 file(s)" in first.stdout
    second = CliRunner().invoke(app, args[:-2])  # the key is pinned now
    assert second.exit_code == 0 and f"up to date: cmd is {version[:12]}" in second.stdout


def test_sync_before_run_gives_the_version_to_run_or_a_warning(
    server: ServerProcess, tmp_path: Path
) -> None:
    from robotest.station_sync import sync_before_run

    with server.client() as client:
        version = client.publish(small_suite(tmp_path / "a"), "run")["version"]
    token = server.token("st1", "station")
    synced, warning = sync_before_run(server.url, "run", tmp_path / "d", token, server.public_key)
    assert warning is None and synced is not None
    assert (synced.version, synced.status) == (version, "ok")
    synced, warning = sync_before_run("http://127.0.0.1:9", "run", tmp_path / "d", token)
    assert synced is not None and (synced.version, synced.status) == (version, "stale")
    assert warning is not None and "unreachable" in warning and "keeping version" in warning
    assert synced.error is not None and "unreachable" in synced.error


def test_a_replayed_older_channel_move_is_refused(server: ServerProcess, tmp_path: Path) -> None:
    from robotest.server.signing import channel_statement, load_or_create_signer

    with server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a", "r1"), "replay")["version"]
        v2 = client.publish(small_suite(tmp_path / "b", "r2"), "replay")["version"]
    station = server.station(tmp_path / "dest", channel="replay")
    assert station.sync().version == v2
    # an old answer, genuinely signed by the server, replayed to the station
    old = load_or_create_signer(server.data).sign(channel_statement("replay", v1, 1))
    with sqlite3.connect(server.data / "robotest-server.db") as db:
        db.execute(
            "UPDATE channels SET version_id = ?, seq = 1, signature = ? WHERE name = 'replay'",
            (v1, old),
        )
    with pytest.raises(SyncError, match=f"older channel move \\(seq 1 < 2\\).*{v2[:12]}"):
        station.sync()
    assert station.current_version() == v2


def test_rtest_run_syncs_first_and_records_the_version_it_ran(
    server: ServerProcess, tmp_path: Path
) -> None:
    from robotest.runtime.store import ResultStore

    with server.client() as client:
        version = client.publish(small_suite(tmp_path / "a"), "runsync")["version"]
    args = [
        "run",
        "--sync",
        server.url,
        "--channel",
        "runsync",
        "--sync-dest",
        str(tmp_path / "st"),
        "--token",
        server.token("st1", "station"),
        "--public-key",
        server.public_key,
        "--station",
        "record",
        "--db",
        str(tmp_path / "r.db"),
        "--report",
        str(tmp_path / "rep"),
    ]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    server.kill()  # unreachable now: the station runs its last good version, and says so
    second = CliRunner().invoke(app, [*args, "boot.rtest"])
    assert second.exit_code == 0, second.output
    assert "warning: sync failed" in second.output
    with ResultStore(tmp_path / "r.db") as store:
        runs = [store.run(1), store.run(2)]
    assert [r.suite_version for r in runs if r] == [
        f"synced {version[:12]} (runsync)",
        f"synced {version[:12]} (runsync, stale)",
    ]
    assert [len(r.cases) for r in runs if r] == [2, 1]  # whole tree, then one file


def test_rtest_run_with_nothing_synced_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--sync",
            "http://127.0.0.1:9",
            "--sync-dest",
            str(tmp_path / "st"),
            "--station",
            "record",
        ],
    )
    assert result.exit_code == 2
    assert "nothing to run" in result.output and "no synced version" in result.output
