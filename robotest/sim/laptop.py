"""The simulated laptop: a product image that boots, shows screens and answers keys and pointer.

Drivers (the firmware emulator of the pneumatic keyboard, the pyusb emulating backend)
call :meth:`SimLaptop.key_event`, :meth:`~SimLaptop.pointer_move`,
:meth:`~SimLaptop.pointer_button` and :meth:`~SimLaptop.scroll`; the simulated camera
reads :meth:`SimLaptop.screen`. Time comes only from the ``clock_now`` callable given at
construction, so an accelerated station clock makes the laptop boot faster too. The
screen is re-rendered only when its state changed or time alone changed what it shows
(the clock's minute, boot progress).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import cv2
import numpy as np

from robotest.keys import canonical_key
from robotest.language import BUTTONS
from robotest.sim.image import ProductImage
from robotest.sim.paint import SCREEN_H, SCREEN_W, Painter
from robotest.sim.screens.base import Screen
from robotest.sim.screens.bios import BiosScreen, default_firmware
from robotest.sim.screens.boot_menu import BootMenuScreen
from robotest.sim.screens.desktop import DesktopScreen
from robotest.sim.screens.login import LoginScreen
from robotest.sim.screens.os_boot import OsBootScreen
from robotest.sim.screens.post import PostScreen
from robotest.sim.screens.power import NoBootDeviceScreen, OffScreen, TransitionScreen

MODIFIERS = frozenset({"Ctrl", "Alt", "Shift", "Win", "Fn"})
DOUBLE_CLICK_SECONDS = 0.4
DOUBLE_CLICK_DISTANCE = 6
POWER_HOLD_OFF_SECONDS = 4.0
"""Holding Power this long forces the laptop off, whatever it shows."""

ScreenFactory = Callable[..., Screen]

SCREENS: dict[str, ScreenFactory] = {
    "off": OffScreen,
    "post": PostScreen,
    "bios": BiosScreen,
    "boot_menu": BootMenuScreen,
    "no_boot_device": NoBootDeviceScreen,
    "os_boot": OsBootScreen,
    "login": LoginScreen,
    "desktop": DesktopScreen,
    "restart": lambda machine, quiet=False: TransitionScreen(
        machine, "" if quiet else "Restarting...", "post", 1.0 if quiet else 2.0, "restarting"
    ),
    "shutdown": lambda machine: TransitionScreen(
        machine, "Shutting down...", "off", 2.0, "shutting_down"
    ),
}

P = ParamSpec("P")
R = TypeVar("R")


def _locked(method: Callable[P, R]) -> Callable[P, R]:
    """Run *method* under the laptop's lock: drivers and camera may call from several threads."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


_CURSOR = np.array([[0, 0], [0, 26], [7, 20], [12, 31], [17, 29], [12, 18], [21, 18]], np.int32)


