"""The worker imports every pytest plugin once, so that each forked task does not."""

from __future__ import annotations

import gc
import subprocess
import sys
from importlib.metadata import entry_points

from robotest.fleet.preload import preload_pytest


def test_every_installed_pytest_plugin_is_imported_before_the_fork() -> None:
    loaded = preload_pytest()
    gc.unfreeze()  # this test process goes on collecting as before
    wanted = {e.module for e in entry_points(group="pytest11")}
    assert "robotest.runtime.pytest_plugin" in wanted
    assert set(loaded) == wanted
    assert wanted <= set(sys.modules)


def test_what_the_worker_holds_is_out_of_the_collector_s_sight() -> None:
    code = (
        "import gc; from robotest.fleet.preload import preload_pytest; "
        "preload_pytest(); print(gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(done.stdout.strip()) > 10_000  # pytest, the runtime and the plugins
