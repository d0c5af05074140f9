"""The shortcuts of a page's preparation (``ink_contrast``, ``find_text``'s time) give
what the long way gives, to the last grey level.

4-connected component statistics gathered from the labels' runs, a bar colour's pixels
by one ``cv2.inRange``, a page's colours sampled by whole pixels, and a camera page's
even runs taken once: the same statistics, masks and prepared page as OpenCV's own
statistics, the channels' difference, NumPy's slicing and the runs taken row by row,
on generated masks and pages.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import backgrounds, images, solid_bars
from robotest.vision.backgrounds import even_runs, ink_contrast
from robotest.vision.images import _run_stats, components
from robotest.vision.solid_bars import _difference, _every, _near

from .conftest import MONO, text_screen


def _big_masks() -> list[np.ndarray]:
    """Masks a page's size (their statistics from runs): flat areas round text, sparse
    specks, dense noise, set everywhere and nowhere."""
    rng = np.random.default_rng(11)
    screen = text_screen(
        [(10, 10 + 30 * row, f"Row {row}: BIOS Version 72.91 [*]") for row in range(14)],
        (900, 440),
        font=MONO,
    )
    grey = cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY)
    gradient = cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    flat = (gradient < 10).astype(np.uint8)
    sparse = (rng.random((600, 700)) < 0.04).astype(np.uint8) * 255
    dense = (rng.random((520, 600)) < 0.7).astype(np.uint8)
    everywhere = np.ones((500, 520), np.uint8)
    return [flat, 1 - flat, sparse, dense, everywhere, np.zeros((500, 520), np.uint8)]


def test_big_masks_4_connected_statistics_are_opencvs() -> None:
    for mask in _big_masks():
        assert mask.size >= images._RUNS_FROM
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        mine = components(mask, 4)
        assert mine[0] == count and np.array_equal(mine[1], labels)
        assert mine[2].dtype == stats.dtype and np.array_equal(mine[2], stats)


def test_run_statistics_are_opencvs_on_small_masks() -> None:
    rng = np.random.default_rng(5)
    masks = [np.ones((1, 1), np.uint8), np.ones((1, 9), np.uint8), np.ones((9, 1), np.uint8)]
    masks += [np.zeros((4, 6), np.uint8), np.ones((4, 6), np.uint8)]
    for _ in range(60):
        shape = (int(rng.integers(1, 70)), int(rng.integers(1, 70)))
        masks.append((rng.random(shape) < rng.random()).astype(np.uint8))
    for mask in masks:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        assert np.array_equal(_run_stats(labels, count), stats)


@pytest.mark.parametrize("channels", [1, 3])
def test_near_is_the_channels_difference_below_same(channels: int) -> None:
    rng = np.random.default_rng(channels)
    for _ in range(40):
        shape = (int(rng.integers(8, 60)), int(rng.integers(8, 60)))
        pixels = rng.integers(0, 256, shape + ((3,) if channels == 3 else ()), np.uint8)
        colour = rng.integers(0, 256, (channels,), np.uint8)
        same = int(rng.integers(1, 80))
        near = _near(pixels, colour, same)
        assert near.dtype == np.uint8
        assert np.array_equal(near, (_difference(pixels, colour) < same).astype(np.uint8))
    # the colours at the ends of the scale
    pixels = rng.integers(0, 256, (20, 30, 3), np.uint8)
    for colour in (np.array([0, 255, 3], np.uint8), np.array([255, 0, 252], np.uint8)):
        expected = (_difference(pixels, colour) < 40).astype(np.uint8)
        assert np.array_equal(_near(pixels, colour, 40), expected)


def test_every_other_pixel_is_numpys_slice() -> None:
    rng = np.random.default_rng(3)
    for height, width in ((1, 1), (7, 5), (40, 33), (64, 64)):
        for image in (
            rng.integers(0, 256, (height, width, 3), np.uint8),
            rng.integers(0, 256, (height, width), np.uint8),
            rng.random((height, width)) < 0.5,
            rng.integers(0, 256, (height, width, 3), np.uint8)[:, ::-1],
        ):
            sampled = _every(image, 2)
            expected = np.ascontiguousarray(image[::2, ::2])
            assert sampled.dtype == expected.dtype and sampled.flags.c_contiguous
            assert np.array_equal(sampled, expected)


def test_a_rows_even_runs_are_those_of_the_row_alone() -> None:
    rng = np.random.default_rng(9)
    smooth = cv2.GaussianBlur(rng.integers(0, 256, (80, 120, 3), np.uint8), (0, 0), 2.0)
    rows = np.array([0, 3, 4, 40, 79])
    whole = even_runs(smooth, 12.0, 10)
    assert np.array_equal(whole[rows], even_runs(smooth[rows], 12.0, 10))


def _page(camera: bool) -> np.ndarray:
    """A page a screen's size: text on a light panel, a blue title bar and a highlighted
    row with light text, a dark console box; through a camera blurred and noisy."""
    lines = [
        (20, 60 + 26 * row, f"Item {row}   Value 0x{row * 977:05X}-{row}") for row in range(22)
    ]
    page = text_screen(lines, (1100, 700), font=MONO, font_size=16)
    page[8:40, :] = (150, 60, 20)
    cv2.putText(page, "Setup Utility", (30, 32), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (250, 250, 250), 2)
    page[60 + 26 * 5 - 3 : 60 + 26 * 5 + 22, 10:700] = (40, 40, 200)
    cv2.putText(page, "Boot Order  HDD", (24, 60 + 26 * 5 + 15), 0, 0.55, (255, 255, 255), 1)
    page[500:690, 750:1090] = (30, 30, 30)
    cv2.putText(page, "console: ok", (770, 560), cv2.FONT_HERSHEY_PLAIN, 1.4, (200, 200, 200), 1)
    if not camera:
        return page
    blurred = cv2.GaussianBlur(page, (0, 0), 1.2).astype(np.float32)
    noise = np.random.default_rng(4).normal(0, 2.0, page.shape)
    return np.clip(blurred + noise, 0, 255).astype(np.uint8)


def _long_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The helpers as they were: OpenCV's own statistics, the channels' difference,
    NumPy's slicing, the even runs taken again for the rows that need them."""

    def opencv_components(mask: np.ndarray, connectivity: int = 8) -> tuple:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=connectivity)
        return count, labels, stats

    def near(pixels: np.ndarray, colour: np.ndarray, same: int) -> np.ndarray:
        return (_difference(pixels, colour) < same).astype(np.uint8)

    def every(image: np.ndarray, step: int) -> np.ndarray:
        return np.ascontiguousarray(image[::step, ::step])

    nearest = backgrounds._nearest_flat_colour

    def nearest_by_rows(*args: object, runs: object = None) -> object:
        return nearest(*args[:4])  # type: ignore[arg-type]

    monkeypatch.setattr(backgrounds, "components", opencv_components)
    monkeypatch.setattr(solid_bars, "components", opencv_components)
    monkeypatch.setattr(solid_bars, "_near", near)
    monkeypatch.setattr(solid_bars, "_every", every)
    monkeypatch.setattr(backgrounds, "_nearest_flat_colour", nearest_by_rows)


