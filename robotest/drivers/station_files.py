"""Station files of every kind: ``[station] kind`` picks who reads and opens the file.

The kinds are registered through the ``robotest.station_kinds`` entry point
(:mod:`robotest.registry`): robotest's own ``robot`` (the default: pneumatic keyboard,
USB controller, camera) and ``vnc``; a package may add its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robotest import registry
from robotest.drivers.station_config import read_station_file, station_kind

if TYPE_CHECKING:
    from robotest.drivers.station import Station


@dataclass(frozen=True)
class StationKind:
    """One kind of station file: how it is checked and how its station is opened."""

    parse: Callable[[dict[str, Any], Path], Any]  # the checked spec, or StationConfigError
    open: Callable[..., Station]  # (spec, **options) -> an open station


def _kind_of(path: Path) -> tuple[StationKind, dict[str, Any]]:
    data = read_station_file(path)
    kind: StationKind = registry.load(registry.STATION_KINDS, station_kind(data, path))
    return kind, data


def load_station_file(path: str | Path) -> Any:
    """Read and check a station file of any kind (its spec; nothing is opened)."""
    kind, data = _kind_of(Path(path))
    return kind.parse(data, Path(path))


def open_station_file(path: str | Path, **options: Any) -> Station:
    """Open the station a station file of any kind describes."""
    kind, data = _kind_of(Path(path))
    return kind.open(kind.parse(data, Path(path)), **options)
