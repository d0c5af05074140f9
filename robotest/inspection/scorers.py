"""Scorers turn a batch of prepared images into anomaly maps at the working size.

* ``ae``: a convolutional autoencoder; the map is the error of its reconstruction.
* ``mean``: the naive baseline; the "reconstruction" is the mean normal image.
* ``cnn``: a supervised classifier; the map is its Grad-CAM heat map weighted by the
  probability of a defect, already in threshold units (1.0 at probability 0.5).

Raw maps of ``ae`` and ``mean`` are divided by the threshold δ by the model.
"""

from __future__ import annotations

from typing import Any, Protocol

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

    def __init__(self, net: ConvAutoencoder, error: str, blur: float,
                 feature_mean: np.ndarray, feature_std: np.ndarray):
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
            y = torch.nn.functional.interpolate(self.net(x), size=features.shape[-2:],
                                                mode="bilinear", align_corners=False)
            return y.numpy()

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        features = self.features(batch)
        recon = self.reconstruct(features)
        return np.stack([error_map(x, r, self.error, self.blur)
                         for x, r in zip(features, recon, strict=True)])

    def state(self) -> dict[str, Any]:
        return {**self.net.state_dict(), "feature_mean": torch.from_numpy(self.feature_mean),
                "feature_std": torch.from_numpy(self.feature_std)}


def downsample(features: np.ndarray) -> np.ndarray:
    """Halve the side of ``N x C x S x S`` maps by averaging 2x2 blocks (the AE's input)."""
    n, c, h, w = features.shape
    return np.ascontiguousarray(
        features.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5)), dtype=np.float32)


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
