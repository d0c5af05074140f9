"""Duration literals: ``250ms``, ``2s``, ``1.5min``, ``1h`` in seconds."""

from __future__ import annotations

import re

UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|min|s|h)")


def parse_duration(text: str) -> float:
    """Seconds in a duration literal; ValueError if *text* is not one."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]
