"""Archive checks: every escaping path, link, special file, size and type is refused.

The same archives are sent to the real server, which must refuse each with a clear
error and store nothing.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from robotest.server.archive import Limits, check_path, pack_directory, read_archive
from robotest.server.errors import ArchiveError

from .conftest import GOOD_SCRIPT, ServerProcess


def tar_of(*members: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.addfile(_file("ok.rtest", GOOD_SCRIPT.encode()), io.BytesIO(GOOD_SCRIPT.encode()))
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _file(name: str, data: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info


def _special(name: str, kind: bytes, link: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info, None


BIG = b"x" * (16 * 1024 * 1024 + 1)
REFUSED = {
    "dotdot": ((_file("../evil.rtest", b"x"), b"x"), "path escapes the suite"),
    "nested-dotdot": ((_file("lib/../../evil.json", b"x"), b"x"), "path escapes the suite"),
    "absolute": ((_file("/etc/cron.d/evil.txt", b"x"), b"x"), "absolute paths are not allowed"),
    "symlink": (
        _special("lib/passwd.txt", tarfile.SYMTYPE, "/etc/passwd"),
        "links are not allowed",
    ),
    "hardlink": (_special("lib/copy.rtest", tarfile.LNKTYPE, "ok.rtest"), "links are not allowed"),
    "fifo": (_special("lib/pipe.txt", tarfile.FIFOTYPE), "not a regular file"),
    "device": (_special("lib/disk.txt", tarfile.BLKTYPE), "not a regular file"),
    "executable": ((_file("tools/flash.exe", b"MZ"), b"MZ"), "file type '.exe' is not allowed"),
    "shell": ((_file("tools/run.sh", b"rm -rf /"), b"rm -rf /"), "file type '.sh' is not allowed"),
    "no-suffix": ((_file("Makefile", b"all:"), b"all:"), "file type '(none)' is not allowed"),
    "oversize": ((_file("icons/huge.png", BIG), BIG), "over the size limit of 16777216 bytes"),
    "duplicate": ((_file("ok.rtest", b"again"), b"again"), "appears twice"),
    "backslash": ((_file("lib\\..\\x.txt", b"x"), b"x"), "not a valid path"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_read_archive_refuses(case: str) -> None:
    member, message = REFUSED[case]
    with pytest.raises(ArchiveError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_archive(tar_of(member), Limits())


def test_not_an_archive_or_empty() -> None:
    with pytest.raises(ArchiveError, match="not a tar archive"):
        read_archive(b"PK\x03\x04 this is a zip", Limits())
    empty = io.BytesIO()
    tarfile.open(fileobj=empty, mode="w").close()
    with pytest.raises(ArchiveError, match="no files"):
        read_archive(empty.getvalue(), Limits())
    with pytest.raises(ArchiveError, match="total size limit"):
        read_archive(tar_of((_file("b.json", b"y" * 100), b"y" * 100)), Limits(max_total_size=120))


@given(
    st.lists(
        st.sampled_from(["a", "b.rtest", "..", ".", "", "lib", "x y"]), min_size=1, max_size=6
    ),
    st.booleans(),
)
def test_accepted_paths_never_escape(parts: list[str], absolute: bool) -> None:
    name = ("/" if absolute else "") + "/".join(parts)
    try:
        path = check_path(name)
    except ArchiveError:
        assert name.startswith("/") or ".." in parts or not [p for p in parts if p not in ("", ".")]
        return
    assert not name.startswith("/") and ".." not in path.split("/")
    assert not path.startswith("/") and "" not in path.split("/")
    assert (Path("/suite") / path).resolve().is_relative_to("/suite")


def test_pack_directory_keeps_links_so_the_server_can_refuse_them(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s/ok.rtest").write_text(GOOD_SCRIPT)
    (tmp_path / "s/.git").mkdir()
    (tmp_path / "s/.git/config.txt").write_text("hidden")
    (tmp_path / "s/link.rtest").symlink_to(tmp_path / "s/ok.rtest")
    with pytest.raises(ArchiveError, match="link.rtest: links are not allowed"):
        read_archive(pack_directory(tmp_path / "s"), Limits())
    (tmp_path / "s/link.rtest").unlink()
    assert set(read_archive(pack_directory(tmp_path / "s"), Limits())) == {"ok.rtest"}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_server_refuses_and_stores_nothing(server: ServerProcess, case: str) -> None:
    member, message = REFUSED[case]
    headers = {"Authorization": f"Bearer {server.token('alice', 'publisher')}"}
    objects_before = sorted(p.name for p in (server.data / "objects").rglob("*"))
    versions_before = httpx.get(server.url + "/api/v1/versions", headers=headers).json()
    response = httpx.post(
        server.url + "/api/v1/publish",
        params={"channel": f"refuse-{case}"},
        content=tar_of(member),
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("archive refused, nothing stored: ") and message in detail
    assert httpx.get(server.url + "/api/v1/versions", headers=headers).json() == versions_before
    assert sorted(p.name for p in (server.data / "objects").rglob("*")) == objects_before
    assert (
        httpx.get(server.url + f"/api/v1/channels/refuse-{case}", headers=headers).status_code
        == 404
    )


def test_server_size_limit_is_configurable(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path / "data", extra=["--max-file-size", "1000"]).start()
    try:
        headers = {"Authorization": f"Bearer {proc.token('alice', 'publisher')}"}
        response = httpx.post(
            proc.url + "/api/v1/publish",
            headers=headers,
            timeout=30,
            content=tar_of((_file("a.json", b"1" * 1001), b"1" * 1001)),
        )
        assert response.status_code == 400
        assert "a.json: 1001 bytes is over the size limit of 1000 bytes" in response.text
        ok = httpx.post(
            proc.url + "/api/v1/publish",
            headers=headers,
            timeout=30,
            content=tar_of((_file("a.json", b"1" * 1000), b"1" * 1000)),
        )
        assert ok.status_code == 201
    finally:
        proc.stop()
