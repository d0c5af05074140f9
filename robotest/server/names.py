"""Names a station and the server agree on: channels, and the paths a version may hold.

Both sides check the same rules, so a version the server accepts is one every station
can install, and a station never writes outside its tree whatever a manifest says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Stricter than the server's query pattern (no leading dot: no `.` or `..`), so every
# channel name a station accepts is one the server accepts too.
CHANNEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
MAX_COMPONENT_BYTES = 255  # NAME_MAX of Linux file systems
MAX_PATH_CHARS = 1000
MAX_DEPTH = 64
# The station writes its version marker into every tree (and `rtest run` looks for it in
# the script's folder and its parents), so no suite file may carry that name.
RESERVED_NAMES = frozenset({".rtest-version.json"})


def check_channel(name: str) -> str:
    """`name` when it is a valid channel name; ValueError saying what is allowed."""
    if not re.fullmatch(CHANNEL_PATTERN, name):
        raise ValueError(
            f"invalid channel name {name[:100]!r}: use letters, digits, '.', '_' "
            "and '-', starting with a letter or digit (at most 100)"
        )
    return name


def check_path_limits(path: str) -> None:
    """ValueError when `path` is too long, too deep or has a name too long to be created."""
    if len(path) > MAX_PATH_CHARS:
        raise ValueError(f"{path[:60]}...: path is longer than {MAX_PATH_CHARS} characters")
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        raise ValueError(f"{path[:60]}...: path is deeper than {MAX_DEPTH} folders")
    if any(len(part.encode()) > MAX_COMPONENT_BYTES for part in parts):
        raise ValueError(f"{path[:60]}...: a name is longer than {MAX_COMPONENT_BYTES} bytes")


def check_suite_path(path: str) -> None:
    """ValueError when `path` is not a relative, installable file path of a suite."""
    check_path_limits(path)
    for part in path.split("/"):
        if part in ("", ".", "..") or "\x00" in part or "\\" in part:
            raise ValueError(f"{path}: not a valid relative path")
        if part in RESERVED_NAMES:
            raise ValueError(f"{path}: {part!r} is reserved for the station's version marker")


def check_suite_paths(paths: Iterable[str]) -> None:
    """Every path installable, and no path both a file and a folder."""
    files = set(paths)
    for path in files:
        check_suite_path(path)
    folders: set[str] = set()
    for path in sorted(files):
        parent = path.rpartition("/")[0]
        while parent and parent not in folders:
            if parent in files:
                raise ValueError(f"{parent}: is both a file and a folder ({path})")
            folders.add(parent)
            parent = parent.rpartition("/")[0]
