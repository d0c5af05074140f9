"""Icon families from Debian's icon-theme packages, each with its own hand-made sizes.

Every family maps an icon name to its drawings by nominal size (PNG files, or SVG files
rendered with ``rsvg-convert`` from librsvg2-bin). The template a script would hold is the
family's 48 px drawing; the screen shows the icon drawn from the family's *other* sizes
(the hand-made 24, 32, 64 or 96 px artwork, resampled to the displayed size), as an OS
update or a HiDPI setting shows it. Packages: adwaita-icon-theme, papirus-icon-theme,
tango-icon-theme, breeze-icon-theme.
"""

from __future__ import annotations

import hashlib
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

TEMPLATE_SIDE = 48
ICONS = Path("/usr/share/icons")


@dataclass(frozen=True)
class Family:
    """One icon theme: for each nominal size, the folders holding that size's drawings."""

    name: str
    folders: dict[int, tuple[Path, ...]]
    """Nominal size -> folders (PNG or SVG drawings made for that size)."""
    scalable: tuple[Path, ...] = ()
    """Folders of SVG drawings for any size (used where no hand-made size is nearer)."""

    def drawings(self, icon: str) -> dict[int, Path]:
        """Nominal size -> file of *icon*'s drawing at that size."""
        found: dict[int, Path] = {}
        for size, folders in self.folders.items():
            for folder in folders:
                for suffix in (".png", ".svg"):
                    file = folder / f"{icon}{suffix}"
                    if file.is_file():
                        found.setdefault(size, file)
        for folder in self.scalable:
            file = folder / f"{icon}.svg"
            if file.is_file():
                found.setdefault(0, file)
        return found

    def names(self) -> list[str]:
        """Icons with a 48 px drawing and at least one other (another size, or scalable)."""
        names: set[str] = set()
        for folder in self.folders.get(TEMPLATE_SIDE, ()):
            if folder.is_dir():
                names |= {p.stem for p in folder.iterdir() if p.suffix in (".png", ".svg")}
        kept = []
        seen: set[Path] = set()  # aliases (symbolic links to one drawing) kept once
        for name in sorted(names):
            drawings = self.drawings(name)
            if "symbolic" in name or TEMPLATE_SIDE not in drawings or len(drawings) < 2:
                continue
            drawing = drawings[TEMPLATE_SIDE].resolve()
            if drawing not in seen:
                seen.add(drawing)
                kept.append(name)
        return kept


def _sized(theme: str, sizes: list[int], kinds: tuple[str, ...], pattern: str) -> dict:
    return {s: tuple(ICONS / theme / pattern.format(s=s) / k for k in kinds) for s in sizes}


KINDS = ("apps", "places", "devices", "mimetypes", "actions", "categories")


def families() -> list[Family]:
    """The installed families (each needs its Debian package)."""
    adwaita_sizes = [16, 24, 32, 48, 64, 96, 256, 512]
    adwaita = Family("adwaita", _sized("Adwaita", adwaita_sizes, ("legacy",), "{s}x{s}"))
    papirus = Family("papirus", _sized("Papirus", [16, 22, 24, 32, 48, 64], KINDS, "{s}x{s}"))
    tango_sizes = _sized("Tango", [16, 22, 24, 32], KINDS + ("status",), "{s}x{s}")
    tango_sizes[48] = tuple(ICONS / "Tango" / "scalable" / k for k in KINDS + ("status",))
    tango = Family("tango", tango_sizes)
    breeze = Family(
        "breeze",
        {s: tuple(ICONS / "breeze" / k / str(s) for k in KINDS) for s in (16, 22, 32, 48, 64)},
    )
    return [f for f in (adwaita, papirus, tango, breeze) if f.names()]


def render(file: Path, side: int, cache: Path, size: tuple[int, int] | None = None) -> np.ndarray:
    """BGRA pixels of *file* drawn *side* pixels square, or *size* (SVG rendered, PNG resampled)."""
    w, h = size or (side, side)
    if file.suffix == ".svg":
        key = hashlib.sha1(f"{file.resolve()}:{w}x{h}".encode()).hexdigest()[:16]
        out = cache / f"{key}.png"
        if not out.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["rsvg-convert", "-w", str(w), "-h", str(h), "-o", str(out), str(file)],
                check=True,
                capture_output=True,
            )
        image = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    else:
        image = cv2.imread(str(file), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"{file}: unreadable")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGRA)
    elif image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    if image.shape[:2] != (h, w):
        shrink = image.shape[0] > h
        image = cv2.resize(
            image, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
        )
    return image


def shown_drawing(drawings: dict[int, Path], side: int) -> Path:
    """The family's own drawing an OS would use to show the icon at *side* pixels.

    The nearest hand-made size at or above *side* other than the template's 48 px (a
    different drawing from the template wherever the theme has one), else the largest.
    """
    sizes = sorted(s for s in drawings if s not in (0, TEMPLATE_SIDE))
    above = [s for s in sizes if s >= side]
    if above and (above[0] <= 2 * side):
        return drawings[above[0]]
    if 0 in drawings:
        return drawings[0]
    if sizes and sizes[-1] >= side * 0.66:
        return drawings[sizes[-1]]
    return drawings[TEMPLATE_SIDE]


def held_out(name: str) -> bool:
    """The split by icon name: half the names tune, the other half report."""
    return zlib.crc32(name.encode()) % 2 == 1
