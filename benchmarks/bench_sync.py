"""Script server sync benchmark on loopback (127.0.0.1 only).

1. One station, 10,000-file suite: median time of a no-change sync and of a one-file
   change sync, side by side with the baseline of a full sync of the same suite.
2. Load: N stations (default 200) holding the suite sync at once, first with no change,
   then after a one-file change; every station must end on the new version with a tree
   that matches it (no failed or inconsistent sync).

    nice -n 10 python3 benchmarks/bench_sync.py --stations 200 --files 10000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robotest.server.client import ServerClient  # noqa: E402
from robotest.server.service import ServerConfig, create_token  # noqa: E402
from robotest.station_sync import StationSync  # noqa: E402

SCRIPT = 'test "BIOS {n}" tags bios:\n    press F2\n    await_text "BIOS Setup" within 60s\n'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_suite(root: Path, count: int) -> Path:
    for i in range(count):
        folder = root / f"area{i % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i < 50:
            (folder / f"script{i}.rtest").write_text(SCRIPT.format(n=i))
        else:
            (folder / f"spec{i}.json").write_text(json.dumps({"sku": i, "fan_rpm": i * 7}))
    return root


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robotest",
            "server",
            "--data",
            str(data),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url + "/api/v1/public-key", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def server_cpu_ns(pid: int) -> int:
    """CPU time the server process's threads have run (from /proc schedstat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as handle:
                total += int(handle.read().split()[0])
        except OSError:
            pass
    return total


def timed(action: object, cpu: list[float] | None = None, pid: int = 0) -> float:
    """Wall milliseconds of `action()`; its CPU milliseconds (this process + the server)
    appended to `cpu`: the figure that does not depend on other load on the machine."""
    server0, cpu0 = server_cpu_ns(pid) if pid else 0, time.process_time()
    start = time.perf_counter()
    action()  # type: ignore[operator]
    wall = (time.perf_counter() - start) * 1000
    if cpu is not None:
        spent = (time.process_time() - cpu0) * 1000
        cpu.append(spent + max(0, server_cpu_ns(pid) - server0) / 1e6)
    return wall


def ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms"


