"""A server killed in the middle of a publish shows no partial version after restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from robotest.server.archive import pack_directory
from robotest.server.errors import ClientError

from .conftest import ServerProcess, big_suite, small_suite


def object_count(server: ServerProcess) -> int:
    return sum(1 for p in (server.data / "objects").rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return pack_directory(big_suite(tmp_path_factory.mktemp("v2"), 5000, scripts=2))


@pytest.mark.parametrize("phase", ["upload", "store"])
def test_server_killed_in_the_middle_of_a_publish(
    fresh_server: ServerProcess, tmp_path: Path, phase: str, archive: bytes
) -> None:
    with fresh_server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "v1"), "stable")["version"]
    stored = object_count(fresh_server)
    outcome: list[object] = []
    token = fresh_server.token("alice", "publisher")
    half_sent, killed = threading.Event(), threading.Event()

    def body() -> Iterator[bytes]:
        yield archive[: len(archive) // 2]
        half_sent.set()
        killed.wait(30)  # the server dies while waiting for the rest
        yield archive[len(archive) // 2 :]

    def publish() -> None:
        try:
            outcome.append(
                httpx.post(
                    fresh_server.url + "/api/v1/publish",
                    params={"channel": "stable"},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                    content=body() if phase == "upload" else archive,
                )
            )
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    if phase == "upload":
        assert half_sent.wait(30)
        time.sleep(0.2)
    else:  # wait until the server has begun writing the new version's files
        while object_count(fresh_server) == stored and time.monotonic() < deadline:
            time.sleep(0.002)
    fresh_server.kill()
    killed.set()
    thread.join(30)
    assert isinstance(outcome[0], httpx.HTTPError), "the publish finished before the kill"
    fresh_server.start()
    with fresh_server.client() as client:
        assert [v["version"] for v in client.versions()] == [v1]
        assert client.channel("stable")["version"] == v1
        assert [
            h["version_id"] for h in client.request("GET", "/channels/stable/history").json()
        ] == [v1]
    station = fresh_server.station(tmp_path / "dest")
    assert station.sync().version == v1
    with pytest.raises(ClientError, match="404"), fresh_server.client() as client:
        client.diff(v1, "0" * 64)
