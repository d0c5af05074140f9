"""Station files (``stations/*.toml``): what a station is made of, read and checked.

Documented in ``docs/stations.md``. Every mistake is a :class:`StationConfigError`
naming the file and the entry. Relative paths are relative to the station file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from robotest import registry
from robotest.drivers.errors import StationConfigError
from robotest.drivers.governor import Limits
from robotest.drivers.keymap import Keymap
from robotest.drivers.usb_protocol import DEFAULT_PRODUCT_ID, DEFAULT_VENDOR_ID

KEYBOARD_KINDS = ("pneumatic", "usb")


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


class _Table:
    """Typed reads from one TOML table, with errors that name file and key."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, key: str, problem: str) -> StationConfigError:
        return StationConfigError(f"{self.where}.{key}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(key, f"expected {names}, got {value!r}")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = str(self.get(key, str, default))
        if value not in options:
            raise self.fail(key, f"{value!r} is not one of {', '.join(options)}")
        return value

    def positive(self, key: str, kind: type, default: Any) -> Any:
        value = self.get(key, kind, default)
        if value is not None and value <= 0:
            raise self.fail(key, f"must be positive, got {value!r}")
        return value

    def only(self, *keys: str) -> None:
        unknown = sorted(set(self.data) - set(keys))
        if unknown:
            raise self.fail(unknown[0], f"unknown entry (known: {', '.join(sorted(keys))})")

    def sub(self, key: str) -> _Table:
        value = self.get(key, dict, {})
        return _Table(value, f"{self.where}.{key}")


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
    """``[station] kind``: ``"robot"`` (the default) or ``"vnc"``."""
    return _Table(data, str(path) if path else "<station>").sub("station").choice(
        "kind", registry.names(registry.STATION_KINDS), "robot"
    )


def parse_station(data: dict[str, Any], path: Path | None = None) -> StationSpec:
    where = str(path) if path else "<station>"
    base = path.parent if path else Path.cwd()
    root = _Table(data, where)
    known = {"station", "keyboard", "usb", "camera", "calibration", "limits"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise StationConfigError(
            f"{where}: unknown section [{unknown[0]}] (known: {', '.join(sorted(known))})"
        )
    station = root.sub("station")
    station.only("kind", "name", "default_hold")
    if station_kind(data, path) != "robot":
        raise StationConfigError(
            f"{where}: a VNC station file, not a robot's (open_station reads both)"
        )
    name = station.get("name", str, path.stem if path else "station")
    return StationSpec(
        name=name,
        path=path,
        keyboard=_keyboard(root.sub("keyboard"), base),
        usb=_usb(root.sub("usb")),
        camera=_camera(root.sub("camera"), base),
        calibration_file=_calibration(root.sub("calibration"), base),
        limits=_limits(root.sub("limits")),
        default_hold=station.positive("default_hold", float, 0.08),
    )


def _path(table: _Table, key: str, base: Path) -> Path | None:
    value = table.get(key, str, None)
    return None if value is None else (base / value).resolve()


def _calibration(t: _Table, base: Path) -> Path | None:
    t.only("file")
    return _path(t, "file", base)


def _keyboard(t: _Table, base: Path) -> KeyboardSpec:
    t.only("kind", "port", "baud", "response_timeout", "attempts", "reconnect_timeout", "keymap")
    kind = t.choice("kind", KEYBOARD_KINDS, "pneumatic")
    keymap: Keymap | None = None
    if isinstance(t.data.get("keymap"), str):
        file = (base / t.data["keymap"]).resolve()
        try:
            entries = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise t.fail("keymap", f"cannot read keymap file {file}: {exc}") from None
        keymap = Keymap(entries, source=str(file))
    elif "keymap" in t.data:
        keymap = Keymap(t.sub("keymap").data, source=f"{t.where}.keymap")
    port = t.get("port", str, "")
    if kind == "pneumatic":
        if not port:
            raise t.fail(
                "port",
                "a pneumatic keyboard needs the controller's serial port "
                '(e.g. port = "/dev/ttyUSB0")',
            )
        if keymap is None:
            raise t.fail(
                "keymap",
                "a pneumatic keyboard needs the laptop model's keymap (key name = actuator index)",
            )
    return KeyboardSpec(
        kind=kind,
        port=port,
        baud=t.positive("baud", int, 115200),
        response_timeout=t.positive("response_timeout", float, 0.1),
        attempts=t.positive("attempts", int, 5),
        reconnect_timeout=t.positive("reconnect_timeout", float, 3.0),
        keymap=keymap,
    )


def _usb(t: _Table) -> UsbSpec:
    t.only("vendor_id", "product_id", "timeout_ms")
    vid = t.get("vendor_id", int, DEFAULT_VENDOR_ID)
    pid = t.get("product_id", int, DEFAULT_PRODUCT_ID)
    for key, value in (("vendor_id", vid), ("product_id", pid)):
        if not 0 <= value <= 0xFFFF:
            raise t.fail(key, f"USB ids are 0 to 0xFFFF, got {value:#x}")
    return UsbSpec(vid, pid, t.positive("timeout_ms", int, 200))


def _camera(t: _Table, base: Path) -> CameraSpec:
    t.only(
        "kind",
        "source",
        "producer",
        "device",
        "width",
        "height",
        "exposure",
        "gain",
        "frozen_after",
        "loop",
    )
    kind = t.choice("kind", registry.names(registry.CAMERA_KINDS), "opencv")
    source: int | str = t.get("source", (int, str), 0)
    if kind == "replay" or (
        kind == "opencv"
        and isinstance(source, str)
        and "://" not in source
        and not source.startswith("/dev/")
    ):
        if not isinstance(source, str):
            raise t.fail("source", "a replay camera needs a folder of frames or a video file")
        source = str((base / source).resolve())
    producer = t.get("producer", str, "")
    if kind == "genicam":
        if not producer:
            raise t.fail("producer", "a GenICam camera needs its GenTL producer (.cti file)")
        producer = str((base / producer).resolve())
    frozen = t.get("frozen_after", int, 20)
    return CameraSpec(
        kind=kind,
        source=source,
        producer=producer,
        device=t.get("device", (int, str), 0),
        width=t.positive("width", int, None),
        height=t.positive("height", int, None),
        exposure=t.get("exposure", float, None),
        gain=t.get("gain", float, None),
        frozen_after=frozen if frozen > 0 else None,
        loop=t.get("loop", bool, False),
    )


def _limits(t: _Table) -> Limits:
    defaults = Limits()
    values: dict[str, Any] = {}
    for f in fields(Limits):
        default = getattr(defaults, f.name)
        values[f.name] = t.positive(f.name, type(default), default)
    unknown = sorted(set(t.data) - set(values))
    if unknown:
        raise t.fail(unknown[0], f"unknown limit (known: {', '.join(sorted(values))})")
    if values["min_hold"] > values["max_hold"]:
        raise t.fail("min_hold", "is greater than max_hold")
    return Limits(**values)
