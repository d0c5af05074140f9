"""One notion of the same screen (robotest/vision/frame_key.py), in every cache that keeps
what was computed from a screen: two equal frames hit, a changed pixel misses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest

from robotest.runtime.recording import RecordingRuntime
from robotest.runtime.screen import ScreenView
from robotest.runtime.steps import StepRecorder
from robotest.vision import screen_pyramid, text_search
from robotest.vision.frame_key import frame_key, same_screen


def _screen(text: str = "Boot Order") -> np.ndarray:
    screen = np.full((80, 320, 3), 255, np.uint8)
    cv2.putText(screen, text, (10, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
    return screen


def _changed_pixel(screen: np.ndarray) -> np.ndarray:
    changed = screen.copy()
    changed[5, 7, 1] ^= 1
    return changed


def test_equal_pixels_have_one_key_and_a_changed_pixel_another() -> None:
    screen = _screen()
    assert frame_key(screen) == frame_key(screen.copy())
    assert frame_key(screen) != frame_key(_changed_pixel(screen))
    assert frame_key(screen) != frame_key(screen[:, :, 0].copy())  # grey: another shape
    flat = screen.reshape(-1, 3)  # the same bytes in another shape
    assert frame_key(flat) != frame_key(screen)
    assert same_screen(screen, screen.copy())
    assert not same_screen(screen, _changed_pixel(screen))


def test_an_array_changed_in_place_gets_a_new_key() -> None:
    screen = _screen()
    before = frame_key(screen)
    screen[5, 7, 1] ^= 1
    assert frame_key(screen) != before
    screen[5, 7, 1] ^= 1
    assert frame_key(screen) == before


def test_the_key_of_a_type_opencv_does_not_compare_is_made_too() -> None:
    screen = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
    assert frame_key(screen) == frame_key(screen.copy())
    changed = screen.copy()
    changed[1, 2, 3] += 1
    assert frame_key(changed) != frame_key(screen)


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Count the calls of *module.name*, which still does its work."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_ocr_cache_hits_an_equal_frame_and_misses_a_changed_pixel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(text_search, "_cache", type(text_search._cache)())
    reads = _counting(monkeypatch, text_search, "ocr")
    screen = _screen()
    first = text_search.screen_text(screen)
    assert "Boot" in first.text
    assert text_search.screen_text(screen.copy()) is first
    assert len(reads) == 1
    text_search.screen_text(_changed_pixel(screen))
    assert len(reads) == 2
    screen[9, 3, 0] ^= 1  # in place: the same array, another frame
    text_search.screen_text(screen)
    assert len(reads) == 3


def test_the_icon_search_cache_hits_an_equal_frame_and_misses_a_changed_pixel() -> None:
    screen = _screen("Cache")
    searched = screen_pyramid.searched_screen(screen, None)
    assert screen_pyramid.searched_screen(screen.copy(), None) is searched
    changed = _changed_pixel(screen)
    other = screen_pyramid.searched_screen(changed, None)
    assert other is not searched
    assert other.colour is not None and int(other.colour[5, 7, 1]) == int(changed[5, 7, 1])
    screen[9, 3, 0] ^= 1  # in place: searched again, never with the stale copy
    again = screen_pyramid.searched_screen(screen, None)
    assert again is not searched and again is not other
    assert again.colour is not None and int(again.colour[9, 3, 0]) == int(screen[9, 3, 0])


class _ShowingRuntime(RecordingRuntime):
    """A recording runtime whose last screen is whatever the test shows it."""

    shown: Any = None

    def last_screen(self) -> Any:
        return self.shown


def test_the_filmstrip_keeps_a_changed_pixel_and_not_an_equal_frame() -> None:
    runtime = _ShowingRuntime()
    recorder = StepRecorder(runtime)
    screen = _screen()
    for shown in (screen, screen.copy(), screen.copy()):
        runtime.shown = shown
        recorder.wait(0.0)
    assert len(recorder.frames) == 1
    runtime.shown = _changed_pixel(screen)
    recorder.wait(0.0)
    assert len(recorder.frames) == 2


class _Camera:
    """Stands in for the station's camera (none on this machine): hands out frames."""

    def __init__(self, frames: list[np.ndarray]):
        self.frames = frames

    def grab(self) -> np.ndarray:
        return self.frames.pop(0)


class _Flat:
    """A calibration for a camera that films the screen straight on, pixel for pixel."""

    def rectify(self, frame: np.ndarray) -> np.ndarray:
        return frame.copy()


def test_the_screen_view_hands_back_the_same_screen_until_the_camera_shows_another() -> None:
    screen = np.full((160, 320, 3), 255, np.uint8)
    text = screen.copy()
    cv2.putText(text, "Boot", (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
    noisy = screen.copy()
    noisy[5, 7] -= 20  # sensor noise: one pixel, a little
    view = ScreenView(_Camera([screen, screen.copy(), noisy, text]), calibration=_Flat())
    first = view.look()
    assert view.look() is first  # an equal frame
    assert view.look() is first  # the camera's noise is no new screen
    assert view.look() is not first  # a word appeared
    assert frame_key(view.last()) == frame_key(text)  # type: ignore[arg-type]
