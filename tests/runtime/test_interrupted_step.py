"""A step stopped by Ctrl-C or SIGTERM keeps the screen seen last and takes no new look:
through a camera a first look calibrates and maps the lens, seconds that a stop must not
wait (the parallel stations' controller kills a worker that takes over 10 s to stop)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from robotest.results.statuses import INTERRUPTED
from robotest.runtime.recording import Call, RecordingRuntime
from robotest.runtime.results import Step
from robotest.runtime.steps import StepRecorder, encode_png


class _Camera(RecordingRuntime):
    """A runtime whose new looks are counted; its last screen is *seen*."""

    seen: Any = None
    looks: int = 0

    def capture_screen(self) -> Any:
        self.looks += 1
        return np.zeros((4, 4, 3), np.uint8)

    def last_screen(self) -> Any:
        return self.seen


def _stopped(call: Call) -> None:
    raise KeyboardInterrupt("stopped by signal SIGTERM")


def test_an_interrupted_step_shows_the_last_screen_without_a_new_look() -> None:
    runtime = _Camera(responses={"press": _stopped})
    runtime.seen = np.full((4, 4, 3), 200, np.uint8)
    steps: list[Step] = []
    recorder = StepRecorder(runtime, steps.append)
    with pytest.raises(KeyboardInterrupt):
        recorder.press("F2", times=1, every=None, hold=None)
    assert [step.status for step in steps] == [INTERRUPTED]
    assert steps[0].screenshot == encode_png(runtime.seen)
    assert runtime.looks == 0


def test_a_failed_step_still_takes_a_new_look() -> None:
    def broken(call: Call) -> None:
        raise RuntimeError("the keyboard controller stopped answering")

    runtime = _Camera(responses={"press": broken})
    steps: list[Step] = []
    recorder = StepRecorder(runtime, steps.append)
    with pytest.raises(RuntimeError):
        recorder.press("F2", times=1, every=None, hold=None)
    assert steps[0].status != INTERRUPTED and steps[0].screenshot is not None
    assert runtime.looks == 1
