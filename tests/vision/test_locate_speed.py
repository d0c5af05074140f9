"""What makes icon search fast must not change its answers: kept frames, transforms, masks."""

from __future__ import annotations

import cv2
import numpy as np

from robotest.vision import Icon, locate
from robotest.vision import icon_search as search
from robotest.vision.screen_pyramid import Level

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
    candidate = search._Candidate(0.5, 90, 70, 48, 48, 1.0, version, factor=4)
    near = search._Near(grey, icon, candidate, 1, largest=1.1)
    for scale in (0.9, 1.0, 1.1, 1.2):  # 1.2: beyond the largest, the part grows
        template = search._fine_template(icon, version, scale)
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
    template = search._coarse_template(icon, icon.versions[0], 1.0, 4)
    ours = level.correlate(template)
    image = grey.astype(np.float32)
    theirs = cv2.matchTemplate(image, template.kernel, cv2.TM_CCOEFF_NORMED)
    assert ours.shape == theirs.shape
    flat = level.window_norm(*template.kernel.shape[::-1]) <= np.sqrt(template.kernel.size)
    assert np.abs(ours - theirs)[~flat].max() < 1e-3
