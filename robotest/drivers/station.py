"""The station: keyboard, pointer, camera, calibration and clock, with the safety contract.

Leaving a station by any path (normal end, exception, Ctrl-C, a test timeout, even
interpreter exit) releases every actuator and mouse button; :meth:`Station.emergency_stop`
releases everything at once and refuses any further actuation. Driver and camera faults
are :class:`~robotest.errors.StationError` subclasses, never a failed laptop.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Protocol

import numpy as np

from robotest.drivers.camera import GuardedCamera
from robotest.drivers.clock import Clock
from robotest.drivers.governor import Limits
from robotest.drivers.health import Health, HealthNotes
from robotest.errors import EmergencyStop, StationError


class KeyboardDevice(Protocol):
    def press(self, chord: tuple[str, ...], hold: float) -> None: ...

    def release_all(self) -> None: ...

    def emergency_release(self) -> None:
        """Release every key by the fastest path the hardware has (the emergency stop)."""
        ...

    def health(self) -> HealthNotes: ...

    def close(self) -> None: ...


class PointerDevice(Protocol):
    def move_to(self, x: int, y: int) -> None: ...

    def button(self, button: str, down: bool) -> None: ...

    def click(self, button: str = "left", double: bool = False) -> None: ...

    def scroll(self, dy: int) -> None: ...

    def release_all(self) -> None: ...

    def health(self) -> HealthNotes: ...


BUTTON_DOWN_SECONDS = 0.02


def click_with_buttons(
    device: PointerDevice, clock: Clock, interval: float, button: str, double: bool
) -> None:
    """A click as a button press and release (two, *interval* apart, for a double click).

    For pointers whose link only knows buttons up and down (the USB controller, VNC).
    """
    for n in range(2 if double else 1):
        if n:
            clock.sleep(interval)
        device.button(button, True)
        clock.sleep(BUTTON_DOWN_SECONDS)
        device.button(button, False)


class StationKeyboard:
    """``station.keyboard``: presses go through the station's emergency-stop check."""

    def __init__(self, station: Station, device: KeyboardDevice) -> None:
        self._station = station
        self.device = device

    def press(self, chord: tuple[str, ...] | str, hold: float | None = None) -> None:
        """Press the keys of *chord* together for *hold* seconds (station default if None)."""
        self._station.check_running()
        keys = (chord,) if isinstance(chord, str) else tuple(chord)
        self.device.press(keys, self._station.default_hold if hold is None else hold)

    def release_all(self) -> None:
        self.device.release_all()


class StationPointer:
    """``station.pointer``: absolute moves in screen pixels, buttons, clicks, scroll."""

    def __init__(self, station: Station, device: PointerDevice) -> None:
        self._station = station
        self.device = device

    def move_to(self, x: int, y: int) -> None:
        self._station.check_running()
        self.device.move_to(int(x), int(y))

    def click(self, button: str = "left", double: bool = False) -> None:
        self._station.check_running()
        self.device.click(button, double)

    def button(self, button: str, down: bool) -> None:
        if down:
            self._station.check_running()
        self.device.button(button, down)

    def scroll(self, dy: int) -> None:
        self._station.check_running()
        self.device.scroll(int(dy))

    def release_all(self) -> None:
        self.device.release_all()


class Station:
    """A robot station (or the simulated one): use it as a context manager."""

    def __init__(
        self,
        name: str,
        *,
        keyboard: KeyboardDevice,
        pointer: PointerDevice,
        camera: GuardedCamera,
        clock: Clock,
        limits: Limits,
        calibration_file: Path | None = None,
        default_hold: float = 0.08,
        emergency_release: Callable[[], None] | None = None,
        cleanup: list[Callable[[], None]] | None = None,
        screen_size: Callable[[], tuple[int, int] | None] | None = None,
        framebuffer: bool = False,
    ) -> None:
        self.name = name
        self._screen_size = screen_size or (lambda: None)
        self.framebuffer = framebuffer
        """Whether the camera's frames are the laptop's screen itself, pixel for pixel (a
        VNC framebuffer): no calibration, no resampling, its size as it is now."""
        self.keyboard = StationKeyboard(self, keyboard)
        self.pointer = StationPointer(self, pointer)
        self.camera = camera
        self.clock = clock
        self.limits = limits
        self.calibration_file = calibration_file
        self.default_hold = default_hold
        self.close_errors: list[str] = []
        self._emergency_release = emergency_release
        self._cleanup = cleanup or []
        self._stopped = False
        self._closed = False
        self._lock = threading.Lock()
        atexit.register(self.close)

    # -- the safety contract ----------------------------------------------------------------
    def check_running(self) -> None:
        if self._stopped:
            raise EmergencyStop(
                f"station {self.name}: the emergency stop was pressed; "
                "everything is released and no key or button will move"
            )
        if self._closed:
            raise StationError(f"station {self.name} is closed")

    def emergency_stop(self) -> None:
        """Release every actuator and button now; refuse all actuation afterwards."""
        self._stopped = True
        self._release_everything(emergency=True)

    def release_all(self) -> None:
        """Release every key and button (also done on every exit path)."""
        self._release_everything()

    def health(self) -> Health:
        notes = HealthNotes()
        for part in (self.keyboard.device, self.pointer.device, self.camera):
            try:
                notes.extend(part.health())
            except StationError as exc:
                notes.faults.append(str(exc))
        return Health.from_notes(notes, stopped=self._stopped)

    def grab(self) -> np.ndarray:
        return self.camera.grab()

    @property
    def serial(self) -> str:
        """The laptop's serial where the station knows it (a real station does not: "")."""
        return ""

    def thinking(self) -> contextlib.AbstractContextManager[None]:
        """While the robot's computer works: real time runs on (a simulated station stops it)."""
        return contextlib.nullcontext()

    @property
    def screen_size(self) -> tuple[int, int] | None:
        """The laptop screen's (width, height) in its own pixels, now: what the USB
        controller or the VNC server reports (None: not known; a camera station's
        calibration then uses its default)."""
        return self._screen_size()

    # -- leaving --------------------------------------------------------------------------
    def close(self) -> None:
        """Release everything, close the drivers and the camera (safe to call twice)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        self._release_everything()
        for name, step in (
            ("keyboard", self.keyboard.device.close),
            ("camera", self.camera.close),
            *((f"cleanup {i}", fn) for i, fn in enumerate(self._cleanup)),
        ):
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - closing must reach every part
                self.close_errors.append(f"{name}: {exc}")

    def __enter__(self) -> Station:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _release_everything(self, emergency: bool = False) -> None:
        device = self.keyboard.device
        release_keys = device.emergency_release if emergency else device.release_all
        steps: list[tuple[str, Callable[[], None]]] = [
            ("keyboard", release_keys),
            ("pointer", self.pointer.device.release_all),
        ]
        if self._emergency_release is not None:
            steps.append(("emergency release", self._emergency_release))
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - every part must get its release
                self.close_errors.append(f"releasing {name}: {exc}")

    def __repr__(self) -> str:
        return f"<Station {self.name!r}>"
