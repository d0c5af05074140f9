"""The runtime interface that compiled `.rtest` code calls, and the active runtime.

`robotest.runtime.api` holds the functions scripts use (`press`, `await_text`...);
each forwards to the *active runtime*, an object implementing :class:`Runtime`.
The station runtime drives a real or simulated robot; :class:`RecordingRuntime`
(in ``recording.py``) records calls for tests. Durations are seconds everywhere.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from robotest.errors import StepFailed, StepTimeout

Region = tuple[int, int, int, int]
Point = tuple[int, int]


@dataclass(frozen=True)
class Icon:
    """An icon reference where text is also allowed (`await_gone icon "spinner"`)."""

    name: str


@dataclass(frozen=True)
class Match:
    """Where something was found on screen: box ``(x, y, w, h)`` in screen pixels."""

    box: Region
    score: float = 1.0
    text: str | None = None
    version: str | None = None

    @property
    def center(self) -> Point:
        x, y, w, h = self.box
        return (x + w // 2, y + h // 2)


@dataclass
class SubscriptCall:
    """A sub-script invocation as the runtime sees it."""

    name: str
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    retries: int = 0
    timeout: float | None = None


@dataclass
class Runtime:
    """Base of every runtime: clock, deadlines and sub-script retries.

    Subclasses implement the robot statements. The deadline stack makes a sub-script
    or test timeout apply to every step inside it: :meth:`check_deadline` is called by
    each step and raises :class:`StepTimeout` once the innermost deadline has passed.
    """

    config: Mapping[str, Any] = field(default_factory=dict)
    _deadlines: list[tuple[float, str]] = field(default_factory=list, repr=False)
    serial: str = field(default="", init=False)  # the laptop's serial, where the runtime knows it

    def close(self) -> None:
        """Leave the station safe and closed (the runner calls this when the run ends)."""

    # -- time ---------------------------------------------------------------------
    def now(self) -> float:
        """Seconds on this runtime's clock (the station's clock for a station)."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    @contextlib.contextmanager
    def deadline(self, seconds: float | None, what: str) -> Iterator[None]:
        """Every step inside must finish within *seconds* (None: no limit).

        A block that ends after its limit fails too, even if its last step finished.
        """
        if seconds is None:
            yield
            return
        self._deadlines.append((self.now() + seconds, what))
        try:
            yield
            self.check_deadline()
        finally:
            self._deadlines.pop()

    def check_deadline(self) -> None:
        now = self.now()
        for limit, what in self._deadlines:
            if now > limit:
                raise StepTimeout(f"{what} ran past its time limit")

    def remaining(self, within: float | None) -> float | None:
        """*within*, shortened to the innermost deadline."""
        if not self._deadlines:
            return within
        left = min(limit for limit, _ in self._deadlines) - self.now()
        return left if within is None else min(within, left)

    # -- sub-scripts ----------------------------------------------------------------
    def run_subscript(self, call: SubscriptCall) -> Any:
        """Run a sub-script, re-running it up to ``call.retries`` more times on failure."""
        attempts = call.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                with (
                    self.subscript_scope(call, attempt),
                    self.deadline(call.timeout, f"sub-script {call.name}"),
                ):
                    return call.function(*call.args, **call.kwargs)
            except StepFailed:
                if attempt == attempts:
                    raise
        return None  # pragma: no cover - the loop always returns or raises

    @contextlib.contextmanager
    def subscript_scope(self, call: SubscriptCall, attempt: int) -> Iterator[None]:
        """Hook: the report groups the steps of one sub-script attempt."""
        yield

    # -- robot statements (implemented by subclasses) --------------------------------
    def press(
        self,
        specs: Sequence[tuple[str, ...]],
        *,
        times: int,
        every: float | None,
        hold: float | None,
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot press keys")

    def type_text(self, text: str, *, every: float | None) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot type")

    def click_icon(
        self,
        target: str,
        *,
        region: Region | None,
        within: float | None,
        button: str,
        double: bool,
        params: Any = None,
    ) -> Match:
        raise NotImplementedError(f"{type(self).__name__} cannot click icons")

    def click_text(
        self, text: Any, *, region: Region | None, within: float | None, button: str, double: bool
    ) -> Match:
        raise NotImplementedError(f"{type(self).__name__} cannot click text")

    def await_text(self, text: Any, *, region: Region | None, within: float | None) -> Match:
        raise NotImplementedError(f"{type(self).__name__} cannot read the screen")

    def await_icon(
        self, target: str, *, region: Region | None, within: float | None, params: Any = None
    ) -> Match:
        raise NotImplementedError(f"{type(self).__name__} cannot see icons")

    def await_gone(self, target: Any, *, region: Region | None, within: float | None) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot see the screen")

    def exists_text(self, text: Any, *, region: Region | None, within: float) -> Match | None:
        raise NotImplementedError(f"{type(self).__name__} cannot read the screen")

    def exists_icon(self, target: str, *, region: Region | None, within: float) -> Match | None:
        raise NotImplementedError(f"{type(self).__name__} cannot see icons")

    def read_text(self, *, anchor: Any, side: str | None, region: Region | None) -> str:
        raise NotImplementedError(f"{type(self).__name__} cannot read text")

    def click(self, point: Point, *, button: str, double: bool) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot click")

    def move_to(self, point: Point) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot move the pointer")

    def wait(self, seconds: float) -> None:
        """Sleep, but never past a deadline: wake at it and fail there."""
        self.check_deadline()
        left = self.remaining(seconds)
        self.sleep(seconds if left is None else max(0.0, min(seconds, left + 1e-6)))
        self.check_deadline()

    def screenshot(self, name: str | None) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot take screenshots")

    def log(self, message: str) -> None:
        print(message)

    # -- results hook -----------------------------------------------------------------
    def capture_screen(self) -> Any | None:
        """Hook: the current screen for the report (a BGR or grey numpy image, or PNG
        bytes), or None when this runtime has no screen. The step recorder calls it when
        a step fails and for `screenshot`; it must not raise for a missing screen."""
        return None

    def last_screen(self) -> Any | None:
        """Hook: the screen this runtime looked at last, or None; it must not look again
        (it is asked after every step, and a look may take the station's time): what a
        failed ``assert`` saw, and the report's filmstrip."""
        return None


_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))


def script_location() -> tuple[str, int]:
    """File and line of the script statement being executed (first frame outside the runtime)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == _RUNTIME_DIR:
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return ("<unknown>", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


_active: contextvars.ContextVar[Runtime | None] = contextvars.ContextVar(
    "robotest_runtime", default=None
)


def current() -> Runtime:
    """The active runtime; a clear error when a script runs outside one."""
    runtime = _active.get()
    if runtime is None:
        raise RuntimeError(
            "no robotest runtime is active: run .rtest scripts with `rtest run` "
            "or inside `robotest.runtime.use_runtime(...)`"
        )
    return runtime


@contextlib.contextmanager
def use_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Make *runtime* the active one for the code inside the block."""
    token = _active.set(runtime)
    try:
        yield runtime
    finally:
        _active.reset(token)
