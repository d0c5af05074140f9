"""A runtime that records every robot statement instead of driving a robot.

Used by the compiler's tests and by anyone checking what a script would do. Each
call is recorded with its arguments and the `.rtest` file and line it came from;
*responses* lets a test make a statement fail or return something.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from robotest.runtime.backend import Match, Runtime, SubscriptCall, script_location

Responder = Callable[["Call"], Any]


@dataclass(frozen=True)
class Call:
    """One recorded statement: its runtime method, keyword arguments and location."""

    name: str
    args: dict[str, Any]
    file: str
    line: int


@dataclass
class RecordingRuntime(Runtime):
    """Records calls; ``responses[name](call)`` may return a value or raise."""

    calls: list[Call] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    responses: dict[str, Responder] = field(default_factory=dict)
    clock: float = 0.0

    def now(self) -> float:
        return self.clock

    def sleep(self, seconds: float) -> None:
        self.clock += max(0.0, seconds)

    def _record(self, method: str, default: Any = None, /, **args: Any) -> Any:
        self.check_deadline()
        file, line = script_location()
        call = Call(method, args, file, line)
        self.calls.append(call)
        self.events.append(method)
        responder = self.responses.get(method)
        return responder(call) if responder else default

    @contextlib.contextmanager
    def subscript_scope(self, call: SubscriptCall, attempt: int) -> Iterator[None]:
        self.events.append(f"enter {call.name}#{attempt}")
        try:
            yield
        finally:
            self.events.append(f"exit {call.name}#{attempt}")

    def press(self, specs: Any, *, times: int, every: float | None, hold: float | None) -> None:
        self._record("press", specs=specs, times=times, every=every, hold=hold)

    def type_text(self, text: str, *, every: float | None) -> None:
        self._record("type_text", text=text, every=every)

    def click_icon(self, target: str, **kw: Any) -> Match:
        return self._record("click_icon", Match((0, 0, 10, 10)), target=target, **kw)

    def click_text(self, text: Any, **kw: Any) -> Match:
        return self._record("click_text", Match((0, 0, 10, 10)), text=text, **kw)

    def await_text(self, text: Any, **kw: Any) -> Match:
        return self._record("await_text", Match((0, 0, 10, 10), text=str(text)), text=text, **kw)

    def await_icon(self, target: str, **kw: Any) -> Match:
        return self._record("await_icon", Match((0, 0, 10, 10)), target=target, **kw)

    def await_gone(self, target: Any, **kw: Any) -> None:
        self._record("await_gone", target=target, **kw)

    def exists_text(self, text: Any, **kw: Any) -> Match | None:
        return self._record("exists_text", None, text=text, **kw)

    def exists_icon(self, target: str, **kw: Any) -> Match | None:
        return self._record("exists_icon", None, target=target, **kw)

    def read_text(self, **kw: Any) -> str:
        return self._record("read_text", "", **kw)

    def click(self, point: Any, **kw: Any) -> None:
        self._record("click", point=point, **kw)

    def move_to(self, point: Any) -> None:
        self._record("move_to", point=point)

    def wait(self, seconds: float) -> None:
        self._record("wait", seconds=seconds)
        super().wait(seconds)

    def screenshot(self, name: str | None) -> None:
        self._record("screenshot", name=name)

    def log(self, message: str) -> None:
        self._record("log", message=message)
