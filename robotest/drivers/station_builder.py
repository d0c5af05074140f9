"""Build a :class:`Station` from a station file's :class:`StationSpec`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from robotest import registry
from robotest.drivers.camera import Camera, FrameGuard, GuardedCamera
from robotest.drivers.clock import Clock, RealClock
from robotest.drivers.pneumatic_keyboard import PneumaticKeyboard
from robotest.drivers.station import KeyboardDevice, Station
from robotest.drivers.station_config import CameraSpec, StationSpec, parse_station
from robotest.drivers.station_files import StationKind
from robotest.drivers.usb_controller import UsbController, UsbKeyboard, UsbPointer


def open_camera(spec: CameraSpec) -> GuardedCamera:
    """The camera a station file describes, behind a frame guard."""
    opener = registry.load(registry.CAMERA_KINDS, spec.kind)
    camera: Camera = opener(spec)
    size = (spec.width, spec.height) if spec.width and spec.height else None
    frozen = None if spec.kind == "replay" else spec.frozen_after
    return GuardedCamera(camera, FrameGuard(camera.name, frozen, size))


def build_station(
    spec: StationSpec, *, clock: Clock | None = None, usb_backend: Any = None
) -> Station:
    """Open every driver of *spec*; on failure, close what was already open."""
    clock = clock or RealClock()
    opened: list[Callable[[], None]] = []
    try:
        controller = UsbController(
            spec.usb.vendor_id,
            spec.usb.product_id,
            backend=usb_backend,
            timeout_ms=spec.usb.timeout_ms,
        )
        controller.open()
        opened.append(controller.close)
        keyboard: KeyboardDevice
        if spec.keyboard.kind == "pneumatic":
            assert spec.keyboard.keymap is not None
            pneumatic = PneumaticKeyboard.open(
                spec.keyboard.port,
                spec.keyboard.keymap,
                baudrate=spec.keyboard.baud,
                limits=spec.limits,
                clock=clock,
                response_timeout=spec.keyboard.response_timeout,
                attempts=spec.keyboard.attempts,
                reconnect_timeout=spec.keyboard.reconnect_timeout,
            )
            opened.append(pneumatic.close)
            keyboard = pneumatic
        else:
            keyboard = UsbKeyboard(controller, spec.limits, clock)
        camera = open_camera(spec.camera)
        opened.append(camera.close)
    except BaseException:
        for close in reversed(opened):
            with contextlib.suppress(Exception):
                close()
        raise
    return Station(
        spec.name,
        keyboard=keyboard,
        pointer=UsbPointer(controller, clock),
        camera=camera,
        clock=clock,
        limits=spec.limits,
        calibration_file=spec.calibration_file,
        default_hold=spec.default_hold,
        emergency_release=controller.reset,
        cleanup=[controller.close],
        screen_size=lambda: _usb_screen(controller),
    )


def _usb_screen(controller: UsbController) -> tuple[int, int] | None:
    """The laptop screen's size as the USB controller reports it (None before it has)."""
    info = controller.info
    return (info.width, info.height) if info is not None else None


ROBOT_STATIONS = StationKind(parse=parse_station, open=build_station)
"""``[station] kind = "robot"`` (the ``robotest.station_kinds`` entry point)."""
