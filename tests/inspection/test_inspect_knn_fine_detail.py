"""``knn``'s half-grid sharpness channel taken on the picture at twice the working size
(``TrainOptions.knn_fine_detail`` 2, off by default): a small flat hole on a surface whose
grains are finer than a working pixel stands out; model files saved before it prepare and
score as before. And the faster analysis (``nearest_distances``, ``neighbourhood_mean``)
gives the values of the slower one."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from robotest.inspection.dataset import open_dataset
from robotest.inspection.errors import InspectionError
from robotest.inspection.model import load_model
from robotest.inspection.patchcore import (
    RandomFeatures,
    _resize,
    fit_patchcore,
    load_patchcore,
    nearest_distances,
    nearest_rows,
    neighbourhood_mean,
    sharpness,
)
from robotest.inspection.training import TrainOptions, train


def _grains(rng: np.random.Generator, side: int = 128) -> np.ndarray:
    """A speckled surface whose grains are about a pixel across at *side* (half a working
    pixel at half that size), with dark grains as dark as a drawn hole's rim."""
    image = cv2.GaussianBlur(rng.uniform(0, 1, (side, side)).astype(np.float32), (0, 0), 0.6)
    return ((image - image.mean()) / image.std() * 0.12 + 0.35).astype(np.float32)


