"""Scorers tried against ``knn`` on the real-surfaces corpus's tuning classes (issue 22).

Every alternative reuses the trained ``knn`` model's random multi-scale patch
descriptors (``robotest.inspection.patchcore``) and its image score and boxes (the
smoothed maximum, candidate boxes); only the anomaly map changes, so the figures compare
the map makers alone. Each map is calibrated as ``train`` does (threshold on the
held-back normal pictures, then the smoothed score's scale), then evaluated with
``evaluate``:

* ``gauss``: one Gaussian of all normal patches, position-free (a texture has no
  positions), the map is the Mahalanobis distance (PaDiM's score; the covariance shrunk
  by 1 % of its mean variance); ``gauss-s10``: shrunk by 10 %; ``gauss-r100``: 100
  random feature dimensions (PaDiM's random subset);
* ``perpos``: PaDiM proper, one Gaussian per grid position (shrinkage 5 %);
* ``disc``: DRAEM's discriminative idea without its reconstruction network: a small
  convolutional head on the descriptors, trained to segment synthetic anomalies pasted
  into the normal training pictures (Perlin-like masks filled with another picture
  turned and recontrasted, a blurred copy, a flat grey or noise), the map is its
  probability;
* ``mix-mean`` / ``mix-max`` / ``mix-w25``: ``knn``'s and ``disc``'s maps in threshold
  units, averaged, their maximum, or 0.75 ``knn`` + 0.25 ``disc``.

Nothing here is a production model; the winner would become one.

    nice -n 10 python3 benchmarks/real_surfaces/alternatives.py --root /tmp/rs6
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from robotest.inspection.dataset import Dataset, open_dataset  # noqa: E402
from robotest.inspection.evaluation import Evaluation, evaluate  # noqa: E402
from robotest.inspection.images import read_image  # noqa: E402
from robotest.inspection.model import InspectionModel  # noqa: E402
from robotest.inspection.patchcore import PatchCoreScorer  # noqa: E402
from robotest.inspection.scorers import Scorer  # noqa: E402
from robotest.inspection.training import TrainOptions, train  # noqa: E402

TUNING = ("brick", "bark", "granite")
Distance = Callable[[torch.Tensor], torch.Tensor]
"""``N x h x w x D`` standardised descriptors -> ``N x h x w`` anomaly."""


def fit_and_held(model: InspectionModel, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The prepared fitting and held-back normal pictures, split as ``train`` splits them."""
    normals = [read_image(p, channels=model.meta.channels) for p in data.train_good]
    prepared = np.stack([model.prepare(im) for im in normals])
    order = np.random.default_rng(0).permutation(len(prepared))
    n_hold = max(1, int(round(0.2 * len(prepared))))
    return prepared[order[n_hold:]], prepared[order[:n_hold]]


def with_scorer(model: InspectionModel, scorer: Scorer, held: np.ndarray) -> InspectionModel:
    """*model* with another map maker, calibrated on *held* as ``train`` does."""
    out = copy.copy(model)
    out.meta = meta = copy.deepcopy(model.meta)
    out.scorer = scorer
    side = meta.work_size
    k = max(1, int(np.ceil(meta.min_area * (side / out.roi.w) * (side / out.roi.h))))
    raw = out.raw_maps(held)
    meta.threshold = max(float(np.partition(m.ravel(), -k)[-k]) for m in raw)
    meta.score_scale = 1.0
    meta.score_scale = max(float(out.smoothed(m / meta.threshold).max()) for m in raw)
    return out


def upsampled(grid: torch.Tensor, side: int, blur: float) -> np.ndarray:
    """``N x h x w`` grid scores -> ``N x side x side`` maps, smoothed as ``knn``'s."""
    with torch.inference_mode():
        maps = torch.nn.functional.interpolate(
            grid[:, None].float(), size=(side, side), mode="bilinear", align_corners=False
        )[:, 0].numpy()
    return np.stack([cv2.GaussianBlur(m, (0, 0), blur) for m in maps]).astype(np.float32)


class DescriptorScorer:
    """A map from ``knn``'s descriptors by another distance."""

    kind = "knn"

    def __init__(self, knn: PatchCoreScorer, distance: Distance):
        self.knn, self.distance = knn, distance

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            grid = self.distance(self.knn.patches(batch))
        return upsampled(grid, batch.shape[-1], self.knn.blur)

    def state(self) -> dict[str, object]:
        return {}


