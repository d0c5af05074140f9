"""Helpers for driving the simulated laptop through its API and reading its screen."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytesseract
import pytest

from robotest.sim import ProductImage, SimLaptop


class ManualClock:
    """A station clock that moves only when the test says so (seconds)."""

    def __init__(self, start: float = 5000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Driver:
    """Presses keys and clicks on a SimLaptop the way the station drivers do."""

    def __init__(self, laptop: SimLaptop, clock: ManualClock) -> None:
        self.laptop = laptop
        self.clock = clock

    def press(self, *keys: str, hold: float = 0.05) -> None:
        """Press a chord: every key down in order, then up in reverse order."""
        for key in keys:
            self.laptop.key_event(key, True)
        self.clock.advance(hold)
        for key in reversed(keys):
            self.laptop.key_event(key, False)
        self.clock.advance(0.05)

    def type(self, text: str) -> None:
        for char in text:
            if char == " ":
                self.press("Space")
            elif char.isupper():
                self.press("Shift", char.lower())
            else:
                self.press(char)

    def command(self, line: str) -> None:
        self.type(line)
        self.press("Enter")

    def click(self, x: int, y: int) -> None:
        self.laptop.pointer_move(x, y)
        self.laptop.pointer_button("left", True)
        self.clock.advance(0.03)
        self.laptop.pointer_button("left", False)
        self.clock.advance(0.05)

    def double_click(self, x: int, y: int) -> None:
        self.click(x, y)
        self.click(x, y)
        self.clock.advance(0.5)

    def boot_to(self, state: str) -> None:
        """Power on and go to "bios", "boot_menu", "login" or "desktop"."""
        self.press("Power")
        if state == "bios":
            self.press("F2")
        elif state == "boot_menu":
            self.press("F12")
        else:
            self.clock.advance(
                self.laptop.image.post_seconds + self.laptop.image.effective_boot_seconds
            )
            if state == "desktop":
                self.type(self.laptop.image.password)
                self.press("Enter")
        assert self.laptop.state == state


def ocr(screen: np.ndarray, box: tuple[int, int, int, int] | None = None) -> str:
    """Tesseract's reading of the clean screen (or of box x0, y0, x1, y1), one block."""
    if box is not None:
        x0, y0, x1, y1 = box
        screen = screen[y0:y1, x0:x1]
    gray = cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY)
    if gray.mean() < 128:  # light text on a dark background: Tesseract prefers dark on light
        gray = 255 - gray
    return str(pytesseract.image_to_string(gray, config="--psm 6"))


def find_template(screen: np.ndarray, template: np.ndarray) -> tuple[float, tuple[int, int]]:
    """Best normalised match score of *template* on *screen* and its top-left corner."""
    result = cv2.matchTemplate(screen, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, where = cv2.minMaxLoc(result)
    return float(score), (int(where[0]), int(where[1]))


@pytest.fixture(scope="session")
def golden() -> ProductImage:
    return ProductImage.golden()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_driver(clock: ManualClock, golden: ProductImage) -> Callable[..., Driver]:
    def make(image: ProductImage | None = None, seed: int = 0) -> Driver:
        return Driver(SimLaptop(image or golden, clock, seed=seed), clock)

    return make


@pytest.fixture
def driver(make_driver: Callable[..., Driver]) -> Driver:
    return make_driver()
