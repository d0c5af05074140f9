"""The nearest-neighbour patch model (``knn``): trains on normal images, finds a clear
defect and boxes it, round-trips through its model file with its kind; its coreset and
random features behave as documented."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import cv2
import numpy as np
import pytest
import torch

from robotest.inspection.model import load_model
from robotest.inspection.patchcore import RandomFeatures, greedy_coreset, nearest_distances


def test_knn_passes_good_units_and_fails_holes(knn_model: Path, tiny_dataset: Path) -> None:
    model = load_model(knn_model)
    goods = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    holes = sorted((tiny_dataset / "test" / "hole").glob("*.png"))
    good_verdicts = [model.inspect(p) for p in goods]
    verdicts = [model.inspect(p) for p in holes]
    assert all(v.verdict == "fail" and v.boxes for v in verdicts)
    assert min(v.score for v in verdicts) > max(v.score for v in good_verdicts)


def test_knn_box_lies_on_the_hole(knn_model: Path, tiny_dataset: Path) -> None:
    from robotest.inspection.images import read_image

    model = load_model(knn_model)
    verdict = model.inspect(tiny_dataset / "test" / "hole" / "000.png")
    mask = read_image(tiny_dataset / "ground_truth" / "hole" / "000_mask.png", channels=1)
    ys, xs = np.nonzero(mask[:, :, 0] > 0.5)
    box = verdict.boxes[0]  # the highest score
    assert box.x <= xs.mean() <= box.x + box.w and box.y <= ys.mean() <= box.y + box.h


def test_knn_model_file_round_trip_keeps_its_kind(
    knn_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    meta = json.loads((knn_model / "model.json").read_text())
    assert meta["kind"] == "knn" and meta["version"].startswith("knn-")
    model = load_model(knn_model)
    again = load_model(model.save(tmp_path / "again"))
    assert again.meta.kind == "knn"
    image = tiny_dataset / "test" / "hole" / "001.png"
    assert again.inspect(image).score == pytest.approx(model.inspect(image).score, rel=1e-5)


def test_the_other_kinds_still_load_beside_knn(ae_model: Path, knn_model: Path) -> None:
    assert load_model(ae_model).meta.kind == "ae"
    assert load_model(knn_model).meta.kind == "knn"


def test_greedy_coreset_covers_every_cluster() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [50, 0], [0, 50], [50, 50]], np.float32)
    # a big cluster and three small ones: random sampling would mostly miss the small ones
    counts = [2000, 5, 5, 5]
    points = np.concatenate(
        [c + rng.normal(0, 0.5, (n, 2)) for c, n in zip(centres, counts, strict=True)]
    ).astype(np.float32)
    chosen = points[greedy_coreset(torch.from_numpy(points), 8, seed=0).numpy()]
    nearest = np.linalg.norm(chosen[:, None] - centres[None], axis=2).argmin(axis=1)
    assert set(nearest.tolist()) == {0, 1, 2, 3}
    assert len(np.unique(chosen, axis=0)) == 8


def test_nearest_distances_match_brute_force() -> None:
    rng = np.random.default_rng(1)
    queries, bank = rng.normal(size=(5000, 7)), rng.normal(size=(300, 7))
    brute = np.linalg.norm(queries[:, None] - bank[None], axis=2).min(axis=1)
    got = nearest_distances(torch.from_numpy(queries), torch.from_numpy(bank)).numpy()
    assert np.allclose(got, brute, atol=1e-6)


def test_random_features_are_fixed_by_the_seed_and_ignore_brightness() -> None:
    pixels = torch.rand(1, 1, 64, 64)
    first, again, other = RandomFeatures(1, seed=3), RandomFeatures(1, seed=3), RandomFeatures(1)
    assert first(pixels).shape == (
        1,
        32 + 64 + 1,
        32,
        32,
    )  # two stages on the half grid + sharpness
    coarse = RandomFeatures(1, seed=3, grid_stage=1, depth=3)  # files saved before it
    assert coarse(pixels).shape == (1, sum((32, 64, 64)) + 1, 16, 16)
    assert torch.equal(first(pixels), again(pixels))
    assert not torch.equal(first(pixels), other(pixels))
    assert torch.allclose(first(pixels + 0.1), first(pixels), atol=1e-5)


def test_a_uniform_texture_looks_the_same_at_the_edge_as_inside() -> None:
    """Reflect padding continues the texture past the border, so the convolutions see an
    edge of a normal picture as they see its inside (zero padding made the border the
    picture's highest score)."""
    stripes = torch.zeros(1, 1, 64, 64)
    stripes[..., ::4] = 1.0
    for padding, alike in (("reflect", True), ("zeros", False)):
        net = RandomFeatures(1, seed=0, padding=padding)
        with torch.no_grad():
            features = net.stages[1](net.stages[0](stripes - 0.25))[0]  # 1/4 grid, 16 x 16
        inside = features[:, 2:-2, 2:-2].mean(dim=(1, 2))
        edge = features[:, 2:-2, 0].mean(dim=1)
        gap = float((edge - inside).norm() / inside.norm())
        assert (gap < 0.1) == alike, (padding, gap)


def test_a_model_file_from_before_reflect_padding_keeps_zero_padding(
    knn_model: Path, tmp_path: Path, tiny_dataset: Path
) -> None:
    from robotest.inspection.patchcore import load_patchcore

    state = torch.load(knn_model / "weights.pt", weights_only=True)
    assert "knn_reflect" in state
    older = {k: v for k, v in state.items() if k != "knn_reflect"}
    scorer = load_patchcore(older, channels=1, blur=1.0)
    assert all(stage[0].padding_mode == "zeros" for stage in scorer.net.stages)
    assert all(
        stage[0].padding_mode == "reflect"
        for stage in load_patchcore(state, channels=1, blur=1.0).net.stages
    )


def test_a_smudge_stands_out_by_its_lost_detail() -> None:
    """A blurred spot on a surface that also has flat parts (a wall with mortar): random
    features find the spot close to the flat parts; the sharpness channel does not."""
    from robotest.inspection.patchcore import fit_patchcore

    rng = np.random.default_rng(0)

    def surface() -> np.ndarray:
        image = rng.uniform(0.3, 0.7, (64, 64)).astype(np.float32)
        image[::16] = image[1::16] = 0.5  # flat mortar lines
        image[:, ::16] = image[:, 1::16] = 0.5
        return image

    normal = np.stack([surface() for _ in range(12)])[:, None]
    smudged = surface()
    smudged[20:36, 20:36] = cv2.GaussianBlur(smudged, (0, 0), 2.0)[20:36, 20:36]
    scores = {}
    for weight in (0.0, 11.0):
        with mock.patch("robotest.inspection.patchcore.SHARPNESS_WEIGHT", weight or 1e-6):
            scorer = fit_patchcore(normal, blur=1.0, seed=0, bank_size=500)
            good = scorer.raw_maps(np.stack([surface()])[:, None])[0].max()
            spot = scorer.raw_maps(smudged[None, None])[0][20:36, 20:36].max()
        scores[weight] = spot / good
    assert scores[11.0] > 2 * scores[0.0], scores


def test_a_model_file_from_before_the_sharpness_channel_loads_without_it(
    knn_model: Path,
) -> None:
    from robotest.inspection.patchcore import load_patchcore

    state = torch.load(knn_model / "weights.pt", weights_only=True)
    assert "knn_sharpness" in state
    older = {k: v for k, v in state.items() if k != "knn_sharpness"}
    assert not load_patchcore(older, channels=1, blur=1.0).net.sharpness
    assert load_patchcore(state, channels=1, blur=1.0).net.sharpness


def _lattice(rng: np.random.Generator, side: int = 96) -> np.ndarray:
    """A regular texture (a lattice of bumps, as a weave) with a little sensor noise."""
    yy, xx = np.mgrid[:side, :side].astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, 2)
    bumps = np.sin(xx * np.pi / 3 + phase[0]) * np.sin(yy * np.pi / 3 + phase[1])
    return (0.5 + 0.15 * bumps + rng.normal(0, 0.03, (side, side))).astype(np.float32)


