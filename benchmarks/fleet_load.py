"""Fleet load test: a real Redis broker, the script server with --broker, N `rtest worker`
processes on the record station, and a matrix of many cases.

Run 1 measures the time to deal (submit -> every task on the broker), cases per second,
the server's CPU time and peak memory, and checks that every case id ended exactly once.
Run 2 does the same while 10% of the workers are killed with SIGKILL mid-run: every case
must still end once, the killed workers' unfinished tasks on live ones.

    nice -n 10 env PYTHONPATH=$PWD python3 benchmarks/fleet_load.py --cases 100000 --workers 50

Prints a Markdown table and writes the figures as JSON (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robotest.server.client import ServerClient  # noqa: E402
from robotest.server.service import ServerConfig, create_token  # noqa: E402

WATCH_SECONDS = 2.0  # the watcher's progress polls (each counts every case's status)
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_suite(folder: Path, cases: int, per_file: int) -> None:
    """`cases` record-station cases, `per_file` to a .rtest file (one matrix each)."""
    folder.mkdir(parents=True)
    for start in range(0, cases, per_file):
        end = min(cases, start + per_file)
        (folder / f"m{start // per_file:05d}.rtest").write_text(
            f'"""Load matrix {start}..{end - 1}."""\n\n'
            f'test "case {{i}}" tags load for i in range({start}, {end}):\n    press F2\n'
        )


class Stack:
    """Redis, the server and the workers of one load test."""

    def __init__(self, folder: Path, workers: int, visibility: float):
        self.folder = folder
        self.redis_port, self.port = free_port(), free_port()
        self.broker = f"redis://127.0.0.1:{self.redis_port}/0"
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = folder / "server"
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "robotest",
                "server",
                "--data",
                str(self.data),
                "--port",
                str(self.port),
                "--broker",
                self.broker,
            ],
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=(folder / "server.log").open("wb"),
        )
        self._wait_http()
        config = ServerConfig(self.data)
        self.publisher = create_token(config, "qa", "publisher")
        self.key = (self.data / "signing-key.pub").read_text().strip()
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        for index in range(workers):
            name = f"w{index:03d}"
            token = create_token(config, name, "station")
            log = (folder / f"{name}.log").open("wb")
            self.workers[name] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "robotest",
                    "worker",
                    f"record:{name}",
                    "--server",
                    self.url,
                    "--broker",
                    self.broker,
                    "--token",
                    token,
                    "--dest",
                    str(folder / name),
                    "--public-key",
                    self.key,
                    "--visibility-timeout",
                    str(visibility),
                ],
                env=ENV,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 600
        while not all("ready" in (folder / f"{n}.log").read_text() for n in self.workers):
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start in 10 minutes")
            time.sleep(1)

    def _wait_http(self) -> None:
        for _ in range(600):
            try:
                httpx.get(self.url + "/api/v1/public-key", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(
            method,
            f"{self.url}/api/v1/fleet{path}",
            timeout=300,
            headers={"Authorization": f"Bearer {self.publisher}"},
            **kwargs,
        )
        response.raise_for_status()
        return response.json()

    def executions(self) -> int:
        """Cases run by every worker so far (from each station's results database)."""
        return sum(self.ran(name) for name in self.workers)

    def ran(self, name: str) -> int:
        """Cases run by one worker so far."""
        db = self.folder / name / "results.db"
        if not db.exists():
            return 0
        with sqlite3.connect(db) as conn:
            return int(
                conn.execute("SELECT count(*) FROM cases WHERE outcome != 'running'").fetchone()[0]
            )

    def station_costs(self) -> dict[str, tuple[float, int]]:
        """Per live worker: CPU seconds (its own and its finished pytest children's), and
        cases run."""
        costs = {}
        for name, proc in self.workers.items():
            if proc.poll() is None:
                times = psutil.Process(proc.pid).cpu_times()
                cpu = times.user + times.system + times.children_user + times.children_system
                costs[name] = (cpu, self.ran(name))
        return costs

    def stop(self) -> None:
        """Everything killed at once (a worker's SIGTERM would finish its task first)."""
        for proc in [*self.workers.values(), self.server, self.redis]:
            if proc.poll() is None:
                proc.kill()
            proc.wait(30)


def one_run(stack: Stack, expected: set[str], task_size: int, kill: int) -> dict[str, Any]:
    server = psutil.Process(stack.server.pid)
    redis = psutil.Process(stack.redis.pid)
    cpu_before = sum(server.cpu_times()[:2])
    redis_before = sum(redis.cpu_times()[:2])
    executions_before = stack.executions()
    stations_before = stack.station_costs()
    peak_rss = server.memory_info().rss
    started = time.time()
    run = stack.api("POST", "/runs", json={"channel": "stable", "task_size": task_size})["run"]
    killed: list[str] = []
    inside = 0
    kill_at = None
    while True:
        state = stack.api("GET", f"/runs/{run}")
        peak_rss = max(peak_rss, server.memory_info().rss)
        if kill and not killed and state["done"] >= 0.3 * len(expected):
            killed = random.Random(1).sample(sorted(stack.workers), kill)
            for name in killed:  # inside a task: its pytest child is running a case
                inside += bool(psutil.Process(stack.workers[name].pid).children())
                stack.workers[name].send_signal(signal.SIGKILL)
            kill_at = time.time()
        if state["status"] in ("finished", "cancelled", "error"):
            break
        time.sleep(WATCH_SECONDS)
    ended = time.time()
    stations_after = stack.station_costs()
    station_cpu = station_cases = 0.0
    for name, (cpu, ran) in stations_after.items():
        cpu_was, ran_was = stations_before.get(name, (0.0, 0))
        station_cpu += cpu - cpu_was
        station_cases += ran - ran_was
    cpu = sum(server.cpu_times()[:2]) - cpu_before
    redis_cpu = sum(redis.cpu_times()[:2]) - redis_before
    final = stack.api("GET", f"/runs/{run}", params={"cases": "true"})
    nodeids = [c["id"] for c in final["cases"]]
    statuses = {c["status"] for c in final["cases"]}
    ran = stack.executions() - executions_before
    after_kill_on_killed = 0
    if killed:
        after_kill_on_killed = sum(1 for c in final["cases"] if c["station"] in killed)
    return {
        "run": run,
        "status": final["status"],
        "cases": len(nodeids),
        "exactly_once": len(nodeids) == len(set(nodeids)) == len(expected)
        and set(nodeids) == expected,
        "statuses": sorted(statuses),
        "tasks": final["tasks"],
        "deal_seconds": round(final["dealt_at"] - final["submitted_at"], 2),
        "wall_seconds": round(ended - started, 1),
        "cases_per_second": round(len(nodeids) / (final["ended_at"] - final["submitted_at"]), 1),
        "server_cpu_seconds": round(cpu, 1),
        "server_cpu_ms_per_case": round(1000 * cpu / max(1, len(nodeids)), 3),
        "server_peak_rss_mb": round(peak_rss / 2**20, 1),
        "station_cpu_ms_per_case": round(1000 * station_cpu / max(1, station_cases), 2),
        "redis_cpu_seconds": round(redis_cpu, 1),
        "redis_rss_mb": round(redis.memory_info().rss / 2**20, 1),
        "executions": ran,
        "run_twice": ran - len(nodeids),
        "killed_workers": killed,
        "killed_inside_a_task": inside,
        "killed_after_s": round(kill_at - started, 1) if kill_at else None,
        "cases_ended_on_killed_workers_before_death": after_kill_on_killed,
        "stations_used": len(final["stations"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=200)
    parser.add_argument("--task-size", type=int, default=200)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--kill-fraction", type=float, default=0.1)
    parser.add_argument("--visibility-timeout", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=Path("fleet_load.json"))
    parser.add_argument("--killed-only", action="store_true", help="Run 2 only.")
    parser.add_argument("--steady-only", action="store_true", help="Run 1 only.")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (./setup.sh --dev)")
    folder = Path(tempfile.mkdtemp(prefix="rtest-fleet-load-"))
    write_suite(folder / "suite", args.cases, args.per_file)
    began = time.time()
    stack = Stack(folder, args.workers, args.visibility_timeout)
    print(f"{args.workers} workers ready in {time.time() - began:.0f} s", flush=True)
    try:
        with ServerClient(stack.url, stack.publisher) as client:
            client.publish(folder / "suite", "stable")
        expected = {
            f"m{i // args.per_file:05d}.rtest::test_case[case {i}]" for i in range(args.cases)
        }
        results = {
            "cases": args.cases,
            "workers": args.workers,
            "task_size": args.task_size,
        }
        if not args.killed_only:
            results["steady"] = one_run(stack, expected, args.task_size, 0)
            print(json.dumps(results["steady"]), flush=True)
        if not args.steady_only:
            kill = max(1, round(args.workers * args.kill_fraction))
            results["killed"] = one_run(stack, expected, args.task_size, kill)
            print(json.dumps(results["killed"]), flush=True)
    finally:
        stack.stop()
    args.out.write_text(json.dumps(results, indent=1))
    rows = [
        ("time to deal (submit -> all tasks on the broker)", "deal_seconds", "s"),
        ("wall time, submit -> last result", "wall_seconds", "s"),
        ("cases per second", "cases_per_second", ""),
        ("server CPU time", "server_cpu_seconds", "s"),
        ("server CPU per case", "server_cpu_ms_per_case", "ms"),
        ("server peak memory (RSS)", "server_peak_rss_mb", "MB"),
        (
            "station CPU per case (worker + its pytest children, live workers)",
            "station_cpu_ms_per_case",
            "ms",
        ),
        ("Redis CPU time", "redis_cpu_seconds", "s"),
        ("Redis memory (RSS) at the end", "redis_rss_mb", "MB"),
        ("cases ended / exactly once", "exactly_once", ""),
        ("cases run twice (re-delivered after a kill)", "run_twice", ""),
    ]
    runs = [name for name in ("steady", "killed") if name in results]
    print(f"\n| {args.cases} cases, {args.workers} workers | {' | '.join(runs)} |")
    print("|---" * (len(runs) + 1) + "|")
    for label, key, unit in rows:
        print(f"| {label} | " + " | ".join(f"{results[r][key]} {unit}" for r in runs) + " |")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
