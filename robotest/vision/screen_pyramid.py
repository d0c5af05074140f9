"""What the icon search derives from a screen, kept for the next queries on the same frame.

The searched part of the screen (:class:`SearchedScreen`: grey levels, colour planes and
a pyramid of reduced copies, each a :class:`Level` with its transforms and window
spreads), and a small cache of the last frames searched (:func:`searched_screen`): the
runtime asks for several icons on one frame, and all of this is the same for each.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from robotest.vision.correlation import (
    BLOCK,
    BLOCK_KERNEL,
    PAIR_GAIN,
    block_transforms,
    correlate,
    correlate_blocks,
    correlate_pair,
    correlate_pair_blocks,
    pair_pixels,
    transform,
    window_spread,
)
from robotest.vision.frame_key import FrameKey, frame_of
from robotest.vision.images import Region, check_image, clip_region, crop, to_grey
from robotest.vision.match_parameters import DEFAULT


class CoarseKernel(Protocol):
    """A template as a level correlates it: normalised kernel, optional opaque mask."""

    @property
    def kernel(self) -> np.ndarray: ...
    @property
    def mask(self) -> np.ndarray | None: ...
    @property
    def mask_key(self) -> bytes | None: ...
    def spectrum(self, part: str, shape: tuple[int, int]) -> np.ndarray: ...


@dataclass
class SearchedScreen:
    """The searched part of the screen: grey, colour (None for a grey screen), pyramid."""

    grey: np.ndarray
    colour: np.ndarray | None
    origin: tuple[int, int]
    levels: dict[int | None, dict[float, Level]] = field(default_factory=dict)
    channels: dict[int, np.ndarray] = field(default_factory=dict)
    colours: dict[float, np.ndarray] = field(default_factory=dict)
    edges: dict[float, Level] = field(default_factory=dict)

    @classmethod
    def of(cls, screen: np.ndarray, area: Region) -> SearchedScreen:
        """The part *area* (already checked against the screen) of *screen*."""
        grey = to_grey(crop(screen, area))
        colour = None
        if screen.ndim == 3 and screen.shape[2] >= 3:
            colour = crop(screen, area)[:, :, :3]
        return cls(grey, colour, (area[0], area[1]))

    def half(self) -> np.ndarray:
        """The grey screen at half resolution (uint8), as the pyramid has it."""
        return self.level(None, 2).grey

    def level(self, channel: int | None, factor: float) -> Level:
        """The grey screen (channel None) or one colour channel, reduced *factor* times."""
        levels = self.levels.setdefault(channel, {})
        if factor not in levels:
            pyramid_level(self.plane(channel), factor, levels)
        return levels[factor]

    def edge_level(self, factor: float) -> Level:
        """The gradient magnitude (Sobel) of the grey level reduced *factor* times (kept).

        What an icon's outline shows against any background: the coarse search's edge
        maps (:func:`~robotest.vision.coarse_search.coarse_candidates`) correlate it with
        the version's own edges and outline."""
        if factor not in self.edges:
            self.edges[factor] = Level.of(edge_magnitude(self.level(None, factor).grey))
        return self.edges[factor]

    def colour_level(self, factor: float) -> np.ndarray:
        """The colour screen (BGR) reduced *factor* times as the grey pyramid is (kept)."""
        assert self.colour is not None
        if factor not in self.colours:
            self.colours[factor] = pyramid_colour(self.colour, factor, self.colours)
        return self.colours[factor]

    def plane(self, channel: int | None) -> np.ndarray:
        """The grey screen (channel None) or one colour channel, at full resolution."""
        if channel is None or self.colour is None:
            return self.grey
        if channel not in self.channels:
            self.channels[channel] = cv2.extractChannel(self.colour, channel)
        return self.channels[channel]


FRAMES_KEPT = 2
"""Screens whose grey levels, pyramids and window spreads are kept for the next queries."""

# The searched parts of the last screens searched, by frame key: the runtime asks for
# several icons on one frame, and the grey screen, its pyramid and the window spreads
# are the same for all of them (a third of a query's time).
_searched: OrderedDict[FrameKey, dict[Region, SearchedScreen]] = OrderedDict()
_searched_lock = threading.Lock()


def searched_screen(screen: np.ndarray, region: Region | None) -> SearchedScreen:
    """The searched part of *screen*, from the frames kept when it was searched already.

    Made from the frame's private copy (:mod:`.frame_key`): a screen changed in place is
    a new frame, and is never searched with stale data.
    """
    screen = check_image(screen, "screen")
    area = clip_region(region, screen.shape)
    frame = frame_of(screen)
    with _searched_lock:
        views = _searched.get(frame.key)
        if views is None:
            views = _searched[frame.key] = {}
            while len(_searched) > FRAMES_KEPT:
                _searched.popitem(last=False)
        else:
            _searched.move_to_end(frame.key)
    view = views.get(area)
    if view is None:
        view = views.setdefault(area, SearchedScreen.of(frame.pixels, area))
    return view


