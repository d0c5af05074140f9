"""Fixtures: write `.rtest` files and import them under a recording runtime."""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from robotest.dsl import import_path
from robotest.runtime import RecordingRuntime, use_runtime

_names = itertools.count()


@pytest.fixture
def load_rtest(tmp_path: Path) -> Iterator[Callable[[str], ModuleType]]:
    """Write source to a fresh `.rtest` file and import it."""
    loaded: list[str] = []

    def load(source: str, name: str | None = None) -> ModuleType:
        name = name or f"rtest_case_{next(_names)}"
        path = tmp_path / f"{name}.rtest"
        path.write_text(textwrap.dedent(source))
        loaded.append(name)
        return import_path(str(path), name)

    yield load
    for name in loaded:
        sys.modules.pop(name, None)


@pytest.fixture
def runtime() -> Iterator[RecordingRuntime]:
    recording = RecordingRuntime(config={"product": {"bios_version": "1.07"}})
    with use_runtime(recording):
        yield recording
