"""Icon localisation beyond grey levels: look-alikes, hue-only icons, masked small versions."""

from __future__ import annotations

import cv2
import numpy as np

from robotest.vision import Icon, find_all, locate
from robotest.vision.match_parameters import DEFAULT

from .conftest import icon_image, paste, text_screen

# (B, G, R): a light tile (grey 200) and two inks of the same grey level (185) that
# differ only in hue: in grey, a folder of either ink is the same faint shape
_TILE = (200, 200, 200)
_YELLOW = (41, 195, 220)
_BLUISH = (210, 185, 176)


def _noisy(image: np.ndarray, sigma: float = 2.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def _hue_icon(size: int = 64, ink: tuple[int, int, int] = _YELLOW) -> np.ndarray:
    """A folder drawn in *ink* on a light tile, 15 grey levels apart (faint in grey)."""
    image = np.zeros((size, size, 3), np.uint8)
    image[:] = _TILE
    s = size / 64
    cv2.rectangle(image, (int(8 * s), int(14 * s)), (int(28 * s), int(22 * s)), ink, -1)
    cv2.rectangle(image, (int(8 * s), int(20 * s)), (int(56 * s), int(50 * s)), ink, -1)
    return image


def _round(image: np.ndarray, size: int = 48) -> np.ndarray:
    """*image* at *size* pixels with a round alpha mask (BGRA)."""
    small = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
    alpha = np.zeros((size, size), np.uint8)
    cv2.circle(alpha, (size // 2, size // 2), size // 2 - 1, 255, -1)
    return np.dstack([small, alpha])


def _look_alike(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """The top half of one icon on the bottom half of another."""
    mixed = bottom.copy()
    mixed[: top.shape[0] // 2] = top[: top.shape[0] // 2]
    return mixed


def test_look_alike_sharing_half_the_artwork_is_not_found() -> None:
    target, other = icon_image(1, size=64), icon_image(2, size=64)
    icon = Icon.from_images("target", {"v1.png": target})
    screen = text_screen([], (640, 400), background=(90, 70, 50))
    paste(screen, _look_alike(target, other), 300, 150)
    match = locate(_noisy(screen), icon)
    assert not match.found
    assert match.box is not None and match.score < match.threshold


def test_icon_is_told_from_its_look_alike_on_the_same_screen() -> None:
    target, other = icon_image(1, size=64), icon_image(2, size=64)
    icon = Icon.from_images("target", {"v1.png": target})
    screen = text_screen([], (640, 400), background=(90, 70, 50))
    paste(screen, _look_alike(target, other), 60, 60)
    truth = paste(screen, target, 420, 250, scale=1.2)
    match = locate(_noisy(screen), icon)
    assert match.found and match.box is not None
    assert abs(match.box[0] - truth[0]) <= 2 and abs(match.box[1] - truth[1]) <= 2
    assert [m.box[:2] for m in find_all(_noisy(screen), icon) if m.box] == [match.box[:2]]


def test_low_grey_contrast_icon_is_told_from_the_same_shape_in_another_hue() -> None:
    icon = Icon.from_images("files", {"v1.png": _hue_icon()})
    yellow, bluish = (
        cv2.cvtColor(_hue_icon(ink=c), cv2.COLOR_BGR2GRAY) for c in (_YELLOW, _BLUISH)
    )
    assert float(yellow.std()) < 10 and np.abs(yellow.astype(int) - bluish).max() <= 2
    screen = text_screen([], (640, 400), background=(150, 120, 90))
    paste(screen, _hue_icon(ink=_BLUISH), 100, 250)  # the same in grey, another hue
    truth = paste(screen, _hue_icon(), 333, 111)
    match = locate(_noisy(screen, 1.5), icon)
    assert match.found and match.box is not None
    assert abs(match.box[0] - truth[0]) <= 2 and abs(match.box[1] - truth[1]) <= 2
    assert len(find_all(_noisy(screen, 1.5), icon)) == 1


def test_small_masked_low_contrast_version_is_found_on_a_dark_wallpaper() -> None:
    folder = _hue_icon()
    icon = Icon.from_images("files", {"v1.png": folder, "v3.png": _round(folder)})
    screen = text_screen([], (640, 400), background=(30, 25, 20))
    truth = paste(screen, _round(folder), 401, 201, scale=0.8)
    match = locate(_noisy(screen), icon)
    assert match.found and match.version == "v3.png" and match.box is not None
    assert abs(match.box[0] - truth[0]) <= 2 and abs(match.box[1] - truth[1]) <= 2


def test_look_alike_identical_in_grey_is_not_found() -> None:
    def badge(ink: tuple[int, int, int]) -> np.ndarray:
        image = np.full((64, 64, 3), _TILE, np.uint8)
        cv2.circle(image, (32, 18), 10, (60, 60, 60), -1)  # the shared top half
        cv2.rectangle(image, (12, 38), (52, 54), ink, -1)  # the bottom half: hue only
        return image

    icon = Icon.from_images("badge", {"v1.png": badge(_YELLOW)})
    screen = text_screen([], (640, 400), background=(90, 70, 50))
    paste(screen, badge(_BLUISH), 300, 150)
    match = locate(_noisy(screen), icon)
    assert not match.found and match.box is not None
    # the closest place: the look-alike (its colour shift, taken off the score, varies by
    # a few pixels of tile more or less, so the box may sit a few pixels off it)
    assert abs(match.box[0] - 300) <= 4 and abs(match.box[1] - 150) <= 4


def test_found_exactly_when_the_score_reaches_the_threshold() -> None:
    target, other = icon_image(1, size=64), icon_image(2, size=64)
    icon = Icon.from_images("target", {"v1.png": target})
    screen = text_screen([], (640, 400), background=(90, 70, 50))
    paste(screen, _look_alike(target, other), 300, 150)
    # the look-alike's edges run like the target's only in half of it: without the
    # structure check (floor 0), the score alone decides
    scored_only = DEFAULT.override(structure_floor=0.0)
    best = locate(_noisy(screen), icon, threshold=0.1, params=scored_only)
    assert best.found and best.score >= 0.1
    for limit in (best.score - 0.01, best.score + 0.01):
        match = locate(_noisy(screen), icon, threshold=limit, params=scored_only)
        assert match.found == (match.score >= limit)
        assert match.box == best.box
    checked = locate(_noisy(screen), icon, threshold=0.1)
    assert checked.structure is not None
    assert checked.found == (checked.structure >= DEFAULT.structure_floor)


def test_grey_screen_is_matched_on_grey_levels() -> None:
    icon = Icon.from_images("target", {"v1.png": icon_image(1)})
    screen = text_screen([], (400, 300))
    truth = paste(screen, icon_image(1), 150, 90)
    match = locate(cv2.cvtColor(_noisy(screen), cv2.COLOR_BGR2GRAY), icon)
    assert match.found and match.box is not None and match.box[:2] == truth[:2]


def test_sibling_in_another_hue_is_not_found_and_a_colour_cast_is_forgiven() -> None:
    blue = icon_image(5, size=64, alpha=True)  # a theme-like icon, transparent around it
    # its sibling: the same drawing in another hue, each channel scaled on its own (what
    # the per-channel correlation of the colour score forgives, the colour shift does not)
    hue = np.array([0.4, 1.0, 2.2, 1.0])
    green = np.clip(blue.astype(np.float32) * hue, 0, 255).astype(np.uint8)
    icon = Icon.from_images("code", {"v1.png": blue})
    screen = text_screen([], (640, 400), background=(60, 60, 60))
    paste(screen, green, 100, 100)
    sibling = locate(_noisy(screen), icon)
    assert not sibling.found
    gains = np.array([0.9, 1.0, 1.1, 1.0])  # a colour cast of +-10%, alpha kept
    cast = np.clip(blue.astype(np.float32) * gains, 0, 255).astype(np.uint8)
    truth = paste(screen, cast, 400, 220)
    match = locate(_noisy(screen), icon)
    assert match.found and match.box is not None
    assert abs(match.box[0] - truth[0]) <= 2 and abs(match.box[1] - truth[1]) <= 2


def test_an_icon_kept_at_several_sizes_is_found_with_the_drawing_made_near_the_shown_size() -> None:
    large, small = icon_image(3, size=48), icon_image(4, size=24)
    icon = Icon.from_images("launcher", {"48.png": large, "24.png": small})
    screen = text_screen([], (640, 400), background=(60, 60, 60))
    truth = paste(screen, small, 300, 200, scale=1.1)
    match = locate(_noisy(screen), icon)
    assert match.found and match.version == "24.png" and match.box is not None
    assert abs(match.box[0] - truth[0]) <= 2 and abs(match.box[1] - truth[1]) <= 2


def test_a_flat_half_of_the_icon_does_not_sink_its_own_score() -> None:
    """A grey folder whose lower half is one plain grey: that half correlates with nothing
    (its spread is noise), so it must not be the worst half of the icon's own place."""
    from robotest.vision.colour_verification import colour_score, colour_template

    folder = np.full((48, 48, 3), 150, np.uint8)
    cv2.rectangle(folder, (4, 4), (20, 10), (90, 90, 90), -1)  # the tab, top half only
    cv2.rectangle(folder, (4, 10), (43, 14), (200, 200, 200), -1)
    template = colour_template(folder, None)
    assert template.informative.tolist() == [True, False, True, True]
    assert colour_score(folder, template) > 0.99
    other = folder.copy()
    cv2.circle(other, (24, 34), 8, (60, 60, 60), -1)  # an emblem where the icon is plain
    assert colour_score(other, template) < 0.85


def _lines(shift: int) -> np.ndarray:
    """A 32 px icon of thin coloured strokes; *shift* moves every other stroke a pixel
    (the same icon hand-drawn again for another size)."""
    icon = np.full((32, 32, 3), (230, 230, 230), np.uint8)
    for i, ink in enumerate([(200, 80, 40), (40, 160, 60), (30, 60, 200), (120, 40, 160)]):
        x = 5 + 7 * i + (shift if i % 2 else 0)
        cv2.line(icon, (x, 4), (x, 27), ink, 2)
    return icon


def test_score_blur_forgives_a_one_pixel_redrawing() -> None:
    """The icon redrawn with strokes a pixel off scores higher with the colour score
    smoothed, at the same place."""
    screen = _noisy(np.full((200, 300, 3), 120, np.uint8), seed=3)
    paste(screen, _lines(1), 100, 60)
    icon = Icon.from_images("strokes", {"v.png": _lines(0)})
    sharp = locate(screen, icon, params=DEFAULT.override(threshold=0.5, score_blur=0.0))
    smooth = locate(screen, icon, params=DEFAULT.override(threshold=0.5, score_blur=1.0))
    assert sharp.box is not None and smooth.box is not None
    assert abs(smooth.box[0] - 100) <= 1 and abs(smooth.box[1] - 60) <= 1
    assert smooth.score > sharp.score + 0.05


def test_template_blurs_forgive_a_blurred_screen_and_keep_a_sharp_one() -> None:
    """A screen blurred by 1.2 px (a camera, a scaler) shows the icon softer than its PNG:
    the version smoothed alone scores it higher; a sharp screen keeps its sharp score, and
    a redrawn look-alike on a sharp screen gains far less than the blurred true icon."""
    icon = Icon.from_images("strokes", {"v.png": _lines(0)})
    screen = np.full((200, 300, 3), 120, np.uint8)
    paste(screen, _lines(0), 100, 60)
    blurred = _noisy(cv2.GaussianBlur(screen, (0, 0), 1.2), seed=3)
    sharp_only = DEFAULT.override(threshold=0.5, template_blurs=(0.0,), outline_blurs=())
    softened = sharp_only.override(template_blurs=(0.0, 0.6, 1.0, 1.5))
    before, after = locate(blurred, icon, params=sharp_only), locate(blurred, icon, params=softened)
    assert after.box is not None and abs(after.box[0] - 100) <= 1 and abs(after.box[1] - 60) <= 1
    assert before.score < 0.9 and after.score > before.score + 0.05
    sharp = _noisy(screen, seed=3)
    assert (
        locate(sharp, icon, params=softened).score == locate(sharp, icon, params=sharp_only).score
    )
    other = np.full((200, 300, 3), 120, np.uint8)
    paste(other, _lines(1), 100, 60)
    redrawn = _noisy(other, seed=3)
    gain = (
        locate(redrawn, icon, params=softened).score
        - locate(redrawn, icon, params=sharp_only).score
    )
    assert gain < (after.score - before.score) / 2


def test_the_drawing_the_os_shows_is_scored_at_a_place_found_with_another() -> None:
    """The screen shows the icon's 32 px drawing at 64 px (HiDPI 200%); the coarse search
    looks at 64 px with the 48 px drawing only (the one drawn nearest), which finds the
    place but scores it low. Every version refined at that place finds the one shown."""
    large = icon_image(3, size=48)
    small = cv2.resize(large, (32, 32), interpolation=cv2.INTER_AREA)
    cv2.rectangle(small, (3, 20), (12, 29), (20, 20, 20), -1)  # the 32 px drawing's own details
    cv2.line(small, (18, 4), (29, 4), (240, 240, 240), 2)
    icon = Icon.from_images("launcher", {"48.png": large, "32.png": small})
    screen = text_screen([], (640, 400), background=(60, 60, 60))
    paste(screen, cv2.resize(small, (64, 64), interpolation=cv2.INTER_CUBIC), 300, 200)
    screen = _noisy(screen)
    wide = DEFAULT.override(scales=(0.5, 2.0))
    nearest_only = locate(screen, icon, params=wide.override(sizes_at_place=()))
    assert not nearest_only.found
    match = locate(screen, icon, params=wide.override(sizes_at_place=(1.0,)))
    assert match.found and match.version == "32.png" and match.box is not None
    assert abs(match.box[0] - 300) <= 2 and abs(match.box[1] - 200) <= 2
    assert abs(match.box[2] - 64) <= 2


def test_smoothed_versions_are_tried_only_near_the_threshold() -> None:
    """``blur_slack``: the versions smoothed alone are tried where the sharp one scores
    within the slack of the threshold; a place further below keeps its sharp score."""
    icon = Icon.from_images("strokes", {"v.png": _lines(0)})
    screen = np.full((200, 300, 3), 120, np.uint8)
    paste(screen, _lines(0), 100, 60)
    blurred = _noisy(cv2.GaussianBlur(screen, (0, 0), 1.2), seed=3)
    strict = DEFAULT.override(threshold=0.95, template_blurs=(0.0, 0.6, 1.0, 1.5), outline_blurs=())
    sharp = locate(blurred, icon, params=strict.override(template_blurs=(0.0,))).score
    everywhere = locate(blurred, icon, params=strict.override(blur_slack=1.0)).score
    assert 0.6 < sharp < 0.9 and everywhere > sharp + 0.05
    near = locate(blurred, icon, params=strict.override(blur_slack=0.4)).score
    far = locate(blurred, icon, params=strict.override(blur_slack=0.05)).score
    assert near == everywhere
    assert far == sharp


def test_colour_scores_of_one_drawing_smoothed_match_one_at_a_time() -> None:
    """The patch's sums shared by the smoothed templates change no score or shift."""
    from robotest.vision.colour_verification import (
        colour_score,
        colour_scores,
        colour_shift,
        colour_template,
    )

    for image in (icon_image(4, size=40), icon_image(5, size=37, alpha=True)):
        colour = image[:, :, :3]
        mask = None if image.shape[2] == 3 else np.where(image[:, :, 3] >= 128, 255, 0)
        mask = None if mask is None else mask.astype(np.uint8)
        templates = [
            colour_template(cv2.GaussianBlur(colour, (0, 0), b) if b else colour, mask)
            for b in (0.0, 0.6, 1.0)
        ]
        patch = _noisy(cv2.GaussianBlur(colour, (0, 0), 0.8), sigma=6.0)
        scores, shifts = colour_scores(patch, templates)
        for template, score, shift in zip(templates, scores, shifts, strict=True):
            assert abs(score - colour_score(patch, template)) < 1e-9
            assert abs(shift - colour_shift(patch, template)) < 1e-9


def test_every_other_version_is_refined_again_at_a_place_near_the_threshold() -> None:
    """Every version is refined again at a place near the threshold (the OS shows its
    32 px drawing where the 48 px one was kept), and at no place scoring far below it."""
    from robotest.vision import icon_candidates, place_refits
    from robotest.vision.screen_pyramid import searched_screen

    large = icon_image(3, size=48)
    small = cv2.resize(large, (32, 32), interpolation=cv2.INTER_AREA)
    cv2.rectangle(small, (3, 20), (12, 29), (20, 20, 20), -1)
    icon = Icon.from_images("launcher", {"48.png": large, "32.png": small})
    screen = text_screen([], (640, 400), background=(60, 60, 60))
    paste(screen, cv2.resize(small, (64, 64), interpolation=cv2.INTER_CUBIC), 300, 200)
    view = searched_screen(_noisy(screen), None)
    p = DEFAULT.override(scales=(0.5, 2.0), own_sizes_at_place=())
    big, little = icon.versions if icon.versions[0].name == "48.png" else icon.versions[::-1]
    at_large = icon_candidates.Candidate(0.8, 300, 200, 64, 64, 64 / 48, big, 1)
    again = place_refits.again_at_places(view, icon, [at_large], 0.85, p)
    assert [c.version.name for c in again] == ["32.png"]
    assert again[0].score > 0.9 and abs(again[0].x - 300) <= 2
    # a place scoring too low to be looked at again: nothing refined there
    elsewhere = icon_candidates.Candidate(0.2, 100, 50, 64, 64, 2.0, little, 1)
    again = place_refits.again_at_places(view, icon, [at_large, elsewhere], 0.85, p)
    assert [(c.version.name, abs(c.x - 300) <= 2) for c in again] == [("32.png", True)]


def test_thin_line_icons_are_searched_coarse_at_a_finer_level_on_request() -> None:
    """``coarse_detail``: a drawing of one-pixel strokes, which a 4x reduction turns into a
    grey blur, is searched at a finer pyramid level; a filled icon keeps the usual one."""
    from robotest.vision import coarse_search

    thin = np.full((64, 64, 3), 235, np.uint8)
    for x in range(8, 58, 6):
        cv2.line(thin, (x, 6), (x, 57), (60, 60, 60), 1)
    filled = icon_image(6, size=64)
    icons = [Icon.from_images(n, {"v.png": i}) for n, i in (("thin", thin), ("filled", filled))]
    off, on = DEFAULT, DEFAULT.override(coarse_detail=0.8)
    factors = {
        icon.name: [coarse_search.coarse_factor(icon, icon.versions[0], 1.0, p) for p in (off, on)]
        for icon in icons
    }
    assert factors["filled"] == [4, 4]
    assert factors["thin"][0] == 4 and factors["thin"][1] < 4
