"""The simulated camera: geometry ground truth, determinism, exposure, noise and glare."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.sim import CameraModel, CameraParams

SCREEN = (1920, 1080)


def _marker_screen(points: list[tuple[int, int]], half: int = 6) -> np.ndarray:
    """Black screen with a white square centred on each point."""
    screen = np.zeros((SCREEN[1], SCREEN[0], 3), np.uint8)
    for x, y in points:
        screen[y - half : y + half + 1, x - half : x + half + 1] = 255
    return screen


def _blob_centroids(frame: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    _, mask = cv2.threshold(gray, 120, 255, cv2.THRESH_BINARY)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(mask)
    keep = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] > 20]
    return centroids[keep]


def test_frame_shape_and_type() -> None:
    camera = CameraModel(seed=0)
    frame = camera.photograph(np.zeros((1080, 1920, 3), np.uint8))
    assert frame.shape == (2048, 2448, 3)
    assert frame.dtype == np.uint8


def test_markers_land_where_screen_to_frame_says() -> None:
    points = [(20, 20), (1899, 20), (1899, 1059), (20, 1059), (960, 540), (400, 800)]
    camera = CameraModel(seed=5, noise_sigma=0.0, vignetting=0.0, pose_jitter_deg=4.0)
    found = _blob_centroids(camera.photograph(_marker_screen(points)))
    expected = camera.screen_to_frame(points)
    assert len(found) == len(points)
    for point in expected:
        nearest = np.linalg.norm(found - point, axis=1).min()
        assert nearest < 0.5, f"marker expected at {point} is {nearest:.2f} px away"


def test_screen_corners_are_the_corner_pixels_in_order() -> None:
    camera = CameraModel(seed=2)
    corners = camera.screen_corners
    assert corners.shape == (4, 2)
    expected = camera.screen_to_frame([[0, 0], [1919, 0], [1919, 1079], [0, 1079]])
    np.testing.assert_allclose(corners, expected)
    tl, tr, br, bl = corners
    assert tl[0] < tr[0] and bl[0] < br[0] and tl[1] < bl[1] and tr[1] < br[1]
    # the screen is seen whole and fills most of the frame's width
    assert corners.min() > 0 and corners[:, 0].max() < 2448 and corners[:, 1].max() < 2048
    assert 0.7 < (tr[0] - tl[0]) / 2448 < 0.9


def test_corner_pixels_are_bright_in_the_photograph() -> None:
    camera = CameraModel(seed=9, noise_sigma=0.0, blur_sigma=0.0)
    frame = camera.photograph(np.full((1080, 1920, 3), 250, np.uint8))
    inside = camera.screen_to_frame([[3, 3], [1916, 3], [1916, 1076], [3, 1076]])
    outside = camera.screen_to_frame([[-8, -8], [1927, -8], [1927, 1087], [-8, 1087]])
    for (xi, yi), (xo, yo) in zip(inside, outside, strict=True):
        assert frame[round(yi), round(xi)].min() > 150
        assert frame[round(yo), round(xo)].max() < 60


def test_frame_to_screen_inverts_screen_to_frame() -> None:
    camera = CameraModel(seed=4, distortion=-0.1)
    points = np.array([[0.0, 0.0], [1919.0, 1079.0], [123.5, 987.25], [1500.0, 20.0]])
    np.testing.assert_allclose(
        camera.frame_to_screen(camera.screen_to_frame(points)), points, atol=1e-6
    )


def test_same_seed_same_frames_other_seed_other_camera() -> None:
    screen = _marker_screen([(500, 500), (1500, 300)])
    first, second = CameraModel(seed=11), CameraModel(seed=11)
    for _ in range(3):
        assert np.array_equal(first.photograph(screen), second.photograph(screen))
    other = CameraModel(seed=12)
    assert np.abs(other.screen_corners - first.screen_corners).max() > 1.0


def test_noise_changes_from_shot_to_shot() -> None:
    camera = CameraModel(seed=1, noise_sigma=3.0)
    screen = np.full((1080, 1920, 3), 128, np.uint8)
    a, b = camera.photograph(screen), camera.photograph(screen)
    assert not np.array_equal(a, b)
    diff = a.astype(np.int16) - b.astype(np.int16)
    assert 2.0 < diff.std() < 8.0  # two independent frames of sigma 3: about 4.2


def test_exposure_dims_and_clips() -> None:
    screen = np.full((1080, 1920, 3), 180, np.uint8)
    means = {}
    for exposure in (0.4, 1.0, 1.6):
        camera = CameraModel(seed=0, exposure=exposure, noise_sigma=0.0)
        frame = camera.photograph(screen)
        x, y = camera.screen_to_frame([[960, 540]])[0]
        means[exposure] = frame[round(y), round(x)].mean()
    assert means[0.4] < 90 < means[1.0] < 200 < means[1.6]
    assert means[1.6] == 255  # over-exposed: highlights clip


def test_vignetting_darkens_the_corners() -> None:
    camera = CameraModel(seed=0, noise_sigma=0.0, vignetting=0.4, pose_jitter_deg=0.0)
    frame = camera.photograph(np.full((1080, 1920, 3), 200, np.uint8))
    centre = camera.screen_to_frame([[960, 540]])[0]
    corner = camera.screen_to_frame([[15, 15]])[0]
    assert (
        frame[round(centre[1]), round(centre[0])].mean()
        > frame[round(corner[1]), round(corner[0])].mean() + 10
    )


def test_glare_brightens_a_spot() -> None:
    screen = np.full((1080, 1920, 3), 60, np.uint8)
    plain = CameraModel(seed=3, noise_sigma=0.0).photograph(screen)
    glared = CameraModel(seed=3, noise_sigma=0.0, glare=True).photograph(screen)
    lift = glared.astype(np.int16) - plain.astype(np.int16)
    assert lift.min() >= 0
    assert lift.max() > 60


def test_blur_softens_edges() -> None:
    screen = np.zeros((1080, 1920, 3), np.uint8)
    screen[:, 960:] = 255
    sharp = CameraModel(seed=0, noise_sigma=0.0, blur_sigma=0.0).photograph(screen)
    soft = CameraModel(seed=0, noise_sigma=0.0, blur_sigma=1.5).photograph(screen)
    row = 1024
    assert (
        np.abs(np.diff(sharp[row].astype(int), axis=0)).max()
        > np.abs(np.diff(soft[row].astype(int), axis=0)).max()
    )


def test_small_frame_sizes_work() -> None:
    camera = CameraModel(screen_size=(320, 180), frame_size=(400, 330), seed=1)
    frame = camera.photograph(np.zeros((180, 320, 3), np.uint8))
    assert frame.shape == (330, 400, 3)


def test_wrong_screen_image_is_refused() -> None:
    with pytest.raises(ValueError, match="1080x1920x3"):
        CameraModel(seed=0).photograph(np.zeros((1080, 1920), np.uint8))


def test_out_of_range_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="vignetting"):
        CameraParams(vignetting=1.5)
    with pytest.raises(TypeError):
        CameraModel(seed=0, no_such_parameter=1.0)


def test_sampled_parameters_are_seeded_and_valid() -> None:
    assert CameraParams.sample(7) == CameraParams.sample(7)
    assert len({CameraParams.sample(seed) for seed in range(6)}) == 6
