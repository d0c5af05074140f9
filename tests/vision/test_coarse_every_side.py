"""On the coarse levels reduced 4 times or more, a version is searched at the template
sides the coarse scales step over (``coarse_every_side_from``): a thin line drawing shown
between two coarse scales is found."""

from __future__ import annotations

import pytest

from robotest.vision import VisionInputError, coarse_search, locate
from robotest.vision.match_parameters import DEFAULT, MatchParameters

from .test_real_icon_crops import WIDE, _at, _crop, _icon

_TRUTH = (160, 90, 72, 72)
EVERY = WIDE.override(coarse_every_side_from=4)
"""The real-icon search with every side searched on the levels reduced 4 times (opt-in)."""
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
    without = locate(screen, icon, params=WIDE)  # off by default
    found = locate(screen, icon, params=EVERY)
    assert not (without.found and _at(without.box, _TRUTH))
    assert found.found and _at(found.box, _TRUTH) and found.score > 0.95


def test_the_thin_drawing_is_searched_at_every_side_on_reduced_levels_only() -> None:
    steps = _sides(WIDE)
    every = _sides(EVERY)
    assert steps[4] == [14, 17, 20]
    assert every[4] == [14, 15, 16, 17, 18, 19, 20]
    assert {f: s for f, s in every.items() if f < 4} == {f: s for f, s in steps.items() if f < 4}


@pytest.mark.parametrize(
    "field, value", [("coarse_every_side_from", -1.0), ("coarse_every_side_from", 65.0)]
)
def test_out_of_range_values_are_refused(field: str, value: float) -> None:
    with pytest.raises(VisionInputError, match=field):
        DEFAULT.override(**{field: value})
