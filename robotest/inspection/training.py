"""Training: normal images in, a saved-ready :class:`InspectionModel` out.

The training images are split into a fitting set and a held-out set of normal images;
the network learns on the first, and the segmentation threshold δ is set on the second
as the smallest value at which no held-out image has ``min_area`` pixels above it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from robotest.inspection.acceptance import Acceptance
from robotest.inspection.augment import Augmentation
from robotest.inspection.dataset import Dataset
from robotest.inspection.errormap import ERROR_KINDS
from robotest.inspection.errors import InspectionError
from robotest.inspection.images import image_channels, read_image
from robotest.inspection.model import MODEL_KINDS, InspectionModel, ModelMeta
from robotest.inspection.progress import TrainingProgress
from robotest.inspection.roi import Roi, find_roi
from robotest.inspection.scorers import (
    AutoencoderScorer,
    CnnScorer,
    MeanImageScorer,
    Scorer,
    fit_gaussian_mixture,
)
from robotest.inspection.threads import configure_torch
from robotest.inspection.versions import code_version, data_version

DEFAULT_EPOCHS = {"ae": 30, "knn": 0, "gmm": 0, "cnn": 30, "mean": 0}
SMOOTHED_BOXES = {"box_low": 0.6, "box_level": 0.5, "box_level_strong": 0.6, "merge": 9}
"""Candidate boxes with the smoothed score (see ``regions.find_peak_boxes``): regions
above 0.6 of the threshold cut at half their height above the normal maps' floor (60 %
for strong peaks), pieces closer than 9 working pixels joined; chosen on the
real-surfaces benchmark's tuning classes (brick, bark, granite), the strong level
also on the synthetic benchmark (``docs/benchmarks/real-surfaces.md``)."""
FINE_GRID_BOXES = {"box_low": 0.4, "box_level": 0.35, "box_level_strong": 0.55, "merge": 5}
"""The same for ``knn`` with the half grid (``knn_grid`` 0), whose map is sharper: regions
above 0.4, cut at 35 % of the height above the floor (55 % for strong peaks), pieces
closer than 5 working pixels joined; chosen on the same tuning classes, the fainter-defect
tuning proxy and the synthetic set together (``box_diagnosis.py``, at IoU 0.3 and 0.5;
docs/benchmarks/real-surfaces.md, 2026-12-06 05:50). Regions grow from 0.4, not 0.5: on a
surface whose normal maps lie low (granite's floor is 0.33 of the threshold), a faint
defect peaks at 0.45-0.6, and a picture whose map never reached 0.5 had no box at all."""

KNN_SCORE_LEVEL = 0.0
"""``knn``'s smoothed score is measured from zero unless asked
(``TrainOptions.score_level``). Measured from the picture's own map median (1.0), the
tuning classes' image AUROC rose (0.972 -> 0.978) but the held-out classes' barely
(0.967 -> 0.969), and bark's score unit fell from 0.649 to 0.020 map units: 4 of its 25
good pictures then failed (0 before). A verdict that flips on so small a margin is not
one to ship by default (docs/benchmarks/real-surfaces.md, stop 35)."""

SCORE_POWER = 1.0
"""``knn``'s image score is the smoothed map's maximum unless asked
(``TrainOptions.score_power``). With 0.5 at sigma 6 (:data:`POWER_BLUR_SHARE`) it rose on
every tuning proxy (docs/benchmarks/real-surfaces.md, branch surf49)."""
POWER_BLUR_SHARE = 0.75
"""With a score power, its pooling's sigma as a share of the smoothed score's (6 of 8
working pixels at 128)."""

SCORE_LOCAL = True
"""``knn``'s image score is the map measured against its own neighbourhood
(``model.local_contrast``, ``TrainOptions.score_local``), not the smoothed map's maximum:
it rose on every tuning proxy and on every held-out class (docs/benchmarks/real-surfaces.md,
branch surf50, and stop 50's default run)."""
LOCAL_SHARE = 3.0
"""With the local score, its neighbourhood's sigma as a multiple of the smoothed score's
(24 working pixels at 128); its pooling's sigma is :data:`POWER_BLUR_SHARE` of it (6)."""
LOCAL_FLOOR = 0.5
"""With the local score, the least spread a neighbourhood is measured in: this share of
the whole map's standard deviation."""


@dataclass
class TrainOptions:
    """Training choices; ``None`` means the product's settings or the default."""

    kind: str = "knn"  # on real photographed surfaces: image AUROC 0.97 held out, ae 0.67
    work_size: int = 128
    epochs: int | None = None
    batch_size: int = 16
    learning_rate: float = 2e-3
    holdout: float = 0.2
    min_area: int | None = None
    error: str = "squared"
    blur: float = 1.0
    margin: float = 1.0
    border: int = 2
    merge: int | None = None  # default 13, or SMOOTHED_BOXES' with the smoothed score
    score_blur: float | None = None
    """Sigma (working pixels) of the smoothed image score; None: a sixteenth of the
    working size for ``knn``, 0 (the map's maximum) for the others."""
    score_level: float | None = None
    """With the smoothed score: the multiple of the picture's own map median it is measured
    from (``ModelMeta.score_level``); None: :data:`KNN_SCORE_LEVEL` for ``knn``, 0 else."""
    score_power: float | None = None
    """With the smoothed score: the power of the map the image score pools
    (``ModelMeta.score_power``); None: :data:`SCORE_POWER`, 1 (off)."""
    score_power_blur: float | None = None
    """Sigma (working pixels) of that pooling; None: :data:`POWER_BLUR_SHARE` of the
    score's sigma."""
    score_local: bool | None = None
    """With the smoothed score: the image score from the map against its own
    neighbourhood (``ModelMeta.score_local``); None: :data:`SCORE_LOCAL` (on) for ``knn``,
    but off with a ``score_power`` other than 1; True with such a power is refused."""
    roi: str | list[int] | None = None
    augmentation: Augmentation | None = None
    accept_threshold: float = 0.0
    network: dict[str, Any] = field(default_factory=dict)
    components: int = 8  # gmm: Gaussians in the mixture
    knn_grid: int = 0
    """knn: descriptors on the grid of this stage (0: half the working size, 1: a
    quarter, as files saved before the fine grid)."""
    knn_depth: int = 2  # knn: the stages whose outputs make a descriptor (3 before)
    knn_dims: int | None = 32  # knn: principal axes kept of a descriptor (None: all)
    knn_bank: int = 2000  # knn: patches in the memory bank
    knn_coarse: bool = True  # knn: the quarter grid as a second branch of the map
    knn_orientation: tuple[int, ...] = (1,)
    """knn: the grids (0 half, 1 quarter) whose descriptors have Gabor energy channels (the
    quarter grid's: on the half grid they widen a thin scratch's box,
    docs/benchmarks/real-surfaces.md)."""
    knn_spacing: float | None = None
    """knn: the power of the nearest bank row's spacing a distance is divided by (0: not,
    the plain distance; None: ``patchcore.SPACING_POWER``, 0)."""
    knn_contrast: bool | None = None
    """knn: the random channels see each picture over its own grey-level spread (None:
    ``patchcore.CONTRAST``, off)."""
    knn_detail: int | None = None
    """knn: the sharpness channel's median window in working pixels (1: each pixel's own,
    as files saved before it; None: ``patchcore.DETAIL_WINDOW``, 3)."""
    knn_fine_detail: int | None = None
    """knn: the half grid's sharpness channel taken at this multiple of the working size
    where the ROI has it (1: at the working size, as files saved before it; None:
    ``patchcore.FINE_DETAIL``, 1: off, it lost held out)."""
    init_from: InspectionModel | None = None  # fine-tune: start from this autoencoder's weights
    seed: int = 0
    threads: int | None = None
    progress: bool = True


def train(dataset: Dataset, options: TrainOptions | None = None) -> InspectionModel:
    """Train a model of ``options.kind`` on *dataset*; raise InspectionError on bad data."""
    import torch

    opts = options or TrainOptions()
    _check_options(opts)
    configure_torch(opts.threads)
    torch.manual_seed(opts.seed)
    rng = np.random.default_rng(opts.seed)
    started = time.perf_counter()

    if len(dataset.train_good) < 2:
        raise InspectionError(
            f"{dataset.root / 'train' / 'good'} has {len(dataset.train_good)} "
            "image(s): the model needs at least 2 normal images"
        )
    channels = image_channels(dataset.train_good[0])
    first = read_image(dataset.train_good[0], channels=channels)
    size = (first.shape[1], first.shape[0])
    normals = [read_image(p, channels=channels, size=size) for p in dataset.train_good]
    roi = _choose_roi(opts.roi if opts.roi is not None else dataset.settings.roi, normals, size)
    augmentation = opts.augmentation or dataset.settings.augmentation
    area = roi.w * roi.h
    min_area = opts.min_area if opts.min_area is not None else max(1, area // 2000)

    meta = ModelMeta(
        kind=opts.kind,
        input_size=list(size),
        channels=channels,
        roi=roi.as_list(),
        work_size=opts.work_size,
        threshold=1.0,
        min_area=min_area,
        error=opts.error,
        blur=opts.blur,
        border=0 if opts.kind == "cnn" else opts.border,
        merge=13,
        fine_detail=_fine_detail(opts, roi),
        augmentation=augmentation.as_dict(),
    )
    _choose_scoring(meta, opts)
    shell = InspectionModel(meta, MeanImageScorer(np.zeros(1), opts.error, opts.blur), Acceptance())
    prepared = np.stack([shell.prepare(im) for im in normals])
    order = rng.permutation(len(prepared))
    n_hold = max(1, int(round(opts.holdout * len(prepared))))
    held, fit = prepared[order[:n_hold]], prepared[order[n_hold:]]
    epochs = opts.epochs if opts.epochs is not None else DEFAULT_EPOCHS[opts.kind]

    scorer: Scorer
    if opts.kind == "ae":
        scorer = _train_autoencoder(fit, channels, epochs, opts, augmentation, rng)
    elif opts.kind == "knn":
        from robotest.inspection.patchcore import fit_patchcore

        scorer = fit_patchcore(
            fit,
            opts.blur,
            opts.seed,
            bank_size=opts.knn_bank,
            grid_stage=opts.knn_grid,
            depth=opts.knn_depth,
            dims=opts.knn_dims,
            coarse=opts.knn_coarse,
            orientation=opts.knn_orientation,
            spacing_power=_spacing_power(opts),
            contrast=_contrast(opts),
            detail_window=_detail_window(opts),
            fine_detail=meta.fine_detail,
        )
    elif opts.kind == "gmm":
        scorer = fit_gaussian_mixture(fit, opts.components, opts.blur, opts.seed)
    elif opts.kind == "mean":
        scorer = MeanImageScorer(fit.mean(axis=0), opts.error, opts.blur)
    else:
        if not dataset.train_defective:
            raise InspectionError(
                f"{dataset.root / 'train'} has no labelled defective images "
                "(train/<defect_type>/): the cnn model needs at least one"
            )
        defects = np.stack(
            [
                shell.prepare(read_image(p, channels=channels, size=size))
                for p in dataset.train_defective
            ]
        )
        scorer = _train_cnn(fit, defects, channels, epochs, opts, augmentation, rng)
        meta.error = "gradcam"

    model = InspectionModel(meta, scorer, Acceptance())
    if opts.kind != "cnn":
        side = opts.work_size
        k = max(1, int(np.ceil(min_area * (side / roi.w) * (side / roi.h))))
        raw = model.raw_maps(held)
        kth = [float(np.partition(m.ravel(), -k)[-k]) for m in raw]
        meta.threshold = max(max(kth) * opts.margin, 1e-12)
        if meta.score_blur > 0:
            peaks = [float(model.smoothed(m / meta.threshold).max()) for m in raw]
            meta.score_scale = max(max(peaks) * opts.margin, 1e-12)
            if meta.score_power != 1.0:
                meta.score_power_scale = _unit(model.powered, raw, meta.threshold, opts.margin)
            if meta.score_local > 0:
                meta.score_local_scale = _unit(model.localised, raw, meta.threshold, opts.margin)
            meta.box_floor = float(np.median(raw)) / meta.threshold
    if dataset.acceptance:
        judged = [read_image(p, channels=channels, size=size) for p, _ in dataset.acceptance]
        features = np.stack([a.features for a in model.analyse(judged)])
        passed = np.array([ok for _, ok in dataset.acceptance])
        model.acceptance = Acceptance.fit(features, passed, opts.accept_threshold)

    files = dataset.train_good + dataset.train_defective + [p for p, _ in dataset.acceptance]
    meta.network = dict(getattr(getattr(scorer, "net", None), "args", {}))
    meta.code_version = code_version()
    meta.data_version = data_version(files, dataset.root)
    meta.dataset = str(dataset.root)
    meta.trained_at = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta.train_seconds = round(time.perf_counter() - started, 2)
    meta.train_images, meta.holdout_images = len(fit), len(held)
    meta.acceptance = model.acceptance.describe()
    return model


def _contrast(opts: TrainOptions) -> bool:
    from robotest.inspection.patchcore import CONTRAST

    return CONTRAST if opts.knn_contrast is None else opts.knn_contrast


def _detail_window(opts: TrainOptions) -> int:
    from robotest.inspection.patchcore import DETAIL_WINDOW

    return DETAIL_WINDOW if opts.knn_detail is None else opts.knn_detail


def _fine_detail(opts: TrainOptions, roi: Roi) -> int:
    """``knn``'s ``fine_detail``: the option (None: ``patchcore.FINE_DETAIL``) where the
    ROI is at least that multiple of the working size, else 1 (no finer picture to take
    the channel on); 1 for the other kinds."""
    from robotest.inspection.patchcore import FINE_DETAIL

    if opts.kind != "knn":
        return 1
    wanted = FINE_DETAIL if opts.knn_fine_detail is None else opts.knn_fine_detail
    return wanted if min(roi.w, roi.h) >= wanted * opts.work_size else 1


def _spacing_power(opts: TrainOptions) -> float:
    from robotest.inspection.patchcore import SPACING_POWER

    return SPACING_POWER if opts.knn_spacing is None else opts.knn_spacing


def _check_options(opts: TrainOptions) -> None:
    if opts.kind not in MODEL_KINDS:
        raise InspectionError(f"unknown model {opts.kind!r}, known: {', '.join(MODEL_KINDS)}")
    if opts.error not in ERROR_KINDS:
        raise InspectionError(f"unknown error map {opts.error!r}, known: {', '.join(ERROR_KINDS)}")
    if opts.work_size < 16 or opts.work_size % 16:
        raise InspectionError(f"work size must be a multiple of 16, got {opts.work_size}")
    if opts.knn_fine_detail is not None and opts.knn_fine_detail < 1:
        raise InspectionError(f"knn_fine_detail must be at least 1, got {opts.knn_fine_detail}")
    if opts.score_power is not None and opts.score_power <= 0:
        raise InspectionError(f"score_power must be above 0, got {opts.score_power}")
    if opts.score_power_blur is not None and opts.score_power_blur <= 0:
        raise InspectionError(f"score_power_blur must be above 0, got {opts.score_power_blur}")
    if opts.init_from is not None and (opts.kind, opts.init_from.meta.kind) != ("ae", "ae"):
        # only an autoencoder has weights to start from; the others are refitted whole
        raise InspectionError("only an autoencoder (ae) model can be fine-tuned")


def _choose_scoring(meta: ModelMeta, opts: TrainOptions) -> None:
    """The image score and box settings: smoothed (``knn`` by default) or the map's peak."""
    blur = opts.score_blur
    if blur is None:
        blur = opts.work_size / 16 if opts.kind == "knn" else 0.0
    if blur <= 0 and opts.score_local:
        raise InspectionError("score_local measures the smoothed map: it needs score_blur > 0")
    if blur > 0:
        boxes = FINE_GRID_BOXES if (opts.kind, opts.knn_grid) == ("knn", 0) else SMOOTHED_BOXES
        meta.score_blur = blur
        level = opts.score_level
        meta.score_level = (
            (KNN_SCORE_LEVEL if opts.kind == "knn" else 0.0) if level is None else level
        )
        power = SCORE_POWER if opts.score_power is None else opts.score_power
        meta.score_power = power
        if power != 1.0:
            sigma = opts.score_power_blur
            meta.score_power_blur = blur * POWER_BLUR_SHARE if sigma is None else sigma
        if _score_local(opts, power):
            meta.score_local = blur * LOCAL_SHARE
            meta.score_local_blur = blur * POWER_BLUR_SHARE
            meta.score_local_floor = LOCAL_FLOOR
        meta.box_low = boxes["box_low"]
        meta.box_level = boxes["box_level"]
        meta.box_level_strong = boxes["box_level_strong"]
        meta.merge = int(boxes["merge"])
    if opts.merge is not None:
        meta.merge = opts.merge


def _unit(
    score: Callable[[np.ndarray], float], maps: np.ndarray, threshold: float, margin: float
) -> float:
    """An image score's unit: its highest value on the held-back normal *maps* (N x H x W,
    taken in threshold units), times *margin*."""
    return max(max(score(m / threshold) for m in maps) * margin, 1e-12)


def _score_local(opts: TrainOptions, power: float) -> bool:
    """Whether the image score is the local one: the option, else :data:`SCORE_LOCAL` for
    ``knn`` (the kind it was measured on) unless a score power other than 1 was asked;
    both asked is an error."""
    if opts.score_local is None:
        return SCORE_LOCAL and power == 1.0 and opts.kind == "knn"
    if opts.score_local and power != 1.0:
        raise InspectionError("score_local and a score_power other than 1 exclude each other")
    return opts.score_local


def _choose_roi(
    spec: str | list[int] | None, images: list[np.ndarray], size: tuple[int, int]
) -> Roi:
    if spec is None:
        return Roi.full(*size)
    if spec == "auto":
        return find_roi(images)
    roi = Roi.parse(spec) if isinstance(spec, str) else Roi.checked(spec)
    roi.fits(*size)
    return roi


def _augmented(
    batch: np.ndarray, augmentation: Augmentation, rng: np.random.Generator
) -> np.ndarray:
    return np.stack(
        [
            augmentation.apply(x.transpose(1, 2, 0), rng)
            .reshape(x.shape[1], x.shape[2], -1)
            .transpose(2, 0, 1)
            for x in batch
        ]
    )


def _train_autoencoder(
    fit: np.ndarray,
    channels: int,
    epochs: int,
    opts: TrainOptions,
    augmentation: Augmentation,
    rng: np.random.Generator,
) -> Scorer:
    import torch

    from robotest.inspection.networks import ConvAutoencoder
    from robotest.inspection.scorers import downsample
    from robotest.inspection.texture import FEATURES_PER_CHANNEL, texture_features

    initial = opts.init_from.scorer if opts.init_from is not None else None
    if isinstance(initial, AutoencoderScorer):  # fine-tune: keep its weights and standardisation
        mean, std = initial.feature_mean, initial.feature_std
        net = copy.deepcopy(initial.net)
    else:
        raw = texture_features(fit)
        mean = raw.mean(axis=(0, 2, 3), keepdims=True)[0]
        std = raw.std(axis=(0, 2, 3), keepdims=True)[0] + 1e-6
        net = ConvAutoencoder(**{"channels": channels * FEATURES_PER_CHANNEL, **opts.network})
    optimiser = torch.optim.Adam(net.parameters(), lr=opts.learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, max(1, epochs))
    with TrainingProgress("autoencoder", epochs, opts.progress) as bar:
        for _ in range(epochs):
            net.train()
            losses = []
            order = rng.permutation(len(fit))
            for start in range(0, len(fit), opts.batch_size):
                pixels = _augmented(fit[order[start : start + opts.batch_size]], augmentation, rng)
                x = torch.from_numpy(downsample((texture_features(pixels) - mean) / std))
                loss = torch.nn.functional.mse_loss(net(x), x)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses.append(loss.item())
            schedule.step()
            bar.advance(float(np.mean(losses)))
    return AutoencoderScorer(net, opts.error, opts.blur, mean, std)


def _train_cnn(
    normals: np.ndarray,
    defects: np.ndarray,
    channels: int,
    epochs: int,
    opts: TrainOptions,
    augmentation: Augmentation,
    rng: np.random.Generator,
) -> Scorer:
    import torch

    from robotest.inspection.networks import SmallCnn

    args = {"channels": channels, **opts.network}
    net = SmallCnn(**args)
    optimiser = torch.optim.Adam(net.parameters(), lr=opts.learning_rate)
    strong = Augmentation(perspective=True, colour=True, noise=True, flip=True)
    half = max(1, opts.batch_size // 2)
    with TrainingProgress("cnn", epochs, opts.progress) as bar:
        for _ in range(epochs):
            net.train()
            losses = []
            for _ in range(max(1, len(normals) // half)):
                good = _augmented(normals[rng.integers(0, len(normals), half)], augmentation, rng)
                bad = _augmented(defects[rng.integers(0, len(defects), half)], strong, rng)
                x = torch.from_numpy(np.concatenate([good, bad]))
                y = torch.cat([torch.zeros(half), torch.ones(half)])
                loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x), y)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses.append(loss.item())
            bar.advance(float(np.mean(losses)))
    return CnnScorer(net)
