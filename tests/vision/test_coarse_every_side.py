"""On the coarse levels reduced 4 times or more, a version is searched at the template
sides the coarse scales step over (``coarse_every_side_from``): a thin line drawing shown
between two coarse scales is found."""

from __future__ import annotations

import cv2
import pytest

from robotest.vision import Icon, VisionInputError, coarse_search, locate
from robotest.vision.coarse_search import coarse_candidates
from robotest.vision.icon_candidates import Candidate
from robotest.vision.icons import IconVersion
from robotest.vision.match_parameters import DEFAULT, MatchParameters
from robotest.vision.screen_pyramid import searched_screen

from .conftest import icon_image, paste, text_screen
from .test_locate_colour import _noisy
from .test_real_icon_crops import WIDE, _at, _crop, _icon

_TRUTH = (160, 90, 72, 72)
EVERY = WIDE.override(coarse_every_side_from=4)
"""The real-icon search with every side searched on the levels reduced 4 times (the default)."""
STEPS = WIDE.override(coarse_every_side_from=0)
"""The real-icon search at the coarse scales only (before branch ``icons49``)."""
"""Adwaita's ``zoom-fit-best`` (grey corner marks on a light tile) on a real-icons bench
training screen, shown 72 px across from its 48 px drawing: 18 px on the level reduced 4
times, where the coarse scales 1.2 apart make 17 and 20 px templates."""


def _sides(p: MatchParameters) -> dict[float, list[int]]:
    """The template sides (level pixels) of the 48 px drawing's coarse maps, by level."""
    icon = _icon("adwaita-zoom-fit-best")
    sides: dict[float, list[int]] = {}
    for scale, version, factor in coarse_search.coarse_searches(icon, p):
        if version.name == "48.png":
            sides.setdefault(factor, []).append(round(48 * scale / factor))
    return sides


def test_a_thin_drawing_between_two_coarse_scales_is_found() -> None:
    screen, icon = _crop("zoom_fit_best_screen_72.png"), _icon("adwaita-zoom-fit-best")
    without = locate(screen, icon, params=STEPS)
    found = locate(screen, icon, params=EVERY)
    assert not (without.found and _at(without.box, _TRUTH))
    assert found.found and _at(found.box, _TRUTH) and found.score > 0.95


def test_the_thin_drawing_is_searched_at_every_side_on_reduced_levels_only() -> None:
    steps = _sides(STEPS)
    every = _sides(EVERY)
    assert steps[4] == [14, 17, 20]
    assert every[4] == [14, 15, 16, 17, 18, 19, 20]
    assert {f: s for f, s in every.items() if f < 4} == {f: s for f, s in steps.items() if f < 4}


@pytest.mark.parametrize(
    "field, value",
    [
        ("coarse_every_side_from", -1.0),
        ("coarse_every_side_from", 65.0),
        ("between_places", -1),
        ("between_places", 65),
    ],
)
def test_out_of_range_values_are_refused(field: str, value: float) -> None:
    with pytest.raises(VisionInputError, match=field):
        DEFAULT.override(**{field: value})


def _place(score: float, x: int, side: int, version: IconVersion) -> Candidate:
    return Candidate(score, x, 100, side, side, side / 48, version, 4)


def test_the_in_between_sizes_add_places_but_put_none_of_the_coarse_scales_out() -> None:
    """An in-between size's place goes on beside the coarse scales' candidates only where
    it overlaps none of them (nor a better one of its own) by half, however well it
    scores; at most ``between_places`` of them a version. A place kept at a size far
    from the in-between one's is no overlap."""
    icon = _icon("adwaita-zoom-fit-best")
    versions = icon.versions
    kept = [_place(0.61, 300, 57, versions[0]), _place(0.40, 600, 48, versions[0])]
    nearer = _place(0.64, 302, 64, versions[0])  # the first kept place, a better score
    elsewhere = _place(0.50, 100, 60, versions[0])
    again = _place(0.45, 104, 64, versions[0])  # the place just added, a worse score
    larger = _place(0.42, 594, 76, versions[0])  # the second kept place at 76 px
    fourth = _place(0.35, 900, 60, versions[0])
    other = _place(0.30, 800, 60, versions[1])
    between = [fourth, larger, again, nearer, other, elsewhere]
    chosen = coarse_search._between_places(between, kept, icon, EVERY)
    assert [c.version for c in chosen] == [versions[0], versions[0], versions[1]]
    assert chosen[:2] == [elsewhere, larger] and chosen[2] == other
    assert (
        coarse_search._between_places(between, kept, icon, EVERY.override(between_places=0)) == []
    )


def test_every_coarse_candidate_of_the_coarse_scales_is_kept_with_every_side() -> None:
    """A 32 px drawing shown at 64 px: the 48 px drawing's 57 px place (from which the
    32 px drawing is refitted within the search's scales) stays among the candidates
    when the 60 and 64 px maps find the same place (``test_locate_colour``'s HiDPI
    drawing)."""
    large = icon_image(3, size=48)
    small = cv2.resize(large, (32, 32), interpolation=cv2.INTER_AREA)
    cv2.rectangle(small, (3, 20), (12, 29), (20, 20, 20), -1)
    cv2.line(small, (18, 4), (29, 4), (240, 240, 240), 2)
    icon = Icon.from_images("launcher", {"48.png": large, "32.png": small})
    screen = text_screen([], (640, 400), background=(60, 60, 60))
    paste(screen, cv2.resize(small, (64, 64), interpolation=cv2.INTER_CUBIC), 300, 200)
    screen = _noisy(screen)

    def candidates(p: MatchParameters) -> set[tuple[str, int, int, int, float]]:
        found = coarse_candidates(searched_screen(screen, None), icon, p, 6, 0.0)
        return {(c.version.name, c.x, c.y, c.w, round(c.scale, 4)) for c in found}

    steps = candidates(STEPS)
    assert any(name == "48.png" and w == 57 for name, _, _, w, _ in steps)
    assert steps <= candidates(EVERY)
    match = locate(screen, icon, params=EVERY)
    assert match.found and match.version == "32.png" and match.box is not None


def test_the_in_between_maps_are_made_only_with_the_edge_maps() -> None:
    """The search without the edge maps (``locate``'s first, answered where a coarse
    scale's place reaches ``edge_after``) makes no map between the coarse scales: a query
    the coarse scales answer is searched as without ``coarse_every_side_from``."""
    screen, icon = _crop("zoom_fit_best_screen_72.png"), _icon("adwaita-zoom-fit-best")
    view = searched_screen(screen, None)
    sides = {(v.name, s) for s, v, _ in coarse_search.coarse_searches(icon, EVERY)}
    steps = {(v.name, s) for s, v, _ in coarse_search.coarse_searches(icon, STEPS)}
    peaks: coarse_search.Peaks = {}
    first = coarse_candidates(view, icon, EVERY, 6, 0.0, peaks, edges=False)
    assert first == coarse_candidates(view, icon, STEPS, 6, 0.0, edges=False)
    assert set(peaks) == steps < sides
    coarse_candidates(view, icon, EVERY, 6, 0.0, peaks)
    assert {k for k in peaks if not k[0].startswith("edges ")} == sides