def test_a_small_hole_stands_out_on_the_half_grid_only() -> None:
    """A hole 3 pixels across fills a small part of a patch on the quarter grid (the
    descriptors before the fine grid) and is lost among the texture's own variation; on
    the half grid it stands out (the real-surfaces corpus' small holes and thin
    scratches, docs/benchmarks/real-surfaces.md)."""
    from robotest.inspection.patchcore import fit_patchcore

    rng = np.random.default_rng(0)
    normal = np.stack([_lattice(rng) for _ in range(16)])[:, None]
    goods = np.stack([_lattice(rng) for _ in range(6)])[:, None]
    holed = np.stack([_lattice(rng) for _ in range(6)])[:, None]
    for picture in holed:
        cv2.circle(picture[0], (48, 48), 1, 0.2, -1)
    ratios = {}
    for name, grid in (
        ("half", {"coarse": False}),
        ("quarter", {"grid_stage": 1, "depth": 3, "dims": None, "coarse": False}),
    ):
        scorer = fit_patchcore(normal, blur=1.0, seed=0, bank_size=500, **grid)
        good_peak = scorer.raw_maps(goods)[:, 4:-4, 4:-4].max()
        ratios[name] = scorer.raw_maps(holed).max(axis=(1, 2)).min() / good_peak
    assert ratios["half"] > 1.5 and ratios["quarter"] < 1.2, ratios