class SimLaptop:
    """A laptop running *image*, reading time from *clock_now*, with faults drawn from *seed*.

    Safe to call from several threads (the keyboard emulator, the USB backend and the
    camera may each run in their own).
    """

    def __init__(self, image: ProductImage, clock_now: Callable[[], float], seed: int = 0) -> None:
        self.image = image
        self.firmware: dict[str, bool] = default_firmware(image.secure_boot)
        self.seed = seed
        self._lock = threading.RLock()
        self._clock = clock_now
        self._started = clock_now()
        self._now = self._started
        self._drop_rng = np.random.default_rng([seed, 0xD12])
        self._delay_rng = np.random.default_rng([seed, 0xDE1A])
        self._version = 0
        self._held: set[str] = set()
        self._dropped: set[str] = set()
        self._caps_lock = False
        self._power_down_at: float | None = None
        self._buttons: set[str] = set()
        self._pointer = (SCREEN_W // 2, SCREEN_H // 2)
        self._last_click: tuple[float, int, int] | None = None
        self.dropped_keys = 0
        """How many key presses the ``drop_key_probability`` fault swallowed."""
        self._screen: Screen = OffScreen(self)
        self._base_key: Hashable = None
        self._base: np.ndarray | None = None
        self._frame_key: Hashable = None
        self._frame: np.ndarray | None = None

    # -- what screens may use (robotest.sim.screens.base.Machine) ---------------------
    @property
    def now(self) -> float:
        """The laptop's current time (while catching up, the moment being processed)."""
        return self._now

    @property
    def modifiers(self) -> frozenset[str]:
        """Modifier keys held now (plus "CapsLock" while Caps Lock is on)."""
        held = frozenset(self._held & MODIFIERS)
        return held | {"CapsLock"} if self._caps_lock else held

    @_locked
    def enter(self, name: str, **options: Any) -> None:
        """Switch to screen *name* (see ``SCREENS``)."""
        self._screen = SCREENS[name](self, **options)
        self._changed()

    def time_of_day(self, now: float | None = None) -> datetime:
        """Wall-clock time shown by the laptop: the image's start time plus elapsed time."""
        moment = self._now if now is None else now
        start = datetime.combine(self.image.date, self.image.clock_start)
        return start + timedelta(seconds=moment - self._started)

    def random_delay(self, low: float, high: float) -> float:
        """A seeded random delay in [low, high] seconds (the update popup's moment)."""
        return float(self._delay_rng.uniform(low, high))

    # -- inputs ----------------------------------------------------------------------
    @_locked
    def key_event(self, key: str, down: bool) -> None:
        """A key went down or up; actions fire on key-down, chords by holding modifiers."""
        name = canonical_key(key)
        if name is None:
            raise ValueError(f"unknown key {key!r}")
        self._advance()
        if not down:
            self._held.discard(name)
            self._dropped.discard(name)
            if name == "Power":
                self._power_down_at = None
            return
        if name in self._held or name in self._dropped:
            return  # auto-repeat of a key already down: ignored
        probability = self.image.faults.drop_key_probability
        if probability > 0 and self._drop_rng.random() < probability:
            self._dropped.add(name)
            self.dropped_keys += 1
            return
        self._held.add(name)
        if name == "Power":
            self._power_down_at = self._now
        if name == "CapsLock":
            self._caps_lock = not self._caps_lock
        self._screen.key_down(name)
        self._changed()

    @_locked
    def pointer_move(self, x: int, y: int) -> None:
        """Move the pointer to absolute screen pixel (x, y) (clamped to the screen)."""
        self._advance()
        self._pointer = (min(max(int(x), 0), SCREEN_W - 1), min(max(int(y), 0), SCREEN_H - 1))

    @_locked
    def pointer_button(self, button: str, down: bool) -> None:
        """A mouse button went down or up at the pointer; a click acts on button-down.

        Two left clicks within 0.4 s (laptop clock) and 6 px make a double click.
        """
        if button not in BUTTONS:
            raise ValueError(f"unknown mouse button {button!r} (known: {', '.join(BUTTONS)})")
        self._advance()
        if not down:
            self._buttons.discard(button)
            return
        if button in self._buttons:
            return
        self._buttons.add(button)
        x, y = self._pointer
        last = self._last_click
        if (
            button == "left"
            and last is not None
            and self._now - last[0] <= DOUBLE_CLICK_SECONDS
            and abs(x - last[1]) <= DOUBLE_CLICK_DISTANCE
            and abs(y - last[2]) <= DOUBLE_CLICK_DISTANCE
        ):
            self._last_click = None
            self._screen.double_click(x, y)
        else:
            self._last_click = (self._now, x, y) if button == "left" else None
            self._screen.click(x, y, button)
        self._changed()

    @_locked
    def scroll(self, dy: int) -> None:
        """Turn the wheel: positive *dy* scrolls content up (towards its start)."""
        self._advance()
        if dy:
            self._screen.scroll(int(dy))
            self._changed()

    @_locked
    def release_all(self) -> None:
        """Every key and button up (what the station does on every exit path)."""
        for key in sorted(self._held | self._dropped):
            self.key_event(key, False)
        for button in sorted(self._buttons):
            self.pointer_button(button, False)

    # -- outputs ---------------------------------------------------------------------
    @property
    def state(self) -> str:
        """Name of what the screen shows now ("off", "post", "bios", "desktop"...)."""
        with self._lock:
            self._advance()
            return self._screen.state

    @property
    def current_screen(self) -> Screen:
        """The screen object itself (tests inspect its details)."""
        with self._lock:
            self._advance()
            return self._screen

    @property
    def pointer(self) -> tuple[int, int]:
        return self._pointer

    @property
    def held_keys(self) -> frozenset[str]:
        """Keys the laptop sees as down now."""
        return frozenset(self._held)

    @property
    def held_buttons(self) -> frozenset[str]:
        return frozenset(self._buttons)

    def screen(self) -> np.ndarray:
        """The screen now: 1080x1920x3 uint8 BGR, read-only (copy it to draw on it)."""
        return self.snapshot()[1]

    @_locked
    def snapshot(self) -> tuple[Hashable, np.ndarray]:
        """The screen and a key that changes exactly when the picture changes."""
        self._advance()
        base_key = (self._version, self._screen.clock_token(self._now))
        if base_key != self._base_key or self._base is None:
            painter = Painter()
            self._screen.draw(painter, self._now)
            self._base = painter.to_bgr()
            self._base_key = base_key
        pointer = self._pointer if self._screen.shows_pointer else None
        key = (base_key, pointer)
        if key != self._frame_key or self._frame is None:
            frame = self._base if pointer is None else _with_cursor(self._base, pointer)
            frame.setflags(write=False)
            self._frame, self._frame_key = frame, key
        return self._frame_key, self._frame

    # -- time ------------------------------------------------------------------------
    def _changed(self) -> None:
        self._version += 1

    def _advance(self) -> None:
        """Bring the laptop up to the clock: fire every deadline passed, in order."""
        now = self._clock()
        while True:
            due = self._screen.due
            power_due = (
                self._power_down_at + POWER_HOLD_OFF_SECONDS
                if self._power_down_at is not None and self._screen.name != "off"
                else None
            )
            if power_due is not None and power_due <= now and (due is None or power_due <= due):
                self._now = power_due
                self._power_down_at = None
                self.enter("off")
            elif due is not None and due <= now:
                self._now = due
                self._screen.due = None
                self._screen.expire()
                self._changed()
            else:
                break
        self._now = max(self._now, now)


def _with_cursor(base: np.ndarray, at: tuple[int, int]) -> np.ndarray:
    """A copy of *base* with the mouse pointer drawn at *at*."""
    frame = base.copy()
    points = _CURSOR + np.array(at, np.int32)
    cv2.fillPoly(frame, [points], (255, 255, 255), lineType=cv2.LINE_AA)
    cv2.polylines(frame, [points], True, (0, 0, 0), 1, lineType=cv2.LINE_AA)
    return frame