BLOCKED_PIXELS = 1_000_000
"""Levels of at least this many pixels (the full screen at 1080p and over) correlate
small templates in blocks: at the screen's size, a template's own transform took a third
of its map's time (docs/benchmarks/real-icons.md, branch ``iconspeed42``)."""


@dataclass
class Level:
    """One reduced copy of the screen, with its transforms and window spreads (kept).

    Coarse correlations are computed from discrete Fourier transforms: the level's is
    made once per frame and shared by every template, which then costs one product and
    one inverse transform (``matchTemplate`` transforms the image again for each, and
    took 1.4x as long).
    """

    grey: np.ndarray
    image: np.ndarray
    norms: dict[object, np.ndarray] = field(default_factory=dict)
    spectra: dict[str, np.ndarray] = field(default_factory=dict)
    """Transforms at the level's size: of the level (``"level"``) and of the level paired
    with its square (``"pair"``)."""
    blocks: dict[str, list[list[np.ndarray]]] = field(default_factory=dict)
    """The same, block by block (:func:`~robotest.vision.correlation.block_transforms`)."""
    _squared: np.ndarray | None = None

    @classmethod
    def of(cls, small: np.ndarray) -> Level:
        return cls(small, small.astype(np.float32))

    @property
    def shape(self) -> tuple[int, int]:
        """The size of the level's transforms (at least the level's, fast to transform)."""
        height, width = self.image.shape
        return (cv2.getOptimalDFTSize(height), cv2.getOptimalDFTSize(width))

    def window_norm(self, w: int, h: int) -> np.ndarray:
        """For every placement of a w x h window: sqrt(sum of squared deviations from its mean)."""
        if (w, h) not in self.norms:
            s1 = self._box(self.image, w, h)
            s2 = self._box(self.squared(), w, h)
            self.norms[(w, h)] = window_spread(s1, s2, w * h)
        return self.norms[(w, h)]

    def floored_norm(self, w: int, h: int, floor: float) -> np.ndarray:
        """:meth:`window_norm`, infinite where under *floor* (a division by it gives 0
        there; kept for the next templates of that size)."""
        key = ("floored", w, h, floor)
        if key not in self.norms:
            norm = self.window_norm(w, h)
            self.norms[key] = np.where(norm < floor, np.float32(np.inf), norm)
        return self.norms[key]

    def squared(self) -> np.ndarray:
        """The level's grey levels squared (float32: exact for 8-bit values)."""
        if self._squared is None:
            self._squared = self.image * self.image
        return self._squared

    @staticmethod
    def _box(image: np.ndarray, w: int, h: int) -> np.ndarray:
        """Sums over every w x h window fully inside *image* (float64 running sums)."""
        sums = cv2.boxFilter(
            image,
            cv2.CV_64F,
            (w, h),
            anchor=(0, 0),
            normalize=False,
            borderType=cv2.BORDER_CONSTANT,
        )
        return sums[: image.shape[0] - h + 1, : image.shape[1] - w + 1]

    def masked_norm(self, template: CoarseKernel) -> np.ndarray:
        """As :meth:`window_norm`, over the template's opaque pixels only.

        Without this, the wallpaper showing through a round icon's corners would count
        in the window's spread and pull the score of the right place down. Kept by the
        mask's pixels: versions of other icons often have the same mask.
        """
        assert template.mask is not None and template.mask_key is not None
        if template.mask_key not in self.norms:
            s1, s2 = self._mask_sums(template)
            count = float(template.mask.sum())
            self.norms[template.mask_key] = window_spread(s1, s2, count, PAIR_GAIN)
        return self.norms[template.mask_key]

    def _mask_sums(self, template: CoarseKernel) -> tuple[np.ndarray, np.ndarray]:
        """The level's sums (times ``PAIR_GAIN``) and its square's under the template's
        mask at every placement fully inside the level: both from one complex correlation
        of the level paired with its square
        (:func:`~robotest.vision.correlation.pair_pixels`), which took two real ones."""
        th, tw = template.kernel.shape
        placements = (self.image.shape[0] - th + 1, self.image.shape[1] - tw + 1)
        if self._blocked(th, tw):
            if "pair" not in self.blocks:
                self.blocks["pair"] = block_transforms(pair_pixels(self.image))
            kernel = template.spectrum("mask complex", (BLOCK, BLOCK))
            return correlate_pair_blocks(self.blocks["pair"], kernel, placements)
        if "pair" not in self.spectra:
            self.spectra["pair"] = transform(pair_pixels(self.image), self.shape, True)
        kernel = template.spectrum("mask complex", self.shape)
        return correlate_pair(self.spectra["pair"], kernel, placements)

    def _blocked(self, th: int, tw: int) -> bool:
        """Whether a template *th* x *tw* is correlated on this level in blocks."""
        return self.image.size >= BLOCKED_PIXELS and max(th, tw) <= BLOCK_KERNEL

    def _filter(self, template: CoarseKernel) -> np.ndarray:
        """Correlation of the level with the template's kernel.

        Only at the placements fully inside the level, where the transforms' wrapping
        around does not reach. On a level of at least ``BLOCKED_PIXELS`` (the full screen)
        a template of up to ``BLOCK_KERNEL`` pixels is correlated in blocks
        (:func:`~robotest.vision.correlation.correlate_blocks`): the same correlation,
        without a transform of the template at the screen's size. (The level's square is
        correlated only with a mask, paired with the level: :meth:`_mask_sums`.)
        """
        th, tw = template.kernel.shape
        placements = (self.image.shape[0] - th + 1, self.image.shape[1] - tw + 1)
        if self._blocked(th, tw):
            if "level" not in self.blocks:
                self.blocks["level"] = block_transforms(self.image)
            kernel = template.spectrum("kernel", (BLOCK, BLOCK))
            return correlate_blocks(self.blocks["level"], kernel, placements)
        if "level" not in self.spectra:
            self.spectra["level"] = transform(self.image, self.shape)
        return correlate(self.spectra["level"], template.spectrum("kernel", self.shape), placements)

    def correlate(
        self, template: CoarseKernel, masked_spread: bool = True, floor: float = 0.0
    ) -> np.ndarray:
        """Normalised correlation (as TM_CCOEFF_NORMED, masked) of a coarse template.

        With *masked_spread* False, a masked template's windows are normalised by their
        spread over the whole box (sums from box filters, shared by every template of that
        size) instead of over its opaque pixels (two more transforms per mask): a place
        whose background differs in the icon's corners ranks a little lower. With a
        *floor*, an unmasked template's windows that spread less than it score 0.
        """
        th, tw = template.kernel.shape
        numerator = self._filter(template)
        if floor > 0:
            assert template.mask is None, "a floor is for unmasked templates"
            norm = self.floored_norm(tw, th, floor)
        elif template.mask is None or not masked_spread:
            norm = self.window_norm(tw, th)
        else:
            norm = self.masked_norm(template)
        scores: np.ndarray = cv2.divide(numerator, norm)
        return scores


