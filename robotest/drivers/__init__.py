"""Station drivers: the pneumatic keyboard, the USB controller, cameras, and the station.

The runtime is written against :func:`open_station` and :class:`Station`
(documented in ``docs/stations.md``)::

    with open_station("sim", speed=4) as station:
        station.keyboard.press(("Power",), hold=0.1)
        station.clock.sleep(3)
        frame = station.camera.grab()

Faults of the robot raise :class:`~robotest.errors.StationError` subclasses; requests
beyond the station's limits and keys it cannot press raise
:class:`~robotest.errors.ScriptError` subclasses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robotest.drivers.clock import AcceleratedClock, Clock, ManualClock, RealClock
from robotest.drivers.errors import (
    ActuatorStuck,
    ControllerSilent,
    LowPressure,
    PortGone,
    ProtocolError,
    SafetyLimitError,
    StationConfigError,
    UnmappedKey,
    UsbDeviceGone,
    UsbPermissionError,
    VncAuthError,
    VncConnectionError,
)
from robotest.drivers.governor import Limits
from robotest.drivers.health import Health, HealthState
from robotest.drivers.keymap import Keymap, chord_for_character, default_keymap
from robotest.drivers.station import Station, StationKeyboard, StationPointer
from robotest.drivers.station_config import StationSpec, load_station
from robotest.drivers.vnc_config import VncStationSpec

__all__ = [
    "AcceleratedClock",
    "ActuatorStuck",
    "Clock",
    "ControllerSilent",
    "Health",
    "HealthState",
    "Keymap",
    "Limits",
    "LowPressure",
    "ManualClock",
    "PortGone",
    "ProtocolError",
    "RealClock",
    "SafetyLimitError",
    "Station",
    "StationConfigError",
    "StationKeyboard",
    "StationPointer",
    "StationSpec",
    "UnmappedKey",
    "UsbDeviceGone",
    "UsbPermissionError",
    "VncAuthError",
    "VncConnectionError",
    "VncStationSpec",
    "chord_for_character",
    "default_keymap",
    "load_station",
    "open_station",
]


def open_station(spec: str | Path, **options: Any) -> Station:
    """Open the station *spec*: ``"sim"`` (built in) or the path of a station TOML file.

    Options for ``"sim"``: ``image`` (ProductImage or TOML path), ``seed``, ``speed``,
    ``keyboard`` ("pneumatic" or "usb"), ``frame_size``, ``limits``. Options for a file:
    ``clock``, ``usb_backend`` (a pyusb backend; the emulator's in tests). A file with
    ``[station] kind = "vnc"`` opens a VNC station (option: ``clock``).
    """
    if str(spec) == "sim":
        from robotest.drivers.sim_station import open_sim_station

        return open_sim_station(**options)
    from robotest.drivers.station_files import open_station_file

    return open_station_file(spec, **options)


def open_station_for_run(spec: str, image_file: str | None) -> tuple[Station, list[Path]]:
    """The station a run opens for *spec* (``sim``, ``sim:NAME`` for a second simulated
    laptop, or a station file), and the icon folders the station brings."""
    if spec.split(":", 1)[0] == "sim":
        from robotest.drivers.sim_station import open_sim_for_run

        return open_sim_for_run(image_file)
    return open_station(spec), []
