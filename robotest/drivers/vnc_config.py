"""VNC station files (``[station] kind = "vnc"``): read and checked.

Documented in ``docs/stations.md`` (section "VNC stations"). Every mistake is a
:class:`StationConfigError` naming the file and the entry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from robotest.drivers.errors import StationConfigError
from robotest.drivers.governor import Limits
from robotest.drivers.station_config import _calibration, _limits, _Table

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


def parse_vnc_station(data: dict[str, Any], path: Path | None = None) -> VncStationSpec:
    """Check the tables of a VNC station file (already read as TOML)."""
    where = str(path) if path else "<station>"
    base = path.parent if path else Path.cwd()
    known = {"station", "vnc", "camera_model", "keysyms", "calibration", "limits"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise StationConfigError(
            f"{where}: unknown section [{unknown[0]}] in a VNC station "
            f"(known: {', '.join(sorted(known))})"
        )
    root = _Table(data, where)
    station = root.sub("station")
    station.only("kind", "name", "default_hold")
    vnc = root.sub("vnc")
    vnc.only("host", "port", "display", "password", "password_env", "width", "height",
             "timeout", "reconnect_timeout")
    keysyms = root.sub("keysyms")
    for key in keysyms.data:
        keysyms.get(key, int, 0)
    return VncStationSpec(
        name=station.get("name", str, path.stem if path else "vnc"),
        path=path,
        host=vnc.get("host", str, "127.0.0.1"),
        port=_port(vnc),
        password=_password(vnc),
        screen_size=_size(vnc),
        timeout=vnc.positive("timeout", float, 5.0),
        reconnect_timeout=vnc.positive("reconnect_timeout", float, 10.0),
        camera_model=_camera_model(root) if "camera_model" in data else None,
        keysyms=dict(keysyms.data),
        calibration_file=_calibration(root.sub("calibration"), base),
        limits=_vnc_limits(root.sub("limits")),
        default_hold=station.positive("default_hold", float, 0.05),
    )


def _vnc_limits(t: _Table) -> Limits:
    """``[limits]``; no actuator wears out here, so rate and hold default to the sim's."""
    limits = _limits(t)
    if "max_presses_per_second" not in t.data:
        limits = replace(limits, max_presses_per_second=VNC_LIMITS.max_presses_per_second)
    if "min_hold" not in t.data:
        limits = replace(limits, min_hold=VNC_LIMITS.min_hold)
    return limits


def _port(t: _Table) -> int:
    if "port" in t.data and "display" in t.data:
        raise t.fail("display", "give either port or display, not both")
    if "display" in t.data:
        display = t.get("display", int, 0)
        if not 0 <= display <= 100:
            raise t.fail("display", f"display numbers are 0 to 100, got {display}")
        return DEFAULT_PORT + int(display)
    port = t.get("port", int, DEFAULT_PORT)
    if not 0 < port < 65536:
        raise t.fail("port", f"TCP ports are 1 to 65535, got {port}")
    return int(port)


def _password(t: _Table) -> str | None:
    if "password" in t.data and "password_env" in t.data:
        raise t.fail("password_env", "give either password or password_env, not both")
    if "password_env" in t.data:
        variable = t.get("password_env", str, "")
        if variable not in os.environ:
            raise t.fail("password_env", f"environment variable {variable} is not set")
        return os.environ[variable]
    password: str | None = t.get("password", str, None)
    return password


def _size(t: _Table) -> tuple[int, int] | None:
    width = t.positive("width", int, None)
    height = t.positive("height", int, None)
    if (width is None) != (height is None):
        raise t.fail("width" if width is None else "height", "give both width and height")
    return None if width is None else (width, height)


def _camera_model(root: _Table) -> CameraModelSpec:
    t = root.sub("camera_model")
    t.only("seed", "frame_size")
    size = t.get("frame_size", list, [2448, 2048])
    if len(size) != 2 or not all(isinstance(v, int) and v > 0 for v in size):
        raise t.fail("frame_size", f"expected [width, height] in pixels, got {size!r}")
    return CameraModelSpec(seed=t.get("seed", int, 0), frame_size=(size[0], size[1]))