def edge_magnitude(pixels: np.ndarray) -> np.ndarray:
    """The gradient magnitude of *pixels* (3x3 Sobel, float32; edges replicated)."""
    gx = cv2.Sobel(pixels, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE)
    gy = cv2.Sobel(pixels, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE)
    magnitude: np.ndarray = cv2.magnitude(gx, gy)
    return magnitude


def pyramid_level(grey: np.ndarray, factor: float, levels: dict[float, Level]) -> Level:
    """The screen reduced *factor* times, each level made from the nearest finer one."""
    if factor not in levels:
        finer = _finer(levels, factor)
        source = grey if finer == 1 else levels[finer].grey
        if factor // finer >= 4 and finer == 1:
            source = pyramid_level(grey, 2, levels).grey
            finer = 2
        ratio = finer / factor
        small = cv2.resize(source, None, fx=ratio, fy=ratio, interpolation=cv2.INTER_AREA)
        levels[factor] = Level.of(small)
    return levels[factor]


def pyramid_colour(
    colour: np.ndarray, factor: float, levels: dict[float, np.ndarray]
) -> np.ndarray:
    """The colour screen reduced *factor* times (area averages), from the nearest finer
    level kept in *levels* whose factor divides *factor* (the grey pyramid's steps)."""
    if factor == 1:
        return colour
    finer = _finer(levels, factor)
    source = colour if finer == 1 else levels[finer]
    ratio = finer / factor
    small: np.ndarray = cv2.resize(source, None, fx=ratio, fy=ratio, interpolation=cv2.INTER_AREA)
    return small


SOURCE_FACTORS = frozenset(DEFAULT.coarse_factors) - {1}
"""The levels other levels are made from (besides the full screen): the default coarse
levels. A level of another factor (1.5, 3) is made from the full screen, so asking for
it first never changes the pixels of the levels made after it."""


def _finer(levels: Mapping[float, object], factor: float) -> float:
    """The factor of the nearest finer level kept in *levels* that *factor* is made from
    (1: the full screen)."""
    sources = (f for f in levels if f in SOURCE_FACTORS and f < factor and factor % f == 0)
    return max(sources, default=1)
