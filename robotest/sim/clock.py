"""Clocks for the simulated laptop: simulated (moves only when told) or real time."""

from __future__ import annotations

import time


class SimulatedClock:
    """A clock that stands still until :meth:`sleep` or :meth:`advance` moves it.

    Waiting costs no real time, so a five-minute boot is simulated instantly.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards ({seconds} s)")
        self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))


class RealClock:
    """Wall-clock (monotonic) time; :meth:`sleep` really sleeps."""

    def __call__(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))
