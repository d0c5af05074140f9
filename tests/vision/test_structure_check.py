"""The structure check: edge directions of a candidate against the template's."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import Icon, locate
from robotest.vision.match_parameters import DEFAULT
from robotest.vision.structure_check import orientation_similarity

from .conftest import icon_image, paste, text_screen
from .test_locate_colour import _noisy


def _outline(side: int, stroke: int, vertical: bool = False) -> np.ndarray:
    """A grey drawing of a document (frame, three text lines) at *side* px, strokes *stroke* px."""
    image = np.full((side, side), 235, np.uint8)
    s = side / 48
    cv2.rectangle(image, (round(10 * s), round(4 * s)), (round(38 * s), round(44 * s)), 40, stroke)
    for row in (14, 22, 30):
        start, end = (round(15 * s), round(row * s)), (round(33 * s), round(row * s))
        if vertical:  # the same strokes turned a quarter: another icon of the theme
            start, end = start[::-1], end[::-1]
        cv2.line(image, start, end, 40, stroke)
    return image


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(cv2.matchTemplate(a, b, cv2.TM_CCOEFF_NORMED).max())


def test_a_drawing_redrawn_for_another_size_keeps_its_edge_directions() -> None:
    """A 24 px drawing with 2 px strokes shown at 48 px against the 48 px template with 1 px
    strokes: grey correlation falls, orientation similarity stays above an other icon's."""
    template = _outline(48, 1)
    redrawn = cv2.resize(_outline(24, 2), (48, 48), interpolation=cv2.INTER_LINEAR)
    other = _outline(48, 1, vertical=True)
    assert _correlation(redrawn, template) < 0.8
    same = orientation_similarity(redrawn, template, None)
    assert same > 0.9
    assert same - orientation_similarity(other, template, None) > 0.1


def test_the_mask_leaves_out_what_is_behind_the_icon() -> None:
    """A round icon over two backgrounds: only the masked comparison does not see them."""
    template = np.full((48, 48), 128, np.uint8)
    cv2.circle(template, (24, 24), 20, 200, -1)
    cv2.line(template, (14, 24), (34, 24), 30, 3)
    mask = np.zeros((48, 48), np.uint8)
    cv2.circle(mask, (24, 24), 20, 255, -1)
    rng = np.random.default_rng(3)
    shown = np.where(mask > 0, template, rng.integers(0, 255, (48, 48))).astype(np.uint8)
    assert orientation_similarity(shown, template, mask) > 0.99
    assert (
        orientation_similarity(shown, template, None)
        < orientation_similarity(shown, template, mask) - 0.1
    )


def test_a_flat_patch_is_not_similar() -> None:
    template = _outline(48, 1)
    assert orientation_similarity(np.full((48, 48), 90, np.uint8), template, None) < 0.1


def _striped_blur(template: np.ndarray, sigma: float = 3.0, stripes: int = 50) -> np.ndarray:
    """The icon's light and dark without its edges: blurred, under fine vertical stripes
    (what a photograph's texture can look like at the icon's size)."""
    blurred = cv2.GaussianBlur(template, (0, 0), sigma).astype(np.int16)
    blurred[:, ::2] += stripes
    return np.clip(blurred - stripes // 2, 0, 255).astype(np.uint8)


def test_a_place_whose_edges_run_elsewhere_is_not_found() -> None:
    """Over a lenient threshold, the score alone takes the striped blur for the icon; the
    structure check refuses it, and still finds the icon itself at another size."""
    lenient = DEFAULT.override(threshold=0.5)
    for seed in (0, 1):
        template = icon_image(seed, size=48)[:, :, :3].copy()
        icon = Icon.from_images("icon", {"48.png": template})
        screen = text_screen([], (480, 320), background=(90, 70, 50))
        paste(screen, _striped_blur(template), 200, 120)
        noisy = _noisy(screen)
        scored_only = locate(noisy, icon, params=lenient.override(structure_floor=0.0))
        assert scored_only.found and scored_only.box is not None
        assert abs(scored_only.box[0] - 200) <= 3
        checked = locate(noisy, icon, params=lenient)
        assert not checked.found
        assert checked.structure is not None and checked.structure < lenient.structure_floor
        truth = paste(screen, template, 60, 200, scale=0.75)
        shown = locate(_noisy(screen), icon, params=lenient)
        assert shown.found and shown.box is not None and abs(shown.box[0] - truth[0]) <= 2


def test_the_next_place_over_the_threshold_is_taken_when_the_best_fails() -> None:
    """The striped blur outscores the icon redrawn with thicker strokes (eroded); the
    structure check passes over it to the redrawn icon. With strokes thicker still (the
    redrawn icon under the threshold), the striped blur is reported, not found."""
    template = icon_image(2, size=48)[:, :, :3].copy()
    icon = Icon.from_images("icon", {"48.png": template})
    lenient = DEFAULT.override(threshold=0.5)
    answers = []
    for stroke in (3, 5):
        screen = text_screen([], (480, 320), background=(90, 70, 50))
        paste(screen, _striped_blur(template, sigma=1.5, stripes=30), 300, 120)
        paste(screen, cv2.erode(template, np.ones((stroke, stroke), np.uint8)), 80, 150)
        noisy = _noisy(screen)
        scored_only = locate(noisy, icon, params=lenient.override(structure_floor=0.0))
        assert scored_only.found and scored_only.box is not None
        assert abs(scored_only.box[0] - 300) <= 3  # the score alone: the striped blur
        answers.append(locate(noisy, icon, params=lenient))
    passed_over, refused = answers
    assert passed_over.found and passed_over.center is not None
    assert abs(passed_over.center[0] - 104) <= 4 and abs(passed_over.center[1] - 174) <= 4
    assert passed_over.structure is not None and passed_over.structure >= 0.6
    assert not refused.found and refused.box is not None and abs(refused.box[0] - 300) <= 3
    assert refused.structure is not None and refused.structure < 0.6


_DATA = Path(__file__).parent / "data"
_EDGE_FLOOR = 0.5
"""``MatchParameters.structure_edge_floor`` as chosen on the real-icons training half."""


def _real_folder() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breeze's grey folder photographed through the camera model at its place (49 px), and
    the theme's 48 px drawing at that size: grey levels and mask (alpha of the file)."""
    patch = cv2.imread(str(_DATA / "folder_grey_camera_patch.png"), cv2.IMREAD_GRAYSCALE)
    template = cv2.imread(str(_DATA / "folder_grey_template.png"), cv2.IMREAD_UNCHANGED)
    return patch, template[:, :, 0].copy(), template[:, :, 3].copy()


def test_a_photographed_flat_icon_keeps_its_structure() -> None:
    """The folder's flat face holds only the camera's noise: every cell brought to full
    weight (floor 0), it scored under the structure floor at the folder's own place; cells
    weighed against a floor of gradient, it passes."""
    patch, template, mask = _real_folder()
    assert orientation_similarity(patch, template, mask, 4, 0.0) < DEFAULT.structure_floor
    kept = orientation_similarity(patch, template, mask, 4, _EDGE_FLOOR)
    assert kept >= DEFAULT.structure_floor + 0.1


def test_noise_alone_is_still_not_the_icon() -> None:
    """A flat patch with noise in it has no edges of the icon's: still far under the floor
    with the cell floor."""
    _, template, mask = _real_folder()
    rng = np.random.default_rng(5)
    noise = np.clip(rng.normal(200, 6, template.shape), 0, 255).astype(np.uint8)
    score = orientation_similarity(noise, template, mask, 4, _EDGE_FLOOR)
    assert score < 0.4
