"""``knn``'s sharpness channel as the median of a small window (``patchcore.DETAIL_WINDOW``):
a flat hole on a speckled surface with dark grains of its own stands out; model files
saved before it keep each pixel's sharpness."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from robotest.inspection.patchcore import fit_patchcore, load_patchcore, local_median, sharpness


def _speckle(rng: np.random.Generator, side: int = 64) -> np.ndarray:
    """A speckled surface (granite-like grains a pixel or two across) whose darkest grains
    reach a drawn hole's tones."""
    image = cv2.GaussianBlur(rng.uniform(0, 1, (side, side)).astype(np.float32), (0, 0), 0.7)
    return ((image - image.mean()) / image.std() * 0.12 + 0.35).astype(np.float32)


def _holed(rng: np.random.Generator, radius: int = 3) -> np.ndarray:
    """A speckle with a hole drawn as the real-surfaces generator draws one: dark (0.08 at
    the centre to 0.23 at the rim) and smooth, with no grain inside."""
    image = _speckle(rng)
    yy, xx = np.mgrid[:64, :64]
    r = np.hypot(xx - 32, yy - 32)
    return np.where(r <= radius, 0.08 + 0.15 * r / (radius + 1), image).astype(np.float32)


def test_the_local_median_is_each_pixels_median_of_its_window() -> None:
    maps = torch.rand(2, 1, 9, 11)
    got = local_median(maps, 3)
    padded = np.pad(maps.numpy(), ((0, 0), (0, 0), (1, 1), (1, 1)), mode="reflect")
    for n, y, x in ((0, 0, 0), (1, 4, 5), (0, 8, 10), (1, 3, 0)):
        want = np.median(padded[n, 0, y : y + 3, x : x + 3])
        assert float(got[n, 0, y, x]) == pytest.approx(float(want))
    assert torch.equal(local_median(maps, 1), maps)


def test_the_three_by_three_sorting_network_gives_the_general_median() -> None:
    """The 3 x 3 median is a sorting network; it equals the general (5 x 5 too) path's
    median exactly, ties included."""
    generator = torch.Generator().manual_seed(0)
    maps = torch.round(torch.rand(2, 1, 17, 23, generator=generator) * 4) / 4
    padded = torch.nn.functional.pad(maps, (1, 1, 1, 1), mode="reflect")
    general = torch.nn.functional.unfold(padded, 3).median(dim=1).values.reshape(maps.shape)
    assert torch.equal(local_median(maps, 3), general)
    wide = local_median(maps, 5)
    padded = np.pad(maps.numpy(), ((0, 0), (0, 0), (2, 2), (2, 2)), mode="reflect")
    assert float(wide[1, 0, 8, 11]) == pytest.approx(float(np.median(padded[1, 0, 8:13, 11:16])))


def test_the_median_window_tells_a_flat_hole_from_the_surfaces_own_dark_grains() -> None:
    """Pixel by pixel the log Laplacian magnitude of a speckled surface falls near zero at
    every zero crossing, so a patch's mean of it spreads widely and a smooth hole hides in
    that spread; the median of 3 x 3 stays high on the surface and low in the hole (in
    units of the surface's own spread, the hole lies further below it)."""
    rng = np.random.default_rng(0)
    pictures = torch.from_numpy(np.stack([_holed(rng) for _ in range(8)])[:, None])
    yy, xx = np.mgrid[:64, :64]
    inside = torch.from_numpy(np.hypot(xx - 32, yy - 32) <= 2)  # off the hole's rim
    gaps = {}
    for window in (1, 3):
        channel = torch.nn.functional.avg_pool2d(sharpness(pictures, window), 3, 1, 1)[:, 0]
        surface = channel[:, ~inside]
        gaps[window] = float((surface.mean() - channel[:, inside].mean()) / surface.std())
    assert gaps[3] > 1.3 * gaps[1] > 0, gaps


def test_a_flat_hole_among_dark_grains_scores_higher_with_the_median_window() -> None:
    rng = np.random.default_rng(1)
    normal = np.stack([_speckle(rng) for _ in range(16)])[:, None]
    goods = np.stack([_speckle(rng) for _ in range(6)])[:, None]
    holed = np.stack([_holed(rng) for _ in range(6)])[:, None]
    ratios = {}
    for window in (1, 3):
        scorer = fit_patchcore(normal, blur=1.0, seed=0, bank_size=500, detail_window=window)
        good_peak = scorer.raw_maps(goods)[:, 4:-4, 4:-4].max()
        ratios[window] = scorer.raw_maps(holed)[:, 28:37, 28:37].max(axis=(1, 2)).min() / good_peak
    assert ratios[3] > ratios[1], ratios


def test_a_model_file_from_before_the_detail_window_keeps_each_pixels_sharpness(
    knn_model: Path,
) -> None:
    state = torch.load(knn_model / "weights.pt", weights_only=True)
    assert int(state["knn_detail_window"][0]) == 3
    assert load_patchcore(state, channels=1, blur=1.0).net.detail_window == 3
    older = {k: v for k, v in state.items() if k != "knn_detail_window"}
    assert load_patchcore(older, channels=1, blur=1.0).net.detail_window == 1


def test_a_window_of_one_writes_no_detail_window_and_an_even_one_is_refused() -> None:
    rng = np.random.default_rng(2)
    normal = np.stack([_speckle(rng) for _ in range(4)])[:, None]
    scorer = fit_patchcore(normal, blur=1.0, seed=0, bank_size=100, detail_window=1)
    assert "knn_detail_window" not in scorer.state()
    assert scorer.net.detail_window == 1
    with pytest.raises(ValueError, match="odd"):
        fit_patchcore(normal, blur=1.0, seed=0, bank_size=100, detail_window=4)
