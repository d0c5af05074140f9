"""Publish refuses damaged archives, links and versions no station could install.

Each archive is checked by `read_archive` and sent to a real server, which must answer
400 with a clear message, store no version and leave the channel where it was.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server.conftest import GOOD_SCRIPT, ServerProcess, small_suite
from typer.testing import CliRunner

from robotest.cli import app
from robotest.server.archive import Limits, pack_files, read_archive
from robotest.server.errors import ArchiveError

SPEC = b'{"sku": 1}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("server-data")).start()
    yield proc
    proc.stop()


def two_members(spec: bytes = SPEC) -> bytes:
    """boot.rtest then specs/a.json, as Python's tarfile writes them (10 KiB records)."""
    return pack_files({"boot.rtest": GOOD_SCRIPT.encode(), "specs/a.json": spec})


def second_header_offset() -> int:
    size = len(GOOD_SCRIPT.encode())
    return 512 + (size + 511) // 512 * 512


def bad_checksum_on_second_member() -> bytes:
    data = bytearray(two_members())
    data[second_header_offset() + 148 : second_header_offset() + 156] = b"0000000\0"
    return bytes(data)


def cut_between_members() -> bytes:
    return two_members()[: second_header_offset()]


def cut_inside_data() -> bytes:
    return two_members()[: second_header_offset() + 512 + 4]


def size_that_lies(size: int, spec: bytes = SPEC) -> bytes:
    """The second member's header claims `size` bytes (checksum recomputed: a valid header)."""
    data = bytearray(two_members(spec))
    start = second_header_offset()
    header = data[start : start + 512]
    header[124:136] = f"{size:011o}\0".encode()
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    data[start : start + 512] = header
    return bytes(data)


def trailing_garbage() -> bytes:
    return two_members() + b"GARBAGE" + b"\0" * 505


DAMAGED = {
    "bad checksum on 2nd member": (bad_checksum_on_second_member, "archive is damaged at byte"),
    "cut between members": (cut_between_members, "archive is cut short"),
    "cut inside data": (cut_inside_data, "unexpected end of data"),
    "size says less": (lambda: size_that_lies(2), "declares 2 bytes but more data follows"),
    "size says blocks less": (
        lambda: size_that_lies(512, b"7" * 1024),
        "archive is damaged at byte",
    ),
    "size says more": (lambda: size_that_lies(20_000), "archive is"),
    "trailing garbage": (trailing_garbage, "trailing data after its end marker"),
    "gzip of a cut tar": (lambda: gzip.compress(cut_between_members()), "cut short"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_read_archive_refuses_damaged_archives(case: str) -> None:
    make, message = DAMAGED[case]
    with pytest.raises(ArchiveError, match=message):
        read_archive(make(), Limits())


def test_an_intact_archive_is_still_read_whole() -> None:
    assert read_archive(two_members(), Limits()) == {
        "boot.rtest": GOOD_SCRIPT.encode(),
        "specs/a.json": SPEC,
    }
    assert len(read_archive(gzip.compress(two_members()), Limits())) == 2


def test_member_count_is_bounded_before_extraction() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for i in range(50):
            info = tarfile.TarInfo(f"d{i}")
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
    with pytest.raises(ArchiveError, match="more than 10 entries"):
        read_archive(buffer.getvalue(), Limits(max_files=10))


def post(proc: ServerProcess, body: bytes, channel: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {proc.token('alice', 'publisher')}"}
    return httpx.post(
        proc.url + "/api/v1/publish",
        params={"channel": channel},
        content=body,
        headers=headers,
        timeout=60,
    )


def channel_version(proc: ServerProcess, channel: str) -> str:
    headers = {"Authorization": f"Bearer {proc.token('alice', 'publisher')}"}
    answer = httpx.get(f"{proc.url}/api/v1/channels/{channel}", headers=headers).json()
    return str(answer["version"])


def assert_refused(proc: ServerProcess, body: bytes, message: str, tmp_path: Path) -> None:
    channel = f"keep-{abs(hash(body)) % 10**9}"
    with proc.client() as client:
        good = client.publish(small_suite(tmp_path / "good"), channel)["version"]
    response = post(proc, body, channel)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert detail.startswith("archive refused, nothing stored: ") and message in detail
    assert "\n" not in detail
    assert channel_version(proc, channel) == good


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_server_refuses_damaged_archives_and_the_channel_stays(
    server: ServerProcess, tmp_path: Path, case: str
) -> None:
    make, message = DAMAGED[case]
    assert_refused(server, make(), message, tmp_path)


UNINSTALLABLE = {
    "file and folder": (
        {"specs.json": SPEC, "specs.json/a.json": SPEC},
        "specs.json: is both a file and a folder",
    ),
    "300-character name": ({"a" * 296 + ".txt": b"x"}, "a name is longer than 255 bytes"),
    "2,500 levels": ({"a/" * 2500 + "x.json": b"x"}, "path is longer than 1000 characters"),
    "65 levels": ({"a/" * 65 + "x.json": b"x"}, "deeper than 64 folders"),
    "root version marker": ({".rtest-version.json": b"{}"}, "reserved for the station"),
    "nested version marker": ({"lib/.rtest-version.json": b"{}"}, "reserved for the station"),
}


@pytest.mark.parametrize("case", sorted(UNINSTALLABLE))
def test_server_refuses_versions_no_station_can_install(
    server: ServerProcess, tmp_path: Path, case: str
) -> None:
    files, message = UNINSTALLABLE[case]
    body = pack_files({"boot.rtest": GOOD_SCRIPT.encode(), **files})
    assert_refused(server, body, message, tmp_path)


@pytest.mark.parametrize("link", ["folder", "file"])
def test_rtest_publish_refuses_a_suite_holding_a_link(
    server: ServerProcess, tmp_path: Path, link: str
) -> None:
    suite = small_suite(tmp_path / "suite")
    shared = small_suite(tmp_path / "shared", "2")
    linked = suite / "shared"
    if link == "folder":
        linked.symlink_to(shared / "specs", target_is_directory=True)
    else:
        linked = suite / "lib/shared.rtest"
        linked.symlink_to(shared / "boot.rtest")
    result = CliRunner().invoke(
        app,
        [
            "publish",
            str(suite),
            "--server",
            server.url,
            "--channel",
            f"links-{link}",
            "--token",
            server.token("alice", "publisher"),
        ],
    )
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # no traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(linked) in lines[0] and "links are not allowed" in lines[0]
    headers = {"Authorization": f"Bearer {server.token('alice', 'publisher')}"}
    assert (
        httpx.get(f"{server.url}/api/v1/channels/links-{link}", headers=headers).status_code == 404
    )
