"""Nearest-neighbour patch scoring (``knn``, PatchCore-style) on features that need no
downloaded weights.

Pretrained backbones cannot be downloaded on the line PCs. A small convolutional network
with *random* weights (fixed seed, stored in the model file) still makes useful
multi-scale patch descriptors: three stages at 1/2, 1/4 and 1/8 of the working size,
pooled to the 1/4 grid and averaged over a 3 x 3 neighbourhood. Every normal picture's
patches are standardised and a greedy k-centre coreset of them is kept as the memory
bank; a patch's anomaly is its distance to the nearest bank patch. The map is upsampled
to the working size and Gaussian-smoothed; the image score is its maximum.

PyTorch does the convolutions and the distance matrices; the coreset loop is written out
here (scikit-learn has no k-centre greedy selection), a few lines of matrix products.
"""

from __future__ import annotations

from typing import Any, Literal

import cv2
import numpy as np
import torch

STAGE_CHANNELS = (32, 64, 64)
GRID_STAGE = 1  # descriptors on the grid of this stage (1: a quarter of the working size)
BANK_SIZE = 2000  # patches kept in the memory bank
SAMPLED_PATCHES = 30000  # coreset candidates drawn from the normal pictures
CHUNK = 4096  # query patches per distance matrix
SHARPNESS_WEIGHT = 11.0
"""How much the sharpness descriptor counts against the random channels (a multiple of
its standardised value): tuned on the tuning class only."""
_LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])[None, None]


class RandomFeatures(torch.nn.Module):
    """Three random convolution stages (ReLU, 2 x 2 average pooling after each).

    *padding* ``reflect`` (the default) continues the texture past the picture's edge;
    ``zeros`` (models saved before it) makes every edge patch look unlike the inside,
    so a good picture's highest score sat on its border.
    """

    def __init__(
        self,
        channels: int,
        seed: int = 0,
        padding: Literal["reflect", "zeros"] = "reflect",
        sharpness: bool = True,
    ):
        super().__init__()
        self.sharpness = sharpness
        generator = torch.Generator().manual_seed(seed)
        widths = (channels, *STAGE_CHANNELS)
        self.stages = torch.nn.ModuleList()
        for i, (inputs, outputs) in enumerate(zip(widths, widths[1:], strict=False)):
            conv = torch.nn.Conv2d(
                inputs,
                outputs,
                5 if i == 0 else 3,
                padding=2 if i == 0 else 1,
                padding_mode=padding,
            )
            torch.nn.init.kaiming_normal_(conv.weight, generator=generator)
            assert conv.bias is not None
            torch.nn.init.zeros_(conv.bias)
            self.stages.append(torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.AvgPool2d(2)))
        self.eval()

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """``N x C x S x S`` -> ``N x D x S/4 x S/4`` patch descriptors."""
        x = (pixels - pixels.mean(dim=(2, 3), keepdim=True)) / 0.2  # lighting offsets out
        outputs = []
        for stage in self.stages:
            x = stage(x)
            outputs.append(x)
        grid = outputs[GRID_STAGE].shape[-2:]
        resized = [_resize(o, grid) for o in outputs]
        if self.sharpness:
            resized.append(_resize(sharpness(pixels), grid))
        return torch.nn.functional.avg_pool2d(torch.cat(resized, 1), 3, 1, 1)


def sharpness(pixels: torch.Tensor) -> torch.Tensor:
    """``N x 1 x S x S``: the log of the grey picture's local Laplacian magnitude.

    A smudge (a blurred spot) takes the fine detail out of the surface while keeping
    its colour; random features see such a spot as the surface's own flat parts (a
    brick wall's mortar), this channel does not.
    """
    grey = pixels.mean(dim=1, keepdim=True)
    padded = torch.nn.functional.pad(grey, (1, 1, 1, 1), mode="reflect")
    return torch.log(torch.nn.functional.conv2d(padded, _LAPLACIAN).abs() + 1e-3)


def _resize(maps: torch.Tensor, grid: torch.Size) -> torch.Tensor:
    if maps.shape[-1] >= grid[-1]:
        return torch.nn.functional.adaptive_avg_pool2d(maps, (int(grid[-2]), int(grid[-1])))
    return torch.nn.functional.interpolate(maps, size=grid, mode="bilinear", align_corners=False)


