"""A trained inspection model: preprocessing, scorer, threshold and acceptance, saved together.

A model folder holds ``model.json`` (everything a person or a registry reads: kind,
threshold δ, input size, ROI, versions of code and data, training metrics),
``weights.pt`` (the network's tensors, loaded with ``weights_only``) and, when the
acceptance SVM was trained, ``acceptance.joblib``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from robotest.inspection.acceptance import Acceptance
from robotest.inspection.errors import InspectionError, ModelFileError
from robotest.inspection.features import image_features
from robotest.inspection.images import read_image
from robotest.inspection.regions import find_boxes, find_peak_boxes
from robotest.inspection.roi import Roi
from robotest.inspection.scorers import Scorer
from robotest.inspection.verdict import Box, Verdict

FORMAT = 1
MODEL_KINDS = ("ae", "knn", "gmm", "cnn", "mean")


@dataclass
class ModelMeta:
    """Everything about a model except its tensors (``model.json``)."""

    kind: str
    input_size: list[int]
    channels: int
    roi: list[int]
    work_size: int
    threshold: float
    min_area: int
    error: str = "squared"
    blur: float = 1.0
    border: int = 2
    box_level: float = 0.4
    merge: int = 13
    score_blur: float = 0.0
    """Image score: 0 (files saved before it) the map's maximum; > 0 the maximum of the
    map smoothed by a Gaussian of this sigma (working pixels), boxes by
    :func:`find_peak_boxes`."""
    score_scale: float = 1.0  # smoothed score of the highest held-back normal picture
    score_level: float = 0.0
    """The smoothed map (image score and box scores) is measured from this multiple of
    the picture's own level, the median of its map: 0 in files saved before it (from
    zero). A unit whose whole surface lies a little off the normal pictures (lighting,
    a coarser patch of the material) raises its map everywhere, which is not a defect."""
    score_power: float = 1.0
    """With the smoothed score, the image score pools the map raised to this power (below
    1: a defect's area counts more than its peak) with a Gaussian of ``score_power_blur``,
    in units of the highest held-back normal picture's (``score_power_scale``); the boxes
    keep the smoothed map. 1 (files saved before it): the smoothed map's maximum."""
    score_power_blur: float = 0.0
    score_power_scale: float = 1.0
    score_local: float = 0.0
    """With the smoothed score, above 0: the image score is the maximum of the map measured
    against its own neighbourhood (:func:`local_contrast`: less the Gaussian mean of this
    sigma, over the spread there, at least ``score_local_floor`` of the picture's), smoothed
    by a Gaussian of ``score_local_blur``, in units of the highest held-back normal
    picture's (``score_local_scale``); the boxes keep the smoothed map. 0 (files saved
    before it): off."""
    score_local_blur: float = 0.0
    score_local_floor: float = 0.5
    score_local_scale: float = 1.0
    box_low: float = 1.0  # candidate regions grow down to this level (threshold units)
    box_floor: float = 0.0
    """The map's level on normal surface (median of the held-back normal maps, threshold
    units): candidate boxes are cut at ``box_level`` of the height above it. 0 in files
    saved before it (cut at ``box_level`` x the peak)."""
    box_level_strong: float | None = None
    """The cut level for strong peaks (``regions.STRONG_PEAK``); None (files saved
    before it): ``box_level`` for every peak."""
    fine_detail: int = 1
    """``knn``: the picture is prepared at this multiple of the working size (the half
    grid's sharpness channel is taken there, ``patchcore.FINE_DETAIL``); the maps stay at
    the working size. 1 in files saved before it."""
    network: dict[str, Any] = field(default_factory=dict)
    augmentation: dict[str, bool] = field(default_factory=dict)
    acceptance: dict[str, Any] = field(default_factory=dict)
    code_version: str = ""
    data_version: str = ""
    dataset: str = ""
    trained_at: str = ""
    train_seconds: float = 0.0
    train_images: int = 0
    holdout_images: int = 0
    format: int = FORMAT


@dataclass
class Analysis:
    """One image's anomaly map (working size, threshold units), boxes and score."""

    anomaly: np.ndarray
    boxes: list[Box]
    score: float
    features: np.ndarray
    candidates: list[Box] = field(default_factory=list)
    """Every scored box, those under 1.0 too: what evaluation ranks (box AP)."""


class InspectionModel:
    """Analyse images and judge them; see :func:`load_model` and ``training``."""

    def __init__(self, meta: ModelMeta, scorer: Scorer, acceptance: Acceptance):
        self.meta, self.scorer, self.acceptance = meta, scorer, acceptance
        self.roi = Roi.checked(meta.roi)

    @property
    def version(self) -> str:
        """A short identifier: kind, data fingerprint and training time."""
        return f"{self.meta.kind}-{self.meta.data_version[-8:]}-{self.meta.trained_at}"

    # -- images -----------------------------------------------------------------
    def read(self, path: str | Path) -> np.ndarray:
        """Read an image as this model needs it; wrong size or unreadable is an error."""
        width, height = self.meta.input_size
        return read_image(path, channels=self.meta.channels, size=(width, height))

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """Image (H x W x C) -> ROI crop resized to the working size, C x S x S (times
        ``fine_detail``: the scorer takes the working size from it)."""
        width, height = self.meta.input_size
        if (image.shape[1], image.shape[0]) != (width, height):
            raise InspectionError(
                f"image is {image.shape[1]}x{image.shape[0]}, the model expects {width}x{height}"
            )
        side = self.meta.work_size * self.meta.fine_detail
        crop = cv2.resize(self.roi.crop(image), (side, side), interpolation=cv2.INTER_AREA)
        return crop.reshape(side, side, -1).transpose(2, 0, 1).copy()

    # -- analysis ---------------------------------------------------------------
    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        """The scorer's maps with the outer ``border`` pixels zeroed.

        Convolutions and local statistics see only half a window at the edge of the
        picture; an ROI with a small margin round the product keeps defects inside.
        """
        maps = self.scorer.raw_maps(batch)
        b = self.meta.border
        if b > 0:
            maps[:, :b], maps[:, -b:], maps[:, :, :b], maps[:, :, -b:] = 0, 0, 0, 0
        return maps

    def analyse_prepared(self, batch: np.ndarray) -> list[Analysis]:
        """Analyse a prepared batch ``N x C x S x S``."""
        maps = self.raw_maps(batch) / self.meta.threshold
        roi_area = self.roi.w * self.roi.h
        out = []
        for anomaly in maps:
            if self.meta.score_blur > 0:
                smoothed = self.smoothed(anomaly)
                candidates = self._peak_boxes(anomaly, smoothed)
                boxes = [box for box in candidates if box.score >= 1.0]
                score = self.image_score(anomaly, smoothed)
            else:
                boxes = candidates = self._threshold_boxes(anomaly)
                score = float(anomaly.max())
            out.append(
                Analysis(
                    anomaly, boxes, score, image_features(anomaly, boxes, roi_area), candidates
                )
            )
        return out

    def smoothed(self, anomaly: np.ndarray) -> np.ndarray:
        """The map (threshold units) smoothed at the defect scale, in image-score units.

        The maximum of one pixel is where a good picture's texture gets lucky; a defect
        raises the map over an area, which the smoothing keeps and a lone pixel loses.
        """
        blurred = cv2.GaussianBlur(anomaly, (0, 0), self.meta.score_blur)
        if self.meta.score_level > 0:
            blurred = blurred - self.meta.score_level * float(np.median(anomaly))
        return np.asarray(blurred / self.meta.score_scale, np.float32)

    def image_score(self, anomaly: np.ndarray, smoothed: np.ndarray) -> float:
        """The smoothed map's maximum; with ``score_local`` the map against its
        neighbourhood (:meth:`localised`), with ``score_power`` other than 1 the pooled
        power of the map (:meth:`powered`), each over its scale."""
        if self.meta.score_local > 0:
            return self.localised(anomaly) / self.meta.score_local_scale
        if self.meta.score_power == 1.0:
            return float(smoothed.max())
        return self.powered(anomaly) / self.meta.score_power_scale

    def localised(self, anomaly: np.ndarray) -> float:
        """The maximum of :func:`local_contrast` of the map smoothed by a Gaussian of
        ``score_local_blur``. A fine texture's good picture peaks where its whole
        neighbourhood is busy; a thin scratch or small hole raises a calm one."""
        contrast = local_contrast(anomaly, self.meta.score_local, self.meta.score_local_floor)
        return float(cv2.GaussianBlur(contrast, (0, 0), self.meta.score_local_blur).max())

    def powered(self, anomaly: np.ndarray) -> float:
        """The maximum of the map (threshold units, negatives as 0) to ``score_power``,
        smoothed by a Gaussian of ``score_power_blur``: a generalised mean over the
        Gaussian's window. A thin scratch or small hole raises the map a little over a
        few pixels, a good picture's stray patch more at one: under 1 the power weighs
        the few pixels up against the one."""
        powered = np.maximum(anomaly, 0.0) ** self.meta.score_power
        return float(cv2.GaussianBlur(powered, (0, 0), self.meta.score_power_blur).max())

    def _scale(self) -> tuple[tuple[float, float], float]:
        """(working pixel -> image pixel scale, min_area in working pixels)."""
        side = self.meta.work_size
        scale = (self.roi.w / side, self.roi.h / side)
        return scale, self.meta.min_area / (scale[0] * scale[1])

    def _threshold_boxes(self, anomaly: np.ndarray) -> list[Box]:
        scale, min_area = self._scale()
        return find_boxes(
            anomaly,
            min_area=min_area,
            scale=scale,
            box_level=self.meta.box_level,
            merge=self.meta.merge,
            offset=(self.roi.x, self.roi.y),
        )

    def _peak_boxes(self, anomaly: np.ndarray, smoothed: np.ndarray) -> list[Box]:
        scale, min_area = self._scale()
        return find_peak_boxes(
            anomaly,
            smoothed,
            min_area=min_area,
            low=self.meta.box_low,
            box_level=self.meta.box_level,
            merge=self.meta.merge,
            scale=scale,
            offset=(self.roi.x, self.roi.y),
            floor=self.meta.box_floor,
            strong_level=self.meta.box_level_strong,
        )

    def analyse(self, images: list[np.ndarray], batch_size: int = 16) -> list[Analysis]:
        out: list[Analysis] = []
        for start in range(0, len(images), batch_size):
            batch = np.stack([self.prepare(im) for im in images[start : start + batch_size]])
            out.extend(self.analyse_prepared(batch))
        return out

    def judge(self, analysis: Analysis, image: str | None = None) -> Verdict:
        verdict, reasons = self.acceptance.decide(
            analysis.features, analysis.boxes, self.meta.min_area
        )
        return Verdict(verdict, analysis.score, analysis.boxes, reasons, image, self.version)

    def inspect(self, image: str | Path | np.ndarray) -> Verdict:
        """Judge one image (a path or an H x W x C float array in [0, 1])."""
        name = None if isinstance(image, np.ndarray) else str(image)
        pixels = image if isinstance(image, np.ndarray) else self.read(image)
        return self.judge(self.analyse([pixels])[0], name)

    def full_map(self, analysis: Analysis) -> np.ndarray:
        """The anomaly map at the image's size (zero outside the ROI), threshold units."""
        width, height = self.meta.input_size
        full = np.zeros((height, width), np.float32)
        full[self.roi.y : self.roi.y + self.roi.h, self.roi.x : self.roi.x + self.roi.w] = (
            cv2.resize(analysis.anomaly, (self.roi.w, self.roi.h), interpolation=cv2.INTER_LINEAR)
        )
        return full

    # -- files ------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        import joblib
        import torch

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        self.meta.acceptance = self.acceptance.describe()
        torch.save(self.scorer.state(), out / "weights.pt")
        accept_file = out / "acceptance.joblib"
        if self.acceptance.svm is not None:
            joblib.dump(self.acceptance.svm, accept_file)
        elif accept_file.exists():
            accept_file.unlink()
        (out / "model.json").write_text(
            json.dumps({**asdict(self.meta), "version": self.version}, indent=2) + "\n"
        )
        return out


def local_contrast(anomaly: np.ndarray, sigma: float, floor: float) -> np.ndarray:
    """The map less its Gaussian-weighted mean of *sigma* round each pixel, over the
    standard deviation there (at least *floor* times the whole map's, so a flat stretch of
    the surface does not blow a small rise up)."""
    values = anomaly.astype(np.float32)
    mean = cv2.GaussianBlur(values, (0, 0), sigma)
    square = cv2.GaussianBlur(values * values, (0, 0), sigma)
    spread = np.sqrt(np.maximum(square - mean * mean, 0.0))
    spread = np.maximum(spread, max(floor * float(values.std()), 1e-12))
    return np.asarray((values - mean) / spread, np.float32)


def map_to_png(full_map: np.ndarray) -> np.ndarray:
    """8-bit map: 0 = no error, 128 = the segmentation threshold, 255 = twice it or more."""
    return np.clip(full_map * 128.0, 0, 255).astype(np.uint8)


def load_model(folder: str | Path) -> InspectionModel:
    """Load a model folder written by :meth:`InspectionModel.save`."""
    import torch

    from robotest.inspection.networks import ConvAutoencoder, SmallCnn
    from robotest.inspection.scorers import (
        AutoencoderScorer,
        CnnScorer,
        GaussianMixtureScorer,
        MeanImageScorer,
    )

    base = Path(folder)
    meta_file, weights_file = base / "model.json", base / "weights.pt"
    if not base.is_dir():
        raise ModelFileError(f"model folder {base} does not exist")
    if not meta_file.is_file() or not weights_file.is_file():
        raise ModelFileError(f"{base} is not a model folder (no model.json or weights.pt)")
    try:
        data = json.loads(meta_file.read_text())
        data.pop("version", None)
        meta = ModelMeta(**data)
    except (json.JSONDecodeError, TypeError) as exc:
        raise ModelFileError(f"{meta_file} is not a valid model description: {exc}") from None
    if meta.format != FORMAT or meta.kind not in MODEL_KINDS:
        raise ModelFileError(f"{meta_file}: unknown model format {meta.format} / kind {meta.kind}")
    state = torch.load(weights_file, weights_only=True)
    scorer: Scorer
    if meta.kind == "ae":
        feature_mean = state.pop("feature_mean").numpy()
        feature_std = state.pop("feature_std").numpy()
        net = ConvAutoencoder(**meta.network)
        net.load_state_dict(state)
        scorer = AutoencoderScorer(net, meta.error, meta.blur, feature_mean, feature_std)
    elif meta.kind == "knn":
        from robotest.inspection.patchcore import load_patchcore

        scorer = load_patchcore(state, meta.channels, meta.blur)
    elif meta.kind == "gmm":
        scorer = GaussianMixtureScorer({k: v.numpy() for k, v in state.items()}, meta.blur)
    elif meta.kind == "cnn":
        cnn = SmallCnn(**meta.network)
        cnn.load_state_dict(state)
        scorer = CnnScorer(cnn)
    else:
        scorer = MeanImageScorer(state["mean"].numpy(), meta.error, meta.blur)
    acceptance = Acceptance(threshold=float(meta.acceptance.get("threshold", 0.0)))
    accept_file = base / "acceptance.joblib"
    if meta.acceptance.get("kind") == "svm":
        import joblib

        acceptance.svm = joblib.load(accept_file)
    return InspectionModel(meta, scorer, acceptance)
