"""VNC station files (``[station] kind = "vnc"``): read and checked.

Documented in ``docs/stations.md`` (section "VNC stations"). Every mistake is a
:class:`StationConfigError` naming the file and the entry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import field_validator

from robotest.drivers.config_tables import (
    PositiveFloat,
    PositiveInt,
    Table,
    entry_error,
    read_table,
)
from robotest.drivers.errors import StationConfigError
from robotest.drivers.governor import Limits
from robotest.drivers.station_config import (
    StationTable,
    check_sections,
    read_calibration,
    read_limits,
)

DEFAULT_PORT = 5900  # display :0; display :N listens on 5900 + N
VNC_LIMITS = Limits(max_presses_per_second=50.0, min_hold=0.01)


@dataclass(frozen=True)
class CameraModelSpec:
    """Frames pass through the simulated station's camera model (``[camera_model]``)."""

    seed: int = 0
    frame_size: tuple[int, int] = (2448, 2048)


@dataclass(frozen=True)
class VncStationSpec:
    name: str
    path: Path | None
    host: str
    port: int
    password: str | None = field(repr=False)
    screen_size: tuple[int, int] | None  # expected framebuffer (width, height)
    timeout: float
    reconnect_timeout: float
    camera_model: CameraModelSpec | None
    keysyms: dict[str, int]
    calibration_file: Path | None
    limits: Limits
    default_hold: float = 0.05

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class VncTable(Table):
    """``[vnc]``: where the VNC server is and how to log in."""

    host: str = "127.0.0.1"
    port: int | None = None
    display: int | None = None
    password: str | None = None
    password_env: str | None = None
    width: PositiveInt | None = None
    height: PositiveInt | None = None
    timeout: PositiveFloat = 5.0
    reconnect_timeout: PositiveFloat = 10.0

    @field_validator("port")
    @classmethod
    def _port(cls, port: int | None) -> int | None:
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"TCP ports are 1 to 65535, got {port}")
        return port

    @field_validator("display")
    @classmethod
    def _display(cls, display: int | None) -> int | None:
        if display is not None and not 0 <= display <= 100:
            raise ValueError(f"display numbers are 0 to 100, got {display}")
        return display

    def address_port(self, where: str) -> int:
        if self.port is not None and self.display is not None:
            raise entry_error(where, "display", "give either port or display, not both")
        if self.display is not None:
            return DEFAULT_PORT + self.display
        return self.port or DEFAULT_PORT


class CameraModelTable(Table):
    seed: int = 0
    frame_size: list[Any] = [2448, 2048]


def parse_vnc_station(data: dict[str, Any], path: Path | None = None) -> VncStationSpec:
    """Check the tables of a VNC station file (already read as TOML)."""
    where = str(path) if path else "<station>"
    base = path.parent if path else Path.cwd()
    check_sections(
        data,
        {"station", "vnc", "camera_model", "keysyms", "calibration", "limits"},
        where,
        " in a VNC station",
    )
    station = read_table(StationTable, data.get("station", {}), f"{where}.station")
    vnc = _vnc(data.get("vnc", {}), f"{where}.vnc")
    return VncStationSpec(
        name=station.name or (path.stem if path else "vnc"),
        path=path,
        host=vnc.host,
        port=vnc.address_port(f"{where}.vnc"),
        password=_password(vnc, f"{where}.vnc"),
        screen_size=_size(vnc, f"{where}.vnc"),
        timeout=vnc.timeout,
        reconnect_timeout=vnc.reconnect_timeout,
        camera_model=_camera_model(data["camera_model"], f"{where}.camera_model")
        if "camera_model" in data
        else None,
        keysyms=_keysyms(data.get("keysyms", {}), f"{where}.keysyms"),
        calibration_file=read_calibration(data, where, base),
        limits=_vnc_limits(data.get("limits", {}), f"{where}.limits"),
        default_hold=station.default_hold or 0.05,
    )


def _vnc(data: Any, where: str) -> VncTable:
    return read_table(VncTable, data, where)


def _vnc_limits(data: Any, where: str) -> Limits:
    """``[limits]``; no actuator wears out here, so rate and hold default to the sim's."""
    limits = read_limits(data, where)
    given = data if isinstance(data, dict) else {}
    if "max_presses_per_second" not in given:
        limits = replace(limits, max_presses_per_second=VNC_LIMITS.max_presses_per_second)
    if "min_hold" not in given:
        limits = replace(limits, min_hold=VNC_LIMITS.min_hold)
    return limits


def _password(t: VncTable, where: str) -> str | None:
    if t.password is not None and t.password_env is not None:
        raise entry_error(where, "password_env", "give either password or password_env, not both")
    if t.password_env is not None:
        if t.password_env not in os.environ:
            raise entry_error(
                where, "password_env", f"environment variable {t.password_env} is not set"
            )
        return os.environ[t.password_env]
    return t.password


def _size(t: VncTable, where: str) -> tuple[int, int] | None:
    if (t.width is None) != (t.height is None):
        raise entry_error(
            where, "width" if t.width is None else "height", "give both width and height"
        )
    return None if t.width is None or t.height is None else (t.width, t.height)


def _keysyms(data: Any, where: str) -> dict[str, int]:
    if not isinstance(data, dict):
        raise StationConfigError(f"{where}: expected a table, got {data!r}")
    for key, value in data.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise entry_error(where, key, f"expected int, got {value!r}")
    return dict(data)


def _camera_model(data: Any, where: str) -> CameraModelSpec:
    t = read_table(CameraModelTable, data, where)
    size = t.frame_size
    if len(size) != 2 or not all(isinstance(v, int) and v > 0 for v in size):
        raise entry_error(where, "frame_size", f"expected [width, height] in pixels, got {size!r}")
    return CameraModelSpec(seed=t.seed, frame_size=(size[0], size[1]))
