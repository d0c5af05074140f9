"""Security regression tests run real servers (tests/server's helpers) and a real Chromium."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from server.conftest import ServerProcess, server  # noqa: E402, F401 (the fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def run_json(run_id: str, station: str, **changes: object) -> dict[str, object]:
    """A valid run.json; `changes` replace its fields."""
    run: dict[str, object] = {
        "run_id": run_id,
        "station": station,
        "image": "win11-23H2-sku7.wim",
        "suite_version": "3f9c2a71d0e4",
        "started": "2026-03-02T10:00:00+00:00",
        "ended": "2026-03-02T11:00:00+00:00",
        "tests": [
            {
                "title": "BIOS version",
                "tags": ["bios"],
                "status": "passed",
                "duration": 1.5,
                "message": "",
                "screenshots": ["shots/bios.png"],
            }
        ],
    }
    run.update(changes)
    return run


def run_files(run: dict[str, object], **extra: bytes) -> dict[str, bytes]:
    return {"run.json": json.dumps(run).encode(), "shots/bios.png": PNG, **extra}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(proc: ServerProcess, path: str, token: str, **kwargs: object) -> httpx.Response:
    return httpx.get(proc.url + path, headers=bearer(token), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def logged_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh server with its access log on, written to `server.log`."""
    proc = ServerProcess(
        tmp_path / "server-data", extra=["--access-log"], log=tmp_path / "access.log"
    ).start()
    yield proc
    proc.stop()
