"""Step recording: every robot statement a script executes becomes a result step.

:class:`StepRecorder` wraps any :class:`Runtime` (the recording runtime today, the
station runtime tomorrow) and is made the active runtime while a case runs. Each
statement is timed, located at its `.rtest` line, forwarded to the wrapped runtime and
handed to a sink (the results store) as soon as it finishes. Sub-script calls group
their steps by name and attempt; a failed step attaches a screenshot (the failure's own
``picture`` if it has one, with the bare screen it was drawn on, else
``Runtime.capture_screen()``).
Clock, deadlines and retries stay the wrapped runtime's own.

When a case fails outside any statement (a failed ``assert``), :meth:`case_failed`
adds a step at the failing line with the last screen the test saw; for every failed
case it also adds the distinct screens of its last :data:`FILM_SECONDS` seconds
(station time) as ``frame`` steps, which the report shows as a filmstrip.
"""

from __future__ import annotations

import contextlib
import dataclasses
import linecache
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from robotest.errors import StepFailed
from robotest.language import STEPS
from robotest.results.statuses import INTERRUPTED, PASSED, SKIPPED
from robotest.runtime import interrupts
from robotest.runtime.backend import Icon, Runtime, SubscriptCall, script_location
from robotest.runtime.results import Step, describe, rtest_location, status_of

StepSink = Callable[[Step], None]

#: What becomes a step: every robot statement (robotest/language.py), and ``log``.
STATEMENTS = STEPS


#: A filmstrip step: one of the last screens of a failed case.
FRAME = "frame"
FILM_SECONDS = 30.0  # station time before the end of a failed case
FILM_FRAMES = 8  # distinct screens kept, the latest


def _value(value: Any) -> str:
    if isinstance(value, Icon):
        return f"icon {value.name!r}"
    if isinstance(value, list) and all(isinstance(v, tuple) for v in value):
        return ", ".join("+".join(chord) for chord in value)
    if hasattr(value, "pattern") and hasattr(value, "flags"):
        return f"re {value.pattern!r}"
    return repr(value)


def summarize(args: Sequence[Any], kwargs: dict[str, Any], limit: int = 200) -> str:
    """A short, readable summary of a statement's arguments for the report."""
    parts = [_value(a) for a in args]
    parts += [
        f"{k}={_value(v)}"
        for k, v in kwargs.items()
        if v is not None
        and v is not False
        and not (k == "button" and v == "left")
        and not (k == "times" and v == 1)
    ]
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def encode_jpeg(image: Any, quality: int = 80) -> bytes | None:
    """JPEG bytes of a numpy image (a filmstrip frame: a tenth of a noisy frame's PNG)."""
    if image is None or isinstance(image, bytes | bytearray):
        return encode_png(image)
    import cv2

    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return buffer.tobytes() if ok else None


def encode_png(image: Any) -> bytes | None:
    """PNG bytes of a numpy image (or PNG bytes as they are); None if there is none."""
    if image is None:
        return None
    if isinstance(image, bytes | bytearray):
        return bytes(image)
    import cv2

    ok, buffer = cv2.imencode(".png", image)
    return buffer.tobytes() if ok else None


