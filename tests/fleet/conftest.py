"""A real Redis broker on a free loopback port, a real script server dealing onto it, and
`rtest worker` processes on the record station."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server.conftest import ROOT, ServerProcess, free_port, write_suite

SUITE = {
    "boot.rtest": '''"""Boot."""

test "boot {n}" tags boot for n in [1, 2, 3]:
    press F2
''',
    "bios.rtest": '''"""BIOS."""

test "bios {n}" tags bios for n in [1, 2]:
    press F2
    press Esc
''',
    "broken.rtest": '''"""A check that fails on any image."""

test "always fails" tags failing:
    assert 1 == 2, "one is not two"
''',
}


class Redis:
    """`redis-server` on 127.0.0.1 and a free port, nothing saved to disk."""

    def __init__(self, folder: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (./setup.sh --dev installs it)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Worker:
    """`rtest worker record:NAME` as a child process."""

    def __init__(self, fleet: Fleet, name: str, *options: str):
        self.name = name
        self.log = fleet.folder / f"worker-{name}.log"
        token = fleet.server.token(name, "station")
        command = [
            sys.executable,
            "-m",
            "robotest",
            "worker",
            f"record:{name}",
            "--server",
            fleet.server.url,
            "--broker",
            fleet.redis.url,
            "--token",
            token,
            "--dest",
            str(fleet.folder / f"station-{name}"),
            "--public-key",
            fleet.server.public_key,
            "--visibility-timeout",
            "4",
            "--health-interval",
            "0.5",
            *options,
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(command, env=env, stdout=out, stderr=out)

    def wait_ready(self) -> Worker:
        deadline = time.monotonic() + 120
        while "ready" not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.name} did not start: {self.log.read_text()}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class Fleet:
    """Redis, the server with --broker, the suite published to `stable`, and workers."""

    def __init__(self, folder: Path, redis: Redis, server: ServerProcess):
        self.folder = folder
        self.redis = redis
        self.server = server
        self.workers: list[Worker] = []

    def worker(self, name: str, *options: str) -> Worker:
        return self.start_workers((name, *options))[0]

    def start_workers(self, *specs: tuple[str, ...]) -> list[Worker]:
        """Start workers (name, options...) side by side; return once all are ready."""
        started = [Worker(self, name, *options) for name, *options in specs]
        self.workers += started
        return [w.wait_ready() for w in started]

    def submit(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "robotest",
            "submit",
            *args,
            "--server",
            self.server.url,
            "--token",
            self.server.token("qa", "publisher"),
        ]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        token = self.server.token("qa", "publisher")
        response = httpx.request(
            method,
            f"{self.server.url}/api/v1/fleet{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            **kwargs,
        )
        response.raise_for_status()
        return response.json()

    def page(self, path: str) -> str:
        token = self.server.token("qa", "publisher")
        response = httpx.get(
            f"{self.server.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        response.raise_for_status()
        return response.text

    def start_run(self, *options: str) -> str:
        done = self.submit(*options)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def wait_for(
        self, run: str, condition: Callable[[dict[str, Any]], bool], timeout: float = 180
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            state = self.api("GET", f"/runs/{run}", params={"cases": "true"})
            if condition(state):
                return dict(state)
            if time.monotonic() > deadline:
                raise AssertionError(f"run {run} never got there: {state}")
            time.sleep(0.2)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()


@pytest.fixture(scope="module")
def fleet_services(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Redis, ServerProcess]]:
    folder = tmp_path_factory.mktemp("fleet")
    redis = Redis(folder)
    server = ServerProcess(folder / "server-data", extra=["--broker", redis.url]).start()
    with server.client("qa", "publisher") as client:
        client.publish(write_suite(folder / "suite", SUITE), "stable")
    yield redis, server
    server.stop()
    redis.stop()


@pytest.fixture
def fleet(fleet_services: tuple[Redis, ServerProcess], tmp_path: Path) -> Iterator[Fleet]:
    started = Fleet(tmp_path, *fleet_services)
    yield started
    started.stop()
