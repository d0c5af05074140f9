"""Station files (``stations/*.toml``): what a station is made of, read and checked.

Documented in ``docs/stations.md``. Every mistake is a :class:`StationConfigError`
naming the file and the entry. Relative paths are relative to the station file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from pydantic import create_model, field_validator

from robotest import registry
from robotest.drivers.config_tables import (
    PositiveFloat,
    PositiveInt,
    Table,
    entry_error,
    read_table,
)
from robotest.drivers.errors import StationConfigError
from robotest.drivers.governor import Limits
from robotest.drivers.keymap import Keymap
from robotest.drivers.usb_protocol import DEFAULT_PRODUCT_ID, DEFAULT_VENDOR_ID


@dataclass(frozen=True)
class KeyboardSpec:
    kind: str = "pneumatic"
    port: str = ""
    baud: int = 115200
    response_timeout: float = 0.1
    attempts: int = 5
    reconnect_timeout: float = 3.0
    keymap: Keymap | None = None


@dataclass(frozen=True)
class UsbSpec:
    vendor_id: int = DEFAULT_VENDOR_ID
    product_id: int = DEFAULT_PRODUCT_ID
    timeout_ms: int = 200


@dataclass(frozen=True)
class CameraSpec:
    kind: str = "opencv"
    source: int | str = 0
    producer: str = ""
    device: int | str = 0
    width: int | None = None
    height: int | None = None
    exposure: float | None = None
    gain: float | None = None
    frozen_after: int | None = 20
    loop: bool = False


@dataclass(frozen=True)
class StationSpec:
    name: str
    path: Path | None
    keyboard: KeyboardSpec
    usb: UsbSpec
    camera: CameraSpec
    calibration_file: Path | None
    limits: Limits
    default_hold: float = 0.08
    extra: dict[str, Any] = field(default_factory=dict)


def load_station(path: str | Path) -> StationSpec:
    """Read and check a station file."""
    path = Path(path)
    return parse_station(read_station_file(path), path)


def read_station_file(path: Path) -> dict[str, Any]:
    """The TOML tables of a station file (any kind), or a StationConfigError."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StationConfigError(f"station file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StationConfigError(f"station file {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise StationConfigError(f"station file {path} is not valid TOML: {exc}") from None


def station_kind(data: dict[str, Any], path: Path | None = None) -> str:
    """``[station] kind``: ``"robot"`` (the default), ``"vnc"`` or a registered kind."""
    where = f"{path or '<station>'}.station"
    table = data.get("station", {})
    kind = table.get("kind", "robot") if isinstance(table, dict) else "robot"
    known = registry.names(registry.STATION_KINDS)
    if kind not in known:
        raise entry_error(where, "kind", f"{kind!r} is not one of {', '.join(known)}")
    return str(kind)


class StationTable(Table):
    """``[station]``: what every kind of station file has."""

    kind: str = "robot"
    name: str | None = None
    default_hold: PositiveFloat | None = None


class KeyboardTable(Table):
    kind: Literal["pneumatic", "usb"] = "pneumatic"
    port: str = ""
    baud: PositiveInt = 115200
    response_timeout: PositiveFloat = 0.1
    attempts: PositiveInt = 5
    reconnect_timeout: PositiveFloat = 3.0
    keymap: str | dict[str, Any] | None = None


class UsbTable(Table):
    vendor_id: int = DEFAULT_VENDOR_ID
    product_id: int = DEFAULT_PRODUCT_ID
    timeout_ms: PositiveInt = 200

    @field_validator("vendor_id", "product_id")
    @classmethod
    def _usb_id(cls, value: int) -> int:
        if not 0 <= value <= 0xFFFF:
            raise ValueError(f"USB ids are 0 to 0xFFFF, got {value:#x}")
        return value


class CameraTable(Table):
    kind: str = "opencv"
    source: int | str = 0
    producer: str = ""
    device: int | str = 0
    width: PositiveInt | None = None
    height: PositiveInt | None = None
    exposure: float | None = None
    gain: float | None = None
    frozen_after: int = 20
    loop: bool = False

    @field_validator("kind")
    @classmethod
    def _registered(cls, kind: str) -> str:
        known = registry.names(registry.CAMERA_KINDS)
        if kind not in known:
            raise ValueError(f"{kind!r} is not one of {', '.join(known)}")
        return kind


class CalibrationTable(Table):
    file: str | None = None


def _limit_field(name: str) -> tuple[Any, Any]:
    default = getattr(Limits(), name)
    return (PositiveInt if isinstance(default, int) else PositiveFloat, default)


_LIMIT_FIELDS: dict[str, Any] = {f.name: _limit_field(f.name) for f in fields(Limits)}
LimitsTable: type[Table] = create_model("LimitsTable", __base__=Table, **_LIMIT_FIELDS)
"""``[limits]``: one positive entry per field of :class:`Limits`."""


def parse_station(data: dict[str, Any], path: Path | None = None) -> StationSpec:
    where = str(path) if path else "<station>"
    base = path.parent if path else Path.cwd()
    check_sections(data, {"station", "keyboard", "usb", "camera", "calibration", "limits"}, where)
    if station_kind(data, path) != "robot":
        raise StationConfigError(
            f"{where}: a VNC station file, not a robot's (open_station reads both)"
        )
    station = read_table(StationTable, data.get("station", {}), f"{where}.station")
    return StationSpec(
        name=station.name or (path.stem if path else "station"),
        path=path,
        keyboard=_keyboard(data.get("keyboard", {}), f"{where}.keyboard", base),
        usb=_usb(read_table(UsbTable, data.get("usb", {}), f"{where}.usb")),
        camera=_camera(
            read_table(CameraTable, data.get("camera", {}), f"{where}.camera"),
            f"{where}.camera",
            base,
        ),
        calibration_file=read_calibration(data, where, base),
        limits=read_limits(data.get("limits", {}), f"{where}.limits"),
        default_hold=station.default_hold or 0.08,
    )


def check_sections(data: dict[str, Any], known: set[str], where: str, what: str = "") -> None:
    """Refuse a section no station of this kind has."""
    unknown = sorted(set(data) - known)
    if unknown:
        raise StationConfigError(
            f"{where}: unknown section [{unknown[0]}]{what} (known: {', '.join(sorted(known))})"
        )


def read_calibration(data: dict[str, Any], where: str, base: Path) -> Path | None:
    """``[calibration] file``, relative to the station file."""
    table = read_table(CalibrationTable, data.get("calibration", {}), f"{where}.calibration")
    return None if table.file is None else (base / table.file).resolve()


def read_limits(data: Any, where: str) -> Limits:
    """``[limits]``: every entry positive, ``min_hold`` at most ``max_hold``."""
    values = read_table(LimitsTable, data, where).model_dump()
    if values["min_hold"] > values["max_hold"]:
        raise entry_error(where, "min_hold", "is greater than max_hold")
    return Limits(**values)


def _keyboard(data: Any, where: str, base: Path) -> KeyboardSpec:
    t = read_table(KeyboardTable, data, where)
    keymap: Keymap | None = None
    if isinstance(t.keymap, str):
        file = (base / t.keymap).resolve()
        try:
            entries = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise entry_error(where, "keymap", f"cannot read keymap file {file}: {exc}") from None
        keymap = Keymap(entries, source=str(file))
    elif t.keymap is not None:
        keymap = Keymap(t.keymap, source=f"{where}.keymap")
    if t.kind == "pneumatic" and not t.port:
        raise entry_error(
            where,
            "port",
            'a pneumatic keyboard needs the controller\'s serial port (e.g. port = "/dev/ttyUSB0")',
        )
    if t.kind == "pneumatic" and keymap is None:
        raise entry_error(
            where,
            "keymap",
            "a pneumatic keyboard needs the laptop model's keymap (key name = actuator index)",
        )
    return KeyboardSpec(
        kind=t.kind,
        port=t.port,
        baud=t.baud,
        response_timeout=t.response_timeout,
        attempts=t.attempts,
        reconnect_timeout=t.reconnect_timeout,
        keymap=keymap,
    )


def _usb(t: UsbTable) -> UsbSpec:
    return UsbSpec(t.vendor_id, t.product_id, t.timeout_ms)


def _camera(t: CameraTable, where: str, base: Path) -> CameraSpec:
    source = t.source
    if t.kind == "replay" or (
        t.kind == "opencv"
        and isinstance(source, str)
        and "://" not in source
        and not source.startswith("/dev/")
    ):
        if not isinstance(source, str):
            raise entry_error(
                where, "source", "a replay camera needs a folder of frames or a video file"
            )
        source = str((base / source).resolve())
    producer = t.producer
    if t.kind == "genicam":
        if not producer:
            raise entry_error(
                where, "producer", "a GenICam camera needs its GenTL producer (.cti file)"
            )
        producer = str((base / producer).resolve())
    return CameraSpec(
        kind=t.kind,
        source=source,
        producer=producer,
        device=t.device,
        width=t.width,
        height=t.height,
        exposure=t.exposure,
        gain=t.gain,
        frozen_after=t.frozen_after if t.frozen_after > 0 else None,
        loop=t.loop,
    )
