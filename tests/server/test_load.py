"""A bounded load test on loopback: 20 stations x 500 files sync at once, consistently.

The full-size run (200 stations, 10,000 files) is `benchmarks/bench_sync.py`.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from robotest.station_sync import StationSync, SyncResult

from .conftest import ServerProcess, big_suite

STATIONS, FILES = 20, 500


def check_consistent(station: StationSync, server: ServerProcess) -> str:
    """The station's tree holds exactly the files of the version it reports."""
    version = station.current_version()
    assert version is not None
    raw, _ = station.client.manifest(version)
    expected = {path: digest for path, digest, _ in json.loads(raw)["files"]}
    tree = station.dest / "current"
    actual = {
        p.relative_to(tree).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in tree.rglob("*")
        if p.is_file() and p.name != ".rtest-version.json"
    }
    assert actual == expected
    return version


def test_stations_sync_at_once_without_failure_or_inconsistency(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = big_suite(tmp_path / "suite", FILES)
    with server.client() as client:
        v1 = client.publish(suite, "load")["version"]
    stations = [
        server.station(tmp_path / f"st{i}", name=f"load-st{i}", channel="load")
        for i in range(STATIONS)
    ]
    with ThreadPoolExecutor(STATIONS) as pool:
        first: list[SyncResult] = list(pool.map(lambda s: s.sync(), stations))
    assert {(r.version, r.downloaded) for r in first} == {(v1, FILES)}
    assert {check_consistent(s, server) for s in stations} == {v1}

    # one file changes; while the stations sync, another version is published
    (suite / "area03/spec403.json").write_text('{"sku": 403, "fan_rpm": 0}')
    with server.client() as client:
        v2 = client.publish(suite, "load")["version"]
        (suite / "area04/spec404.json").write_text('{"sku": 404, "fan_rpm": 0}')
        with ThreadPoolExecutor(STATIONS + 1) as pool:
            syncing = [pool.submit(s.sync) for s in stations]
            v3 = pool.submit(client.publish, suite, "load").result()["version"]
            second = [f.result() for f in syncing]
    assert {r.version for r in second} <= {v2, v3}
    assert all(r.downloaded in (1, 2) for r in second)
    assert {check_consistent(s, server) for s in stations} <= {v2, v3}
    with ThreadPoolExecutor(STATIONS) as pool:
        third = list(pool.map(lambda s: s.sync(), stations))
    assert {r.version for r in third} == {v3}
    assert {check_consistent(s, server) for s in stations} == {v3}
