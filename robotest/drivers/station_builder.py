"""Build a :class:`Station` from a station file's :class:`StationSpec`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from robotest.drivers.camera import Camera, FrameGuard, GuardedCamera
from robotest.drivers.clock import Clock, RealClock
from robotest.drivers.errors import StationConfigError
from robotest.drivers.pneumatic_keyboard import PneumaticKeyboard
from robotest.drivers.station import KeyboardDevice, Station
from robotest.drivers.station_config import CameraSpec, StationSpec
from robotest.drivers.usb_controller import UsbController, UsbKeyboard, UsbPointer


def open_camera(spec: CameraSpec) -> GuardedCamera:
    """The camera a station file describes, behind a frame guard."""
    camera: Camera
    if spec.kind == "opencv":
        from robotest.drivers.camera_opencv import OpenCvCamera

        camera = OpenCvCamera(
            spec.source,
            width=spec.width,
            height=spec.height,
            exposure=spec.exposure,
            gain=spec.gain,
        )
    elif spec.kind == "genicam":
        from robotest.drivers.camera_genicam import GenICamCamera

        camera = GenICamCamera(
            spec.producer, device=spec.device, exposure=spec.exposure, gain=spec.gain
        )
    elif spec.kind == "replay":
        from robotest.drivers.camera_replay import ReplayCamera

        camera = ReplayCamera(str(spec.source), loop=spec.loop)
    else:  # pragma: no cover - station_config only lets known kinds through
        raise StationConfigError(f"unknown camera kind {spec.kind!r}")
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
    )
