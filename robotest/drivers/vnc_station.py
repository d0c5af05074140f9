"""The VNC station: a virtual machine or a real desktop driven over RFB.

The camera is the VNC framebuffer (or, to rehearse camera conditions, the framebuffer
photographed by the simulated station's camera model); keys go as RFB key events and
the pointer as RFB pointer events. Scripts use the runtime's 1920x1080 screen grid, as
on a robot: the framebuffer is scaled onto that grid (nothing to do for a 1920x1080
desktop) and the pointer scaled back, so a virtual machine that changes resolution while
it boots (BIOS, boot loader, desktop) stays one screen. Without the camera model the
station brings an identity calibration, so nothing is guessed from the picture. Every
exit path releases every key and button.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

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

SCREEN_GRID = (1920, 1080)
"""The runtime's screen grid (``robotest.runtime.screen.SCREEN_SIZE``): script coordinates."""
BUTTON_MASKS = {"left": 1, "middle": 2, "right": 4}
WHEEL_UP, WHEEL_DOWN = 8, 16  # RFB buttons 4 and 5


class VncKeyboard:
    """Chords as RFB key events: pressed in order, held, released in reverse."""

    def __init__(self, link: VncLink, keys: VncKeys, governor: SafetyGovernor,
                 clock: Clock) -> None:
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
    """Absolute moves in screen-grid pixels, scaled to the framebuffer; buttons, wheel."""

    def __init__(self, link: VncLink, clock: Clock, click_interval: float = 0.08) -> None:
        self.link = link
        self.clock = clock
        self.click_interval = click_interval
        self.position: tuple[int, int] | None = None  # framebuffer pixels, once moved
        self.buttons = 0

    def move_to(self, x: int, y: int) -> None:
        grid_w, grid_h = SCREEN_GRID
        if not (0 <= x < grid_w and 0 <= y < grid_h):
            raise ScriptError(f"point ({x}, {y}) is outside the {grid_w}x{grid_h} screen")
        self.position = grid_to_framebuffer(x, y, self.link.size)
        self.link.pointer(*self.position, self.buttons)

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
            self.position = grid_to_framebuffer(SCREEN_GRID[0] // 2, SCREEN_GRID[1] // 2,
                                                self.link.size)
        return self.position

    def health(self) -> HealthNotes:
        return HealthNotes()  # the keyboard reports the shared link


class VncCamera:
    """The framebuffer itself, scaled onto the screen grid, as BGR frames."""

    def __init__(self, link: VncLink) -> None:
        self.link = link
        self.name = f"vnc {link.address}"

    def grab(self) -> np.ndarray:
        return to_screen_grid(cv2.cvtColor(self.link.grab(), cv2.COLOR_RGB2BGR))

    def close(self) -> None:
        """The keyboard closes the shared link."""


class ModelledCamera:
    """The screen photographed by the simulated station's camera model (with noise)."""

    def __init__(self, screen: VncCamera, spec: CameraModelSpec) -> None:
        from robotest.sim import CameraModel

        self.screen = screen
        self.name = f"{screen.name} through the camera model (seed {spec.seed})"
        self.model = CameraModel(screen_size=SCREEN_GRID, frame_size=spec.frame_size,
                                 seed=spec.seed)

    def grab(self) -> np.ndarray:
        return self.model.photograph(self.screen.grab())

    def close(self) -> None:
        self.screen.close()


def to_screen_grid(frame: np.ndarray) -> np.ndarray:
    """*frame* scaled to the screen grid (pixel centres onto pixel centres)."""
    height, width = frame.shape[:2]
    if (width, height) == SCREEN_GRID:
        return frame
    shrink = width > SCREEN_GRID[0] or height > SCREEN_GRID[1]
    return cv2.resize(frame, SCREEN_GRID, interpolation=cv2.INTER_AREA if shrink
                      else cv2.INTER_LINEAR)


def write_identity_calibration(folder: Path) -> Path:
    """A calibration file saying the camera frame *is* the screen (the framebuffer's)."""
    from robotest.vision import Calibration, Lens
    from robotest.vision.calibration import corner_pixels

    width, height = SCREEN_GRID
    lens = Lens(
        camera_matrix=np.array([[width, 0, width / 2], [0, width, height / 2], [0, 0, 1.0]]),
        dist_coeffs=np.zeros(5),
        image_size=SCREEN_GRID,
    )
    calibration = Calibration(
        screen_size=SCREEN_GRID,
        corners=corner_pixels(SCREEN_GRID),
        homography=np.eye(3),
        lens=lens,
        confidence=1.0,
        frame_size=SCREEN_GRID,
    )
    path = folder / "framebuffer-calibration.json"
    calibration.save(path)
    return path


def open_vnc_station(spec: VncStationSpec, *, clock: Clock | None = None) -> Station:
    """Connect to the VNC server of *spec* and build the station around the connection."""
    clock = clock or RealClock()
    link = VncLink(spec.host, spec.port, spec.password, timeout=spec.timeout,
                   reconnect_timeout=spec.reconnect_timeout).open()
    folder: Path | None = None
    try:
        if spec.screen_size is not None and link.size != spec.screen_size:
            raise CameraError(
                f"VNC server {link.address} has a {link.size[0]}x{link.size[1]} screen, "
                f"the station file expects {spec.screen_size[0]}x{spec.screen_size[1]}"
            )
        keys = VncKeys(spec.keysyms, source=f"{spec.path or spec.name} [keysyms]")
        keyboard = VncKeyboard(link, keys, SafetyGovernor(spec.limits), clock)
        screen = VncCamera(link)
        calibration = spec.calibration_file
        if spec.camera_model is not None:
            camera = GuardedCamera(ModelledCamera(screen, spec.camera_model), FrameGuard(
                screen.name, expected_size=spec.camera_model.frame_size))
        else:  # a still desktop gives identical frames: no frozen-stream check
            camera = GuardedCamera(screen, FrameGuard(screen.name, None, SCREEN_GRID))
            if calibration is None:
                folder = Path(tempfile.mkdtemp(prefix="robotest-vnc-"))
                calibration = write_identity_calibration(folder)
    except BaseException:
        link.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    cleanup = [link.close]
    if folder is not None:
        cleanup.append(lambda: shutil.rmtree(str(folder), ignore_errors=True))
    return Station(
        spec.name,
        keyboard=keyboard,
        pointer=VncPointer(link, clock),
        camera=camera,
        clock=clock,
        limits=spec.limits,
        calibration_file=calibration,
        default_hold=spec.default_hold,
        cleanup=cleanup,
    )


def grid_to_framebuffer(x: int, y: int, size: tuple[int, int]) -> tuple[int, int]:
    """The framebuffer pixel under screen-grid pixel (x, y) (the inverse of the calibration)."""
    width, height = size
    fx = round((x + 0.5) * width / SCREEN_GRID[0] - 0.5)
    fy = round((y + 0.5) * height / SCREEN_GRID[1] - 0.5)
    return min(width - 1, max(0, fx)), min(height - 1, max(0, fy))


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
