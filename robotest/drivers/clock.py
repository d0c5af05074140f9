"""The station's clock: every wait and timeout of a run asks it.

:class:`RealClock` is wall time. :class:`AcceleratedClock` runs *speed* times faster
than real time (the simulated station: a 5 s boot takes 0.5 s at speed 10).
:class:`ManualClock` only moves when told to (tests of timing logic).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Seconds on the station's time line."""

    speed: float  # station seconds per real second

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall time (monotonic)."""

    speed = 1.0

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class AcceleratedClock:
    """Station time that runs *speed* times faster than real time, starting at 0."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, not {speed}")
        self.speed = float(speed)
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) * self.speed

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.speed)


class ManualClock:
    """A clock that moves only by :meth:`advance` or :meth:`sleep` (no real waiting)."""

    speed = float("inf")

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)


def real_seconds(clock: Clock, seconds: float) -> float:
    """How long *seconds* of station time last in real time on *clock*."""
    if clock.speed == float("inf"):
        return 0.0
    return seconds / clock.speed
