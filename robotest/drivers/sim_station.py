"""The built-in ``sim`` station: the real drivers wired to the simulated laptop.

Nothing is short-circuited. A key press travels pneumatic driver -> pyserial ->
pseudo-terminal -> firmware emulator -> keymap (actuator -> key name) ->
``SimLaptop.key_event``; the pointer travels pyusb -> emulating backend ->
``SimLaptop.pointer_move / pointer_button / scroll``; frames come only from the
simulated camera. The station clock may run faster than real time (``speed``).
The laptop is thread-safe: the keyboard emulator's thread, the USB backend and the
camera may all call it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robotest.drivers.camera import FrameGuard, GuardedCamera
from robotest.drivers.camera_sim import SimCameraAdapter
from robotest.drivers.clock import AcceleratedClock, ManualClock
from robotest.drivers.errors import StationConfigError
from robotest.drivers.governor import Limits
from robotest.drivers.keyboard_emulator import KeyboardEmulator
from robotest.drivers.keyboard_firmware import Firmware
from robotest.drivers.keymap import Keymap, default_keymap
from robotest.drivers.pneumatic_keyboard import PneumaticKeyboard
from robotest.drivers.station import KeyboardDevice, Station
from robotest.drivers.usb_controller import UsbController, UsbKeyboard, UsbPointer
from robotest.drivers.usb_emulator import EmulatedUsbBackend, UsbControllerDevice, UsbListeners
from robotest.drivers.usb_protocol import DEFAULT_PRODUCT_ID, DEFAULT_VENDOR_ID

if TYPE_CHECKING:
    from robotest.sim import CameraParams, ProductImage, SimLaptop

SIM_LIMITS = Limits(max_presses_per_second=50.0, min_hold=0.01)


class SimStation(Station):
    """The ``sim`` station: a :class:`Station` that also holds the simulated laptop.

    ``laptop`` is the ground truth tests check against; ``emulators`` (``"keyboard"``,
    ``"usb"``) are the device emulators, for fault injection.
    """

    clock: AcceleratedClock | ManualClock

    def __init__(
        self,
        *,
        laptop: SimLaptop,
        emulators: dict[str, Any],
        clock: AcceleratedClock | ManualClock,
        **parts: Any,
    ) -> None:
        super().__init__("sim", clock=clock, **parts)
        self.laptop = laptop
        self.emulators = emulators

    @property
    def serial(self) -> str:
        return self.laptop.image.serial

    def thinking(self) -> contextlib.AbstractContextManager[None]:
        """Station time stands still while the robot's computer works (vision), so that
        a slow or busy PC does not make the simulated laptop run ahead of the script."""
        return self.clock.frozen()


def _load_image(image: ProductImage | str | Path | None) -> ProductImage:
    from robotest.sim import ImageError, ProductImage

    if image is None:
        return ProductImage.golden()
    if isinstance(image, ProductImage):
        return image
    try:
        return ProductImage.load(image)
    except ImageError as exc:
        raise StationConfigError(str(exc)) from exc


def open_sim_station(
    *,
    image: ProductImage | str | Path | None = None,
    seed: int = 0,
    speed: float = 1.0,
    keyboard: str = "pneumatic",
    frame_size: tuple[int, int] = (2448, 2048),
    limits: Limits | None = None,
    keymap: Keymap | None = None,
    camera: CameraParams | str | None = None,
    clock: ManualClock | None = None,
) -> SimStation:
    """The simulated station: a laptop running *image*, seen by a camera seeded with *seed*.

    *camera* is the camera's :class:`~robotest.sim.CameraParams`, or ``"nominal"`` (the
    default), ``"sampled"`` (a camera drawn from *seed*: exposure, noise, blur, lens,
    sometimes glare) or ``"glare"`` (nominal with a glare spot).

    *speed* > 1 runs the station clock (and so the laptop) faster than real time;
    *keyboard* is ``"pneumatic"`` (actuators over the serial emulator) or ``"usb"``
    (HID reports through the USB controller). *clock*: a :class:`ManualClock` makes
    station time move only when something waits (``rtest sim``); *speed* is then unused.
    """
    from robotest.sim import SimCamera, SimLaptop

    if keyboard not in ("pneumatic", "usb"):
        raise StationConfigError(f"sim station keyboard {keyboard!r}: use pneumatic or usb")
    station_clock = clock if clock is not None else AcceleratedClock(speed)
    limits = limits or SIM_LIMITS
    keymap = keymap or default_keymap()
    laptop = SimLaptop(_load_image(image), station_clock.now, seed)
    cleanup: list[Callable[[], None]] = []
    try:
        device = UsbControllerDevice(
            DEFAULT_VENDOR_ID,
            DEFAULT_PRODUCT_ID,
            listeners=UsbListeners(
                move=laptop.pointer_move,
                button=laptop.pointer_button,
                scroll=laptop.scroll,
                key=laptop.key_event,
            ),
        )
        controller = UsbController(
            DEFAULT_VENDOR_ID, DEFAULT_PRODUCT_ID, backend=EmulatedUsbBackend(device)
        )
        controller.open()
        cleanup.append(controller.close)
        kb: KeyboardDevice
        emulators: dict[str, Any] = {"usb": device}
        if keyboard == "pneumatic":
            kb, emulators["keyboard"] = _pneumatic(laptop, keymap, limits, station_clock, cleanup)
        else:
            kb = UsbKeyboard(controller, limits, station_clock)
        sim_camera = SimCamera(
            laptop, seed, params=camera_params(camera, seed), frame_size=frame_size
        )
        guarded = GuardedCamera(SimCameraAdapter(sim_camera), FrameGuard("sim"))
    except BaseException:
        for close in reversed(cleanup):
            with contextlib.suppress(Exception):
                close()
        raise
    cleanup.append(laptop.release_all)
    return SimStation(
        keyboard=kb,
        pointer=UsbPointer(controller, station_clock),
        camera=guarded,
        clock=station_clock,
        limits=limits,
        emergency_release=controller.reset,
        cleanup=cleanup,
        laptop=laptop,
        emulators=emulators,
        screen_size=lambda: _sim_screen(laptop),
    )


def _sim_screen(laptop: SimLaptop) -> tuple[int, int]:
    height, width = laptop.screen().shape[:2]
    return width, height


CAMERA_KINDS = ("nominal", "sampled", "glare")


def camera_params(camera: CameraParams | str | None, seed: int) -> CameraParams | None:
    """Camera parameters for a sim station's *camera* option (None: the nominal camera)."""
    from robotest.sim import CameraParams

    if camera is None or isinstance(camera, CameraParams):
        return camera
    if camera not in CAMERA_KINDS:
        raise StationConfigError(f"sim station camera {camera!r}: use " + ", ".join(CAMERA_KINDS))
    if camera == "sampled":
        return CameraParams.sample(seed)
    return CameraParams(glare=True) if camera == "glare" else None


