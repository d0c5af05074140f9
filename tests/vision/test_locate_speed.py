"""What makes icon search fast must not change its answers: kept frames, transforms, masks."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import Icon, coarse_search, fine_search, icon_candidates, icon_search, locate
from robotest.vision.correlation import window_spread
from robotest.vision.errors import VisionInputError
from robotest.vision.match_parameters import MatchParameters
from robotest.vision.screen_pyramid import Level, pyramid_level, searched_screen

from .conftest import icon_image, paste, text_screen


def _screen() -> np.ndarray:
    screen = text_screen([(20, 20, "Documents")], (480, 320))
    for i, (x, y) in enumerate([(40, 200), (300, 60), (360, 220)]):
        paste(screen, icon_image(100 + i), x, y)
    return screen


def _icon(seed: int, alpha: bool = True) -> Icon:
    return Icon.from_images(f"icon-{seed}", {"v1.png": icon_image(seed, alpha=alpha)})


def test_a_screen_changed_in_place_is_searched_again() -> None:
    screen = _screen()
    icon = _icon(1)
    assert not locate(screen, icon).found
    paste(screen, icon_image(1, alpha=True), 150, 130)  # the same array, new pixels
    match = locate(screen, icon)
    assert match.found and match.box is not None and match.box[:2] == (150, 130)


def test_answers_are_the_same_on_a_kept_frame_and_on_a_new_one() -> None:
    screen = _screen()
    paste(screen, icon_image(1, alpha=True), 150, 130)
    icons = [_icon(1), _icon(2), _icon(3, alpha=False)]
    kept = [locate(screen, icon) for icon in icons for _ in range(2)]
    fresh = [locate(screen.copy(), icon) for icon in icons for _ in range(2)]
    assert kept == fresh


def test_versions_of_other_icons_with_the_same_name_keep_their_own_mask() -> None:
    """Window spreads are kept per mask pixels, not per version name."""
    round_icon = _icon(1)
    square = icon_image(2, alpha=True)
    square[:, :, 3] = 0
    square[4:-4, 4:-4, 3] = 255
    square_icon = Icon.from_images("square", {"v1.png": square})
    screen = _screen()
    paste(screen, square, 150, 130)
    assert not locate(screen, round_icon).found
    match = locate(screen, square_icon)  # same frame, same version name, another mask
    assert match.found and match.box is not None and match.box[:2] == (150, 130)


def test_masked_scores_are_opencvs_masked_normalised_correlation() -> None:
    rng = np.random.default_rng(5)
    grey = cv2.GaussianBlur(rng.integers(0, 256, (200, 240), np.uint8), (5, 5), 1.5)
    icon = _icon(7)
    version = icon.versions[0]
    candidate = icon_candidates.Candidate(0.5, 90, 70, 48, 48, 1.0, version, factor=4)
    near = fine_search.Near(grey, icon, candidate, 1, largest=1.1)
    for scale in (0.9, 1.0, 1.1, 1.2):  # 1.2: beyond the largest, the part grows
        template = fine_search.fine_template(icon, version, scale)
        th, tw = template.grey.shape
        x0, y0, x1, y1 = window = near._window(tw, th)
        ours = near.masked_scores(template, window)
        theirs = cv2.matchTemplate(
            grey[y0:y1, x0:x1], template.grey, cv2.TM_CCOEFF_NORMED, mask=template.mask
        )
        assert ours.shape == theirs.shape
        assert np.abs(ours - theirs).max() < 1e-4


def test_coarse_correlation_from_transforms_is_matchtemplates() -> None:
    rng = np.random.default_rng(6)
    grey = cv2.GaussianBlur(rng.integers(0, 256, (135, 240), np.uint8), (3, 3), 1.0)
    level = Level.of(grey)
    icon = _icon(8, alpha=False)
    template = coarse_search.coarse_template(icon, icon.versions[0], 1.0, 4)
    ours = level.correlate(template)
    image = grey.astype(np.float32)
    theirs = cv2.matchTemplate(image, template.kernel, cv2.TM_CCOEFF_NORMED)
    assert ours.shape == theirs.shape
    flat = level.window_norm(*template.kernel.shape[::-1]) <= np.sqrt(template.kernel.size)
    assert np.abs(ours - theirs)[~flat].max() < 1e-3


def test_masked_coarse_correlation_on_a_level_a_factor_1_5_is_matchtemplates() -> None:
    """The masked coarse score (window spreads by OpenCV's element-wise calls) on a level
    of a non-integer factor is OpenCV's masked normalised correlation on that level."""
    rng = np.random.default_rng(9)
    screen = cv2.GaussianBlur(rng.integers(0, 256, (270, 480), np.uint8), (5, 5), 1.5)
    levels: dict[float, Level] = {}
    level = pyramid_level(screen, 1.5, levels)
    assert level.grey.shape == (180, 320)
    icon = _icon(10)
    template = coarse_search.coarse_template(icon, icon.versions[0], 1.0, 1.5)
    assert template.mask is not None
    ours = level.correlate(template)
    mask = (template.mask * 255).astype(np.uint8)
    theirs = cv2.matchTemplate(
        level.image, template.kernel, cv2.TM_CCORR, mask=mask
    ) / _masked_spreads(level.image, template.mask)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 1e-3


def _masked_spreads(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sqrt(sum of squared deviations) of every window over *mask*'s pixels (floored at
    one grey level a pixel, as the search floors it), by ``cv2.matchTemplate``."""
    count = float(mask.sum())
    sums = cv2.matchTemplate(image, mask, cv2.TM_CCORR).astype(np.float64)
    squares = cv2.matchTemplate(image * image, mask, cv2.TM_CCORR).astype(np.float64)
    spread: np.ndarray = np.sqrt(np.maximum(squares - sums * sums / count, count))
    return spread


def test_window_spreads_by_opencv_are_numpys() -> None:
    rng = np.random.default_rng(11)
    sums = (rng.random((60, 90)) * 4000).astype(np.float32)
    squares = (sums * sums / 50 + rng.random((60, 90)) * 9000).astype(np.float32)
    ours = window_spread(sums, squares, 50.0)
    numpys = np.sqrt(np.maximum(squares - sums * sums / 50.0, 50.0)).astype(np.float32)
    wide = sums.astype(np.float64)
    exact = np.sqrt(np.maximum(squares - wide * wide / 50.0, 50.0))
    assert ours.dtype == np.float32
    # both float32: as far from the exact spreads (the squares' cancellation) as numpy
    assert np.abs(ours / exact - 1).max() <= 2 * np.abs(numpys / exact - 1).max() + 1e-6
    assert np.abs(ours / numpys - 1).max() < 1e-3


def test_levels_of_other_factors_leave_the_pyramid_as_it_was() -> None:
    """Levels a factor 1.5 or 3 are made from the full screen, never used to make others."""
    rng = np.random.default_rng(12)
    screen = rng.integers(0, 256, (240, 360), np.uint8)
    plain: dict[float, Level] = {}
    mixed: dict[float, Level] = {}
    for factor in (1.5, 3):
        pyramid_level(screen, factor, mixed)
    for factor in (2, 6, 12, 4):
        assert np.array_equal(
            pyramid_level(screen, factor, plain).grey, pyramid_level(screen, factor, mixed).grey
        )
    assert mixed[3].grey.shape == (80, 120)


def test_coarse_factors_pick_the_coarsest_level_that_keeps_the_coarse_side() -> None:
    icon = Icon.from_images("one", {"24.png": icon_image(13, alpha=True, size=24)})
    version = icon.versions[0]
    plain = MatchParameters()
    finer = plain.override(coarse_factors=(1, 1.5, 2, 3, 4, 6, 8, 12, 16))
    assert coarse_search.coarse_factor(icon, version, 1.0, plain) == 1  # 24 px: the full screen
    assert coarse_search.coarse_factor(icon, version, 1.0, finer) == 1.5  # 16 px across there
    assert coarse_search.coarse_factor(icon, version, 0.75, finer) == 1  # 18 px: 12 at 1.5
    assert coarse_search.coarse_factor(icon, version, 1.75, finer) == 3  # 42 px: 14 at 3
    with pytest.raises(VisionInputError):
        plain.override(coarse_factors=(2, 4))


def test_an_icon_searched_on_a_level_a_factor_1_5_is_found_in_place() -> None:
    screen = _screen()
    image = icon_image(14, alpha=True, size=24)
    paste(screen, image, 203, 151)
    icon = Icon.from_images("small", {"24.png": image})
    params = MatchParameters(coarse_factors=(1, 1.5, 2, 3, 4, 6, 8, 12, 16))
    match = locate(screen, icon, params=params)
    assert match.found and match.box == (203, 151, 24, 24)
    plain = locate(screen, icon)  # on the full screen: the same place
    assert plain.found and plain.box == match.box and abs(plain.score - match.score) < 0.01


def test_a_big_icon_found_early_never_correlates_the_full_screen() -> None:
    screen = _screen()
    paste(screen, icon_image(15, alpha=True), 150, 130)
    icon = _icon(15)
    early = MatchParameters(early_found=0.95)
    match = locate(screen, icon, params=early)
    assert match.found and match.box is not None and match.box[:2] == (150, 130)
    view = searched_screen(screen, None)
    assert 1 not in view.levels.get(None, {})  # the 48 px icon: no full-screen coarse map
    whole = locate(screen.copy(), icon, params=MatchParameters(early_found=0.0))
    assert (whole.found, whole.box, whole.version) == (match.found, match.box, match.version)
    assert abs(whole.score - match.score) < 1e-6


def test_a_small_icon_not_found_early_gets_the_whole_search() -> None:
    screen = _screen()
    image = icon_image(16, alpha=True, size=24)
    paste(screen, image, 231, 97)
    icon = Icon.from_images("small", {"24.png": image})
    early = locate(screen, icon, params=MatchParameters(early_found=0.95))
    whole = locate(screen.copy(), icon, params=MatchParameters(early_found=0.0))
    assert early.found and early.box == (231, 97, 24, 24)
    assert early == whole


def test_coarse_places_kept_from_a_first_search_are_the_ones_made_afresh() -> None:
    screen = _screen()
    paste(screen, icon_image(17, alpha=True, size=24), 60, 40)
    icons = {
        f"{size}.png": cv2.resize(icon_image(17, alpha=True), (size, size)) for size in (24, 48)
    }
    icon = Icon.from_images("two sizes", icons)
    p = MatchParameters(scales=(0.5, 2.0))
    view = searched_screen(screen, None)
    peaks: coarse_search.Peaks = {}
    partial = coarse_search.coarse_candidates(view, icon, p, 6, 0.4, peaks, full_screen=False)
    kept = coarse_search.coarse_candidates(view, icon, p, 6, 0.4, peaks, full_screen=True)
    fresh = coarse_search.coarse_candidates(view, icon, p, 6, 0.4)
    assert kept == fresh
    assert any(c.factor == 1 for c in fresh) and all(c.factor > 1 for c in partial)


def test_only_icons_with_full_screen_maps_get_a_first_search() -> None:
    big = _icon(18)  # 48 px at 0.75-1.5: 36-72 px, all on reduced levels
    small = Icon.from_images("small", {"24.png": icon_image(18, alpha=True, size=24)})
    p = MatchParameters()
    assert not coarse_search.has_full_screen_maps(big, p)
    assert coarse_search.has_full_screen_maps(small, p)


def _edge_maps(view: object) -> int:
    """How many coarse edge levels a search made on a view (0: no edge map)."""
    return len(view.edges)  # type: ignore[attr-defined]


def test_the_edge_maps_are_skipped_where_the_grey_maps_answer() -> None:
    """With ``edge_after``, an icon the grey maps find (above it, structure passed) is
    answered without an edge map, and the answer is the one with the edge maps."""
    screen = _screen()
    image = icon_image(21, alpha=True, size=24)
    paste(screen, image, 231, 97)
    icon = Icon.from_images("small", {"24.png": image})
    lazy = locate(screen, icon, params=MatchParameters(edge_after=0.9))
    assert lazy.found and lazy.box == (231, 97, 24, 24)
    assert _edge_maps(searched_screen(screen, None)) == 0
    always = locate(screen.copy(), icon, params=MatchParameters(edge_after=0.0))
    assert always == lazy


def test_the_edge_maps_are_made_where_the_grey_maps_do_not_answer() -> None:
    """An absent icon's query gets the edge maps' places too, and the same answer as a
    search that always makes them (its grey maps and fine looks kept, not made twice)."""
    screen = _screen()
    icon = Icon.from_images("absent", {"24.png": icon_image(22, alpha=True, size=24)})
    lazy = locate(screen, icon, params=MatchParameters(edge_after=0.9))
    assert _edge_maps(searched_screen(screen, None)) > 0
    always = locate(screen.copy(), icon, params=MatchParameters(edge_after=0.0))
    assert not lazy.found and always == lazy


def test_a_place_is_refined_once_by_the_searches_of_one_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``locate``'s searches (without the full screen, without the edge maps, whole) look
    at the same places again: each place's refinement is made once (``FineLooks``), and
    the answer is a single whole search's."""
    screen = _screen()
    icon = Icon.from_images("absent", {"24.png": icon_image(23, alpha=True, size=24)})
    starts: list[tuple[object, ...]] = []
    original = icon_search.refine

    def counted(grey: np.ndarray, icon: Icon, start: object, p: MatchParameters) -> object:
        starts.append(icon_search._place_key(start))  # type: ignore[arg-type]
        return original(grey, icon, start, p)  # type: ignore[arg-type]

    monkeypatch.setattr(icon_search, "refine", counted)
    staged = locate(screen, icon, params=MatchParameters(edge_after=0.9, early_found=0.95))
    assert starts and len(starts) == len(set(starts))
    monkeypatch.setattr(icon_search, "refine", original)
    whole = locate(screen.copy(), icon, params=MatchParameters(edge_after=0.0, early_found=0.0))
    assert staged == whole


def test_an_edge_maps_floor_scores_flat_windows_zero_and_leaves_the_rest() -> None:
    """The edge maps' floor (``Level.floored_norm``: the spread made infinite under it)
    gives 0 where a window spreads less than the floor, and elsewhere the map without it."""
    screen = _screen()
    view = searched_screen(screen, None)
    level = view.edge_level(2)
    icon = _icon(24)
    template = coarse_search._coarse_edge_template(icon, icon.versions[0], 1.0, 2, 0.5)
    th, tw = template.kernel.shape
    floor = 4.0 * np.sqrt(tw * th)
    plain = level.correlate(template)
    floored = level.correlate(template, floor=floor)
    flat = level.window_norm(tw, th) < floor
    assert flat.any() and (~flat).any()
    assert np.all(floored[flat] == 0)
    assert np.array_equal(floored[~flat], plain[~flat])


def test_the_full_screen_gets_no_edge_map_unless_asked() -> None:
    """A 24 px icon is searched on the full screen (18-28 px) and the half one (28-36 px):
    its edge maps are made on the half screen only, unless ``edge_full_screen``."""
    screen = _screen()
    icon = Icon.from_images("absent", {"24.png": icon_image(25, alpha=True, size=24)})
    locate(screen, icon, params=MatchParameters(edge_full_screen=False))
    assert set(searched_screen(screen, None).edges) == {2}
    other = screen.copy()
    other[0, 0] = 255 - other[0, 0]  # another frame: nothing kept from the first search
    locate(other, icon, params=MatchParameters(edge_full_screen=True, edge_after=0.0))
    assert set(searched_screen(other, None).edges) == {1, 2}
