"""Desktop icon artwork, drawn procedurally, in two themes, and the PNG files shipped from it.

``v1`` is the image's normal theme; ``v2`` is the artwork after an OS update (the
"changed icon theme" fault). The PNGs under ``robotest/sim/assets/icons/<name>/<version>.png``
are what the laptop draws and what vision tests match against; regenerate them with
``python -m robotest.sim.icons``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ICON_SIZE = 64
ICON_NAMES = ("terminal", "settings", "files", "browser", "recycle_bin")
ICON_VERSIONS = ("v1", "v2")
ICON_DIR = Path(__file__).parent / "assets" / "icons"

_SCALE = 4
_S = ICON_SIZE * _SCALE  # drawing size before downsampling (anti-aliasing)

RGB = tuple[int, int, int]
Artist = Callable[[ImageDraw.ImageDraw, str], None]


def _tile(draw: ImageDraw.ImageDraw, colour: RGB, border: RGB) -> None:
    draw.rectangle((0, 0, _S - 1, _S - 1), fill=border)
    draw.rounded_rectangle((8, 8, _S - 9, _S - 9), 36, fill=colour)


def _terminal(draw: ImageDraw.ImageDraw, version: str) -> None:
    if version == "v1":
        _tile(draw, (40, 40, 44), (20, 20, 22))
        draw.rectangle((8, 8, _S - 9, 56), fill=(90, 90, 96))
        for i, c in enumerate([(230, 80, 70), (240, 190, 60), (90, 200, 90)]):
            draw.ellipse((28 + i * 34, 22, 50 + i * 34, 44), fill=c)
        prompt = (80, 230, 120)
    else:
        _tile(draw, (18, 36, 86), (230, 236, 245))
        prompt = (255, 255, 255)
    draw.line([(50, 100), (106, 140), (50, 180)], fill=prompt, width=22, joint="curve")
    draw.rectangle((124, 172, 204, 192), fill=prompt)


def _gear(draw: ImageDraw.ImageDraw, centre: float, radius: float, colour: RGB, hole: RGB) -> None:
    teeth = 8
    points = []
    for i in range(teeth * 4):
        angle = 2 * math.pi * i / (teeth * 4)
        r = radius if (i % 4) in (0, 1) else radius * 0.74
        points.append((centre + r * math.cos(angle), centre + r * math.sin(angle)))
    draw.polygon(points, fill=colour)
    draw.ellipse((centre - radius * 0.62,) * 2 + (centre + radius * 0.62,) * 2, fill=colour)
    draw.ellipse((centre - radius * 0.3,) * 2 + (centre + radius * 0.3,) * 2, fill=hole)


def _settings(draw: ImageDraw.ImageDraw, version: str) -> None:
    if version == "v1":
        _tile(draw, (200, 220, 240), (120, 140, 170))
        _gear(draw, _S / 2, 92, (70, 80, 96), (200, 220, 240))
    else:
        _tile(draw, (112, 60, 190), (240, 234, 250))
        _gear(draw, _S / 2, 86, (255, 255, 255), (112, 60, 190))


def _files(draw: ImageDraw.ImageDraw, version: str) -> None:
    if version == "v1":
        _tile(draw, (236, 236, 230), (150, 150, 140))
        draw.rounded_rectangle((34, 62, 120, 100), 12, fill=(214, 160, 40))
        draw.rounded_rectangle((34, 84, 222, 200), 14, fill=(246, 196, 66))
        draw.line([(40, 110), (216, 110)], fill=(255, 226, 140), width=6)
    else:
        _tile(draw, (30, 120, 220), (220, 235, 250))
        draw.polygon(
            [(46, 70), (110, 70), (128, 92), (210, 92), (210, 190), (46, 190)], fill=(255, 255, 255)
        )
        draw.rectangle((46, 112, 210, 120), fill=(30, 120, 220))


def _browser(draw: ImageDraw.ImageDraw, version: str) -> None:
    c, r = _S / 2, 88
    if version == "v1":
        _tile(draw, (232, 240, 250), (110, 130, 160))
        draw.ellipse((c - r, c - r, c + r, c + r), fill=(40, 110, 210))
        line = (220, 236, 255)
        draw.ellipse((c - r * 0.45, c - r, c + r * 0.45, c + r), outline=line, width=8)
        draw.line([(c, c - r), (c, c + r)], fill=line, width=8)
        for dy in (-0.5, 0.0, 0.5):
            half = r * math.sqrt(1 - dy * dy)
            draw.line([(c - half, c + dy * r), (c + half, c + dy * r)], fill=line, width=8)
    else:
        _tile(draw, (250, 244, 236), (200, 120, 60))
        draw.ellipse((c - r, c - r, c + r, c + r), fill=(0, 150, 150))
        draw.polygon(
            [(c, c - r * 0.8), (c + 26, c), (c, c + r * 0.8), (c - 26, c)], fill=(250, 130, 40)
        )
        draw.ellipse((c - 14, c - 14, c + 14, c + 14), fill=(255, 255, 255))


def _recycle_bin(draw: ImageDraw.ImageDraw, version: str) -> None:
    if version == "v1":
        _tile(draw, (226, 230, 234), (120, 124, 130))
        body = (120, 126, 136)
        draw.rectangle((70, 60, 186, 76), fill=body)
        draw.rectangle((110, 44, 146, 60), fill=body)
        draw.polygon([(78, 86), (178, 86), (166, 214), (90, 214)], fill=body)
        for x in (104, 128, 152):
            draw.line([(x, 104), (x - (x - 128) * 0.1, 196)], fill=(226, 230, 234), width=8)
    else:
        _tile(draw, (40, 150, 90), (220, 245, 230))
        white = (255, 255, 255)
        draw.rounded_rectangle((64, 58, 192, 78), 8, fill=white)
        draw.polygon([(76, 90), (180, 90), (170, 212), (86, 212)], fill=white)
        draw.ellipse((104, 120, 152, 168), outline=(40, 150, 90), width=10)


ARTISTS: dict[str, Artist] = {
    "terminal": _terminal,
    "settings": _settings,
    "files": _files,
    "browser": _browser,
    "recycle_bin": _recycle_bin,
}


def draw_icon(name: str, version: str) -> Image.Image:
    """Draw icon *name* in theme *version* (64x64 RGB, anti-aliased)."""
    if name not in ARTISTS or version not in ICON_VERSIONS:
        raise KeyError(f"no icon {name!r} version {version!r}")
    big = Image.new("RGB", (_S, _S), (0, 0, 0))
    ARTISTS[name](ImageDraw.Draw(big), version)
    return big.resize((ICON_SIZE, ICON_SIZE), Image.Resampling.LANCZOS)


def icon_path(name: str, version: str) -> Path:
    return ICON_DIR / name / f"{version}.png"


@functools.cache
def load_icon(name: str, version: str) -> Image.Image:
    """The shipped PNG of icon *name* in theme *version* (what the desktop shows)."""
    path = icon_path(name, version)
    if not path.is_file():
        raise FileNotFoundError(f"icon {path} is missing: run python -m robotest.sim.icons")
    with Image.open(path) as picture:
        return picture.convert("RGB")


def write_icons(folder: Path = ICON_DIR) -> list[Path]:
    """(Re)generate every icon PNG under *folder*; returns the paths written."""
    written = []
    for name in ICON_NAMES:
        for version in ICON_VERSIONS:
            path = folder / name / f"{version}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            draw_icon(name, version).save(path, optimize=True)
            written.append(path)
    return written


def icon_array(name: str, version: str) -> np.ndarray:
    """The shipped icon as a BGR array, the way vision templates are usually held."""
    return np.ascontiguousarray(np.asarray(load_icon(name, version))[:, :, ::-1])


if __name__ == "__main__":
    for written_path in write_icons():
        print(written_path)
