"""The faster ways a whole page's background is worked out give what the plain ways give.

Each shortcut of ``backgrounds`` and ``solid_bars`` (a page's regions looked at in
halves first, colours counted by their bins over the whole image, the channels' largest
by one dilation, columns in 16 bits) is checked against the plain computation it
replaced, on random images of bars and text-like specks.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from robotest.vision import backgrounds, ocr_engine, solid_bars
from robotest.vision.images import channel_max

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def _page(seed: int, height: int = 480, width: int = 640) -> np.ndarray:
    """A panel with bars of a few colours, some a pixel apart, and specks on them."""
    rng = np.random.default_rng(seed)
    colours = rng.integers(0, 256, (4, 3), dtype=np.uint8)
    page = np.empty((height, width, 3), np.uint8)
    page[:] = colours[0]
    for _ in range(int(rng.integers(20, 60))):
        x, y = int(rng.integers(0, width - 20)), int(rng.integers(0, height - 10))
        w, h = int(rng.integers(10, 300)), int(rng.integers(8, 40))
        page[y : y + h, x : x + w] = colours[int(rng.integers(1, 4))]
    specks = rng.random((height, width)) < 0.03
    page[specks] = rng.integers(0, 256, (int(specks.sum()), 3), dtype=np.uint8)
    return page


def _plain_regions(near: np.ndarray, glyph_height: float) -> list:
    return solid_bars._sized_regions(near, (0, 0), near.shape, glyph_height)


@settings(max_examples=25, deadline=None)
@given(seeds, st.sampled_from([8.0, 12.0, 16.0]))
@example(12, 8.0)  # pages whose bars lie two or three pixels from specks of their colour
@example(78, 8.0)
def test_a_page_looked_at_in_halves_finds_the_bar_sized_regions(seed: int, glyph: float) -> None:
    page = _page(seed, 600, 800)  # over the size at which a page is halved first
    colour = page[0, 0] if seed % 2 else page[300, 400]
    near = (solid_bars._difference(page, colour) < 24).astype(np.uint8)
    assert near.size > solid_bars._SAMPLED
    halved = solid_bars._regions(near, glyph)
    plain = dict(_plain_regions(near, glyph))
    for box, own in halved:  # every region found is one found at full size, whole
        assert np.array_equal(own, plain[box])
    found = {box for box, _ in halved}
    for box in set(plain) - found:
        # a region skipped is one joined, through a gap of a pixel or two, to more of
        # its colour than letters above and below it (the half-size look closes the gap)
        x, y, w, h = box
        own = np.zeros(near.shape, np.uint8)
        own[y : y + h, x : x + w] = plain[box]
        grown = cv2.dilate(own, np.ones((7, 7), np.uint8))
        assert ((near > 0) & (grown > 0) & (own == 0)).any(), box


def test_a_region_a_pixel_below_a_taller_one_is_found_on_a_small_image() -> None:
    near = np.zeros((100, 200), np.uint8)
    near[10:50, 20:180] = 1  # too tall for a bar
    near[51:65, 20:180] = 1  # a bar one pixel below it
    (box, own), *rest = solid_bars._regions(near, 10.0)
    assert box == (20, 51, 160, 14) and own.all() and not rest


@settings(max_examples=25, deadline=None)
@given(seeds)
def test_common_colours_by_their_bins_are_the_colours_of_the_masked_pixels(seed: int) -> None:
    page = _page(seed)
    mask = np.random.default_rng(seed).random(page.shape[:2]) < 0.5
    found = solid_bars._common_colours(page, solid_bars._colour_keys(page), mask, 20)
    values = page[mask].astype(np.int32)
    keys = (values[:, 0] // 32) * 64 + (values[:, 1] // 32) * 8 + values[:, 2] // 32
    counts = np.bincount(keys)
    expected = []
    for key in np.argsort(counts)[::-1][:8]:
        if counts[key] < 20:
            break
        held = values[keys == key]
        held = held[:: max(1, len(held) // 5000)]
        expected.append(np.median(held, axis=0).astype(np.uint8))
    assert len(found) == len(expected)
    for a, b in zip(found, expected, strict=True):
        assert np.array_equal(a, b)


@settings(max_examples=25, deadline=None)
@given(seeds, st.sampled_from([1, 3, 4]))
def test_channel_max_is_the_largest_channel(seed: int, channels: int) -> None:
    image = np.random.default_rng(seed).integers(0, 256, (37, 53, channels), dtype=np.uint8)
    assert np.array_equal(channel_max(image), image.max(axis=2))
    crop = image[3:20, 5:40]  # not contiguous
    assert np.array_equal(channel_max(crop), crop.max(axis=2))


@settings(max_examples=25, deadline=None)
@given(seeds, st.sampled_from([0.001, 0.05, 0.5]))
def test_the_nearest_flat_pixel_in_a_row_is_the_nearest(seed: int, share: float) -> None:
    flat = np.random.default_rng(seed).random((20, 300)) < share
    source, distance = backgrounds._nearest_in_row(flat)
    for row in range(flat.shape[0]):
        columns = np.flatnonzero(flat[row])
        for column in range(flat.shape[1]):
            if columns.size == 0:
                assert distance[row, column] > flat.shape[1]
                continue
            gaps = np.abs(columns - column)
            assert distance[row, column] == gaps.min()
            assert flat.ravel()[source[row, column]]
            assert abs(int(source[row, column]) - row * flat.shape[1] - column) == gaps.min()


def _plain_nearest_in_row(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running maxima and minima along every row (the way before runs were looked at)."""
    height, width = flat.shape
    narrow = width < backgrounds._NARROW
    kind = np.int16 if narrow else np.int32
    none = kind(backgrounds._NARROW if narrow else 1 << 28)
    columns = np.arange(width, dtype=kind)
    left = np.maximum.accumulate(np.where(flat, columns, -none), axis=1)
    right = np.minimum.accumulate(np.where(flat[:, ::-1], columns[::-1], none), axis=1)[:, ::-1]
    to_left, to_right = columns - left, right - columns
    closer = to_left <= to_right
    nearest = np.clip(np.where(closer, left, right), 0, width - 1)
    starts = (np.arange(height, dtype=np.int32) * width)[:, None]
    return starts + nearest, np.where(closer, to_left, to_right)


