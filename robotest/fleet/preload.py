"""What a worker imports once, before it forks a pytest child per task.

Each task's pytest loads every plugin installed for pytest (the ``pytest11`` entry points:
robotest's own and whatever else the station PC has, such as hypothesis or fugue_test, which
imports pandas). Imported in the worker, they are inherited by every forked child instead of
imported again per task: profiled on this machine, that import was 1.3 s of a task's 3.1 s of
pytest CPU. ``gc.freeze()`` then moves what the worker holds out of the collector's sight, so
the child's collections at pytest's exit (0.7 s) scan only the child's own objects.
"""

from __future__ import annotations

import gc
import logging
from importlib.metadata import entry_points

log = logging.getLogger("robotest.fleet.worker")


def preload_pytest() -> list[str]:
    """Import pytest, the runtime's plugin and every installed pytest plugin, then freeze
    the collector's view of them; the names of the plugin modules imported."""
    import pytest  # noqa: F401

    import robotest.runtime.pytest_plugin  # noqa: F401

    loaded = []
    for entry in entry_points(group="pytest11"):
        try:
            entry.load()
        except Exception as exc:  # a broken plugin fails the task's pytest, as in rtest run
            log.warning("pytest plugin %s does not import: %s", entry.name, exc)
            continue
        loaded.append(entry.module)
    gc.freeze()
    return loaded