@pytest.mark.parametrize("camera", [False, True])
def test_prepared_page_is_the_long_ways_to_the_last_grey_level(
    camera: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(camera)
    assert backgrounds.noiseless(page) != camera
    fast = ink_contrast(page, 13.0)
    with monkeypatch.context() as patched:
        _long_way(patched)
        slow = ink_contrast(page, 13.0)
    assert fast.dtype == slow.dtype == np.uint8
    assert np.array_equal(fast, slow)
    assert np.count_nonzero(fast > 60) > 5000  # ink was found


def _noiseless_padded(image: np.ndarray) -> bool:
    """:func:`.backgrounds.noiseless` of a big image the long way: the image padded by
    its own edge pixels, every 4th pixel each way compared with its 4 neighbours."""
    padded = cv2.copyMakeBorder(image, 1, 1, 1, 1, cv2.BORDER_REPLICATE)
    height, width = image.shape[:2]
    centre = backgrounds._packed(padded[1 : height + 1 : 4, 1 : width + 1 : 4])
    still = np.ones(centre.shape, bool)
    for top, left in ((0, 1), (2, 1), (1, 0), (1, 2)):
        still &= (
            backgrounds._packed(padded[top : top + height : 4, left : left + width : 4]) == centre
        )
    return int(still.sum()) >= still.size * 0.25


def test_noiseless_looks_up_the_sampled_pixels_neighbours_as_padding_gave() -> None:
    rng = np.random.default_rng(0)
    answers = set()
    for trial in range(90):
        height, width = int(rng.integers(210, 300)), int(rng.integers(200, 400))
        channels = [(), (3,), (4,)][trial % 3]
        blocks = rng.integers(0, 256, (height // 7 + 1, width // 9 + 1, *channels), np.uint8)
        image = cv2.resize(blocks, (width, height), interpolation=cv2.INTER_NEAREST)
        specks = rng.random((height, width)) < rng.random() * 0.9
        image[specks] = rng.integers(0, 256, image[specks].shape, np.uint8)
        assert image.size // (image.shape[2] if image.ndim == 3 else 1) > 40_000
        answer = backgrounds.noiseless(image)
        assert answer == _noiseless_padded(image)
        answers.add(answer)
    assert answers == {True, False}


def _outside_by_channel_max(image: np.ndarray, background: np.ndarray) -> np.ndarray:
    """:func:`.backgrounds._outside` the long way: the edge where the channels' largest
    spread reaches the step."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7))
    low, high = cv2.erode(background, kernel), cv2.dilate(background, kernel)
    difference = cv2.absdiff(image, background)
    edge = images.channel_max(cv2.subtract(high, low)) >= backgrounds._EDGE_STEP
    channels = 1 if image.ndim == 2 else image.shape[2]
    pixels, start, end = (a.reshape(-1, channels).astype(np.float32) for a in (image, low, high))
    span = end - start
    along = ((pixels - start) * span).sum(axis=1) / np.maximum((span * span).sum(axis=1), 1.0)
    nearest = start + np.clip(along, 0.0, 1.0)[:, None] * span
    blend = np.abs(pixels - nearest).max(axis=1) < backgrounds._BLEND_LEVEL
    difference.reshape(-1, channels)[edge.ravel() & blend] = 0
    return difference


@pytest.mark.parametrize("camera", [False, True])
def test_outside_tells_the_edge_as_the_channels_largest_spread(camera: bool) -> None:
    page = _page(camera)
    background = cv2.medianBlur(page, 9)
    assert np.array_equal(
        backgrounds._outside(page, background), _outside_by_channel_max(page, background)
    )
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    grey_background = cv2.medianBlur(grey, 9)
    assert np.array_equal(
        backgrounds._outside(grey, grey_background), _outside_by_channel_max(grey, grey_background)
    )
