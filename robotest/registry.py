"""What third parties can add to robotest, registered through package entry points.

A package adds a plugin, a station kind or a camera kind by declaring an entry point
in its own ``pyproject.toml``; robotest's own ones are declared the same way::

    [project.entry-points."robotest.plugins"]      # plugins.NAME in .rtest scripts
    inspection = "robotest.inspection.plugin"

    [project.entry-points."robotest.station_kinds"]  # [station] kind = "NAME"
    vnc = "robotest.drivers.vnc_station:VNC_STATIONS"

    [project.entry-points."robotest.camera_kinds"]   # [camera] kind = "NAME"
    opencv = "robotest.drivers.camera_opencv:open_opencv_camera"

(pytest's ``pytest11`` and lark's plugin loading work the same way.)
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

PLUGINS = "robotest.plugins"
STATION_KINDS = "robotest.station_kinds"
CAMERA_KINDS = "robotest.camera_kinds"


class NotRegistered(LookupError):
    """No package registers that name in that group; the message lists those that do."""


@cache
def _registered(group: str) -> dict[str, EntryPoint]:
    return {point.name: point for point in entry_points(group=group)}


def names(group: str) -> tuple[str, ...]:
    """The names registered in *group*, sorted."""
    return tuple(sorted(_registered(group)))


def load(group: str, name: str) -> Any:
    """The object registered as *name* in *group* (imported on first use)."""
    point = _registered(group).get(name)
    if point is None:
        known = ", ".join(names(group)) or "none"
        raise NotRegistered(f"no {_what(group)} named {name!r} (installed: {known})")
    return point.load()


def _what(group: str) -> str:
    return {
        PLUGINS: "robotest plugin",
        STATION_KINDS: "station kind",
        CAMERA_KINDS: "camera kind",
    }.get(group, group)
