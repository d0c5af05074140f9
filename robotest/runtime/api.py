"""The runtime interface of the `.rtest` language.

Every robot statement compiles to a call of one of these functions, and scripts may
call them directly from Python with the same keyword arguments (durations in seconds):
``if exists_text("Updates available", within=5): ...``. Each function validates its
arguments, then forwards to the active runtime (:func:`robotest.runtime.current`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from robotest.errors import ScriptError
from robotest.keys import parse_key_spec
from robotest.language import BUTTONS, HELPERS, SIDES, STATEMENT_NAMES
from robotest.runtime.backend import Icon, Match, Point, Region, current
from robotest.runtime.blocks import setup, subscript, teardown, test
from robotest.runtime.config import config, plugins

# The statements' functions (robotest/language.py), the helpers, and what scripts read.
__all__ = [*STATEMENT_NAMES, *HELPERS, "config", "plugins", "Match", "Icon"]

# The block decorators are reached as ``__rtest__.test`` etc. by compiled code only.
_BLOCKS = (test, subscript, setup, teardown)


def _keys(keys: str | Sequence[str]) -> list[tuple[str, ...]]:
    specs = [keys] if isinstance(keys, str) else list(keys)
    if not specs or not all(isinstance(s, str) for s in specs):
        raise ScriptError(f"press needs key specs such as 'F2' or 'ctrl+alt+Delete', got {keys!r}")
    return [parse_key_spec(spec) for spec in specs]


def _seconds(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ScriptError(f"{what} must be a duration in seconds, got {value!r}")
    return float(value)


def _match_parameters(params: Any) -> dict[str, Any]:
    """``{"params": MatchParameters}`` for a call that sets them, else nothing."""
    if params is None:
        return {}
    from robotest.vision.errors import VisionInputError
    from robotest.vision.match_parameters import DEFAULT, MatchParameters

    if isinstance(params, MatchParameters):
        return {"params": params}
    if not isinstance(params, dict):
        raise ScriptError(f"params must be MatchParameters or a dict of them, got {params!r}")
    try:
        return {"params": DEFAULT.override(**params)}
    except (VisionInputError, TypeError) as exc:
        raise ScriptError(f"params: {exc}") from None


def _region(region: Any) -> Region | None:
    if region is None:
        return None
    try:
        x, y, w, h = (int(v) for v in region)
    except (TypeError, ValueError):
        raise ScriptError(f"a region is (x, y, w, h) in screen pixels, got {region!r}") from None
    if w <= 0 or h <= 0:
        raise ScriptError(f"a region needs a positive width and height, got {region!r}")
    return (x, y, w, h)


def _point(point: Any) -> Point:
    if isinstance(point, Match):
        return point.center
    try:
        x, y = (int(v) for v in point)
    except (TypeError, ValueError):
        raise ScriptError(f"a point is (x, y) in screen pixels, got {point!r}") from None
    return (x, y)


def _button(button: str) -> str:
    if button not in BUTTONS:
        raise ScriptError(f"button must be one of {', '.join(BUTTONS)}, got {button!r}")
    return button


def _text(text: Any) -> str | re.Pattern[str]:
    if isinstance(text, str | re.Pattern):
        return text
    raise ScriptError(f"expected a string or a compiled re pattern, got {text!r}")


def icon(name: str) -> Icon:
    """Refer to an icon where text is also allowed (``await_gone icon "spinner"``)."""
    return Icon(name)


def press(
    keys: str | Sequence[str],
    *,
    times: int = 1,
    every: float | None = None,
    hold: float | None = None,
) -> None:
    """Press key specs in order, *times* times, *every* seconds apart, each held *hold* s."""
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ScriptError(f"times must be a positive whole number, got {times!r}")
    current().press(
        _keys(keys), times=times, every=_seconds(every, "every"), hold=_seconds(hold, "hold")
    )


def type_text(text: str, *, every: float | None = None) -> None:
    """Type *text* key by key (shift where needed), *every* seconds apart."""
    if not isinstance(text, str):
        raise ScriptError(f"type_text needs a string, got {text!r}")
    current().type_text(text, every=_seconds(every, "every"))


def click_icon(
    target: str,
    *,
    region: Any = None,
    within: float | None = None,
    button: str = "left",
    double: bool = False,
    params: Any = None,
) -> Match:
    """Find icon *target* (waiting up to *within* s) and click its centre.

    *params*: the icon search's settings for this call, a
    :class:`~robotest.vision.match_parameters.MatchParameters` or a dict of its fields
    (``params={"scales": (0.5, 2.0)}``).
    """
    return current().click_icon(
        target,
        region=_region(region),
        within=_seconds(within, "within"),
        button=_button(button),
        double=bool(double),
        **_match_parameters(params),
    )


def click_text(
    text: Any,
    *,
    region: Any = None,
    within: float | None = None,
    button: str = "left",
    double: bool = False,
) -> Match:
    """Find *text* on screen by OCR (waiting up to *within* s) and click it."""
    return current().click_text(
        _text(text),
        region=_region(region),
        within=_seconds(within, "within"),
        button=_button(button),
        double=bool(double),
    )


def await_text(text: Any, *, region: Any = None, within: float | None = None) -> Match:
    """Wait until *text* (a substring or a compiled pattern) is on screen."""
    return current().await_text(
        _text(text), region=_region(region), within=_seconds(within, "within")
    )


def await_icon(
    target: str, *, region: Any = None, within: float | None = None, params: Any = None
) -> Match:
    """Wait until icon *target* is on screen (*params*: as for :func:`click_icon`)."""
    return current().await_icon(
        target,
        region=_region(region),
        within=_seconds(within, "within"),
        **_match_parameters(params),
    )


def await_gone(target: Any, *, region: Any = None, within: float | None = None) -> None:
    """Wait until text (a string) or an icon (``icon("name")``) has left the screen."""
    if not isinstance(target, Icon):
        target = _text(target)
    current().await_gone(target, region=_region(region), within=_seconds(within, "within"))


def exists_text(text: Any, *, region: Any = None, within: float = 0) -> Match | None:
    """The match if *text* appears within *within* s, else None (never fails)."""
    return current().exists_text(
        _text(text), region=_region(region), within=_seconds(within, "within") or 0.0
    )


def exists_icon(target: str, *, region: Any = None, within: float = 0) -> Match | None:
    """The match if icon *target* appears within *within* s, else None (never fails)."""
    return current().exists_icon(
        target, region=_region(region), within=_seconds(within, "within") or 0.0
    )


def read_text(
    *,
    right_of: Any = None,
    left_of: Any = None,
    below: Any = None,
    above: Any = None,
    region: Any = None,
) -> str:
    """OCR the region beside an anchor (text or ``icon(...)``), or a region; stripped."""
    anchors = dict(zip(SIDES, (right_of, left_of, below, above), strict=True))
    given = [(side, anchor) for side, anchor in anchors.items() if anchor is not None]
    if len(given) > 1:
        raise ScriptError(f"read_text takes at most one of {', '.join(SIDES)}")
    side, anchor = given[0] if given else (None, None)
    return current().read_text(anchor=anchor, side=side, region=_region(region))


def click(point: Any, *, button: str = "left", double: bool = False) -> None:
    """Click at screen coordinates ``(x, y)`` (or a match's centre)."""
    current().click(_point(point), button=_button(button), double=bool(double))


def move_to(point: Any) -> None:
    """Move the pointer to screen coordinates ``(x, y)``."""
    current().move_to(_point(point))


def wait(seconds: float) -> None:
    """Sleep on the station's clock."""
    current().wait(_seconds(seconds, "wait") or 0.0)


def screenshot(name: str | None = None) -> None:
    """Attach the current screen to the report."""
    current().screenshot(name)


def station_time() -> float:
    """Seconds on the station's clock, to measure how long the laptop took (a boot, say).

    Only differences mean anything; on the simulated station this clock may run faster
    than real time, and it stands still while the robot's computer looks at the screen.
    """
    return current().now()


def log(message: Any) -> None:
    """Write a message into the test's report."""
    current().log(str(message))
