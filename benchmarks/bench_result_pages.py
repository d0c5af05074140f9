"""Result pages of a 100,000-case run on a real script server (loopback, SQLite).

Uploads one run of N cases (default 100,000; each with tags, a station, a message for
those that did not pass, and two steps) as `rtest run --upload` would, then measures
the median time of: the run's page (first, middle and last page), each filter (status,
tag, station, text, all together), the same through the JSON API, and the streamed
spreadsheet export, with the server's peak memory. Side by side: what the run page did
before (every test in one response), measured as the API's whole-run answer.

    nice -n 10 python3 benchmarks/bench_result_pages.py --cases 100000
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robotest.results.model import STATUSES, CaseRecord, RunRecord, StepRecord  # noqa: E402
from robotest.server.archive import pack_files  # noqa: E402
from robotest.server.service import ServerConfig, create_token  # noqa: E402

STATION = "line1-st01"
WEIGHTS = (90, 4, 2, 1, 2, 1)  # passed, failed, error, station error, skipped, interrupted


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robotest",
            "server",
            "--data",
            str(data),
            "--port",
            str(port),
            "--max-result-file-size",
            str(512 * 1024 * 1024),
            "--max-results-size",
            str(1024 * 1024 * 1024),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url + "/api/v1/public-key", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def make_run(cases: int, seed: int = 7) -> RunRecord:
    rng = random.Random(seed)
    tests = []
    for i in range(cases):
        status = rng.choices(STATUSES, WEIGHTS)[0]
        area = ("bios", "boot", "desktop", "devices", "terminal")[i % 5]
        steps = [
            StepRecord(
                name="press",
                args="F2",
                location=f"{area}.rtest:{10 + i % 40}",
                duration=0.05,
                status="passed",
            ),
            StepRecord(
                name="await_text",
                args=f"'{area.title()} {i}' within 30s",
                location=f"{area}.rtest:{11 + i % 40}",
                duration=1.2,
                status=status if status != "skipped" else "passed",
            ),
        ]
        tests.append(
            CaseRecord(
                title=f"{area} check {i} on SKU {i % 97}",
                id=f"{area}.rtest::test_{i}",
                location=f"{area}.rtest:{9 + i % 40}",
                station=f"bay{i % 8}",
                tags=[area, "smoke" if i % 3 == 0 else "full"],
                status=status,
                duration=round(rng.uniform(0.5, 40), 3),
                message="" if status == "passed" else f"text '{area} {i}' not on screen within 30s",
                steps=steps,
            )
        )
    return RunRecord(
        run_id="big-run",
        station=STATION,
        image="win11-24H2.wim",
        suite_version="sha256 0123456789ab",
        started="2026-05-01T08:00:00Z",
        ended="2026-05-02T08:00:00Z",
        status="failed",
        tests=tests,
    )


def server_cpu(pid: int) -> float:
    """Seconds of CPU the server process has used (all its threads): what a request
    costs, much less swayed than wall time by other load on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median_time(
    fetch: Callable[[], httpx.Response], repeat: int, pid: int
) -> tuple[float, float, int]:
    """Median wall time and server CPU time of *fetch*, and the size of its answer."""
    times, cpus, size = [], [], 0
    for _ in range(repeat):
        cpu = server_cpu(pid)
        start = time.perf_counter()
        response = fetch()
        times.append(time.perf_counter() - start)
        cpus.append(server_cpu(pid) - cpu)
        response.raise_for_status()
        size = len(response.content)
    return statistics.median(times), statistics.median(cpus), size


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        config = ServerConfig(data)
        data.mkdir()
        station, reader = (
            create_token(config, STATION, "station"),
            create_token(config, "qa", "reader"),
        )
        proc, url = start_server(data)
        try:
            run = make_run(args.cases)
            body = run.model_dump_json().encode()
            archive = pack_files({"run.json": body})
            print(f"run.json of {args.cases} cases: {len(body) / 2**20:.1f} MiB")
            start, cpu = time.perf_counter(), server_cpu(proc.pid)
            done = httpx.post(
                f"{url}/api/v1/runs",
                content=archive,
                timeout=600,
                headers={"Authorization": f"Bearer {station}"},
            )
            done.raise_for_status()
            print(
                f"upload (validate + store): {time.perf_counter() - start:.1f} s wall, "
                f"{server_cpu(proc.pid) - cpu:.1f} s server CPU, "
                f"server peak RSS {peak_rss_mib(proc.pid):.0f} MiB"
            )
            cookies = {"rtest_token": reader}
            headers = {"Authorization": f"Bearer {reader}"}
            page_url = f"{url}/runs/{STATION}/big-run"
            api_url = f"{url}/api/v1/runs/{STATION}/big-run"
            middle = args.cases // 200
            last = -(-args.cases // 100)
            cases = [
                ("page 1", {}),
                (f"page {middle}", {"page": middle}),
                (f"page {last} (last)", {"page": last}),
                ("status=failed", {"status": "failed"}),
                ("tag=devices", {"tag": "devices"}),
                ("station=bay3", {"station": "bay3"}),
                ("q=SKU 42 (text)", {"q": "SKU 42"}),
                (
                    "all four, page 2",
                    {"status": "passed", "tag": "smoke", "station": "bay3", "q": "boot", "page": 2},
                ),
            ]
            print(
                f"\n| request ({args.cases:,} cases, median of {args.repeat}) "
                "| HTML page: wall | server CPU | JSON API (100 tests): wall | server CPU |"
            )
            print("|---|---|---|---|---|")
            pid = proc.pid
            with httpx.Client(timeout=600) as client:
                for label, params in cases:
                    html, html_cpu, html_size = median_time(
                        lambda p=params: client.get(page_url, params=p, cookies=cookies),
                        args.repeat,
                        pid,
                    )
                    api_params = {k: v for k, v in params.items() if k != "page"}
                    api_params["offset"] = (int(params.get("page", 1)) - 1) * 100
                    api, api_cpu, _ = median_time(
                        lambda p=api_params: client.get(
                            api_url + "/tests", params=p, headers=headers
                        ),
                        args.repeat,
                        pid,
                    )
                    print(
                        f"| {label} | {html * 1000:.0f} ms ({html_size / 1024:.0f} KiB) "
                        f"| {html_cpu * 1000:.0f} ms | {api * 1000:.0f} ms "
                        f"| {api_cpu * 1000:.0f} ms |"
                    )
                whole, whole_cpu, whole_size = median_time(
                    lambda: client.get(api_url, headers=headers), 1, pid
                )
                print(
                    f"| before: every test in one answer (`GET /api/v1/runs/ST/ID`) | "
                    f"{whole:.1f} s ({whole_size / 2**20:.0f} MiB) | {whole_cpu:.1f} s | | |"
                )
                before_rss = peak_rss_mib(pid)
                sheet_time, sheet_cpu, sheet_size = median_time(
                    lambda: client.get(page_url + ".xlsx", cookies=cookies), 1, pid
                )
                print(
                    f"\nspreadsheet export: {sheet_time:.1f} s wall, {sheet_cpu:.1f} s server CPU, "
                    f"{sheet_size / 2**20:.1f} MiB; server peak RSS {before_rss:.0f} MiB "
                    f"before, {peak_rss_mib(pid):.0f} MiB after"
                )
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)


if __name__ == "__main__":
    main()
