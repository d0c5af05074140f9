"""The safety governor: refuses actuations beyond the station's limits, counts wear.

Every press goes through :meth:`SafetyGovernor.check` before a byte is sent; limits
are in station seconds. A refusal is a :class:`SafetyLimitError` (the script asked
for it), never a silent clamp.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from robotest.drivers.errors import SafetyLimitError


@dataclass(frozen=True)
class Limits:
    """Timing and safety limits of a station (``[limits]`` in the station file)."""

    max_chord: int = 4
    min_hold: float = 0.02
    max_hold: float = 10.0
    max_presses_per_second: float = 20.0
    rated_cycles: int = 5_000_000
    min_pressure_kpa: int = 400


class SafetyGovernor:
    """Checks each actuation against :class:`Limits` and keeps host-side wear counters."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._recent: deque[float] = deque()
        self.cycles: Counter[int] = Counter()

    def check(self, chord_size: int, hold: float, now: float) -> None:
        """Raise SafetyLimitError unless a press of *chord_size* keys for *hold* s is allowed."""
        lim = self.limits
        if chord_size > lim.max_chord:
            raise SafetyLimitError(
                f"a chord of {chord_size} keys is over this station's limit of {lim.max_chord}"
            )
        if not lim.min_hold <= hold <= lim.max_hold:
            raise SafetyLimitError(
                f"hold time {hold:g} s is outside this station's limits "
                f"({lim.min_hold:g} s to {lim.max_hold:g} s)"
            )
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= lim.max_presses_per_second:
            raise SafetyLimitError(
                f"more than {lim.max_presses_per_second:g} key presses in one second "
                "is over this station's actuation rate limit"
            )

    def record(self, actuators: tuple[int, ...], now: float) -> None:
        self._recent.append(now)
        self.cycles.update(actuators)

    def worn(self, cycles: dict[int, int]) -> list[int]:
        """Actuators past their rated cycle count (from the controller's counters)."""
        return sorted(i for i, n in cycles.items() if n >= self.limits.rated_cycles)
