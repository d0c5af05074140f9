"""The product image description: every value the simulated laptop shows, and its faults.

A product image is a TOML file (``robotest/sim/images/golden.toml`` is the reference):
firmware and OS versions, model, serial, memory, CPU, devices, password, boot time, and a
``[faults]`` table that injects the defects a qualification run must catch.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from robotest.errors import RobotestError, ScriptError
from robotest.sim.icons import ICON_VERSIONS

GOLDEN_PATH = Path(__file__).parent / "images" / "golden.toml"


class ImageError(RobotestError, ValueError):
    """A product image description is unreadable or wrong (the message says where)."""


@dataclass(frozen=True)
class Device:
    category: str
    name: str


@dataclass(frozen=True)
class Faults:
    """Defects injected into the image (all off by default)."""

    bios_version: str = ""
    os_build: str = ""
    missing_devices: tuple[str, ...] = ()
    update_popup: bool = False
    update_popup_window: tuple[float, float] = (5.0, 40.0)
    slow_boot_factor: float = 1.0
    icon_theme: str = ""
    drop_key_probability: float = 0.0


@dataclass(frozen=True)
class ProductImage:
    """One laptop software image as the simulated laptop presents it."""

    vendor: str
    model: str
    serial: str
    cpu: str
    memory_mb: int
    bios_version: str
    bios_date: str
    ec_version: str
    secure_boot: bool
    tpm: str
    boot_order: tuple[str, ...]
    os_name: str
    edition: str
    os_version: str
    build: str
    kernel: str
    hostname: str
    user: str
    password: str
    boot_seconds: float
    post_seconds: float
    clock_start: time
    date: date
    icon_theme: str
    battery_percent: int
    battery_status: str
    devices: tuple[Device, ...]
    faults: Faults = field(default_factory=Faults)
    source: str = "<memory>"

    # -- loading ----------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> ProductImage:
        """Read a product image TOML file; raise :class:`ImageError` naming the problem."""
        path = Path(path)
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise ImageError(f"product image {path}: no such file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ImageError(f"product image {path}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ImageError(f"product image {path}: cannot read: {exc.strerror}") from None
        image = cls.from_dict(data, source=str(path))
        _check_schema(path)
        return image

    @classmethod
    def golden(cls) -> ProductImage:
        """The reference image shipped with robotest (no faults)."""
        return cls.load(GOLDEN_PATH)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<memory>") -> ProductImage:
        """Build an image from parsed TOML (same checks as :meth:`load`)."""
        reader = _Reader(data, source)
        image = cls(
            vendor=reader.text("product", "vendor"),
            model=reader.text("product", "model"),
            serial=reader.text("product", "serial"),
            cpu=reader.text("product", "cpu"),
            memory_mb=reader.integer("product", "memory_mb", minimum=1),
            bios_version=reader.text("firmware", "bios_version"),
            bios_date=reader.text("firmware", "bios_date"),
            ec_version=reader.text("firmware", "ec_version"),
            secure_boot=reader.boolean("firmware", "secure_boot"),
            tpm=reader.text("firmware", "tpm"),
            boot_order=reader.texts("firmware", "boot_order", non_empty=True),
            os_name=reader.text("os", "name"),
            edition=reader.text("os", "edition"),
            os_version=reader.text("os", "version"),
            build=reader.text("os", "build"),
            kernel=reader.text("os", "kernel"),
            hostname=reader.text("os", "hostname"),
            user=reader.text("os", "user"),
            password=reader.text("os", "password", allow_empty=True),
            boot_seconds=reader.number("os", "boot_seconds", minimum=0.5),
            post_seconds=reader.number("os", "post_seconds", minimum=0.5),
            clock_start=reader.clock("os", "clock_start"),
            date=reader.day("os", "date"),
            icon_theme=reader.choice("os", "icon_theme", ICON_VERSIONS),
            battery_percent=reader.integer("battery", "charge_percent", minimum=0, maximum=100),
            battery_status=reader.text("battery", "status"),
            devices=reader.devices(),
            faults=reader.faults(ICON_VERSIONS),
            source=source,
        )
        names = {device.name for device in image.devices}
        unknown = [name for name in image.faults.missing_devices if name not in names]
        if unknown:
            raise ImageError(
                f"product image {source}: faults.missing_devices names unknown devices: "
                + ", ".join(unknown)
            )
        return image

    # -- derived values -----------------------------------------------------------------
    def with_faults(self, **changes: Any) -> ProductImage:
        """A copy of this image with some faults injected (fields of :class:`Faults`)."""
        if "missing_devices" in changes:
            changes["missing_devices"] = tuple(changes["missing_devices"])
        return replace(self, faults=replace(self.faults, **changes))

    @property
    def shown_bios_version(self) -> str:
        """The BIOS version the laptop reports (the injected wrong one, if any)."""
        return self.faults.bios_version or self.bios_version

    @property
    def shown_build(self) -> str:
        """The OS build the laptop reports (the injected wrong one, if any)."""
        return self.faults.os_build or self.build

    @property
    def shown_icon_theme(self) -> str:
        return self.faults.icon_theme or self.icon_theme

    @property
    def present_devices(self) -> tuple[Device, ...]:
        """Devices the laptop detects (without the injected missing ones)."""
        missing = set(self.faults.missing_devices)
        return tuple(device for device in self.devices if device.name not in missing)

    @property
    def memory_text(self) -> str:
        return f"{self.memory_mb} MB"

    @property
    def effective_boot_seconds(self) -> float:
        return self.boot_seconds * self.faults.slow_boot_factor


def _check_schema(path: Path) -> None:
    """What the laptop's values do not cover: the schema every ``--image`` file follows
    (unknown keys and tables, the tables the laptop does not read), with the line."""
    from robotest.runtime.image_file import ImageDescription, load_image_file

    try:
        load_image_file(path, ImageDescription)
    except ScriptError as exc:
        raise ImageError(f"product image {exc}") from None


class _Reader:
    """Typed access to the parsed TOML with one-line errors naming table and key."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, where: str, problem: str) -> ImageError:
        return ImageError(f"product image {self.source}: {where}: {problem}")

    def value(self, table: str, key: str, default: Any = None) -> Any:
        section = self.data.get(table)
        if section is None:
            if default is not None:
                return default
            raise self.fail(f"[{table}]", "table is missing")
        if not isinstance(section, dict):
            raise self.fail(f"[{table}]", "must be a table")
        if key not in section:
            if default is not None:
                return default
            raise self.fail(f"{table}.{key}", "is missing")
        return section[key]

    def text(self, table: str, key: str, allow_empty: bool = False) -> str:
        value = self.value(table, key)
        if not isinstance(value, str):
            raise self.fail(f"{table}.{key}", f"must be a string, got {value!r}")
        if not allow_empty and not value.strip():
            raise self.fail(f"{table}.{key}", "must not be empty")
        return value

    def texts(self, table: str, key: str, non_empty: bool = False) -> tuple[str, ...]:
        value = self.value(table, key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{table}.{key}", f"must be a list of strings, got {value!r}")
        if non_empty and not value:
            raise self.fail(f"{table}.{key}", "must not be empty")
        return tuple(value)

    def number(self, table: str, key: str, minimum: float, default: float | None = None) -> float:
        value = self.value(table, key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{table}.{key}", f"must be a number, got {value!r}")
        if value < minimum:
            raise self.fail(f"{table}.{key}", f"must be at least {minimum}, got {value}")
        return float(value)

    def integer(self, table: str, key: str, minimum: int, maximum: int | None = None) -> int:
        value = self.value(table, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{table}.{key}", f"must be an integer, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise self.fail(f"{table}.{key}", f"must be {bound}, got {value}")
        return value

    def boolean(self, table: str, key: str) -> bool:
        value = self.value(table, key)
        if not isinstance(value, bool):
            raise self.fail(f"{table}.{key}", f"must be true or false, got {value!r}")
        return value

    def choice(self, table: str, key: str, options: tuple[str, ...]) -> str:
        value = self.text(table, key)
        if value not in options:
            raise self.fail(f"{table}.{key}", f"must be one of {', '.join(options)}, got {value!r}")
        return value

    def clock(self, table: str, key: str) -> time:
        value = self.text(table, key)
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{table}.{key}", f"must be a time like 09:41, got {value!r}") from None

    def day(self, table: str, key: str) -> date:
        value = self.value(table, key)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(
                f"{table}.{key}", f"must be a date like 2026-11-21, got {value!r}"
            ) from None

    def devices(self) -> tuple[Device, ...]:
        entries = self.data.get("devices", [])
        if not isinstance(entries, list):
            raise self.fail("[[devices]]", "must be an array of tables")
        devices = []
        for index, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise self.fail(f"devices #{index}", "must be a table")
            for key in ("category", "name"):
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    raise self.fail(f"devices #{index}.{key}", "must be a non-empty string")
            devices.append(Device(category=entry["category"], name=entry["name"]))
        return tuple(devices)

    def faults(self, icon_versions: tuple[str, ...]) -> Faults:
        table = self.data.get("faults", {})
        if not isinstance(table, dict):
            raise self.fail("[faults]", "must be a table")
        known = set(Faults.__dataclass_fields__)
        unknown = sorted(set(table) - known)
        if unknown:
            raise self.fail(
                "[faults]", f"unknown fault {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        defaults = Faults()
        window = table.get("update_popup_window", list(defaults.update_popup_window))
        if (
            not isinstance(window, list)
            or len(window) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in window)
            or not 0 <= window[0] <= window[1]
        ):
            raise self.fail(
                "faults.update_popup_window", f"must be [earliest, latest] seconds, got {window!r}"
            )
        probability = self.number(
            "faults", "drop_key_probability", 0.0, defaults.drop_key_probability
        )
        if probability > 1:
            raise self.fail(
                "faults.drop_key_probability", f"must be between 0 and 1, got {probability}"
            )
        theme = table.get("icon_theme", "")
        if theme and theme not in icon_versions:
            raise self.fail(
                "faults.icon_theme", f"must be one of {', '.join(icon_versions)}, got {theme!r}"
            )
        bios, build = (table.get(key, "") for key in ("bios_version", "os_build"))
        for key, value in (("bios_version", bios), ("os_build", build)):
            if not isinstance(value, str):
                raise self.fail(f"faults.{key}", f"must be a string, got {value!r}")
        popup = table.get("update_popup", False)
        if not isinstance(popup, bool):
            raise self.fail("faults.update_popup", f"must be true or false, got {popup!r}")
        missing = table.get("missing_devices", [])
        if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
            raise self.fail(
                "faults.missing_devices", f"must be a list of device names, got {missing!r}"
            )
        return Faults(
            bios_version=bios,
            os_build=build,
            missing_devices=tuple(missing),
            update_popup=popup,
            update_popup_window=(float(window[0]), float(window[1])),
            slow_boot_factor=self.number(
                "faults", "slow_boot_factor", 1.0, defaults.slow_boot_factor
            ),
            icon_theme=theme,
            drop_key_probability=probability,
        )
