"""The station's clock: every wait and timeout of a run asks it.

:class:`RealClock` is wall time. :class:`AcceleratedClock` runs *speed* times faster
than real time (the simulated station: a 5 s boot takes 0.5 s at speed 10).
:class:`ManualClock` only moves when told to (tests of timing logic, `rtest sim`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
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
    """Station time that runs *speed* times faster than real time, starting at 0.

    :meth:`frozen` stops station time while the robot's own computer works (vision on
    the simulated station), so that a slow or busy PC does not make the simulated
    laptop run ahead of the script.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, not {speed}")
        self.speed = float(speed)
        self._origin = time.monotonic()
        self._lock = threading.Lock()
        self._frozen_depth = 0
        self._frozen_at = 0.0

    def now(self) -> float:
        with self._lock:
            if self._frozen_depth:
                return self._frozen_at
            return (time.monotonic() - self._origin) * self.speed

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Station time stands still inside the block, then runs on from where it stopped."""
        with self._lock:
            if not self._frozen_depth:
                self._frozen_at = (time.monotonic() - self._origin) * self.speed
            self._frozen_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._frozen_depth -= 1
                if not self._frozen_depth:
                    self._origin = time.monotonic() - self._frozen_at / self.speed

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

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Station time stands still anyway: it moves only when slept or advanced."""
        yield


def real_seconds(clock: Clock, seconds: float) -> float:
    """How long *seconds* of station time last in real time on *clock*."""
    if clock.speed == float("inf"):
        return 0.0
    return seconds / clock.speed
