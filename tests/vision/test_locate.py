"""Icon localisation: found, not found (best candidate still reported), masks, themes, regions."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import Icon, VisionInputError, find_all, locate
from robotest.vision.match_parameters import DEFAULT

from .conftest import icon_image, paste, text_screen


def _desktop(seed: int = 3) -> np.ndarray:
    screen = text_screen([(20, 20, "Documents"), (300, 250, "Recycle Bin")], (640, 400))
    rng = np.random.default_rng(seed)
    for i in range(4):  # other icons: distractors
        paste(screen, icon_image(100 + i), int(rng.integers(0, 580)), int(rng.integers(40, 340)))
    return screen


def _icon(alpha: bool = False) -> Icon:
    return Icon.from_images(
        "target", {"v1.png": icon_image(1, alpha=alpha), "v2.png": icon_image(2, alpha=alpha)}
    )


def _noisy(image: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def test_found_at_another_scale_with_box_scale_and_version() -> None:
    screen = _desktop()
    truth = paste(screen, icon_image(2), 400, 120, scale=1.3)
    match = locate(_noisy(screen), _icon())
    assert match.found and match.version == "v2.png"
    assert match.box is not None
    assert abs(match.box[0] - truth[0]) <= 2 and abs(match.box[1] - truth[1]) <= 2
    assert match.scale is not None and abs(match.scale - 1.3) < 0.06
    assert match.center == (match.box[0] + match.box[2] // 2, match.box[1] + match.box[3] // 2)
    assert match.score >= match.threshold


def test_absent_icon_is_not_found_but_best_candidate_is_reported() -> None:
    match = locate(_noisy(_desktop()), _icon())
    assert not match.found
    assert match.box is not None and match.version is not None
    assert match.score < match.threshold
    assert match.to_dict()["found"] is False


def test_masked_icon_matches_on_any_background() -> None:
    icon = _icon(alpha=True)
    for background in [(240, 240, 240), (30, 60, 120)]:
        screen = text_screen([], (400, 300), background=background)
        truth = paste(screen, icon_image(1, alpha=True), 150, 90)
        match = locate(_noisy(screen), icon)
        assert match.found and match.box is not None
        assert abs(match.box[0] - truth[0]) <= 1 and abs(match.box[1] - truth[1]) <= 1


def test_brightness_and_contrast_do_not_matter() -> None:
    screen = _desktop()
    truth = paste(screen, icon_image(1), 200, 200)
    dim = cv2.convertScaleAbs(screen, alpha=0.45, beta=90)  # washed out, low contrast
    match = locate(_noisy(dim, 2.0), _icon())
    assert match.found and match.box is not None and match.box[:2] == truth[:2]


def test_region_limits_the_search() -> None:
    screen = _desktop()
    paste(screen, icon_image(1), 500, 300)
    assert not locate(screen, _icon(), region=(0, 0, 300, 200)).found
    inside = locate(screen, _icon(), region=(400, 250, 240, 150))
    assert inside.found and inside.box is not None and inside.box[:2] == (500, 300)


def test_find_all_returns_each_copy_once() -> None:
    screen = text_screen([], (640, 400))
    spots = [(40, 40), (300, 60), (120, 250)]
    for x, y in spots:
        paste(screen, icon_image(1), x, y)
    matches = find_all(_noisy(screen), _icon())
    assert sorted(m.box[:2] for m in matches if m.box) == sorted(spots)
    assert all(m.found for m in matches)


def test_icon_folder_with_threshold_sidecar(tmp_path: Path) -> None:
    folder = tmp_path / "settings"
    folder.mkdir()
    cv2.imwrite(str(folder / "light.png"), icon_image(1, alpha=True))
    cv2.imwrite(str(folder / "dark.png"), icon_image(2))
    (folder / "icon.json").write_text(json.dumps({"threshold": 0.93}))
    icon = Icon.load(folder)
    assert icon.threshold == 0.93
    assert [v.name for v in icon.versions] == ["dark.png", "light.png"]
    assert icon.versions[1].mask is not None and icon.versions[0].mask is None


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no such icon"),
        ("empty", "holds no PNG"),
        ("flat", "flat colour"),
        ("sidecar", "threshold must be"),
    ],
)
def test_bad_icons_are_clear_errors(tmp_path: Path, setup: str, message: str) -> None:
    folder = tmp_path / "icon"
    if setup != "missing":
        folder.mkdir()
    if setup == "flat":
        cv2.imwrite(str(folder / "v.png"), np.full((32, 32, 3), 128, np.uint8))
    if setup == "sidecar":
        cv2.imwrite(str(folder / "v.png"), icon_image(1))
        (folder / "icon.json").write_text('{"threshold": 7}')
    with pytest.raises(VisionInputError, match=message):
        Icon.load(folder)


def test_bad_region_and_screen_are_clear_errors() -> None:
    with pytest.raises(VisionInputError, match="outside"):
        locate(_desktop(), _icon(), region=(5000, 0, 10, 10))
    with pytest.raises(VisionInputError, match="NumPy image"):
        locate("screen.png", _icon())  # type: ignore[arg-type]


def test_coarse_spread_over_the_whole_box_still_finds_a_masked_icon() -> None:
    """``coarse_masked_spread=False`` (a rougher, cheaper coarse ranking) keeps the answer
    of a round icon on a desktop among other icons, at another scale."""
    icon = _icon(alpha=True)
    rough = DEFAULT.override(coarse_masked_spread=False)
    screen = _desktop()
    truth = paste(screen, icon_image(1, alpha=True), 420, 150, scale=1.2)
    noisy = _noisy(screen)
    exact, cheap = locate(noisy, icon), locate(noisy, icon, params=rough)
    assert exact.found and cheap.found and cheap.box is not None
    assert abs(cheap.box[0] - truth[0]) <= 2 and abs(cheap.box[1] - truth[1]) <= 2
    assert cheap.version == exact.version


def test_the_coarse_spread_over_the_box_is_box_filtered() -> None:
    """Over the whole box, a masked template's coarse scores are the plain normalised
    correlation of its (zero outside the mask) kernel with every window."""
    from robotest.vision.screen_pyramid import Level

    rng = np.random.default_rng(5)
    image = cv2.GaussianBlur(rng.integers(0, 255, (60, 80)).astype(np.uint8), (0, 0), 1.5)
    level = Level.of(image)
    mask = np.zeros((9, 9), np.float32)
    cv2.circle(mask, (4, 4), 4, 1.0, -1)
    patch = image[20:29, 30:39].astype(np.float32)
    kernel = (patch - patch[mask > 0].mean()) * mask
    kernel /= np.linalg.norm(kernel)

    class Template:
        def __init__(self) -> None:
            self.kernel, self.mask, self.mask_key, self.spectra = kernel, mask, b"m", {}

        def spectrum(self, part: str, shape: tuple[int, int]) -> np.ndarray:
            from robotest.vision.correlation import kept_transform

            pixels = self.kernel if part == "kernel" else self.mask
            return kept_transform(self.spectra, part, pixels, shape)

    boxed = level.correlate(Template(), masked_spread=False)
    reference = cv2.matchTemplate(image.astype(np.float32), kernel, cv2.TM_CCOEFF_NORMED)
    assert np.abs(boxed - reference).max() < 1e-3
    masked = level.correlate(Template())
    assert abs(float(masked[20, 30]) - 1.0) < 1e-3  # over the opaque pixels: the patch itself
    assert float(boxed[20, 30]) < 0.95  # over the box: its corners count in the spread