def gaussian(patches: torch.Tensor, shrink: float, dims: int | None = None) -> Distance:
    """Mahalanobis distance to one Gaussian of every normal patch (position-free)."""
    d = patches.shape[-1]
    keep = torch.arange(d)
    if dims is not None:
        keep = torch.from_numpy(np.random.default_rng(0).choice(d, dims, replace=False))
    vectors = patches.reshape(-1, d)[:, keep].double()
    mean = vectors.mean(0)
    cov = torch.cov(vectors.T)
    cov += shrink * torch.trace(cov) / len(cov) * torch.eye(len(cov), dtype=cov.dtype)
    whiten = torch.linalg.cholesky(torch.linalg.inv(cov)).float()
    mean32 = mean.float()

    def distance(queries: torch.Tensor) -> torch.Tensor:
        y = (queries[..., keep] - mean32) @ whiten
        return (y * y).sum(-1).sqrt()

    return distance


def per_position(patches: torch.Tensor, shrink: float) -> Distance:
    """PaDiM: Mahalanobis distance to the Gaussian of the patches at the same position."""
    n, h, w, d = patches.shape
    vectors = patches.double().reshape(n, h * w, d).transpose(0, 1)
    mean = vectors.mean(1)
    centred = vectors - mean[:, None]
    cov = centred.transpose(1, 2) @ centred / (n - 1)
    spread = torch.diagonal(cov, dim1=1, dim2=2).mean(1)
    cov += shrink * spread[:, None, None] * torch.eye(d, dtype=cov.dtype)
    whiten = torch.linalg.cholesky(torch.linalg.inv(cov)).float()
    mean32 = mean.float()

    def distance(queries: torch.Tensor) -> torch.Tensor:
        q = queries.reshape(len(queries), h * w, d).transpose(0, 1) - mean32[:, None]
        y = q @ whiten
        return (y * y).sum(-1).sqrt().transpose(0, 1).reshape(-1, h, w)

    return distance


def perlin_mask(side: int, rng: np.random.Generator) -> np.ndarray:
    """A blob mask as DRAEM draws them: smooth noise (a random grid, cubic upsampling,
    turned) above one of its high quantiles."""
    mask = np.zeros((side, side), bool)
    while mask.sum() <= 8:
        cells = int(rng.choice([2, 4, 8, 16]))
        grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
        noise = cv2.resize(grid, (side, side), interpolation=cv2.INTER_CUBIC)
        turn = cv2.getRotationMatrix2D((side / 2, side / 2), rng.uniform(-90, 90), 1.0)
        noise = cv2.warpAffine(noise, turn, (side, side), borderMode=cv2.BORDER_REFLECT)
        mask = noise > np.quantile(noise, rng.uniform(0.9, 0.99))
    return mask.astype(np.float32)