@settings(max_examples=40, deadline=None)
@given(
    seeds, st.sampled_from([0.0, 0.02, 0.5, 0.97, 1.0]), st.sampled_from([1, 7, 300, 7999, 8003])
)
def test_the_nearest_flat_pixel_by_runs_is_the_running_maximas(
    seed: int, share: float, width: int
) -> None:
    rng = np.random.default_rng(seed)
    flat = rng.random((6, width)) < share
    flat[rng.integers(0, 6)] = False  # a row with no flat pixel
    source, distance = backgrounds._nearest_in_row(flat)
    plain_source, plain_distance = _plain_nearest_in_row(flat)
    assert np.array_equal(source, plain_source) and source.dtype == plain_source.dtype
    assert np.array_equal(distance, plain_distance) and distance.dtype == plain_distance.dtype


def test_the_outside_of_a_blend_is_no_ink_and_text_beside_it_is() -> None:
    image = np.full((40, 80, 3), 255, np.uint8)
    image[:, 40:] = (200, 40, 40)  # a blue bar on white
    image = cv2.GaussianBlur(image, (0, 0), 1.5)  # its edge a blend of the two
    image[18:22, 30:34] = 0  # a dark speck beside the edge: ink
    background = np.full_like(image, 255)
    background[:, 40:] = (200, 40, 40)
    difference = backgrounds._outside(image, background)
    assert difference[5, 38:43].max() == 0  # the blend along the edge is no ink
    assert difference[20, 31].max() >= 200


@settings(max_examples=50, deadline=None)
@given(seeds, st.integers(min_value=0, max_value=256), st.sampled_from([50.0, 90.0, 97.5]))
def test_a_percentile_from_the_histogram_is_numpys(seed: int, least: int, percent: float) -> None:
    rng = np.random.default_rng(seed)
    image = (rng.random((30, 70)) ** 3 * 255).astype(np.uint8)
    held = image[image >= least]
    expected = float(np.percentile(held, percent)) if held.size else None
    assert ocr_engine._histogram_percentile(image, least, percent) == expected


@settings(max_examples=25, deadline=None)
@given(seeds, st.sampled_from([3, 40, 200]), st.floats(0.1, 12.0))
def test_regions_marked_box_by_box_are_those_looked_up_by_label(
    seed: int, chosen: int, depth: float
) -> None:
    page = _page(seed, 200, 300)
    flat = (solid_bars._difference(page, page[0, 0]) < 24).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
    deep = cv2.distanceTransform(flat, cv2.DIST_L2, 3) >= depth
    picked = np.random.default_rng(seed).choice(count, size=min(chosen, count), replace=False)
    keep = np.zeros(count, bool)
    keep[picked] = True
    keep &= np.bincount(labels[deep], minlength=count) > 0  # the plain computation
    depths = backgrounds._Depth(flat, depth)
    marked = backgrounds._of_labels(labels, stats, np.sort(picked), depths)
    assert np.array_equal(marked, keep[labels])