def test_a_model_file_from_before_the_fine_grid_keeps_the_quarter_grid() -> None:
    """Files saved before the half grid have no ``knn_grid`` (nor a projection): they
    load with three stages on the quarter grid and give the maps they gave."""
    from robotest.inspection.patchcore import fit_patchcore, load_patchcore

    rng = np.random.default_rng(1)
    normal = np.stack([_lattice(rng, 64) for _ in range(8)])[:, None]
    test = np.stack([_lattice(rng, 64)])[:, None]
    coarse = fit_patchcore(
        normal, blur=1.0, seed=0, bank_size=200, grid_stage=1, depth=3, dims=None, coarse=False
    )
    older = {k: v for k, v in torch_state(coarse).items() if k != "knn_grid"}
    loaded = load_patchcore(older, channels=1, blur=1.0)
    assert (loaded.net.grid_stage, loaded.net.depth) == (1, 3)
    assert np.allclose(loaded.raw_maps(test), coarse.raw_maps(test), atol=1e-5)
    fine = fit_patchcore(normal, blur=1.0, seed=0, bank_size=200)
    again = load_patchcore(torch_state(fine), channels=1, blur=1.0)
    assert (again.net.grid_stage, again.net.depth) == (0, 2)
    assert again.params["bank"].shape[1] == again.params["projection"].shape[1] == 32
    assert np.allclose(again.raw_maps(test), fine.raw_maps(test), atol=1e-5)


def torch_state(scorer: object) -> dict[str, torch.Tensor]:
    """A scorer's state as the model file stores it (tensors)."""
    return {
        k: torch.as_tensor(np.asarray(v))
        for k, v in scorer.state().items()  # type: ignore[attr-defined]
    }


def _strokes(
    rng: np.random.Generator, side: int = 96, turned: tuple[int, int] | None = None
) -> np.ndarray:
    """A fibrous texture (short dark strokes, near vertical, as grass blades); within 14
    pixels of *turned* the strokes lie near horizontal."""
    picture = np.full((side, side), 0.5, np.float32)
    for _ in range(220):
        x, y = rng.uniform(0, side, 2)
        angle = np.pi / 2 + rng.normal(0, 0.12)
        if turned is not None and max(abs(x - turned[0]), abs(y - turned[1])) < 14:
            angle = rng.normal(0, 0.12)
        step = 5 * np.array([np.cos(angle), np.sin(angle)])
        start = tuple(int(v) for v in np.array([x, y]) - step)
        end = tuple(int(v) for v in np.array([x, y]) + step)
        cv2.line(picture, start, end, float(rng.uniform(0.2, 0.35)), 1)
    return picture + rng.normal(0, 0.02, picture.shape).astype(np.float32)


def test_turned_strokes_stand_out_with_the_gabor_channels_only() -> None:
    """A patch of a fibrous texture whose strokes lie the other way is lost among the
    texture's own variation in the random channels; the Gabor energy channels (one per
    orientation) see it (issue 22: the orientation channels chosen on a fainter-defect
    proxy of the tuning classes, docs/benchmarks/real-surfaces.md)."""
    from robotest.inspection.patchcore import fit_patchcore

    rng = np.random.default_rng(0)
    normal = np.stack([_strokes(rng) for _ in range(16)])[:, None]
    goods = np.stack([_strokes(rng) for _ in range(6)])[:, None]
    turned = np.stack([_strokes(rng, turned=(48, 48)) for _ in range(6)])[:, None]
    ratios = {}
    for orientation in ((), (1,)):  # (1,): on the quarter grid, as ``train`` makes it
        scorer = fit_patchcore(normal, blur=1.0, seed=0, bank_size=500, orientation=orientation)
        good_peak = scorer.raw_maps(goods)[:, 4:-4, 4:-4].max()
        ratios[orientation] = (
            scorer.raw_maps(turned)[:, 4:-4, 4:-4].max(axis=(1, 2)).min() / good_peak
        )
    assert ratios[(1,)] > 1.4 and ratios[()] < 1.0, ratios


