"""Station files of every kind: a robot's (``kind = "robot"``, the default) or a VNC station's."""

from __future__ import annotations

from pathlib import Path

from robotest.drivers.station_config import (
    StationSpec,
    parse_station,
    read_station_file,
    station_kind,
)
from robotest.drivers.vnc_config import VncStationSpec, parse_vnc_station


def load_station_file(path: str | Path) -> StationSpec | VncStationSpec:
    """Read and check a station file of any kind (``[station] kind``)."""
    path = Path(path)
    data = read_station_file(path)
    if station_kind(data, path) == "vnc":
        return parse_vnc_station(data, path)
    return parse_station(data, path)
