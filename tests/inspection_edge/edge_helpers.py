"""Helpers of the edge tests: a generated product (weave texture, holes), its drifted
appearance, a tiny model of it, and the edge service run as a child process.

The product's appearance drifts by a contrast and brightness change (a new supplier's
material, a camera's exposure): ``drift(image, amount)``. Models are tiny (64-pixel
working size, a few epochs, one torch thread) so the whole directory runs in minutes.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import cv2
import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from robotest.cli import app

ROOT = Path(__file__).resolve().parents[2]
SIZE = 128
LINE = "L1"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "inspection_data", ROOT / "benchmarks" / "inspection_data.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["inspection_data"] = module
    spec.loader.exec_module(module)
    return module


GEN = _generator()
PRODUCT = GEN.CLASSES[3]  # weave texture, dark holes


def drift(image: np.ndarray, amount: float) -> np.ndarray:
    """The product's new appearance: contrast up and brighter by *amount*."""
    return np.clip(0.5 + (image - 0.5) * (1 + amount) + 0.1 * amount, 0.0, 1.0)


def png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", np.clip(image * 255.0, 0, 255).astype(np.uint8))
    assert ok
    return data.tobytes()


@dataclass
class Unit:
    """A generated unit: its id, picture (PNG bytes) and whether it is truly defective."""

    id: str
    data: bytes
    defective: bool


def units(prefix: str, n_good: int, n_bad: int, amount: float, seed: int) -> list[Unit]:
    """*n_good* normal and *n_bad* defective units drifted by *amount* (interleaved)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_good + n_bad):
        bad = (
            i % max(1, (n_good + n_bad) // max(1, n_bad)) == 1
            and sum(u.defective for u in out) < n_bad
        )
        texture = PRODUCT.texture(rng, SIZE)
        image = PRODUCT.defect(rng, texture)[0] if bad else texture
        level = amount * (0.6 + 0.8 * rng.random()) if amount else 0.0
        out.append(Unit(f"{prefix}-{i:03d}", png(drift(image, level)), bad))
    return out


def _write_holdout(root: Path) -> Path:
    """Held-out set of the line: normal and drifted units, good and with holes."""
    rng = np.random.default_rng(11)
    for folder in ("test/good", "test/hole"):
        (root / folder).mkdir(parents=True)
    for i, amount in enumerate([0.0, 0.0, 0.0, 0.07, 0.08, 0.09]):
        cv2.imwrite(
            str(root / "test/good" / f"{i:03d}.png"),
            np.clip(drift(PRODUCT.texture(rng, SIZE), amount) * 255, 0, 255).astype(np.uint8),
        )
        image = PRODUCT.defect(rng, PRODUCT.texture(rng, SIZE))[0]
        cv2.imwrite(
            str(root / "test/hole" / f"{i:03d}.png"),
            np.clip(drift(image, amount) * 255, 0, 255).astype(np.uint8),
        )
    return root


@dataclass
class Plant:
    """Data sets and the first model of the line, shared by the whole session."""

    train: Path
    holdout: Path
    model: Path


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def plant(tmp_path_factory: pytest.TempPathFactory, runner: CliRunner) -> Plant:
    root = tmp_path_factory.mktemp("plant")
    train = GEN.write_class(root, PRODUCT, size=SIZE, train=16, test_good=2, test_bad=2, seed=3)
    holdout = _write_holdout(root / "holdout")
    model = root / "model"
    result = runner.invoke(
        app,
        [
            "inspect",
            "train",
            str(train),
            "--out",
            str(model),
            "--model",
            "ae",  # the line fine-tunes its weights (a knn line: test_knn_line.py)
            "--work-size",
            "64",
            "--epochs",
            "8",
            "--min-area",
            "150",
            "--quiet",
            "--threads",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    return Plant(train, holdout, model)


def invoke(runner: CliRunner, *args: object):
    return runner.invoke(app, ["inspect", *map(str, args)])


ROLES = ("line", "reviewer", "engineer")


def make_tokens(home: Path) -> dict[str, str]:
    """One token per role on line L1, made as a line engineer would."""
    runner = CliRunner()
    tokens = {}
    for role in ROLES:
        result = invoke(
            runner, "token", f"test-{role}", "--role", role, "--line", LINE, "--home", home
        )
        assert result.exit_code == 0, result.output
        tokens[role] = result.output.strip()
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def home(tmp_path: Path, plant: Plant, runner: CliRunner) -> Iterator[Path]:
    """A registry with the plant's model registered and running on line L1."""
    folder = tmp_path / "edge"
    result = invoke(
        runner, "models", "add", plant.model, "--holdout", plant.holdout, "--home", folder
    )
    assert result.exit_code == 0, result.output
    # the held-out good units of this plant crowd the threshold (half of them are drifted):
    # a review rate of 0.6 gives the tests a queue of drifted units to review
    result = invoke(
        runner,
        "line",
        "set",
        LINE,
        "--home",
        folder,
        "--train",
        plant.train,
        "--holdout",
        plant.holdout,
        "--review-rate",
        "0.6",
        "--beta",
        "0.75",
        "--cycle-ms",
        "500",
        "--idle-s",
        "1",
    )
    assert result.exit_code == 0, result.output
    version = (
        result.output
        and __import__("json").loads(
            invoke(runner, "models", "list", "--home", folder, "--json").output
        )[0]["name"]
    )
    result = invoke(runner, "models", "promote", version, "--line", LINE, "--home", folder)
    assert result.exit_code == 0, result.output
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# -- the service as a real process on loopback ------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """`rtest inspect serve` running in a child process."""

    home: Path
    http: int
    tcp: int
    process: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] | None = None

    def auth(self, role: str) -> dict[str, str]:
        """The headers of a request made with *role*'s token."""
        assert self.tokens is not None
        return bearer(self.tokens[role])

    def get(self, path: str, role: str = "engineer") -> httpx.Response:
        return httpx.get(self.url + path, headers=self.auth(role), timeout=30)

    def post(self, path: str, role: str = "engineer", **kwargs: object) -> httpx.Response:
        return httpx.post(self.url + path, headers=self.auth(role), timeout=120, **kwargs)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    def start(self, *extra: str) -> Served:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ROBOTEST_TORCH_THREADS": "1"}
        log = self.home.parent / "serve.log"
        with log.open("ab") as output:
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
                    *extra,
                ],
                env=env,
                stdout=output,
                stderr=output,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the edge service exited: {log.read_text()}")
            try:
                if httpx.get(self.url + "/api/status", timeout=2).status_code == 401:
                    with socket.create_connection(("127.0.0.1", self.tcp), timeout=2):
                        return self
            except (httpx.HTTPError, OSError):
                time.sleep(0.2)
        raise AssertionError("the edge service did not start in 90 s")

    def kill(self) -> None:
        """Stop it hard, as a power cut would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def served(home: Path) -> Iterator[Served]:
    server = Served(home, free_port(), free_port(), tokens=make_tokens(home))
    server.start("--no-idle-updates")
    yield server
    server.stop()
