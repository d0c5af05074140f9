"""The TrueType fonts the simulated laptop draws with (DejaVu, Debian package fonts-dejavu-core)."""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)

FACES = {
    "sans": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
    "mono-bold": "DejaVuSansMono-Bold.ttf",
    "light": "DejaVuSans-ExtraLight.ttf",
}


class FontMissing(RuntimeError):
    """The DejaVu fonts are not installed."""


@functools.cache
def font_path(face: str) -> Path:
    """Path of one DejaVu face ("sans", "bold", "mono", "mono-bold", "light")."""
    filename = FACES[face]
    for folder in FONT_DIRS:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    raise FontMissing(
        f"font {filename} not found in {', '.join(map(str, FONT_DIRS))}: "
        "install the Debian package fonts-dejavu-core (./setup.sh does)"
    )


@functools.cache
def font(face: str, size: int) -> ImageFont.FreeTypeFont:
    """The DejaVu *face* at *size* pixels (cached)."""
    return ImageFont.truetype(str(font_path(face)), size)
