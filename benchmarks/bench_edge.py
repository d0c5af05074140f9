"""Inspection edge service load test on loopback (127.0.0.1 only).

A generated product (weave texture, 256 x 256 grey pictures, working size 128) and its
autoencoder; `rtest inspect serve` in a child process. Measured side by side in one run:

* baseline: the same model judging the same pictures in-process (no transport, no
  recording): what the service cannot beat; then the service's core in-process
  (decision score, SQLite record, picture and heat map kept for uncertain units);
* HTTP (``POST /api/units/{id}``) and TCP (``INSPECT``), one client sending units one
  after the other, then C clients at once: throughput and latency percentiles as the
  client sees them (send to answer);
* a restart mid-stream: the service is killed (SIGKILL) after a third of a stream; the
  client resends every unanswered unit with the same id; the database must then hold
  every unit exactly once with the answer the client got.

    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/bench_edge.py --units 300 --clients 4
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robotest.inspection.dataset import open_dataset  # noqa: E402
from robotest.inspection.edge.client import TcpClient  # noqa: E402
from robotest.inspection.edge.service import EdgeService  # noqa: E402
from robotest.inspection.edge.units import UnitStore  # noqa: E402
from robotest.inspection.edge.updates import UpdateOptions, Updates  # noqa: E402
from robotest.inspection.images import decode_image  # noqa: E402
from robotest.inspection.registry import Registry  # noqa: E402
from robotest.inspection.training import TrainOptions, train  # noqa: E402

LINE = "bench"


def generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "inspection_data", ROOT / "benchmarks" / "inspection_data.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["inspection_data"] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pictures(gen, n: int, size: int, seed: int) -> list[bytes]:  # type: ignore[no-untyped-def]
    """*n* PNG files, one in ten with a hole."""
    product = gen.CLASSES[3]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        image = product.texture(rng, size)
        if i % 10 == 9:
            image = product.defect(rng, image)[0]
        ok, data = cv2.imencode(".png", np.clip(image * 255, 0, 255).astype(np.uint8))
        assert ok
        out.append(data.tobytes())
    return out


class Service:
    def __init__(self, home: Path):
        self.home, self.http, self.tcp = home, free_port(), free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ROBOTEST_TORCH_THREADS": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "robotest",
                "inspect",
                "serve",
                "--line",
                LINE,
                "--home",
                str(self.home),
                "--port",
                str(self.http),
                "--tcp-port",
                str(self.tcp),
                "--no-idle-updates",
                "--open-units",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        while True:
            try:
                # up: the status answers (401: it needs a token; units are open)
                if httpx.get(f"http://127.0.0.1:{self.http}/api/status").status_code == 401:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.1)

    def stop(self, hard: bool = False) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
        self.process.wait(30)


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(np.ceil(0.99 * len(ordered))) - 1)]
    return 1000 * statistics.median(ordered), 1000 * p99


def measure(
    send: Callable[[int, str, bytes], None], images: list[bytes], prefix: str, clients: int
) -> tuple[float, float, float]:
    """Units per second, median and p99 latency (ms) with *clients* senders."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(client: int) -> None:
        for i in range(client, len(images), clients):
            started = time.perf_counter()
            send(client, f"{prefix}-{i:05d}", images[i])
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    p50, p99 = percentiles(latencies)
    return len(images) / elapsed, p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    gen = generator()
    work = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    data = gen.write_class(
        work, gen.CLASSES[3], size=args.size, train=30, test_good=10, test_bad=10, seed=0
    )
    model = train(
        open_dataset(data),
        TrainOptions(kind="ae", work_size=128, epochs=args.epochs, progress=False, threads=1),
    )
    model.save(work / "model")
    home = work / "edge"
    registry = Registry(home)
    from robotest.inspection.edge.updates import holdout_metrics
    from robotest.inspection.registry import LineConfig

    version = registry.add_version(
        work / "model", holdout_metrics(work / "model", LineConfig(LINE), str(data))
    )
    registry.configure_line(LINE, train_data=str(data), holdout=str(data), cycle_ms=500)
    Updates(registry, UnitStore(registry.db), UpdateOptions()).propose(LINE, version.name)
    images = pictures(gen, args.units, args.size, seed=1)

    def send_baseline(client: int, unit: str, body: bytes) -> None:
        pixels = decode_image(body, unit, channels=1, size=(args.size, args.size))
        model.judge(model.analyse([pixels])[0])

    core = EdgeService(home, LINE)  # the service without transport: + decision score, record

    def send_core(client: int, unit: str, body: bytes) -> None:
        core.inspect(unit, body)

    service = Service(home)
    startup = service.start()
    http = [
        httpx.Client(base_url=f"http://127.0.0.1:{service.http}", timeout=60)
        for _ in range(args.clients)
    ]

    def send_http(client: int, unit: str, body: bytes) -> None:
        response = http[client].post(f"/api/units/{unit}", content=body)
        assert response.status_code == 200, response.text

    tcp = [TcpClient("127.0.0.1", service.tcp, timeout=60) for _ in range(args.clients)]

    def send_tcp(client: int, unit: str, body: bytes) -> None:
        reply = tcp[client].inspect(unit, body)
        assert reply.kind == "RESULT", reply

    paths: list[tuple[str, Callable[[int, str, bytes], None], int]] = [
        ("baseline: in-process decode + judge, 1 thread", send_baseline, 1),
        ("service core in-process (+ record, keep uncertain)", send_core, 1),
        ("HTTP, 1 client", send_http, 1),
        (f"HTTP, {args.clients} clients", send_http, args.clients),
        ("TCP, 1 connection", send_tcp, 1),
        (f"TCP, {args.clients} connections", send_tcp, args.clients),
    ]
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _, _ in paths}
    for round_ in range(args.rounds):  # interleaved, so that load changes hit every path
        for n, (name, send, clients) in enumerate(paths):
            figures[name].append(measure(send, images, f"r{round_}p{n}", clients))
    rows = [
        (name, *(statistics.median(f[i] for f in figures[name]) for i in range(3)))
        for name, _, _ in paths
    ]
    for client in tcp:
        client.close()

    # restart mid-stream
    answers: dict[str, str] = {}
    retries = 0
    killed = threading.Event()

    def kill_at_a_third() -> None:
        while len(answers) < len(images) // 3:
            time.sleep(0.005)
        service.stop(hard=True)
        killed.set()
        service.start()

    restarter = threading.Thread(target=kill_at_a_third)
    restarter.start()
    client = http[0]
    for i, body in enumerate(images):
        unit = f"r-{i:05d}"
        while unit not in answers:
            try:
                response = client.post(f"/api/units/{unit}", content=body)
                if response.status_code == 200:
                    answers[unit] = response.json()["verdict"]
                    continue
            except httpx.HTTPError:
                pass
            retries += 1
            time.sleep(0.05)
    restarter.join()
    store = UnitStore(Registry(home).db)
    rows_in_db = store.conn.execute(
        "SELECT unit, verdict FROM units WHERE line=? AND unit LIKE 'r-%'", (LINE,)
    ).fetchall()
    recorded = {r[0]: r[1] for r in rows_in_db}
    lost = len(set(answers) - set(recorded))
    duplicated = len(rows_in_db) - len(recorded)
    differing = sum(recorded.get(u) != v for u, v in answers.items())
    service.stop()

    load = os.getloadavg()[0]
    print(
        f"\n{args.units} units of {args.size}x{args.size} px, working size 128, "
        f"cycle time 500 ms; medians of {args.rounds} interleaved rounds; load average "
        f"{load:.1f}; service start {startup:.1f} s\n"
    )
    base = rows[0][1]
    print("| path | units/s | median ms | p99 ms | throughput vs baseline |")
    print("|---|---|---|---|---|")
    for name, rate, p50, p99 in rows:
        print(f"| {name} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {rate / base:.2f}x |")
    print(
        f"\nrestart mid-stream: {len(images)} units, service killed after "
        f"{len(images) // 3}, {retries} resends; {len(recorded)} recorded, {lost} lost, "
        f"{duplicated} duplicated, {differing} answers differing from the record"
    )


if __name__ == "__main__":
    main()
