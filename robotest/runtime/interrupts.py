"""SIGTERM stops a run the way Ctrl-C (SIGINT) does: the current case is interrupted, the
station is left safe, the run is closed and its reports are written.

A service manager, a CI job's timeout and ``kill`` send SIGTERM, whose default action
ends the process at once: no report, and the run stays open until the database is next
opened. Python turns SIGINT into :class:`KeyboardInterrupt`; this does the same for
SIGTERM, in `rtest run`, in pytest with the robotest plugin, and in the parallel
stations' worker processes.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signal.Signals(signum).name}")


def install() -> Any:
    """Make SIGTERM raise KeyboardInterrupt; the previous handler, or None if unchanged.

    Only in the main thread (where Python runs signal handlers), and only over the
    default action: a handler someone else installed is kept.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def restore(previous: Any) -> None:
    """Undo :func:`install` (given what it returned)."""
    if previous is not None and signal.getsignal(signal.SIGTERM) is _interrupt:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside the block."""
    previous = install()
    try:
        yield
    finally:
        restore(previous)
