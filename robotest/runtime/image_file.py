"""The ``--image`` file: the product description of the image under test, validated.

Every table and key has a type (a pydantic schema); an unknown key, a wrong type or a
file without the image's name is a one-line error naming the file, the line, the key
and what was expected. A real station's file may hold only ``[image]`` and
``[laptop]``; the simulated laptop's (``scripts/image.toml``) describes everything it
shows. A suite's own expectations go in ``[qualification]`` (known keys) or ``[suite]``
(any keys).
"""

from __future__ import annotations

import datetime
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from robotest.errors import ScriptError

MAX_IMAGE_FILE_BYTES = 1_000_000

Text = Annotated[str, Field(max_length=500)]
Seconds = Annotated[float, Field(gt=0)]
Clock = Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}(:\d{2})?$")]


def _date(value: object) -> object:
    """A TOML date, or a string in ISO form (``"2026-11-21"``), as a date."""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a date like 2026-11-21, got {value!r}") from None
    return value


Day = Annotated[datetime.date, BeforeValidator(_date)]


class _Table(BaseModel):
    # strict: TOML has its own types, and "yes" is not a boolean nor "3" a number
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ImageTable(_Table):
    name: Text | None = None
    version: Text | None = None
    serial: Text | None = None


class LaptopTable(_Table):
    serial: Text | None = None


class ProductTable(_Table):
    vendor: Text | None = None
    model: Text | None = None
    serial: Text | None = None
    cpu: Text | None = None
    memory_mb: Annotated[int, Field(gt=0)] | None = None


class FirmwareTable(_Table):
    bios_version: Text | None = None
    bios_date: Text | None = None
    ec_version: Text | None = None
    secure_boot: bool | None = None
    tpm: Text | None = None
    boot_order: list[Text] | None = None


class OsTable(_Table):
    name: Text | None = None
    edition: Text | None = None
    version: Text | None = None
    build: Text | None = None
    kernel: Text | None = None
    hostname: Text | None = None
    user: Text | None = None
    password: Text | None = None
    boot_seconds: Seconds | None = None
    post_seconds: Seconds | None = None
    clock_start: Clock | None = None
    date: Day | None = None
    icon_theme: Text | None = None


class QualificationTable(_Table):
    boot_limit_seconds: Seconds | None = None
    reboot_cycles: Annotated[int, Field(ge=0)] | None = None


class BatteryTable(_Table):
    charge_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    status: Text | None = None


class DeviceEntry(_Table):
    category: Annotated[str, Field(min_length=1, max_length=500)]
    name: Annotated[str, Field(min_length=1, max_length=500)]


class FaultsTable(_Table):
    bios_version: Text = ""
    os_build: Text = ""
    missing_devices: list[Text] = []
    update_popup: bool = False
    update_popup_window: Annotated[
        list[Annotated[float, Field(ge=0)]], Field(min_length=2, max_length=2)
    ] = [5.0, 40.0]
    slow_boot_factor: Annotated[float, Field(ge=1)] = 1.0
    icon_theme: Text = ""
    drop_key_probability: Annotated[float, Field(ge=0, le=1)] = 0.0


class ImageDescription(_Table):
    """The whole ``--image`` file."""

    name: Text | None = None
    version: Text | None = None
    serial: Text | None = None
    image: ImageTable = ImageTable()
    laptop: LaptopTable = LaptopTable()
    product: ProductTable = ProductTable()
    firmware: FirmwareTable = FirmwareTable()
    os: OsTable = OsTable()
    qualification: QualificationTable = QualificationTable()
    battery: BatteryTable = BatteryTable()
    devices: list[DeviceEntry] = []
    faults: FaultsTable = FaultsTable()
    suite: dict[str, Any] = {}  # the suite's own values, not checked

    @property
    def image_name(self) -> str:
        return self.image.name or self.name or ""

    @property
    def image_version(self) -> str:
        return self.image.version or self.version or ""

    @property
    def serial_number(self) -> str:
        return self.laptop.serial or self.product.serial or self.image.serial or self.serial or ""