def _pneumatic(
    laptop: SimLaptop,
    keymap: Keymap,
    limits: Limits,
    clock: AcceleratedClock | ManualClock,
    cleanup: list[Callable[[], None]],
) -> tuple[PneumaticKeyboard, KeyboardEmulator]:
    def actuator_moved(index: int, down: bool) -> None:
        key = keymap.key(index)
        if key is not None:
            laptop.key_event(key, down)

    emulator = KeyboardEmulator(
        Firmware(actuators=max(keymap.size, 1), on_actuator=actuator_moved)
    ).start()
    cleanup.append(emulator.stop)
    keyboard = PneumaticKeyboard.open(
        emulator.port, keymap, limits=limits, clock=clock, response_timeout=0.25, attempts=6
    )
    return keyboard, emulator


def open_sim_for_run(image_file: str | None) -> tuple[SimStation, list[Path]]:
    """The ``sim`` station as ``rtest run`` opens it, and its own icon folder.

    The laptop runs ``--image`` when it is a product description (else the golden
    image), with ``RTEST_SIM_SEED``, ``RTEST_SIM_SPEED`` (default 8) and
    ``RTEST_SIM_CAMERA`` (``nominal``, ``sampled`` or ``glare``).
    """
    from robotest.settings import settings
    from robotest.sim.icons import ICON_DIR

    chosen = settings()
    station = open_sim_station(
        image=_run_image(image_file),
        seed=chosen.sim_seed,
        speed=chosen.sim_speed,
        camera=chosen.sim_camera,
    )
    return station, [ICON_DIR]


def _run_image(image_file: str | None) -> ProductImage | None:
    """``--image`` when it is a product description the simulated laptop can run."""
    from robotest.sim import ImageError, ProductImage

    if image_file is None:
        return None
    try:
        return ProductImage.load(image_file)
    except ImageError:
        return None
