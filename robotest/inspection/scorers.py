"""Scorers turn a batch of prepared images into anomaly maps at the working size.

* ``ae``: a convolutional autoencoder; the map is the error of its reconstruction.
* ``mean``: the naive baseline; the "reconstruction" is the mean normal image.
* ``gmm``: feature statistics; the map is how unlikely each pixel's filter-bank
  vector is under a Gaussian mixture of the normal pictures' vectors.
* ``cnn``: a supervised classifier; the map is its Grad-CAM heat map weighted by the
  probability of a defect, already in threshold units (1.0 at probability 0.5).

Raw maps of ``ae``, ``gmm`` and ``mean`` are divided by the threshold δ by the model.
"""

from __future__ import annotations

from typing import Any, Protocol

import cv2
import numpy as np
import torch

from robotest.inspection.errormap import error_map
from robotest.inspection.gradcam import grad_cam
from robotest.inspection.networks import ConvAutoencoder, SmallCnn
from robotest.inspection.texture import texture_features


class Scorer(Protocol):
    kind: str

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        """``N x C x S x S`` in [0, 1] -> ``N x S x S`` anomaly maps."""

    def state(self) -> dict[str, Any]:
        """Tensors to save."""


class AutoencoderScorer:
    """Reconstructs standardised texture features (see ``texture``) at half the working
    size and compares them with the image's own at the full working size."""

    kind = "ae"

    def __init__(
        self,
        net: ConvAutoencoder,
        error: str,
        blur: float,
        feature_mean: np.ndarray,
        feature_std: np.ndarray,
    ):
        self.net, self.error, self.blur = net.eval(), error, blur
        self.feature_mean = feature_mean.astype(np.float32)
        self.feature_std = feature_std.astype(np.float32)

    def features(self, batch: np.ndarray) -> np.ndarray:
        """Standardised texture features at the working size."""
        return (texture_features(batch) - self.feature_mean) / self.feature_std

    def reconstruct(self, features: np.ndarray) -> np.ndarray:
        """The autoencoder's version of *features*, upsampled back to their size."""
        with torch.inference_mode():
            x = torch.from_numpy(downsample(features))
            y = torch.nn.functional.interpolate(
                self.net(x), size=features.shape[-2:], mode="bilinear", align_corners=False
            )
            return y.numpy()

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        features = self.features(batch)
        recon = self.reconstruct(features)
        return np.stack(
            [error_map(x, r, self.error, self.blur) for x, r in zip(features, recon, strict=True)]
        )

    def state(self) -> dict[str, Any]:
        return {
            **self.net.state_dict(),
            "feature_mean": torch.from_numpy(self.feature_mean),
            "feature_std": torch.from_numpy(self.feature_std),
        }


def downsample(features: np.ndarray) -> np.ndarray:
    """Halve the side of ``N x C x S x S`` maps by averaging 2x2 blocks (the AE's input)."""
    n, c, h, w = features.shape
    return np.ascontiguousarray(
        features.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5)), dtype=np.float32
    )


class MeanImageScorer:
    kind = "mean"

    def __init__(self, mean: np.ndarray, error: str, blur: float):
        self.mean, self.error, self.blur = mean.astype(np.float32), error, blur

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        return np.stack([error_map(x, self.mean, self.error, self.blur) for x in batch])

    def state(self) -> dict[str, Any]:
        return {"mean": torch.from_numpy(self.mean)}


class CnnScorer:
    kind = "cnn"

    def __init__(self, net: SmallCnn):
        self.net = net.eval()

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return torch.sigmoid(self.net(torch.from_numpy(batch))).numpy()

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        cams, probs = grad_cam(self.net, batch)
        return (cams * 2.0 * probs[:, None, None]).astype(np.float32)

    def state(self) -> dict[str, Any]:
        return dict(self.net.state_dict())


class GaussianMixtureScorer:
    """Feature statistics: how unlikely each pixel's filter-bank vector (``filterbank``)
    is under a Gaussian mixture fitted to the normal pictures' vectors.

    The map is the negative log-likelihood above ``baseline`` (the median over normal
    pixels), smoothed by ``blur``; normal texture scores near zero, a defect high.
    The mixture is fitted with scikit-learn; scoring is written out here (a few matrix
    products) so that the model file holds tensors only, not a pickled estimator.
    """

    kind = "gmm"

    def __init__(self, params: dict[str, np.ndarray], blur: float):
        self.params = {k: np.asarray(v, np.float32) for k, v in params.items()}
        self.blur = blur

    def features(self, batch: np.ndarray) -> np.ndarray:
        """Standardised filter-bank vectors, ``N x S x S x D``."""
        from robotest.inspection.filterbank import filter_bank

        raw = filter_bank(batch).transpose(0, 2, 3, 1)
        return (raw - self.params["feature_mean"]) / self.params["feature_std"]

    def negative_log_likelihood(self, vectors: np.ndarray) -> np.ndarray:
        """``M x D`` standardised vectors -> ``M`` negative log-likelihoods."""
        x = torch.from_numpy(np.ascontiguousarray(vectors, np.float32))
        means = torch.from_numpy(self.params["means"])
        chol = torch.from_numpy(self.params["precisions_cholesky"])
        log_weights = torch.from_numpy(self.params["log_weights"])
        log_det = torch.log(torch.diagonal(chol, dim1=1, dim2=2)).sum(dim=1)
        with torch.inference_mode():
            parts = []
            for k in range(means.shape[0]):
                y = x @ chol[k] - means[k] @ chol[k]
                parts.append(-0.5 * (y * y).sum(dim=1) + log_det[k] + log_weights[k])
            log_p = torch.logsumexp(torch.stack(parts, dim=1), dim=1)
        return (-log_p).numpy()

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        vectors = self.features(batch)
        n, h, w, d = vectors.shape
        nll = self.negative_log_likelihood(vectors.reshape(-1, d)).reshape(n, h, w)
        maps = np.maximum(nll - float(self.params["baseline"]), 0.0).astype(np.float32)
        if self.blur > 0:
            maps = np.stack([cv2.GaussianBlur(m, (0, 0), self.blur) for m in maps])
        return maps

    def state(self) -> dict[str, Any]:
        return {k: torch.from_numpy(v) for k, v in self.params.items()}


def fit_gaussian_mixture(
    batch: np.ndarray, components: int, blur: float, seed: int, samples: int = 60000
) -> GaussianMixtureScorer:
    """Fit the mixture on at most *samples* pixel vectors of the normal *batch*."""
    from sklearn.mixture import GaussianMixture

    from robotest.inspection.filterbank import filter_bank

    bank = filter_bank(batch)
    raw = bank.transpose(0, 2, 3, 1).reshape(-1, bank.shape[1])
    rng = np.random.default_rng(seed)
    sample = raw[rng.choice(len(raw), size=min(samples, len(raw)), replace=False)]
    mean, std = sample.mean(axis=0), sample.std(axis=0) + 1e-6
    standard = (sample - mean) / std
    mixture = GaussianMixture(
        components, covariance_type="full", reg_covar=1e-3, max_iter=200, random_state=seed
    ).fit(standard)
    params = {
        "feature_mean": mean,
        "feature_std": std,
        "means": mixture.means_,
        "precisions_cholesky": mixture.precisions_cholesky_,
        "log_weights": np.log(mixture.weights_),
        "baseline": np.zeros(()),
    }
    scorer = GaussianMixtureScorer(params, blur)
    nll = scorer.negative_log_likelihood(standard)
    scorer.params["baseline"] = np.asarray(np.median(nll), np.float32)
    return scorer
