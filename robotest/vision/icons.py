"""Icons: a folder of versions of one GUI element, with alpha masks and an optional threshold.

An icon is either one PNG file or a folder of PNG files (the same element under different
themes, sizes or releases). Where a PNG has an alpha channel, its transparent pixels are
left out of the comparison (a mask), so the icon matches on any background. A sidecar
``icon.json`` in the folder (or ``NAME.json`` beside a single PNG) may set
``{"threshold": 0.9}`` for an icon that needs a stricter or looser match than the default.
An ``icon.toml`` in the folder may set ``threshold`` and a ``[match]`` table of
:class:`~robotest.vision.match_parameters.MatchParameters` fields (``scales = [0.5, 2.0]``)
for every search of this icon.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from robotest.vision.errors import VisionInputError
from robotest.vision.images import check_image, load_image
from robotest.vision.match_parameters import DEFAULT, MatchParameters
from robotest.vision.template_cache import TemplateCache

DEFAULT_THRESHOLD = 0.85
"""Normalised correlation a match must reach to count as found (set per icon in a sidecar)."""
SIDECAR = "icon.json"
SETTINGS = "icon.toml"


@dataclass(frozen=True)
class IconVersion:
    """One picture of the icon: grey levels and, where it had alpha, a mask (255 = compare).

    ``colour`` keeps the BGR pixels of a coloured version (None for a grey one): matches
    found on grey levels are verified in colour, which tells apart parts that differ in
    hue but hardly in grey (a yellow folder on a light tile) and look-alikes.
    """

    name: str
    grey: np.ndarray
    mask: np.ndarray | None
    colour: np.ndarray | None = None
    alpha: np.ndarray | None = None
    """The PNG's own alpha (0-255; None without transparency): the look-alike check's
    faint strokes (a speaker's sound waves), which the mask at 128 leaves out."""

    @classmethod
    def from_image(cls, name: str, image: np.ndarray) -> IconVersion:
        image = check_image(image, f"icon version {name}")
        mask = None
        kept_alpha = None
        colour = _colour_of(image)
        if image.ndim == 3 and image.shape[2] == 4:
            alpha = image[:, :, 3]
            if (alpha < 128).any():
                mask = np.where(alpha >= 128, 255, 0).astype(np.uint8)
            if (alpha < 255).any():
                kept_alpha = alpha.copy()
            grey = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
        elif image.ndim == 3 and image.shape[2] == 3:
            grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        else:
            grey = image.reshape(image.shape[0], image.shape[1])
        if min(grey.shape) < 6:
            raise VisionInputError(
                f"icon version {name} is too small ({grey.shape[1]}x{grey.shape[0]})"
            )
        visible = grey if mask is None else grey[mask > 0]
        if mask is not None and visible.size < 0.15 * grey.size:
            raise VisionInputError(f"icon version {name} is almost fully transparent")
        if float(visible.std()) < 2.0:
            raise VisionInputError(f"icon version {name} is a flat colour: nothing to match")
        return cls(name=name, grey=grey, mask=mask, colour=colour, alpha=kept_alpha)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (self.grey.shape[1], self.grey.shape[0])


@dataclass(frozen=True)
class Icon:
    """A named GUI element with one or more versions and the score that counts as found."""

    name: str
    versions: tuple[IconVersion, ...]
    threshold: float = DEFAULT_THRESHOLD
    params: MatchParameters | None = None
    """This icon's search settings (from ``icon.toml``); None: the caller's or the default."""
    templates: TemplateCache = field(default_factory=TemplateCache, compare=False, repr=False)
    """The scaled and normalised templates searches derived from the versions (reused)."""

    @classmethod
    def load(cls, path: str | Path) -> Icon:
        """An icon from a PNG file or a folder of PNG files (with its optional sidecar)."""
        source = Path(path)
        if source.is_dir():
            files = sorted(p for p in source.iterdir() if p.suffix.lower() == ".png")
            if not files:
                raise VisionInputError(f"{source}: icon folder holds no PNG file")
            sidecar = source / SIDECAR
        elif source.is_file():
            files = [source]
            sidecar = source.with_suffix(".json")
        else:
            raise VisionInputError(f"{source}: no such icon file or folder")
        versions = tuple(
            IconVersion.from_image(f.name, load_image(f, keep_alpha=True)) for f in files
        )
        threshold = _read_threshold(sidecar)
        params = None
        if source.is_dir() and (source / SETTINGS).is_file():
            settings = _read_settings(source / SETTINGS)
            threshold = threshold if settings.threshold is None else settings.threshold
            try:
                params = DEFAULT.override(**settings.match) if settings.match else None
            except VisionInputError as exc:
                raise VisionInputError(f"{source / SETTINGS}: [match] {exc}") from None
        return cls(name=source.stem, versions=versions, threshold=threshold, params=params)

    @classmethod
    def from_images(
        cls, name: str, images: Mapping[str, np.ndarray], threshold: float | None = None
    ) -> Icon:
        """An icon from in-memory versions (BGR, BGRA or grey arrays) keyed by version name."""
        if not images:
            raise VisionInputError(f"icon {name} has no version")
        versions = tuple(IconVersion.from_image(k, v) for k, v in images.items())
        return cls(name=name, versions=versions, threshold=_check_threshold(threshold, name))


def _colour_of(image: np.ndarray) -> np.ndarray | None:
    """The BGR pixels of a colour image, or None when it is grey (all channels equal)."""
    if image.ndim != 3 or image.shape[2] < 3:
        return None
    bgr = np.ascontiguousarray(image[:, :, :3])
    if np.array_equal(bgr[:, :, 0], bgr[:, :, 1]) and np.array_equal(bgr[:, :, 1], bgr[:, :, 2]):
        return None
    return bgr


def _check_threshold(value: object, source: str) -> float:
    if value is None:
        return DEFAULT_THRESHOLD
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise VisionInputError(f"{source}: threshold must be a number in (0, 1], got {value!r}")
    return float(value)


def _read_threshold(sidecar: Path) -> float:
    if not sidecar.is_file():
        return DEFAULT_THRESHOLD
    try:
        data = json.loads(sidecar.read_text())
    except (OSError, ValueError) as exc:
        raise VisionInputError(f"{sidecar}: unreadable icon settings ({exc})") from None
    if not isinstance(data, dict):
        raise VisionInputError(f"{sidecar}: icon settings must be a JSON object")
    return _check_threshold(data.get("threshold"), str(sidecar))


class _IconSettings(BaseModel):
    """The schema of ``icon.toml``."""

    model_config = ConfigDict(extra="forbid")
    threshold: float | None = Field(default=None, gt=0, le=1)
    match: dict[str, object] = Field(default_factory=dict, max_length=32)


def _read_settings(file: Path) -> _IconSettings:
    try:
        if file.stat().st_size > 64 * 1024:
            raise VisionInputError(f"{file}: icon settings larger than 64 KiB")
        return _IconSettings.model_validate(tomllib.loads(file.read_text()))
    except (OSError, ValueError) as exc:  # tomllib's and pydantic's errors are ValueErrors
        first = exc.errors()[0] if isinstance(exc, ValidationError) else None
        reason = f"{'.'.join(map(str, first['loc']))}: {first['msg']}" if first else str(exc)
        raise VisionInputError(f"{file}: bad icon settings ({reason})") from None