def synthesise(batch: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Half the pictures get one synthetic anomaly; (pictures, masks)."""
    out = batch.copy()
    masks = np.zeros((len(batch), *batch.shape[2:]), np.float32)
    for i, picture in enumerate(batch):
        if rng.random() < 0.5:
            continue
        mask = perlin_mask(batch.shape[-1], rng)
        kind = int(rng.integers(4))
        if kind == 0:  # foreign texture: another picture, turned and recontrasted
            other = np.rot90(batch[rng.integers(len(batch))], int(rng.integers(1, 4)), (1, 2))
            source = (other - other.mean()) * rng.uniform(0.5, 2.0) + rng.uniform(0.2, 0.8)
        elif kind == 1:  # blurred
            sigma = rng.uniform(1.5, 4.0)
            source = np.stack([cv2.GaussianBlur(p, (0, 0), sigma) for p in picture])
        elif kind == 2:  # flat grey
            source = np.full_like(picture, rng.uniform(0, 1))
        else:  # noise
            source = picture + rng.normal(0, rng.uniform(0.1, 0.3), picture.shape)
        alpha = mask * rng.uniform(0.2, 1.0)
        out[i] = picture * (1 - alpha) + np.clip(source, 0, 1) * alpha
        masks[i] = mask
    return out.astype(np.float32), masks


class DiscriminativeScorer:
    """DRAEM's discriminative half on ``knn``'s descriptors: the probability of an anomaly."""

    kind = "knn"

    def __init__(self, knn: PatchCoreScorer, head: torch.nn.Module):
        self.knn, self.head = knn, head

    def inputs(self, batch: np.ndarray) -> torch.Tensor:
        return self.knn.patches(batch).permute(0, 3, 1, 2).clone()

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            grid = torch.sigmoid(self.head(self.inputs(batch)))[:, 0]
        return upsampled(grid, batch.shape[-1], self.knn.blur)

    def state(self) -> dict[str, object]:
        return {}


def fit_discriminative(knn: PatchCoreScorer, fit: np.ndarray, epochs: int) -> Scorer:
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    width = knn.params["feature_mean"].shape[-1]
    head = torch.nn.Sequential(
        torch.nn.Conv2d(width, 64, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(64, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(32, 1, 1),
    )
    scorer = DiscriminativeScorer(knn, head)
    optimiser = torch.optim.Adam(head.parameters(), lr=1e-3)
    for _ in range(epochs):
        head.train()
        order = rng.permutation(len(fit))
        for start in range(0, len(fit), 16):
            pictures, masks = synthesise(fit[order[start : start + 16]], rng)
            inputs = scorer.inputs(pictures)
            grid = inputs.shape[-1]
            target = torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(masks)[:, None], grid)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                head(inputs), target, pos_weight=torch.tensor(5.0)
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    head.eval()
    return scorer


class MixedScorer:
    """Two calibrated maps in threshold units, combined."""

    kind = "knn"

    def __init__(self, a: InspectionModel, b: InspectionModel, how: str):
        self.a, self.b, self.how = a, b, how

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        x = self.a.scorer.raw_maps(batch) / self.a.meta.threshold
        y = self.b.scorer.raw_maps(batch) / self.b.meta.threshold
        if self.how == "max":
            return np.maximum(x, y)
        weight = 0.25 if self.how == "w25" else 0.5
        return (1 - weight) * x + weight * y

    def state(self) -> dict[str, object]:
        return {}


def variants(data: Dataset, epochs: int) -> dict[str, tuple[InspectionModel, float]]:
    """Every scorer of the module docstring on one class: (calibrated model, fit seconds)."""
    started = time.perf_counter()
    # the quarter-grid model these alternatives were compared with (2026-12-05 21:24)
    knn = train(
        data,
        TrainOptions(
            kind="knn",
            progress=False,
            threads=1,
            knn_grid=1,
            knn_depth=3,
            knn_dims=None,
            knn_coarse=False,
        ),
    )
    out = {"knn": (knn, time.perf_counter() - started)}
    assert isinstance(knn.scorer, PatchCoreScorer)
    fit, held = fit_and_held(knn, data)
    with torch.inference_mode():
        patches = torch.cat([knn.scorer.patches(fit[i : i + 8]) for i in range(0, len(fit), 8)])
    distances: dict[str, Callable[[], Distance]] = {
        "gauss": lambda: gaussian(patches, 0.01),
        "gauss-s10": lambda: gaussian(patches, 0.1),
        "gauss-r100": lambda: gaussian(patches, 0.01, dims=100),
        "perpos": lambda: per_position(patches, 0.05),
    }
    for name, make in distances.items():
        started = time.perf_counter()
        scorer = DescriptorScorer(knn.scorer, make())
        out[name] = (with_scorer(knn, scorer, held), time.perf_counter() - started)
    started = time.perf_counter()
    disc = with_scorer(knn, fit_discriminative(knn.scorer, fit, epochs), held)
    out["disc"] = (disc, time.perf_counter() - started)
    for how in ("mean", "max", "w25"):
        out[f"mix-{how}"] = (with_scorer(knn, MixedScorer(knn, disc, how), held), 0.0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="corpus (build_corpus.py)")
    parser.add_argument("--classes", nargs="+", default=list(TUNING))
    parser.add_argument("--epochs", type=int, default=60, help="disc: training epochs")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    rows = ["| class | scorer | image AUROC | pixel AUROC | box AP@0.3 | fit s | ms/image |"]
    rows.append("|---|---|---|---|---|---|---|")
    figures: dict[str, list[Evaluation]] = {}
    for name in args.classes:
        data = open_dataset(args.root / name)
        for label, (model, seconds) in variants(data, args.epochs).items():
            ev = evaluate(model, data)
            figures.setdefault(label, []).append(ev)
            rows.append(
                f"| {name} | {label} | {ev.image_auroc:.3f} | {ev.pixel_auroc:.3f} | "
                f"{ev.box_ap30:.3f} | {seconds:.0f} | {ev.ms_per_image:.1f} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    for label, evs in figures.items():
        means = [
            statistics.fmean(getattr(e, f) or 0.0 for e in evs)
            for f in ("image_auroc", "pixel_auroc", "box_ap30")
        ]
        rows.append(f"| **mean** | {label} | " + " | ".join(f"{m:.3f}" for m in means) + " | | |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