class StepRecorder(Runtime):
    """Wraps a runtime: statements become steps handed to *sink* as they finish."""

    def __init__(self, inner: Runtime, sink: StepSink | None = None):
        self.inner = inner
        self.sink = sink
        self.groups: list[tuple[str, int]] = []
        self.config = inner.config
        self._deadlines = []
        self.frames: deque[tuple[float, Any]] = deque(maxlen=FILM_FRAMES)
        self._failure: BaseException | None = None  # what the last failed step raised

    def begin_case(self, sink: StepSink | None) -> None:
        """A new case starts: its steps go to *sink*; no frames from the last one."""
        self.sink = sink
        self.frames.clear()
        self._failure = None

    def case_failed(self, exc: BaseException) -> None:
        """Record how a case ended badly: a step for a failure no statement raised (a
        failed ``assert``) with the last screen seen, then the filmstrip."""
        outcome = status_of(exc)
        if outcome in (PASSED, SKIPPED, INTERRUPTED):  # someone stopped it: stop at once
            return
        self._remember_screen()
        if exc is not self._failure:
            file, line = rtest_location(exc) or ("<unknown>", 0)
            name = "assert" if type(exc) is AssertionError else type(exc).__name__
            source = linecache.getline(file, line).strip() if line else ""
            step = Step(
                name=name,
                args=source,
                file=file,
                line=line,
                started=time.time(),
                status=outcome,
                message=describe(exc),
                group=self._group(),
                attempt=self.groups[-1][1] if self.groups else 0,
            )
            last = self._last_screen()
            step.screenshot = encode_png(last if last is not None else self._screen())
            step.screenshot_name = "failure"
            self._emit(step)
        end = self._now()
        for seen, screen in self.frames:
            age = max(0.0, end - seen)
            frame = Step(
                name=FRAME,
                args=f"{age:.1f} s before the end",
                file="",
                line=0,
                started=time.time() - age,
                screenshot=encode_jpeg(screen),
                screenshot_name="filmstrip",
            )
            self._emit(frame)

    # The clock and deadlines are the wrapped runtime's.
    def now(self) -> float:
        return self.inner.now()

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)

    @contextlib.contextmanager
    def deadline(self, seconds: float | None, what: str) -> Iterator[None]:
        with self.inner.deadline(seconds, what):
            yield

    def check_deadline(self) -> None:
        self.inner.check_deadline()

    def remaining(self, within: float | None) -> float | None:
        return self.inner.remaining(within)

    def capture_screen(self) -> Any | None:
        return self.inner.capture_screen()

    def run_subscript(self, call: SubscriptCall) -> Any:
        """The wrapped runtime runs it (retries, timeout); each attempt is a group."""
        attempts = 0
        function = call.function

        def attempt(*args: Any, **kwargs: Any) -> Any:
            nonlocal attempts
            attempts += 1
            self.groups.append((call.name, attempts))
            try:
                return function(*args, **kwargs)
            finally:
                self.groups.pop()

        return self.inner.run_subscript(dataclasses.replace(call, function=attempt))

    @contextlib.contextmanager
    def group(self, name: str, attempt: int = 1) -> Iterator[None]:
        """Group the steps inside under *name* (e.g. ``setup``) in the report."""
        self.groups.append((name, attempt))
        try:
            yield
        finally:
            self.groups.pop()

    def _group(self) -> str:
        return "/".join(group for group, _ in self.groups)

    def _step(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        file, line = script_location()
        step = Step(
            name=name,
            args=summarize(args, kwargs),
            file=file,
            line=line,
            started=time.time(),
            group=self._group(),
            attempt=self.groups[-1][1] if self.groups else 0,
        )
        start = time.perf_counter()
        try:
            interrupts.check_stop()  # a stop lost on its way (see interrupts)
            result = getattr(self.inner, name)(*args, **kwargs)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                interrupts.delivered()
            step.duration = time.perf_counter() - start
            step.status = status_of(exc)
            step.message = describe(exc)
            if isinstance(exc, StepFailed) and exc.picture is not None:
                step.screenshot = encode_png(exc.picture)
                step.source = encode_png(exc.screen)  # the bare screen, for a capture
            elif step.status == INTERRUPTED:  # someone stopped it: no new look, stop at once
                step.screenshot = encode_png(self._last_screen())
            else:
                step.screenshot = encode_png(self._screen())
            step.screenshot_name = "failure"
            self._failure = exc
            self._remember_screen()
            self._emit(step)
            raise
        step.duration = time.perf_counter() - start
        step.status = PASSED
        self._remember_screen()
        if name == "screenshot":
            step.screenshot = encode_png(self._screen())
            given = args[0] if args else kwargs.get("name")
            step.screenshot_name = str(given) if given else "screen"
        self._emit(step)
        return result

    def _screen(self) -> Any | None:
        try:
            return self.inner.capture_screen()
        except Exception:  # a report image must never mask the step's own outcome
            return None

    def _last_screen(self) -> Any | None:
        try:
            return self.inner.last_screen()
        except Exception:  # a report image must never mask the case's own outcome
            return None

    def _now(self) -> float:
        try:
            return float(self.inner.now())
        except Exception:  # a closed station: its clock may be gone
            return self.frames[-1][0] if self.frames else 0.0

    def _remember_screen(self) -> None:
        """Keep the screen seen last for the filmstrip, when it changed."""
        screen = self._last_screen()
        if screen is None or (self.frames and _same_screen(self.frames[-1][1], screen)):
            return
        now = self._now()
        self.frames.append((now, screen))
        while self.frames and now - self.frames[0][0] > FILM_SECONDS:
            self.frames.popleft()

    def _emit(self, step: Step) -> None:
        if self.sink is not None:
            self.sink(step)


def _same_screen(first: Any, second: Any) -> bool:
    """The vision caches' notion of the same screen (robotest/vision/frame_key.py)."""
    if first is second:  # the runtime hands back the same object while nothing changed
        return True
    from robotest.vision.frame_key import same_screen

    return same_screen(first, second)


def _forwarder(name: str) -> Callable[..., Any]:
    def statement(self: StepRecorder, *args: Any, **kwargs: Any) -> Any:
        return self._step(name, args, kwargs)

    statement.__name__ = name
    statement.__doc__ = f"Record `{name}` as a step and forward it to the wrapped runtime."
    return statement


for _name in STATEMENTS:
    setattr(StepRecorder, _name, _forwarder(_name))
