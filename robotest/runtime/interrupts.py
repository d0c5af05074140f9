"""SIGTERM stops a run the way Ctrl-C (SIGINT) does: the current case is interrupted, the
station is left safe, the run is closed and its reports are written.

A service manager, a CI job's timeout and ``kill`` send SIGTERM, whose default action
ends the process at once: no report, and the run stays open until the database is next
opened. Python turns SIGINT into :class:`KeyboardInterrupt`; this does the same for
SIGTERM, in `rtest run`, in pytest with the robotest plugin, and in the parallel
stations' worker processes.

A :class:`KeyboardInterrupt` raised where Python cannot pass it on is lost: a signal
handled while a half-used generator is finalized, or inside any other ``__del__``, only
prints "Exception ignored". So the handler also remembers the stop: :func:`check_stop`
raises it again at the next robot statement, and `rtest run` counts a run that received
one as interrupted whatever pytest made of it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_stopped_by: str | None = None  # the signal that stopped this process, once one did
_delivered = False  # its KeyboardInterrupt was seen leaving a robot statement


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _stopped_by, _delivered
    _stopped_by, _delivered = signal.Signals(signum).name, False
    raise KeyboardInterrupt(f"stopped by signal {_stopped_by}")


def stopped_by() -> str | None:
    """The name of the signal that stopped this process (``"SIGTERM"``), or None."""
    return _stopped_by


def delivered() -> None:
    """The stop was seen on its way out of a robot statement: it was not lost, and a
    script's own clean-up statements (``finally:``) may run as after Ctrl-C."""
    global _delivered
    _delivered = True


def check_stop() -> None:
    """Raise the stop again if a signal stopped this process and its first
    :class:`KeyboardInterrupt` never left a robot statement (it may have been lost)."""
    if _stopped_by is not None and not _delivered:
        raise KeyboardInterrupt(f"stopped by signal {_stopped_by}")


def install() -> Any:
    """Make SIGTERM raise KeyboardInterrupt; the previous handler, or None if unchanged.

    Only in the main thread (where Python runs signal handlers), and only over the
    default action: a handler someone else installed is kept.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    global _stopped_by
    _stopped_by = None  # a new run in this process starts unstopped
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