def tree_matches(station: StationSync, full: bool) -> bool:
    version = station.current_version()
    raw = (station.meta / "manifests" / f"{version}.json").read_bytes()
    files = json.loads(raw)["files"]
    tree = station.dest / "current"
    if full:
        return all(hashlib.sha256((tree / p).read_bytes()).hexdigest() == h for p, h, _ in files)
    return not station._damaged(station._local_manifest(str(version)), False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the whole run")
    args = parser.parse_args()
    signal.alarm(int(args.timeout))
    work = Path(tempfile.mkdtemp(prefix="rtest-bench-sync-"))
    proc, url = start_server(work / "data")
    try:
        config = ServerConfig(work / "data")
        publisher = ServerClient(url, create_token(config, "bench", "publisher"), timeout=300)
        station_token = create_token(config, "bench-station", "station")
        key = (work / "data" / "signing-key.pub").read_text().strip()
        suite = make_suite(work / "suite", args.files)
        publisher.publish(suite, "stable")

        def station(dest: Path) -> StationSync:
            return StationSync(ServerClient(url, station_token, timeout=600), "stable", dest, key)

        # 1. one station: baseline full sync, then no-change and one-file-change syncs
        full, nochange, onefile, cleanup = [], [], [], []
        cpu: dict[str, list[float]] = {"full": [], "none": [], "one": [], "clean": []}
        for i in range(3):
            fresh = station(work / f"full{i}")
            full.append(timed(fresh.sync, cpu["full"], proc.pid))
        single = station(work / "single")
        single.sync()
        for i in range(args.repeat):
            nochange.append(timed(single.sync, cpu["none"], proc.pid))
            (suite / "area07/spec107.json").write_text(json.dumps({"sku": 107, "rev": i}))
            publisher.publish(suite, "stable")
            onefile.append(timed(single.sync, cpu["one"], proc.pid))
            cleanup.append(timed(single.cleanup, cpu["clean"], proc.pid))
        load = os.getloadavg()[0]
        print(
            f"single station, {args.files} files (load average {load:.1f}): full sync "
            f"{ms(full)}, no-change {ms(nochange)}, one-file change {ms(onefile)} "
            f"(+ cleanup {ms(cleanup)})",
            flush=True,
        )
        print(
            f"\n| Measure ({args.files} files, loopback) | Median wall | Median CPU "
            "(station + server) | Target |"
        )
        print("|---|---|---|---|")
        print(f"| Full sync from empty (baseline) | {ms(full)} | {ms(cpu['full'])} | - |")
        print(f"| No-change sync | {ms(nochange)} | {ms(cpu['none'])} | < 100 ms |")
        print(
            f"| One-file change sync (until the new tree is live) | {ms(onefile)} | "
            f"{ms(cpu['one'])} | < 300 ms |"
        )
        print(
            f"| Clean-up after a change (old tree, objects) | {ms(cleanup)} | "
            f"{ms(cpu['clean'])} | - |"
        )
        ratio = statistics.median(full) / statistics.median(onefile)
        print(
            f"\nRatios (wall): full / one-file = {ratio:.1f}x, "
            f"full / no-change = {statistics.median(full) / statistics.median(nochange):.1f}x",
            flush=True,
        )
        if args.stations == 0:
            return

        # 2. load: N stations holding the current version (hard-linked clones of one)
        seed = station(work / "st0")
        seed.sync()
        seed.cleanup()
        (seed.meta / "lock").unlink()
        start = time.perf_counter()
        for i in range(1, args.stations):
            subprocess.run(["cp", "-al", str(seed.dest), str(work / f"st{i}")], check=True)
        clone_s = time.perf_counter() - start
        stations = [station(work / f"st{i}") for i in range(args.stations)]
        v1 = seed.current_version()

        def sync_one(s: StationSync) -> tuple[float, str | None, int, str]:
            t0 = time.perf_counter()
            try:
                result = s.sync()
                return (time.perf_counter() - t0) * 1000, result.version, result.downloaded, ""
            except Exception as exc:  # every failure is counted and reported
                return (time.perf_counter() - t0) * 1000, None, -1, str(exc)

        rows = []
        for phase in ("no change", "one-file change"):
            if phase == "one-file change":
                (suite / "area09/spec209.json").write_text(json.dumps({"sku": 209, "rev": "x"}))
                target = publisher.publish(suite, "stable")["version"]
            else:
                target = v1
            wall_start = time.perf_counter()
            with ThreadPoolExecutor(args.stations) as pool:
                results = list(pool.map(sync_one, stations))
            wall = time.perf_counter() - wall_start
            failed = [r for r in results if r[1] != target]
            expected_dl = 0 if phase == "no change" else 1
            wrong = [r for r in results if r[1] == target and r[2] != expected_dl]
            times = sorted(r[0] for r in results)
            rows.append(
                (
                    phase,
                    len(results),
                    len(failed),
                    len(wrong),
                    wall,
                    statistics.median(times),
                    times[int(len(times) * 0.95) - 1],
                    times[-1],
                )
            )
            for r in failed[:3]:
                print("FAILED:", r[3], flush=True)
        sample = random.Random(1).sample(stations, min(10, len(stations)))
        quick_ok = sum(tree_matches(s, full=False) for s in stations)
        full_ok = sum(tree_matches(s, full=True) for s in sample)
        print(
            f"\n| {args.stations} stations at once | Failed | Wrong download count | Wall | "
            "Median | p95 | Max |"
        )
        print("|---|---|---|---|---|---|---|")
        for phase, _n, failed_n, wrong_n, wall, med, p95, top in rows:
            print(
                f"| {phase} | {failed_n} | {wrong_n} | {wall:.1f} s | {med:.0f} ms | "
                f"{p95:.0f} ms | {top:.0f} ms |"
            )
        print(
            f"\nConsistency after the load: {quick_ok}/{len(stations)} trees match their "
            f"manifest (sizes, entries); {full_ok}/{len(sample)} sampled trees match by "
            f"SHA-256. Cloning {args.stations - 1} stations took {clone_s:.1f} s (setup)."
        )
        if any(r[2] or r[3] for r in rows) or quick_ok != len(stations) or full_ok != len(sample):
            sys.exit("benchmark found failed or inconsistent syncs")
    finally:
        proc.terminate()
        proc.wait(30)
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
