"""A real script server on loopback (a `rtest server` subprocess) and station helpers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from robotest.server.client import ServerClient
from robotest.server.service import ServerConfig, create_token
from robotest.station_sync import StationSync

ROOT = Path(__file__).resolve().parents[2]

GOOD_SCRIPT = '''"""Boot checks."""

test "BIOS version" tags bios, smoke:
    press F2
    await_text "BIOS Setup" within 60s
'''
BAD_SCRIPT = '''"""Broken."""

test "Broken" tags bios:
    if True
        press F2
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """`python -m robotest server` on 127.0.0.1 and a free port, over `data`."""

    def __init__(
        self,
        data: Path,
        database: str | None = None,
        extra: list[str] | None = None,
        log: Path | None = None,
    ):
        self.data = data
        self.log = log  # where the server's standard output (its access log) goes
        self.database = database
        self.extra = extra or []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}

    def config(self) -> ServerConfig:
        return ServerConfig(self.data, self.database)

    def token(self, name: str, role: str) -> str:
        key = f"{name}/{role}"
        if key not in self.tokens:
            self.tokens[key] = create_token(self.config(), name, role)
        return self.tokens[key]

    def start(self) -> ServerProcess:
        args = [
            sys.executable,
            "-m",
            "robotest",
            "server",
            "--data",
            str(self.data),
            "--port",
            str(self.port),
            *self.extra,
        ]
        if self.database:
            args += ["--database", self.database]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        with open(self.log or os.devnull, "wb") as out:  # the server keeps its own copy
            self.proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited: {err}")
            try:
                httpx.get(self.url + "/api/v1/public-key", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start in 30 s")

    @property
    def public_key(self) -> str:
        return (self.data / "signing-key.pub").read_text().strip()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, name: str = "alice", role: str = "publisher") -> ServerClient:
        return ServerClient(self.url, self.token(name, role))

    def station(
        self, dest: Path, name: str = "st1", channel: str = "stable", **kwargs: object
    ) -> StationSync:
        client = ServerClient(self.url, self.token(name, "station"))
        return StationSync(client, channel, dest, self.public_key, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("server-data")).start()
    yield proc
    proc.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "server-data").start()
    yield proc
    proc.stop()


def write_suite(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
    return root


def small_suite(root: Path, marker: str = "1") -> Path:
    return write_suite(
        root,
        {
            "boot.rtest": GOOD_SCRIPT,
            "lib/enter_setup.rtest": GOOD_SCRIPT.replace("BIOS version", "Enter setup"),
            "icons/terminal.png": b"\x89PNG\r\n\x1a\n" + marker.encode() * 10,
            "specs/product.json": '{"bios_version": "' + marker + '"}',
        },
    )


def big_suite(root: Path, count: int, scripts: int = 20) -> Path:
    """`count` files: `scripts` .rtest scripts, the rest product specs in 100 folders."""
    for i in range(count):
        folder = root / f"area{i % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i < scripts:
            (folder / f"script{i}.rtest").write_text(GOOD_SCRIPT.replace("BIOS", f"BIOS {i}"))
        else:
            (folder / f"spec{i}.json").write_text(f'{{"sku": {i}, "fan_rpm": {i * 7}}}')
    return root