def test_a_model_file_from_before_the_gabor_channels_loads_without_them() -> None:
    """Files saved before the Gabor channels have no ``knn_orientation``: they load with
    the descriptors they had and give the maps they gave; a new file keeps them."""
    from robotest.inspection.patchcore import fit_patchcore, load_patchcore

    rng = np.random.default_rng(2)
    normal = np.stack([_strokes(rng, 64) for _ in range(8)])[:, None]
    test = np.stack([_strokes(rng, 64, turned=(32, 32))])[:, None]
    before = fit_patchcore(normal, blur=1.0, seed=0, bank_size=200, orientation=())
    state = torch_state(before)
    assert "knn_orientation" not in state
    loaded = load_patchcore(state, channels=1, blur=1.0)
    assert loaded.net.orientation == ()
    assert np.allclose(loaded.raw_maps(test), before.raw_maps(test), atol=1e-5)
    now = fit_patchcore(normal, blur=1.0, seed=0, bank_size=200, orientation=(1,))
    again = load_patchcore(torch_state(now), channels=1, blur=1.0)
    assert again.net.orientation == (1,)
    assert np.allclose(again.raw_maps(test), now.raw_maps(test), atol=1e-5)


def test_bank_spacing_is_wide_where_the_bank_is_sparse_and_one_at_its_median() -> None:
    """A bank row's spacing is its mean distance to its nearest rows over the bank's
    median (a typical row is 1); rows scattered far apart have a much wider spacing than
    a dense cluster's; power 0 is no spacing at all."""
    from robotest.inspection.patchcore import bank_spacing

    rng = np.random.default_rng(0)
    dense = rng.normal(0, 0.1, (60, 4))
    sparse = rng.normal(0, 5.0, (20, 4)) + 20.0
    bank = torch.from_numpy(np.concatenate([dense, sparse]).astype(np.float32))
    spacing = bank_spacing(bank, 3, 1.0).numpy()
    assert spacing[60:].min() > 10.0 * spacing[:60].max()
    assert np.median(spacing) == pytest.approx(1.0, rel=0.05)
    rooted = bank_spacing(bank, 3, 0.5).numpy()
    assert np.allclose(rooted, np.sqrt(spacing), rtol=1e-4)
    assert np.allclose(bank_spacing(bank, 3, 0.0).numpy(), 1.0)


def test_a_patch_off_a_tight_cluster_outranks_one_as_far_off_a_scattered_one() -> None:
    """Issue 22 (the LOF-like distance): normal patches of a varied texture scatter,
    so a new normal patch lies far from its nearest bank row; a tight cluster's rows
    (a plain, even surface) have no normal patch far from them. At the same distance,
    a patch off the tight cluster is the anomaly; the plain distance ties them."""
    from robotest.inspection.patchcore import PatchCoreScorer, RandomFeatures, bank_spacing

    rng = np.random.default_rng(1)
    dense = rng.normal(0, 0.01, (50, 2))
    sparse = np.array([[20.0 + 4 * i, 20.0 + 3 * (i % 3)] for i in range(12)])
    bank = torch.from_numpy(np.concatenate([dense, sparse]).astype(np.float32))
    off_plain = np.array([[1.5, 0.0]], np.float32)  # 1.5 from the tight cluster
    off_varied = (sparse[5] + [0.0, 1.5]).astype(np.float32)[None]  # 1.5 from a scattered row
    queries = torch.from_numpy(np.concatenate([off_plain, off_varied]))
    distances = {}
    for power in (0.0, 0.5):
        params = {"bank": bank.numpy(), "spacing": bank_spacing(bank, 3, power).numpy()}
        scorer = PatchCoreScorer(RandomFeatures(1), params, 0.0)
        distances[power] = scorer.branch_distances("", queries).numpy()
    assert distances[0.0][0] == pytest.approx(distances[0.0][1], rel=0.05)
    assert distances[0.5][0] > 2.0 * distances[0.5][1]


def test_a_model_file_from_before_the_spacing_scores_plain_distances(
    knn_model: Path,
) -> None:
    """Files saved before the spacing have no ``knn_spacing``: they load and score each
    patch by its plain distance, as they did, and so does ``train`` by default (the
    spacing is off, :data:`patchcore.SPACING_POWER`); asked for, it is stored and a file
    round-trips it."""
    from robotest.inspection.patchcore import fit_patchcore, load_patchcore

    state = torch.load(knn_model / "weights.pt", weights_only=True)
    assert not {"knn_spacing", "knn_coarse_spacing"} & set(state)
    rng = np.random.default_rng(3)
    normal = np.stack([_strokes(rng, 64) for _ in range(8)])[:, None]
    test = np.stack([_strokes(rng, 64, turned=(32, 32))])[:, None]
    before = fit_patchcore(normal, blur=1.0, seed=0, bank_size=200, orientation=(1,))
    assert "knn_spacing" not in torch_state(before)
    loaded = load_patchcore(torch_state(before), channels=1, blur=1.0)
    assert np.allclose(loaded.raw_maps(test), before.raw_maps(test), atol=1e-5)
    now = fit_patchcore(
        normal, blur=1.0, seed=0, bank_size=200, orientation=(1,), spacing_power=0.5
    )
    again = load_patchcore(torch_state(now), channels=1, blur=1.0)
    assert "spacing" in again.params
    assert np.allclose(again.raw_maps(test), now.raw_maps(test), atol=1e-5)
    assert not np.allclose(now.raw_maps(test), before.raw_maps(test), atol=1e-3)


