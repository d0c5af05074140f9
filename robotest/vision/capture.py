"""Capturing an icon version from a screen: the needle-editor loop.

A step failed because an icon changed its look: cut the new look out of the screen the
step saw (``rtest icon capture NAME --from SCREEN --box x,y,w,h --into icons/``), store
it as the next version ``icons/NAME/<n>.png`` beside the existing ones, and see at once
how the new version and each existing one score on that screen, and how alike the new
version and each existing one are. An optional alpha mask leaves the background out of
the comparison: a grey PNG (white = compare) or ``auto`` (the colour of the box's border
becomes transparent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from robotest.vision.errors import VisionInputError
from robotest.vision.icon_search import IconMatch, locate
from robotest.vision.icons import Icon, IconVersion
from robotest.vision.images import Region, load_image

AUTO_MASK = "auto"
MAX_SIDE = 1024  # pixels: an icon, not a screen
MAX_VERSIONS = 1000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_NUMBERED = re.compile(r"(\d{1,6})\.png")
_AUTO_TOLERANCE = 24  # grey levels from the border colour that count as background


@dataclass(frozen=True)
class VersionScore:
    """An icon version on the source screen, and how alike it is to the new version."""

    version: str
    match: IconMatch
    likeness: float | None  # normalised correlation with the new version (None: itself)

    def to_dict(self) -> dict[str, object]:
        likeness = None if self.likeness is None else round(self.likeness, 4)
        return {"version": self.version, "likeness": likeness, **self.match.to_dict()}


@dataclass(frozen=True)
class Capture:
    """A written version: where it went, the box it came from, and the scores."""

    path: Path
    box: Region
    masked: bool
    new: VersionScore
    existing: tuple[VersionScore, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "box": list(self.box),
            "masked": self.masked,
            "new": self.new.to_dict(),
            "existing": [score.to_dict() for score in self.existing],
        }

    def summary(self) -> str:
        lines = [
            f"wrote {self.path} ({self.box[2]}x{self.box[3]} from box {_box(self.box)}"
            f"{', masked' if self.masked else ''})"
        ]
        lines.append(f"  {self.new.version} (new): {_line(self.new.match)}")
        for score in self.existing:
            alike = "" if score.likeness is None else f", likeness to new {score.likeness:.3f}"
            lines.append(f"  {score.version}: {_line(score.match)}{alike}")
        return "\n".join(lines)


def _box(box: Region | None) -> str:
    return "-" if box is None else ",".join(str(v) for v in box)


def _line(match: IconMatch) -> str:
    state = "found" if match.found else "not found"
    return f"{state} at {_box(match.box)}, score {match.score:.3f} on the source screen"


def check_name(name: str) -> str:
    """*name* if it can name an icon folder, else VisionInputError."""
    if not _NAME.fullmatch(name) or name.endswith(".png"):
        raise VisionInputError(
            f"bad icon name {name!r}: letters, digits, '_', '-' and '.', at most 64, without '.png'"
        )
    return name


def next_version(folder: Path) -> Path:
    """``folder/<n>.png`` with *n* one more than the highest numbered version there."""
    numbers = [int(m.group(1)) for p in folder.glob("*.png") if (m := _NUMBERED.fullmatch(p.name))]
    if len(list(folder.glob("*.png"))) >= MAX_VERSIONS:
        raise VisionInputError(f"{folder}: already {MAX_VERSIONS} versions; remove old ones")
    return folder / f"{max(numbers, default=0) + 1}.png"


def cut(screen: np.ndarray, box: Region) -> np.ndarray:
    """The pixels of *box*, which must lie inside *screen*."""
    x, y, w, h = box
    height, width = screen.shape[:2]
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise VisionInputError(
            f"box {_box(box)} is not inside the {width}x{height} screen (x,y,w,h in pixels)"
        )
    if max(w, h) > MAX_SIDE:
        raise VisionInputError(f"box {_box(box)} is larger than {MAX_SIDE} pixels: not an icon")
    return np.ascontiguousarray(screen[y : y + h, x : x + w, :3])


def with_mask(crop: np.ndarray, mask: str | Path | None) -> np.ndarray:
    """*crop* (BGR), with an alpha channel from *mask*: a grey PNG of the crop's size
    (white = compare, black = ignore), ``auto``, or None (no alpha: every pixel counts)."""
    if mask is None:
        return crop
    if str(mask) == AUTO_MASK:
        alpha = _auto_alpha(crop)
    else:
        picture = load_image(mask, keep_alpha=True)
        grey = picture if picture.ndim == 2 else cv2.cvtColor(picture[:, :, :3], cv2.COLOR_BGR2GRAY)
        if picture.ndim == 3 and picture.shape[2] == 4 and (picture[:, :, 3] < 255).any():
            grey = picture[:, :, 3]  # a mask with transparency: its alpha is the mask
        if grey.shape[:2] != crop.shape[:2]:
            raise VisionInputError(
                f"{mask}: the mask is {grey.shape[1]}x{grey.shape[0]}, the box "
                f"{crop.shape[1]}x{crop.shape[0]}"
            )
        alpha = np.where(grey >= 128, 255, 0).astype(np.uint8)
    return np.dstack([crop, alpha])


def _auto_alpha(crop: np.ndarray) -> np.ndarray:
    """Opaque where a pixel differs from the box border's median colour."""
    border = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]]).astype(np.int16)
    background = np.median(border, axis=0)
    distance = np.abs(crop.astype(np.int16) - background).max(axis=2)
    return np.where(distance > _AUTO_TOLERANCE, 255, 0).astype(np.uint8)


def _likeness(new: IconVersion, other: IconVersion) -> float:
    """Normalised correlation of two versions' grey levels, *other* resized to *new*."""
    resized = cv2.resize(other.grey, new.size, interpolation=cv2.INTER_AREA)
    score = cv2.matchTemplate(resized, new.grey, cv2.TM_CCOEFF_NORMED)
    return float(np.clip(score.max(), -1.0, 1.0))


def capture(
    screen_path: Path, box: Region, name: str, into: Path, mask: str | Path | None = None
) -> Capture:
    """Write the next version of icon *name* under *into*, cut from *box* of the screen
    image at *screen_path*."""
    check_name(name)
    return capture_from(load_image(screen_path), box, name, into, mask)


def capture_from(
    screen: np.ndarray, box: Region, name: str, into: Path, mask: str | Path | None = None
) -> Capture:
    """Write the next version of icon *name* under *into*, cut from *box* of *screen*."""
    check_name(name)
    folder = into / name
    if not folder.is_dir() and (into / f"{name}.png").is_file():
        raise VisionInputError(
            f"{into / name}.png is a one-file icon: move it into {folder}/ to add versions"
        )
    picture = with_mask(cut(screen, box), mask)
    new_version = IconVersion.from_image("new", picture)  # refuses flat or tiny pictures
    existing = Icon.load(folder).versions if folder.is_dir() and any(folder.glob("*.png")) else ()
    path = next_version(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), picture):
        raise VisionInputError(f"{path}: cannot write the PNG")
    new = VersionScore(path.name, _on_screen(screen, name, new_version, path.name), None)
    scores = tuple(
        VersionScore(v.name, _on_screen(screen, name, v, v.name), _likeness(new_version, v))
        for v in existing
    )
    return Capture(path, box, picture.ndim == 3 and picture.shape[2] == 4, new, scores)


def _on_screen(screen: np.ndarray, name: str, version: IconVersion, label: str) -> IconMatch:
    one = Icon(
        name=name, versions=(IconVersion(label, version.grey, version.mask, version.colour),)
    )
    return locate(screen, one)
