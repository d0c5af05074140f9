"""Issue 17, decompression bombs: a small results upload that expands to hundreds of MB
is refused before it is expanded, with an error naming the limit (which the server's
administrator can set)."""

from __future__ import annotations

import io
import json
import tarfile
import tracemalloc
from pathlib import Path

import pytest
from server.conftest import ServerProcess

from robotest.server.client import ServerClient
from robotest.server.errors import ArchiveError, ClientError
from robotest.server.expansion import check_expansion
from robotest.server.service import RESULT_LIMITS

from .conftest import run_json

MB = 1024 * 1024


class Zeros(io.RawIOBase):
    """`size` zero bytes, read without ever holding them."""

    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def bomb(sizes: list[int]) -> bytes:
    """A tar.gz with a valid run.json and one log of zeros per entry of `sizes`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=9) as tar:
        run = json.dumps(run_json("bomb", "st1", tests=[])).encode()
        info = tarfile.TarInfo("run.json")
        info.size = len(run)
        tar.addfile(info, io.BytesIO(run))
        for n, size in enumerate(sizes):
            info = tarfile.TarInfo(f"logs/big{n}.log")
            info.size = size
            tar.addfile(info, io.BufferedReader(Zeros(size)))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def one_big() -> bytes:
    return bomb([300 * MB])


@pytest.fixture(scope="module")
def many_small() -> bytes:
    return bomb([60 * MB] * 5)


def refused_in_bounded_memory(data: bytes) -> str:
    """The error refusing `data`, checked to be reached in a few MB of memory."""
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError) as refused:
            check_expansion(data, RESULT_LIMITS, "--max-results-size", "--max-result-file-size")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MB, f"{peak} bytes used to refuse the archive"
    return str(refused.value)


def test_bombs_are_refused_before_expanding(one_big: bytes, many_small: bytes) -> None:
    assert len(one_big) < 0.4 * MB and len(many_small) < 0.4 * MB
    message = refused_in_bounded_memory(one_big)
    assert message == (
        f"logs/big0.log: {300 * MB} bytes is over the size limit of {64 * MB} "
        "bytes (--max-result-file-size)"
    )
    message = refused_in_bounded_memory(many_small)
    assert message == (
        f"archive expands to more than the total limit of {256 * MB} bytes (--max-results-size)"
    )


def test_the_server_refuses_a_bomb_and_names_the_limit(
    server: ServerProcess, one_big: bytes
) -> None:
    with (
        ServerClient(server.url, server.token("st1", "station")) as station,
        pytest.raises(
            ClientError,
            match=r"\(400\): results refused, nothing stored: "
            r"logs/big0.log: .* \(--max-result-file-size\)",
        ),
    ):
        station.request("POST", "/runs", content=one_big)


def test_the_limits_are_settable(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path / "data",
        extra=["--max-results-size", str(MB), "--max-result-file-size", str(MB // 2)],
    )
    server.start()
    try:
        with ServerClient(server.url, server.token("st1", "station")) as station:
            with pytest.raises(ClientError, match=r"over the size limit of 524288 bytes"):
                station.request("POST", "/runs", content=bomb([MB // 2 + 1]))
            with pytest.raises(ClientError, match=r"total limit of 1048576 bytes"):
                station.request("POST", "/runs", content=bomb([MB // 2] * 3))
            done = station.request("POST", "/runs", content=bomb([MB // 4])).json()
            assert done["id"] == "st1/bomb"
    finally:
        server.stop()
