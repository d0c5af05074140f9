"""The VNC station: a virtual machine or a real desktop driven over RFB.

The camera is the VNC framebuffer (or, to rehearse camera conditions, the framebuffer
photographed by the simulated station's camera model); keys go as RFB key events and
the pointer as RFB pointer events. Scripts use the framebuffer's own pixels: a frame is
used as it is, never resampled, and a server that changes resolution mid-run (a virtual
machine going from its BIOS to its boot loader to its desktop) is followed, each frame
at its own size. Every exit path releases every key and button.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from robotest.drivers.camera import FrameGuard, GuardedCamera
from robotest.drivers.clock import Clock, RealClock
from robotest.drivers.governor import SafetyGovernor
from robotest.drivers.health import HealthNotes
from robotest.drivers.station import Station, click_with_buttons
from robotest.drivers.station_files import StationKind
from robotest.drivers.vnc_config import CameraModelSpec, VncStationSpec, parse_vnc_station
from robotest.drivers.vnc_keys import VncKeys
from robotest.drivers.vnc_link import VncLink
from robotest.errors import CameraError, ScriptError

BUTTON_MASKS = {"left": 1, "middle": 2, "right": 4}
WHEEL_UP, WHEEL_DOWN = 8, 16  # RFB buttons 4 and 5


class VncKeyboard:
    """Chords as RFB key events: pressed in order, held, released in reverse."""

    def __init__(
        self, link: VncLink, keys: VncKeys, governor: SafetyGovernor, clock: Clock
    ) -> None:
        self.link = link
        self.keys = keys
        self.governor = governor
        self.clock = clock
        self.down: list[int] = []  # keysyms pressed and not yet released, in press order
        self._lock = threading.Lock()
        link.on_reconnect.append(self._release_after_reconnect)

    def press(self, chord: tuple[str, ...], hold: float) -> None:
        keysyms = self.keys.chord(chord)
        now = self.clock.now()
        self.governor.check(len(keysyms), hold, now)
        try:
            for keysym in keysyms:
                with self._lock:
                    self.down.append(keysym)
                self.link.key(keysym, True)
            self.governor.record((), now)
            self.clock.sleep(hold)
        finally:
            self.release_all()

    def release_all(self) -> None:
        """Release, in reverse order, every key this station pressed (from any thread:
        the emergency stop comes while a press holds its keys).

        Over a dropped connection nothing can be sent (the server lets go of a lost
        client's keys); the keys are released again if the connection comes back.
        """
        with self._lock:
            if not self.link.connected:
                return
            pending, self.down = self.down[::-1], []
        self._send_releases(pending)

    def emergency_release(self) -> None:
        self.release_all()  # RFB has no faster path than the key-up events

    def _release_after_reconnect(self) -> None:
        with self._lock:
            pending, self.down = self.down[::-1], []
        self._send_releases(pending)

    def _send_releases(self, pending: list[int]) -> None:
        for index, keysym in enumerate(pending):
            try:
                self.link.key(keysym, False)
            except BaseException:
                with self._lock:  # still down: released when the link comes back
                    self.down[:0] = pending[index:][::-1]
                raise

    def health(self) -> HealthNotes:
        return _link_health(self.link)

    def close(self) -> None:
        self.release_all()
        self.link.close()


class VncPointer:
    """Absolute moves in framebuffer pixels (the screen's own); buttons, wheel."""

    def __init__(self, link: VncLink, clock: Clock, click_interval: float = 0.08) -> None:
        self.link = link
        self.clock = clock
        self.click_interval = click_interval
        self.position: tuple[int, int] | None = None  # framebuffer pixels, once moved
        self.buttons = 0

    def move_to(self, x: int, y: int) -> None:
        width, height = self.link.size
        if not (0 <= x < width and 0 <= y < height):
            raise ScriptError(f"point ({x}, {y}) is outside the {width}x{height} screen")
        self.position = (x, y)
        self.link.pointer(x, y, self.buttons)

    def button(self, button: str, down: bool) -> None:
        mask = _mask(button)
        self.buttons = self.buttons | mask if down else self.buttons & ~mask
        self.link.pointer(*self._where(), self.buttons)

    def click(self, button: str = "left", double: bool = False) -> None:
        click_with_buttons(self, self.clock, self.click_interval, button, double)

    def scroll(self, dy: int) -> None:
        """Scroll *dy* wheel detents (positive: up): RFB buttons 4 and 5, pressed and released."""
        wheel = WHEEL_UP if dy > 0 else WHEEL_DOWN
        for _ in range(abs(dy)):
            self.link.pointer(*self._where(), self.buttons | wheel)
            self.link.pointer(*self._where(), self.buttons)

    def release_all(self) -> None:
        """Every button up, where the pointer is (a pointer never moved is left alone:
        RFB has no button event without a position, and moving it could move the focus)."""
        self.buttons = 0
        if self.position is not None and self.link.connected:
            self.link.pointer(*self.position, 0)

    def _where(self) -> tuple[int, int]:
        """Where the pointer is; a script that clicks before any move clicks at the centre."""
        if self.position is None:
            width, height = self.link.size
            self.position = (width // 2, height // 2)
        return self.position

    def health(self) -> HealthNotes:
        return HealthNotes()  # the keyboard reports the shared link


class VncCamera:
    """The framebuffer itself, as BGR frames of its own size."""

    def __init__(self, link: VncLink) -> None:
        self.link = link
        self.name = f"vnc {link.address}"

    def grab(self) -> np.ndarray:
        return cv2.cvtColor(self.link.grab(), cv2.COLOR_RGB2BGR)

    def close(self) -> None:
        """The keyboard closes the shared link."""


class ModelledCamera:
    """The screen photographed by the simulated station's camera model (with noise).

    The model's panel has the framebuffer's size at the start; a server that changes
    resolution later is shown scaled onto that panel, as a laptop's fixed panel shows it.
    """

    def __init__(self, screen: VncCamera, spec: CameraModelSpec) -> None:
        from robotest.sim import CameraModel

        self.screen = screen
        self.name = f"{screen.name} through the camera model (seed {spec.seed})"
        self.panel = screen.link.size
        self.model = CameraModel(screen_size=self.panel, frame_size=spec.frame_size, seed=spec.seed)

    def grab(self) -> np.ndarray:
        picture = self.screen.grab()
        if (picture.shape[1], picture.shape[0]) != self.panel:
            picture = cv2.resize(picture, self.panel, interpolation=cv2.INTER_AREA)
        return self.model.photograph(picture)

    def close(self) -> None:
        self.screen.close()


def open_vnc_station(spec: VncStationSpec, *, clock: Clock | None = None) -> Station:
    """Connect to the VNC server of *spec* and build the station around the connection."""
    clock = clock or RealClock()
    link = VncLink(
        spec.host,
        spec.port,
        spec.password,
        timeout=spec.timeout,
        reconnect_timeout=spec.reconnect_timeout,
    ).open()
    try:
        if spec.screen_size is not None and link.size != spec.screen_size:
            raise CameraError(
                f"VNC server {link.address} has a {link.size[0]}x{link.size[1]} screen, "
                f"the station file expects {spec.screen_size[0]}x{spec.screen_size[1]}"
            )
        keys = VncKeys(spec.keysyms, source=f"{spec.path or spec.name} [keysyms]")
        keyboard = VncKeyboard(link, keys, SafetyGovernor(spec.limits), clock)
        screen = VncCamera(link)
        camera: GuardedCamera
        if spec.camera_model is not None:
            modelled = ModelledCamera(screen, spec.camera_model)
            camera = GuardedCamera(
                modelled, FrameGuard(screen.name, expected_size=spec.camera_model.frame_size)
            )
            panel = modelled.panel
            screen_size = lambda: panel  # noqa: E731 - the photographed panel's size
        else:  # a still desktop gives identical frames: no frozen-stream check
            camera = GuardedCamera(screen, FrameGuard(screen.name, None, fixed_size=False))
            screen_size = lambda: link.size  # noqa: E731 - followed when it changes
    except BaseException:
        link.close()
        raise
    return Station(
        spec.name,
        keyboard=keyboard,
        pointer=VncPointer(link, clock),
        camera=camera,
        clock=clock,
        limits=spec.limits,
        calibration_file=spec.calibration_file,
        default_hold=spec.default_hold,
        cleanup=[link.close],
        screen_size=screen_size,
        framebuffer=spec.camera_model is None,
    )


def _mask(button: str) -> int:
    try:
        return BUTTON_MASKS[button.lower()]
    except KeyError:
        raise ScriptError(f"unknown mouse button {button!r} (left, right or middle)") from None


def _link_health(link: VncLink) -> HealthNotes:
    notes = HealthNotes()
    if link.fault:
        notes.faults.append(link.fault)
    elif link.reconnects:
        notes.warnings.append(f"VNC server {link.address}: reconnected {link.reconnects} time(s)")
    return notes


VNC_STATIONS = StationKind(parse=parse_vnc_station, open=open_vnc_station)
"""``[station] kind = "vnc"`` (the ``robotest.station_kinds`` entry point)."""