class PatchCoreScorer:
    """Distance of every patch to its nearest neighbour in a memory bank of normal patches."""

    kind = "knn"

    def __init__(self, net: RandomFeatures, params: dict[str, np.ndarray], blur: float):
        self.net = net.eval()
        self.params = {k: torch.from_numpy(np.asarray(v, np.float32)) for k, v in params.items()}
        self.blur = blur

    def patches(self, batch: np.ndarray) -> torch.Tensor:
        """Standardised descriptors, ``N x h x w x D``."""
        with torch.inference_mode():
            features = self.net(torch.from_numpy(np.ascontiguousarray(batch, np.float32)))
            features = features.permute(0, 2, 3, 1)
            return (features - self.params["feature_mean"]) / self.params["feature_std"]

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        patches = self.patches(batch)
        n, h, w, d = patches.shape
        distances = nearest_distances(patches.reshape(-1, d), self.params["bank"])
        with torch.inference_mode():
            maps = torch.nn.functional.interpolate(
                distances.reshape(n, 1, h, w),
                size=batch.shape[-2:],
                mode="bilinear",
                align_corners=False,
            )[:, 0].numpy()
        if self.blur > 0:
            maps = np.stack([cv2.GaussianBlur(m, (0, 0), self.blur) for m in maps])
        return maps.astype(np.float32)

    def state(self) -> dict[str, Any]:
        return {**self.net.state_dict(), **{f"knn_{k}": v for k, v in self.params.items()}}


def nearest_distances(queries: torch.Tensor, bank: torch.Tensor) -> torch.Tensor:
    """Euclidean distance of every query row to its nearest bank row."""
    with torch.inference_mode():
        parts = [
            torch.cdist(queries[i : i + CHUNK], bank).min(dim=1).values
            for i in range(0, len(queries), CHUNK)
        ]
        return torch.cat(parts)


def greedy_coreset(vectors: torch.Tensor, size: int, seed: int) -> torch.Tensor:
    """Indices of *size* rows chosen by k-centre greedy selection (each new row is the one
    farthest from those chosen), on a random projection to at most 64 dimensions."""
    if size >= len(vectors):
        return torch.arange(len(vectors))
    generator = torch.Generator().manual_seed(seed)
    dims = vectors.shape[1]
    z = vectors @ torch.randn(dims, 64, generator=generator) / 8.0 if dims > 64 else vectors
    squared = (z * z).sum(dim=1)
    chosen = [int(torch.randint(len(z), (1,), generator=generator))]
    nearest = squared - 2 * z @ z[chosen[0]] + squared[chosen[0]]
    for _ in range(size - 1):
        index = int(torch.argmax(nearest))
        chosen.append(index)
        nearest = torch.minimum(nearest, squared - 2 * z @ z[index] + squared[index])
    return torch.tensor(chosen)


def fit_patchcore(
    batch: np.ndarray, blur: float, seed: int, bank_size: int = BANK_SIZE
) -> PatchCoreScorer:
    """Build the memory bank from the normal pictures *batch* (``N x C x S x S``)."""
    net = RandomFeatures(batch.shape[1], seed, padding="reflect", sharpness=True)
    with torch.inference_mode():
        features = torch.cat(
            [
                net(torch.from_numpy(np.ascontiguousarray(batch[i : i + 8])))
                for i in range(0, len(batch), 8)
            ]
        )
        vectors = features.permute(0, 2, 3, 1).reshape(-1, features.shape[1])
        mean, std = vectors.mean(dim=0), vectors.std(dim=0)
        # a channel (almost) never active on normal pictures must not blow a small
        # activation up into a huge distance: its spread is floored at a tenth of the
        # typical channel's
        std = torch.clamp(std, min=float(std.median()) * 0.1 + 1e-6)
        std[-1] /= SHARPNESS_WEIGHT  # the sharpness channel, last
        rng = np.random.default_rng(seed)
        sample = torch.from_numpy(
            rng.choice(len(vectors), min(len(vectors), SAMPLED_PATCHES), replace=False)
        )
        candidates = (vectors[sample] - mean) / std
        bank = candidates[greedy_coreset(candidates, bank_size, seed)]
    params = {
        "feature_mean": mean.numpy(),
        "feature_std": std.numpy(),
        "bank": bank.numpy(),
        "reflect": np.ones(1, np.float32),  # the padding the model file was made with
        "sharpness": np.ones(1, np.float32),  # the model file has the sharpness channel
    }
    return PatchCoreScorer(net, params, blur)


def load_patchcore(state: dict[str, torch.Tensor], channels: int, blur: float) -> PatchCoreScorer:
    """The scorer saved by :meth:`PatchCoreScorer.state`."""
    params = {k.removeprefix("knn_"): v.numpy() for k, v in state.items() if k.startswith("knn_")}
    net = RandomFeatures(
        channels,
        padding="reflect" if "reflect" in params else "zeros",
        sharpness="sharpness" in params,
    )
    net.load_state_dict({k: v for k, v in state.items() if not k.startswith("knn_")})
    return PatchCoreScorer(net, params, blur)
