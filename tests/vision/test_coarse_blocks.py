"""The coarse maps' faster maths (blocks on the full screen, the image paired with its
square) give ``cv2.matchTemplate``'s correlations and the search's answers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import Icon, coarse_search, locate, screen_pyramid
from robotest.vision.correlation import (
    BLOCK_KERNEL,
    PAIR_GAIN,
    block_transforms,
    correlate_blocks,
    correlate_pair,
    correlate_pair_blocks,
    pair_pixels,
    transform,
)
from robotest.vision.screen_pyramid import Level

from .conftest import icon_image, paste, text_screen


def _image(shape: tuple[int, int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    grey = cv2.GaussianBlur(rng.integers(0, 256, shape, np.uint8), (3, 3), 1.0)
    return grey.astype(np.float32)


@pytest.mark.parametrize(("side", "shape"), [(5, (300, 700)), (BLOCK_KERNEL, (531, 460))])
def test_correlation_in_blocks_is_matchtemplates(side: int, shape: tuple[int, int]) -> None:
    image = _image(shape, side)
    kernel = np.random.default_rng(1).random((side, side - 2), np.float32) - 0.5
    placements = (shape[0] - side + 1, shape[1] - side + 3)
    ours = correlate_blocks(block_transforms(image), transform(kernel, (256, 256)), placements)
    theirs = cv2.matchTemplate(image, kernel, cv2.TM_CCORR)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 1e-5 * np.abs(theirs).max()


@pytest.mark.parametrize("blocks", [False, True])
def test_paired_correlation_gives_the_image_and_its_squares_sums(blocks: bool) -> None:
    image = _image((270, 400), 3)
    mask = np.zeros((17, 15), np.float32)
    cv2.circle(mask, (7, 8), 7, 1.0, -1)
    placements = (270 - 17 + 1, 400 - 15 + 1)
    paired = pair_pixels(image)
    if blocks:
        spectrum = transform(mask, (256, 256), complex_output=True)
        sums, squares = correlate_pair_blocks(block_transforms(paired), spectrum, placements)
    else:
        spectrum = transform(mask, (270, 400), complex_output=True)
        whole = transform(paired, (270, 400), complex_output=True)
        sums, squares = correlate_pair(whole, spectrum, placements)
    assert sums.dtype == squares.dtype == np.float32
    sums = sums / PAIR_GAIN
    for ours, source in ((sums, image), (squares, image * image)):
        theirs = cv2.matchTemplate(source, mask, cv2.TM_CCORR)
        assert ours.shape == theirs.shape
        assert np.abs(ours - theirs).max() < 1e-5 * np.abs(theirs).max()


def test_a_full_screen_masked_coarse_map_is_opencvs() -> None:
    """On a level the size of a 1080p screen (correlated in blocks) the masked coarse
    score is ``matchTemplate``'s correlation over the masked spreads, as on small ones."""
    level = Level.of(_image((1080, 1920), 4).astype(np.uint8))
    assert level.image.size >= screen_pyramid.BLOCKED_PIXELS
    icon = Icon.from_images("round", {"v1.png": icon_image(10, alpha=True)})
    template = coarse_search.coarse_template(icon, icon.versions[0], 0.5, 1)
    assert template.mask is not None and max(template.kernel.shape) <= BLOCK_KERNEL
    ours = level.correlate(template)
    assert level.blocks and not level.spectra  # no transform at the screen's size
    count = float(template.mask.sum())
    sums = cv2.matchTemplate(level.image, template.mask, cv2.TM_CCORR).astype(np.float64)
    squares = cv2.matchTemplate(level.image**2, template.mask, cv2.TM_CCORR).astype(np.float64)
    spreads = np.sqrt(np.maximum(squares - sums * sums / count, count))
    theirs = cv2.matchTemplate(level.image, template.kernel, cv2.TM_CCORR) / spreads
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 1e-3


def test_blocks_give_the_answers_of_whole_screen_transforms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small icons on a 1080p screen (their coarse maps on the full screen) are answered
    the same with the full screen correlated in blocks and at its own size."""
    screen = text_screen([(40, 40, "Documents"), (900, 500, "Music")], (1920, 1080))
    for i, (x, y) in enumerate([(300, 200), (1500, 800), (1000, 90)]):
        paste(screen, icon_image(200 + i, alpha=True), x, y, scale=0.5)
    icons = [
        Icon.from_images(f"i{i}", {"v1.png": icon_image(200 + i, alpha=True)}) for i in range(4)
    ]
    blocked = [locate(screen.copy(), icon, scales=(0.4, 0.6)) for icon in icons]
    monkeypatch.setattr(screen_pyramid, "BLOCKED_PIXELS", 10**9)
    whole = [locate(screen.copy(), icon, scales=(0.4, 0.6)) for icon in icons]
    assert [m.found for m in blocked] == [True, True, True, False]
    assert [(m.found, m.box) for m in blocked] == [(m.found, m.box) for m in whole]
    assert [m.score for m in blocked] == pytest.approx([m.score for m in whole], abs=1e-4)