def test_evaluation_counts_the_good_units_it_fails(knn_model: Path, tiny_dataset: Path) -> None:
    """``evaluate`` reports the good test images judged "fail" (false rejects), the count
    the real-surfaces benchmark prints beside the AUROC (issue 22: a change that fails
    good units is not one to keep, whatever its AUROC)."""
    from robotest.inspection.dataset import open_dataset
    from robotest.inspection.evaluation import evaluate

    model = load_model(knn_model)
    data = open_dataset(tiny_dataset)
    goods = [item.path for item in data.test if not item.defective]
    failed = sum(model.inspect(path).verdict == "fail" for path in goods)
    assert evaluate(model, data).good_failed == failed
    with mock.patch.object(model.acceptance, "decide", return_value=("fail", [])):
        assert evaluate(model, data).good_failed == len(goods) == 3


def test_train_stores_each_branchs_spacing_when_asked(tiny_dataset: Path, tmp_path: Path) -> None:
    """``TrainOptions(knn_spacing=0.5)`` stores both branches' spacing (each branch's units
    computed with it) and the saved model scores as the trained one."""
    from robotest.inspection.dataset import open_dataset
    from robotest.inspection.training import TrainOptions, train

    options = TrainOptions(kind="knn", work_size=64, knn_spacing=0.5, progress=False)
    model = train(open_dataset(tiny_dataset), options)
    assert {"spacing", "coarse_spacing"} <= set(model.scorer.params)  # type: ignore[attr-defined]
    again = load_model(model.save(tmp_path / "spaced"))
    image = tiny_dataset / "test" / "hole" / "000.png"
    assert again.inspect(image).score == pytest.approx(model.inspect(image).score, rel=1e-5)


def test_with_the_contrast_option_a_unit_shot_with_more_contrast_looks_the_same() -> None:
    """``contrast``: the random channels see the picture over its own spread, so a unit
    photographed with 10 % more contrast (the real-surfaces units vary by +-8 %) gives
    the same random descriptors; with the fixed 0.2 (the default) it does not."""
    rng = np.random.default_rng(5)
    unit = torch.from_numpy(_strokes(rng, 64)[None, None])
    stronger = (unit - unit.mean()) * 1.1 + unit.mean()
    plain, spread = RandomFeatures(1, seed=2), RandomFeatures(1, seed=2, contrast=True)
    random_channels = slice(0, 32 + 64)  # the sharpness channel, last, sees raw pixels
    with torch.inference_mode():
        same = spread(stronger)[:, random_channels], spread(unit)[:, random_channels]
        moved = plain(stronger)[:, random_channels] - plain(unit)[:, random_channels]
        size = float(plain(unit)[:, random_channels].abs().max())
    assert torch.allclose(*same, rtol=0.01, atol=1e-3)
    assert float(moved.abs().max()) > 0.05 * size


def test_the_contrast_option_is_off_by_default_and_round_trips_in_the_file(
    knn_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    """Files saved without it (every file ``train`` writes by default) have no
    ``knn_contrast`` and load with the fixed spread; ``TrainOptions(knn_contrast=True)``
    stores it and the saved model scores as the trained one."""
    from robotest.inspection.dataset import open_dataset
    from robotest.inspection.training import TrainOptions, train

    state = torch.load(knn_model / "weights.pt", weights_only=True)
    assert "knn_contrast" not in state
    assert not load_model(knn_model).scorer.net.contrast  # type: ignore[attr-defined]
    options = TrainOptions(kind="knn", work_size=64, knn_contrast=True, progress=False)
    model = train(open_dataset(tiny_dataset), options)
    assert model.scorer.net.contrast  # type: ignore[attr-defined]
    again = load_model(model.save(tmp_path / "contrast"))
    assert again.scorer.net.contrast  # type: ignore[attr-defined]
    image = tiny_dataset / "test" / "hole" / "000.png"
    assert again.inspect(image).score == pytest.approx(model.inspect(image).score, rel=1e-5)
