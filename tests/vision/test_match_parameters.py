"""MatchParameters: one frozen object of search settings, overridden per call or per icon."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import Icon, VisionInputError, locate
from robotest.vision.match_parameters import DEFAULT, MatchParameters

from .conftest import icon_image, paste, text_screen

WIDE = DEFAULT.override(scales=(0.5, 2.0))


def _screen_with_small_icon() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The icon at 0.55x of its own size: outside the default scales, inside WIDE's."""
    screen = text_screen([(20, 20, "Documents")], (480, 320))
    for i in range(3):
        paste(screen, icon_image(50 + i), 40 + 120 * i, 200)
    truth = paste(screen, icon_image(7), 300, 80, scale=0.55)
    return screen, truth


def _near(box: tuple[int, ...] | None, truth: tuple[int, int, int, int]) -> bool:
    assert box is not None
    return abs(box[0] - truth[0]) <= 3 and abs(box[1] - truth[1]) <= 3


def test_per_call_parameters_widen_the_scales() -> None:
    screen, truth = _screen_with_small_icon()
    icon = Icon.from_images("target", {"v1.png": icon_image(7)})
    assert not locate(screen, icon).found
    match = locate(screen, icon, params=WIDE)
    assert match.found and _near(match.box, truth)
    assert match.scale is not None and 0.5 <= match.scale <= 0.6


def test_icon_toml_sets_the_icons_own_parameters(tmp_path: Path) -> None:
    screen, truth = _screen_with_small_icon()
    folder = tmp_path / "target"
    folder.mkdir()
    cv2.imwrite(str(folder / "v1.png"), icon_image(7))
    (folder / "icon.toml").write_text("threshold = 0.8\n[match]\nscales = [0.5, 2.0]\n")
    icon = Icon.load(folder)
    assert icon.threshold == 0.8 and icon.params is not None
    assert icon.params.scales == (0.5, 2.0)
    match = locate(screen, icon)
    assert match.found and _near(match.box, truth) and match.threshold == 0.8
    # a call's own parameters win over the icon's
    assert not locate(screen, icon, params=DEFAULT).found


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[match]\nscale = [0.5, 2.0]\n", "unknown match parameter(s) scale"),
        ("[match]\nscales = [2.0, 0.5]\n", "scales must be"),
        ("threshold = 1.5\n", "threshold"),
        ("colour = true\n", "colour"),
        ("threshold = \n", "bad icon settings"),
    ],
)
def test_bad_icon_toml_is_one_clear_error(tmp_path: Path, text: str, says: str) -> None:
    cv2.imwrite(str(tmp_path / "v1.png"), icon_image(7))
    (tmp_path / "icon.toml").write_text(text)
    with pytest.raises(VisionInputError, match="icon.toml") as caught:
        Icon.load(tmp_path)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_parameters_are_frozen_and_checked() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.scales = (0.5, 2.0)  # type: ignore[misc]
    with pytest.raises(VisionInputError, match="coarse_step"):
        MatchParameters(coarse_step=3.0)
    with pytest.raises(VisionInputError, match="unknown match parameter"):
        DEFAULT.override(treshold=0.9)
    assert DEFAULT.override(fine_steps=[[1.02, 3]]).fine_steps == ((1.02, 3),)
    with pytest.raises(VisionInputError, match="template_blurs"):
        DEFAULT.override(template_blurs=(0.0, 5.0))
    with pytest.raises(VisionInputError, match="template_blurs"):
        DEFAULT.override(template_blurs=())
    assert DEFAULT.override(template_blurs=[0, 1.0]).template_blurs == (0, 1.0)


def test_versions_are_not_searched_below_min_side() -> None:
    """A 24 px version shown only at 10 px: too small to tell from texture, not searched."""
    screen = text_screen([(20, 20, "Documents")], (320, 240))
    tiny = paste(screen, icon_image(7, size=24), 200, 120, scale=10 / 24)
    icon = Icon.from_images("target", {"v24.png": icon_image(7, size=24)})
    params = DEFAULT.override(scales=(0.4, 1.0))
    match = locate(screen, icon, params=params)
    assert match.box is not None and min(match.box[2:]) >= DEFAULT.min_side
    assert not match.found
    allowed = locate(screen, icon, params=params.override(min_side=8))
    assert allowed.found and _near(allowed.box, tiny)


def test_a_version_drawn_under_min_side_is_still_searched_at_its_own_size() -> None:
    screen = text_screen([(20, 20, "Documents")], (320, 240))
    truth = paste(screen, icon_image(9, size=12), 150, 100)
    icon = Icon.from_images("target", {"v12.png": icon_image(9, size=12)})
    match = locate(screen, icon)
    assert match.found and _near(match.box, truth)
    with pytest.raises(VisionInputError, match="min_side"):
        DEFAULT.override(min_side=1)
