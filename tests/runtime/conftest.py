"""Fixtures: small `.rtest` suites on disk and `rtest` invoked in this process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from runtime_helpers import IMAGE, SUITE, invoke, write_files


@pytest.fixture
def write_suite(tmp_path: Path) -> Callable[..., Path]:
    """Write `.rtest` files (name -> source) into a fresh folder; the folder."""

    def write(files: dict[str, str] | None = None) -> Path:
        return write_files(tmp_path / "suite", files or {"bios.rtest": SUITE})

    return write


@pytest.fixture
def image_file(tmp_path: Path) -> Path:
    path = tmp_path / "image.toml"
    path.write_text(IMAGE)
    return path


@pytest.fixture
def rtest() -> Callable[..., tuple[int, str]]:
    """Run the `rtest` CLI in this process; (exit code, output)."""
    return invoke