@settings(max_examples=30, deadline=None)
@given(seeds, st.sampled_from([(7, 9), (150, 211), (480, 640)]), st.floats(0.0, 12.0))
def test_the_noise_estimate_in_16_bits_is_the_float_one(
    seed: int, shape: tuple[int, int], sigma: float
) -> None:
    page = cv2.cvtColor(_page(seed, 480, 640), cv2.COLOR_BGR2GRAY)[: shape[0], : shape[1]]
    noise = np.random.default_rng(seed).normal(0, sigma, page.shape)
    grey = np.clip(page + noise, 0, 255).astype(np.uint8)
    response = cv2.filter2D(grey.astype(np.float32), -1, backgrounds._NOISE_KERNEL)
    sample = np.abs(response[::2, ::2]) if response.size > 40_000 else np.abs(response)
    assert backgrounds.noise_sigma(grey) == float(1.4826 * np.median(sample) / 6.0)


@settings(max_examples=30, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=700), st.integers(0, 60))
def test_blank_band_by_band_is_blank_over_the_whole_image(seed: int, height: int, ink: int) -> None:
    rng = np.random.default_rng(seed)
    levels = np.cumsum(rng.integers(-3, 4, height)) % 40 + 90  # slow shading, steps
    image = np.clip(levels[:, None, None] + rng.normal(0, 1, (height, 300, 3)), 0, 255)
    image = image.astype(np.uint8)
    row = int(rng.integers(0, height))
    image[row : row + 3, 100:140] += np.uint8(ink)  # a stroke of *ink* levels, or none
    small = (
        image
        if height < 400
        else cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    )
    detail = cv2.absdiff(cv2.GaussianBlur(small, (0, 0), 0.7), cv2.GaussianBlur(small, (0, 0), 6))
    for top in range(0, len(small), ocr_engine._BAND):  # each band's detail is the whole's
        assert ocr_engine._detail(small, top) == detail[top : top + ocr_engine._BAND].max()
    assert ocr_engine.is_blank(image) == (int(detail.max()) < ocr_engine._MIN_INK_CONTRAST)


_CHAMFER_STEPS = [k * 0.955 for k in range(1, 9)] + [k * 1.3693 for k in range(1, 7)]


@settings(max_examples=40, deadline=None)
@given(seeds, st.one_of(st.floats(0.05, 14.0), st.sampled_from(_CHAMFER_STEPS)))
def test_depth_region_by_region_is_the_distance_transforms(seed: int, depth: float) -> None:
    page = _page(seed, 160, 240)
    flat = (solid_bars._difference(page, page[0, 0]) < 24).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
    deep = cv2.distanceTransform(flat, cv2.DIST_L2, 3) >= depth
    depths = backgrounds._Depth(flat, depth)
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        part = labels[y : y + h, x : x + w] == label
        assert depths.within(part, x, y) == bool((part & deep[y : y + h, x : x + w]).any())


def test_a_region_the_erosions_leave_undecided_is_measured() -> None:
    # a 7-pixel square's middle is 4 axial steps from the nearest unmasked pixel: under
    # 4.0 by the distance transform (3.82), but the squares' bounds do not tell
    flat = np.zeros((40, 60), np.uint8)
    flat[10:17, 20:27] = 1
    depths = backgrounds._Depth(flat, 4.0)
    part = flat[10:17, 20:27].astype(bool)
    assert not depths.sure[10:17, 20:27].any() and depths.maybe[10:17, 20:27].any()
    assert not depths.within(part, 20, 10)
    assert backgrounds._Depth(flat, 3.8).within(part, 20, 10)


@settings(max_examples=40, deadline=None)
@given(
    seeds, st.sampled_from([(150, 200), (203, 397), (480, 640)]), st.floats(0.0, 1.0), st.booleans()
)
def test_noiseless_on_a_sample_is_noiseless_on_the_whole_gradient(
    seed: int, shape: tuple[int, int], noisy: float, grey: bool
) -> None:
    rng = np.random.default_rng(seed)
    page = _page(seed, *shape)
    # specks on the pixels compared: near the threshold, a quarter of them still
    specks = np.zeros(shape, bool)
    specks[::4, ::4] = rng.random(specks[::4, ::4].shape) < 0.55 + 0.4 * noisy
    page[specks] ^= np.uint8(1)
    image = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if grey else page
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    step = backgrounds._step(image, cross)
    assert backgrounds.noiseless(image) == (backgrounds._share(step, 0.25) == 0)


@pytest.mark.parametrize(("still", "expected"), [(2500, True), (2499, False)])
def test_noiseless_needs_a_quarter_of_the_pixels_compared_still(still: int, expected: bool) -> None:
    image = np.full((400, 400, 3), 128, np.uint8)
    moved = np.ones(10_000, bool)
    moved[:still] = False  # of the 100 x 100 pixels compared
    image[::4, ::4][moved.reshape(100, 100)] = 131
    assert backgrounds.noiseless(image) is expected
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    assert (backgrounds._share(backgrounds._step(image, cross), 0.25) == 0) is expected