class NamedImageDescription(ImageDescription):
    """An ``--image`` file of a run, which must name the image (the results record it)."""

    @model_validator(mode="after")
    def _named(self) -> NamedImageDescription:
        if not (self.image.name or self.name):
            raise ValueError('the image has no name: expected [image] name = "..."')
        return self


def load_image_file(
    path: str | Path,
    schema: type[ImageDescription] = NamedImageDescription,
) -> tuple[ImageDescription, dict[str, Any]]:
    """The validated description and the parsed TOML; ScriptError with one line if bad."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_IMAGE_FILE_BYTES + 1)
    except OSError as exc:
        raise ScriptError(
            f"{path}: cannot read the product description: {exc.strerror or exc}"
        ) from None
    if len(raw) > MAX_IMAGE_FILE_BYTES:
        raise ScriptError(
            f"{path}: a product description is at most {MAX_IMAGE_FILE_BYTES:,} bytes"
        )
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: not a valid TOML product description: {exc}") from None
    try:
        return schema.model_validate(data), data
    except ValidationError as exc:
        raise ScriptError(_describe(path, text, exc)) from None


def _describe(path: Path, text: str, error: ValidationError) -> str:
    """The first problem as ``FILE:LINE: KEY: expected ..., got ...`` (one line)."""
    problem = error.errors()[0]
    where = tuple(problem["loc"])
    expected = problem["msg"]
    kind = problem["type"]
    if kind == "extra_forbidden":
        expected = "no such key" + _known_keys(where)
    elif kind == "missing":
        expected = "is missing"
    elif kind == "value_error":
        expected = expected.removeprefix("Value error, ")
    elif expected.startswith("Input should be "):
        expected = "expected " + expected.removeprefix("Input should be ")
    else:
        expected = expected[:1].lower() + expected[1:]
    got = (
        ""
        if kind in ("extra_forbidden", "value_error", "missing")
        else f", got {problem['input']!r}"[:200]
    )
    key = _key_name(where)
    return f"{path}:{key_line(text, where)}: {key + ': ' if key else ''}{expected}{got}"


def _known_keys(where: tuple[Any, ...]) -> str:
    model: type[BaseModel] = ImageDescription
    for part in where[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field is not None else None
        inner = getattr(annotation, "__args__", (annotation,))
        found = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not found:
            return ""
        model = found[0]
    return " (known: " + ", ".join(model.model_fields) + ")"


def _key_name(where: tuple[Any, ...]) -> str:
    """``[firmware] secure_boot``, ``[[devices]] #2 name`` or ``name``."""
    names = [str(part) for part in where if not isinstance(part, int)]
    if len(names) <= 1:
        return names[0] if names else ""
    index = next((part for part in where if isinstance(part, int)), None)
    table = (
        f"[[{names[0]}]] #{index + 1}"
        if names[0] == "devices" and index is not None
        else f"[{names[0]}]"
    )
    return f"{table} {'.'.join(names[1:])}"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")


def key_line(text: str, where: tuple[Any, ...]) -> int:
    """The 1-based line where the key at *where* is (else its table, else 1).

    ``tomllib`` keeps no positions; the TOML this schema describes is tables of plain
    keys, so the key is the first ``KEY =`` line under its table's header (the Nth
    ``[[devices]]`` header for an entry of that array).
    """
    parts = [part for part in where if not isinstance(part, int)]
    index = next((part for part in where if isinstance(part, int)), 0)
    table, key = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0] if parts else None)
    current: str | None = None
    seen: dict[str, int] = {}
    table_line = 1
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = header.group(2).strip("\"' ")
            if table is None and current == key:  # an unknown table
                return number
            seen[current] = seen.get(current, -1) + 1
            if current == table and seen[current] == (index if header.group(1) == "[[" else 0):
                table_line = number
            continue
        at_table = current == table and (
            table is None or seen.get(table) == index or table != "devices"
        )
        if (
            at_table
            and key is not None
            and re.match(rf"^\s*[\"']?{re.escape(str(key))}[\"']?\s*=", line)
        ):
            return number
    return table_line