def _holed(rng: np.random.Generator, radius: int = 6, side: int = 128) -> np.ndarray:
    """The surface with a smooth dark hole in the middle (0.08 at the centre to 0.23 at
    the rim, no grain inside), as the real-surfaces generator draws one."""
    image = _grains(rng, side)
    yy, xx = np.mgrid[:side, :side]
    r = np.hypot(xx - side // 2, yy - side // 2)
    return np.where(r <= radius, 0.08 + 0.15 * r / (radius + 1), image).astype(np.float32)


def _halved(batch: np.ndarray) -> np.ndarray:
    """The batch at half its size, each working pixel the mean of its 2 x 2 block (what
    ``prepare``'s area resize gives)."""
    n, c, h, w = batch.shape
    return batch.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


def test_only_the_half_grids_sharpness_is_taken_on_the_finer_picture() -> None:
    """Every channel but the half grid's sharpness is the working-size net's on the
    block average; that one is the finer picture's 3 x 3 median channel, pooled."""
    rng = np.random.default_rng(0)
    fine = np.stack([_grains(rng) for _ in range(2)])[:, None]
    layouts = [(0, 2), (1, 3)]
    kwargs = {"seed": 0, "orientation": (1,), "detail_window": 3}
    work = RandomFeatures(1, **kwargs).layouts(torch.from_numpy(_halved(fine)), layouts)
    finer = RandomFeatures(1, fine_detail=2, **kwargs).layouts(torch.from_numpy(fine), layouts)
    assert torch.allclose(finer[1], work[1], atol=1e-5)
    assert torch.allclose(finer[0][:, :-1], work[0][:, :-1], atol=1e-5)
    channel = _resize(sharpness(torch.from_numpy(fine), 3), finer[0].shape[-2:])
    assert torch.allclose(finer[0][:, -1:], torch.nn.functional.avg_pool2d(channel, 3, 1, 1))
    assert not torch.allclose(finer[0][:, -1:], work[0][:, -1:], atol=0.1)


def test_a_flat_hole_among_fine_grains_scores_higher_with_the_fine_detail() -> None:
    """The scorer's hole peak over the good pictures' peak: at the working size the
    grains are averaged into a blur as flat as the hole; at twice it they are not."""
    rng = np.random.default_rng(1)
    normal = np.stack([_grains(rng) for _ in range(16)])[:, None]
    goods = np.stack([_grains(rng) for _ in range(6)])[:, None]
    holed = np.stack([_holed(rng) for _ in range(6)])[:, None]
    ratios = {}
    for fine_detail in (1, 2):

        def sized(batch: np.ndarray, k: int = fine_detail) -> np.ndarray:
            return batch if k == 2 else _halved(batch)

        scorer = fit_patchcore(
            sized(normal), blur=1.0, seed=0, bank_size=500, fine_detail=fine_detail
        )
        good_maps, hole_maps = scorer.raw_maps(sized(goods)), scorer.raw_maps(sized(holed))
        assert good_maps.shape[-2:] == hole_maps.shape[-2:] == (64, 64)
        good_peak = good_maps[:, 4:-4, 4:-4].max()
        ratios[fine_detail] = hole_maps[:, 28:37, 28:37].max(axis=(1, 2)).min() / good_peak
    assert ratios[2] > ratios[1], ratios


def test_fine_detail_needs_sides_it_divides() -> None:
    rng = np.random.default_rng(2)
    normal = np.stack([_grains(rng, 66) for _ in range(4)])[:, None]
    with pytest.raises(ValueError, match="multiple"):
        fit_patchcore(normal, blur=1.0, seed=0, bank_size=100, fine_detail=4)


def _write_class(root: Path, side: int) -> Path:
    """A small MVTec-layout class of *side*-pixel grain pictures, one holed test picture."""
    rng = np.random.default_rng(3)
    for folder, count in (("train/good", 10), ("test/good", 2)):
        (root / folder).mkdir(parents=True)
        for i in range(count):
            cv2.imwrite(str(root / folder / f"{i:03d}.png"), np.uint8(_grains(rng, side) * 255))
    (root / "test/hole").mkdir(parents=True)
    (root / "ground_truth/hole").mkdir(parents=True)
    cv2.imwrite(str(root / "test/hole/000.png"), np.uint8(_holed(rng, side=side) * 255))
    mask = np.zeros((side, side), np.uint8)
    cv2.circle(mask, (side // 2, side // 2), 6, 255, -1)
    cv2.imwrite(str(root / "ground_truth/hole/000_mask.png"), mask)
    return root


def test_a_trained_knn_model_takes_the_fine_detail_and_older_files_do_not(tmp_path: Path) -> None:
    """Trained on 128-pixel pictures at working size 64 the model prepares them at 128
    and its maps are at 64; a file written without ``fine_detail`` (in model.json and
    the weights) prepares and scores at the working size, as before it."""
    data = open_dataset(_write_class(tmp_path / "grains", 128))
    options = TrainOptions(kind="knn", work_size=64, progress=False, threads=1, knn_fine_detail=2)
    model = train(data, options)
    assert model.meta.fine_detail == 2
    image = model.read(data.test[0].path)
    assert model.prepare(image).shape == (1, 128, 128)
    assert model.analyse([image])[0].anomaly.shape == (64, 64)
    saved = model.save(tmp_path / "model")
    assert json.loads((saved / "model.json").read_text())["fine_detail"] == 2
    assert int(torch.load(saved / "weights.pt", weights_only=True)["knn_fine_detail"][0]) == 2
    again = load_model(saved)
    assert again.analyse([image])[0].score == pytest.approx(model.analyse([image])[0].score)

    plain = train(data, TrainOptions(kind="knn", work_size=64, progress=False))
    assert plain.meta.fine_detail == 1
    folder = plain.save(tmp_path / "plain")
    meta = json.loads((folder / "model.json").read_text())
    meta.pop("fine_detail")
    (folder / "model.json").write_text(json.dumps(meta))
    state = torch.load(folder / "weights.pt", weights_only=True)
    assert "knn_fine_detail" not in state
    assert load_patchcore(state, channels=1, blur=1.0).net.fine_detail == 1
    older = load_model(folder)
    assert older.meta.fine_detail == 1
    assert older.prepare(image).shape == (1, 64, 64)
    want = plain.analyse([image])[0]
    got = older.analyse([image])[0]
    assert np.array_equal(got.anomaly, want.anomaly)
    assert got.score == want.score


def test_a_picture_without_the_finer_size_keeps_the_working_size_detail(tmp_path: Path) -> None:
    data = open_dataset(_write_class(tmp_path / "small", 96))
    model = train(data, TrainOptions(kind="knn", work_size=64, progress=False, knn_fine_detail=2))
    assert model.meta.fine_detail == 1
    assert "knn_fine_detail" not in model.scorer.state()
    with pytest.raises(InspectionError, match="knn_fine_detail"):
        train(data, TrainOptions(kind="knn", work_size=64, progress=False, knn_fine_detail=0))


def test_the_nearest_distance_by_its_value_alone_is_the_nearest_rows_distance() -> None:
    generator = torch.Generator().manual_seed(4)
    queries, bank = (
        torch.randn(2500, 8, generator=generator),
        torch.randn(300, 8, generator=generator),
    )
    fast = nearest_distances(queries, bank)
    assert torch.equal(fast, nearest_rows(queries, bank)[0])
    assert torch.allclose(fast, torch.cdist(queries, bank).min(dim=1).values, atol=1e-4)


def test_the_neighbourhood_mean_is_the_three_by_three_average_pool() -> None:
    maps = torch.randn(2, 5, 9, 7, generator=torch.Generator().manual_seed(5))
    want = torch.nn.functional.avg_pool2d(maps, 3, 1, 1)
    assert torch.allclose(neighbourhood_mean(maps), want, atol=1e-6)
