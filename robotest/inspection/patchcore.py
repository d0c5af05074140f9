"""Nearest-neighbour patch scoring (``knn``, PatchCore-style) on features that need no
downloaded weights.

Pretrained backbones cannot be downloaded on the line PCs. A small convolutional network
with *random* weights (fixed seed, stored in the model file) still makes useful
multi-scale patch descriptors, averaged over a 3 x 3 neighbourhood, in two branches:
the stages at 1/2 and 1/4 of the working size on the 1/2 grid (projected on their
principal axes), and all three stages (1/2, 1/4, 1/8) on the 1/4 grid (files saved
before the half grid have this branch alone). Beside the random channels, each descriptor
has the picture's sharpness and (files saved since 2026-12-06) its Gabor energy at
:data:`ORIENTATIONS` orientations: a fibrous surface is a texture of oriented strokes
that random channels summarise loosely. For each branch every normal picture's
patches are standardised and a greedy k-centre coreset of them is kept as its memory
bank; a patch's anomaly is its distance to the nearest bank patch, in units of the
branch's median on normal pictures, and the map is the larger of the two branches'
maps, upsampled to the working size and Gaussian-smoothed.

PyTorch does the convolutions and the distance matrices; the coreset loop is written out
here (scikit-learn has no k-centre greedy selection), a few lines of matrix products.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

import cv2
import numpy as np
import torch

STAGE_CHANNELS = (32, 64, 64)
GRID_STAGE = 0
"""Descriptors on the grid of this stage (0: half the working size). Files saved before
it used 1 (a quarter) with all three stages: a thin scratch or a 3-pixel hole filled a
small part of that patch and its image AUROC on the real-surfaces tuning classes was
0.81-0.95; on the half grid, with the two finer stages, 0.99-1.00
(``docs/benchmarks/real-surfaces.md``)."""
DEPTH = 2  # stages whose outputs make the descriptor (the first DEPTH of STAGE_CHANNELS)
DIMS: int | None = 32
"""Descriptors are projected on this many principal axes of the normal patches (None:
not projected, as files saved before the fine grid): the half grid has four times the
patches, and the distance matrix is what an image's time goes to."""
BANK_SIZE = 2000  # patches kept in the memory bank
SAMPLED_PATCHES = 30000  # coreset candidates drawn from the normal pictures
COARSE_BRANCH = True
"""Keep the quarter-grid descriptors as a second branch of the map (their larger
patches see a wide, faint change of the texture that the half grid's do not)."""
CHUNK = 1024  # query patches per distance matrix
SHARPNESS_WEIGHT = 11.0
"""How much the sharpness descriptor counts against the random channels (a multiple of
its standardised value): tuned on the tuning class only."""
ORIENTATIONS = 4
"""Orientations of the Gabor energy channels. A model file lists the grids whose
descriptors have them as ``knn_orientation`` (absent in files saved before: none)."""
GABOR_SIGMA = 2.0  # working pixels
ORIENTATION_WEIGHT = 6.0
"""How much each Gabor energy channel counts against the random channels (a multiple of
its standardised value): chosen on the tuning classes with fainter defects (weights 1.5,
3, 6, 10, 16; docs/benchmarks/real-surfaces.md)."""
SPACING_POWER = 0.0
"""With a power above 0, a patch's distance is divided by its nearest bank row's spacing
(the mean distance of that row to its :data:`SPACING_NEIGHBOURS` nearest bank rows, over
the bank's median spacing) to that power; 0 (the default): the plain distance, as files
saved before it, which have no ``knn_spacing``. Normal surface whose patches are varied
(a speckled or fibrous texture's rare but normal grains) lies in sparse parts of the
bank, where even a normal patch is far from its nearest row; a LOF-like local density
scale (Breunig et al., 2000) keeps those from outscoring a defect on a plain part. At
0.5 it raised the tuning classes' image AUROC (0.972 -> 0.975) and box AP, but held out
it moved image AUROC by 0.001 (grass not at all) and the synthetic set's box AP@0.3 fell
from 0.985 to 0.943, so it is off unless asked (``TrainOptions.knn_spacing``;
docs/benchmarks/real-surfaces.md, branch surf36)."""
SPACING_NEIGHBOURS = 3
CONTRAST = False
"""With True, the random channels see each picture over its own grey-level spread (its
standard deviation) instead of a fixed 0.2: a unit photographed with more or less
contrast (the real-surfaces units vary by +-8 %) has the same random descriptors. On the
tuning side it raised image AUROC on streaked and fainter-defect surfaces (woodgrain
0.976 -> 0.995, fainter-defect brick 0.907 -> 0.954) and lowered it on speckled granite
(0.995 -> 0.971); held out it moved image AUROC 0.967 -> 0.969 (grass 0.894 -> 0.902,
stone and fabric lower) and the synthetic set's box AP@0.3 fell 0.985 -> 0.980: off
unless asked (``TrainOptions.knn_contrast``; a model file made with it lists
``knn_contrast``; docs/benchmarks/real-surfaces.md, branch surf37)."""
DETAIL_WINDOW = 3
"""The sharpness channel is the log of the Laplacian magnitude's median over this many
working pixels square (1: of each pixel's own, as files saved before it, which have no
``knn_detail_window``). A drawn hole or the inside of a crack is a small patch with no
fine detail on a speckled surface whose own dark grains are as dark: pixel by pixel the
Laplacian is large on the hole's rim and at every grain, and its log, averaged over a
patch, hardly tells the two apart; the median of a 3 x 3 window stays near zero only
where the surface has lost its detail (a rim is one pixel wide, a grain is not flat).
With the median the channel is steadier and weighs :data:`MEDIAN_SHARPNESS_SHARE` of
:data:`SHARPNESS_WEIGHT` (6, not 11): chosen on the tuning classes with the non-repeating
quilted granite proxies (weights 6, 11, 18; docs/benchmarks/real-surfaces.md, branch
surf43)."""
MEDIAN_SHARPNESS_SHARE = 6.0 / 11.0
FINE_DETAIL = 1
"""With 2, the half grid's sharpness channel is taken on the picture at twice the working
size, where the picture has it (files saved with it list ``knn_fine_detail``; 1, the
default: at the working size, as files saved before it). Resized to the working size, a
speckled surface's finest grains are averaged away, and a small flat hole or a crack's
inside looks like the surface's own dark, blurred grains; at twice the working size the
3 x 3 median of the Laplacian still sees grain where the surface has it (the quarter
grid keeps the working size's channel: the fine one there lost on the tuning proxies).
On the tuning classes it raised image AUROC 0.953 -> 0.957 and box AP@0.3 0.746 -> 0.777
(quilted granite 0.931 -> 0.944, its contrast copy 0.923 -> 0.952); held out image AUROC
fell 0.976 -> 0.972 (**grass 0.936 -> 0.912**, stone 0.995 -> 0.992; fabric 0.986 ->
0.997) while box AP@0.3 rose 0.839 -> 0.884: off unless asked
(``TrainOptions.knn_fine_detail``; docs/benchmarks/real-surfaces.md, branch surf44)."""
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
        grid_stage: int = GRID_STAGE,
        depth: int = DEPTH,
        orientation: tuple[int, ...] = (),
        contrast: bool = False,
        detail_window: int = 1,
        fine_detail: int = 1,
    ):
        super().__init__()
        self.sharpness = sharpness
        self.detail_window = detail_window
        self.fine_detail = fine_detail
        self.contrast = contrast
        self.orientation = orientation
        self.grid_stage, self.depth = grid_stage, depth
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
        """``N x C x S x S`` -> ``N x D x h x w`` patch descriptors on this net's grid."""
        return self.layouts(pixels, [(self.grid_stage, self.depth)])[0]

    def layouts(self, pixels: torch.Tensor, layouts: list[tuple[int, int]]) -> list[torch.Tensor]:
        """Descriptors for each ``(grid stage, depth)`` in *layouts*, the stages run once.

        With :attr:`fine_detail` above 1, *pixels* are at that multiple of the working size:
        the half grid's sharpness channel is taken on them, everything else on their block
        average at the working size."""
        fine = None
        if self.fine_detail > 1:
            fine = sharpness(pixels, self.detail_window) if self.sharpness else None
            pixels = torch.nn.functional.avg_pool2d(pixels, self.fine_detail)
        x = (pixels - pixels.mean(dim=(2, 3), keepdim=True)) / spread(pixels, self.contrast)
        outputs = []
        for stage in self.stages[: max(depth for _, depth in layouts)]:
            x = stage(x)
            outputs.append(x)
        detail = sharpness(pixels, self.detail_window) if self.sharpness else None
        fibres = orientation_energy(pixels) if self.orientation else None
        out = []
        for grid_stage, depth in layouts:
            grid = outputs[grid_stage].shape[-2:]
            resized = [_resize(o, grid) for o in outputs[:depth]]
            if fibres is not None and grid_stage in self.orientation:
                resized.append(_resize(fibres, grid))
            if detail is not None:
                own = fine if fine is not None and grid_stage == 0 else detail
                resized.append(_resize(own, grid))
            out.append(neighbourhood_mean(torch.cat(resized, 1)))
        return out


def spread(pixels: torch.Tensor, contrast: bool) -> torch.Tensor | float:
    """What the random channels divide the mean-free pixels by: 0.2 (lighting offsets out),
    or with *contrast* each picture's own standard deviation (its contrast out too)."""
    if not contrast:
        return 0.2
    return pixels.std(dim=(1, 2, 3), keepdim=True) + 1e-3


def sharpness(pixels: torch.Tensor, window: int = 1) -> torch.Tensor:
    """``N x 1 x S x S``: the log of the grey picture's local Laplacian magnitude, its
    median over a *window* x *window* square (1: each pixel's own; :data:`DETAIL_WINDOW`).

    A smudge (a blurred spot) takes the fine detail out of the surface while keeping
    its colour; random features see such a spot as the surface's own flat parts (a
    brick wall's mortar), this channel does not.
    """
    grey = pixels.mean(dim=1, keepdim=True)
    padded = torch.nn.functional.pad(grey, (1, 1, 1, 1), mode="reflect")
    magnitude = torch.nn.functional.conv2d(padded, _LAPLACIAN).abs()
    if window > 1:
        magnitude = local_median(magnitude, window)
    return torch.log(magnitude + 1e-3)


def detail_weight(window: int) -> float:
    """The sharpness channel's weight: :data:`SHARPNESS_WEIGHT` for each pixel's own,
    :data:`MEDIAN_SHARPNESS_SHARE` of it for a window's median (a steadier channel)."""
    return SHARPNESS_WEIGHT if window == 1 else SHARPNESS_WEIGHT * MEDIAN_SHARPNESS_SHARE


_MEDIAN_OF_NINE = (
    (1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8), (0, 3),
    (5, 8), (4, 7), (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4), (4, 2),
)  # fmt: skip
"""Paeth's 19 compare-exchanges that leave the median of nine values in the fifth."""


def local_median(maps: torch.Tensor, window: int) -> torch.Tensor:
    """``N x 1 x H x W``: each pixel's median over the *window* square round it (odd;
    the picture's edge reflected). For 3 x 3, a sorting network over the nine shifted
    maps (a tenth of the time of a general median: it is in every picture's analysis)."""
    half = window // 2
    padded = torch.nn.functional.pad(maps, (half, half, half, half), mode="reflect")
    if window != 3:
        squares = torch.nn.functional.unfold(padded, window)
        return squares.median(dim=1).values.reshape(maps.shape)
    h, w = maps.shape[-2:]
    values = [padded[..., i : i + h, j : j + w] for i in range(3) for j in range(3)]
    for a, b in _MEDIAN_OF_NINE:
        values[a], values[b] = (
            torch.minimum(values[a], values[b]),
            torch.maximum(values[a], values[b]),
        )
    return values[4]


def _gabor_bank() -> torch.Tensor:
    """``2 ORIENTATIONS x 1 x k x k``: even and odd Gabor kernels (zero mean)."""
    size = int(6 * GABOR_SIGMA) | 1
    kernels = []
    for i in range(ORIENTATIONS):
        for phase in (0.0, np.pi / 2):
            kernel = cv2.getGaborKernel(
                (size, size),
                GABOR_SIGMA,
                np.pi * i / ORIENTATIONS,
                2.5 * GABOR_SIGMA,
                0.6,
                phase,
                ktype=cv2.CV_32F,
            )
            kernels.append(kernel - kernel.mean())
    return torch.from_numpy(np.stack(kernels)[:, None].astype(np.float32))


_GABOR = _gabor_bank()


def orientation_energy(pixels: torch.Tensor) -> torch.Tensor:
    """``N x ORIENTATIONS x S x S``: log of the grey picture's Gabor energy (quadrature
    pair) at each orientation: a fibrous surface (grass, fabric) is a texture of
    oriented strokes whose directions a scratch or a smudge breaks."""
    grey = pixels.mean(dim=1, keepdim=True)
    pad = _GABOR.shape[-1] // 2
    padded = torch.nn.functional.pad(grey, (pad, pad, pad, pad), mode="reflect")
    response = torch.nn.functional.conv2d(padded, _GABOR)
    n, _, h, w = response.shape
    energy = response.reshape(n, ORIENTATIONS, 2, h, w).square().sum(dim=2).sqrt()
    return torch.log(energy + 1e-3)


def neighbourhood_mean(maps: torch.Tensor) -> torch.Tensor:
    """``N x D x h x w``: each descriptor's mean over its 3 x 3 neighbourhood (zeros past
    the edge counted, as ``avg_pool2d(maps, 3, 1, 1)``), as a depthwise convolution: the
    same values to float rounding in about an eighth of the time on one core."""
    kernel = torch.full((maps.shape[1], 1, 3, 3), 1.0 / 9.0, dtype=maps.dtype)
    return torch.nn.functional.conv2d(maps, kernel, padding=1, groups=maps.shape[1])


def _resize(maps: torch.Tensor, grid: torch.Size) -> torch.Tensor:
    if maps.shape[-2:] == grid:
        return maps
    if maps.shape[-1] >= grid[-1]:
        return torch.nn.functional.adaptive_avg_pool2d(maps, (int(grid[-2]), int(grid[-1])))
    return torch.nn.functional.interpolate(maps, size=grid, mode="bilinear", align_corners=False)


class PatchCoreScorer:
    """Distance of every patch to its nearest neighbour in a memory bank of normal patches.

    With a second, ``coarse_`` branch in *params* (descriptors on the quarter grid, its
    own bank), the map is the larger of the two branches' distances, each in units of
    its median on the normal pictures (``scale``, ``coarse_scale``): the half grid sees
    a small hole or a thin scratch, the quarter grid a wider change of the texture.
    """

    kind = "knn"

    def __init__(self, net: RandomFeatures, params: dict[str, np.ndarray], blur: float):
        self.net = net.eval()
        self.params = {k: torch.from_numpy(np.asarray(v, np.float32)) for k, v in params.items()}
        self.blur = blur
        self.prefixes = ["", "coarse_"] if "coarse_bank" in self.params else [""]
        self.terms = {p: bank_terms(self.params[f"{p}bank"]) for p in self.prefixes}

    def _layout(self, prefix: str) -> tuple[int, int]:
        if f"{prefix}grid" not in self.params:
            return self.net.grid_stage, self.net.depth
        grid_stage, depth = (int(v) for v in self.params[f"{prefix}grid"])
        return grid_stage, depth

    def patches(self, batch: np.ndarray) -> torch.Tensor:
        """Standardised descriptors of the first branch, ``N x h x w x D``."""
        return self.branch_patches(batch)[0]

    def branch_patches(self, batch: np.ndarray) -> list[torch.Tensor]:
        """Each branch's standardised (and projected) descriptors, ``N x h x w x D``."""
        with torch.inference_mode():
            pixels = torch.from_numpy(np.ascontiguousarray(batch, np.float32))
            layouts = [self._layout(prefix) for prefix in self.prefixes]
            out = []
            for prefix, features in zip(
                self.prefixes, self.net.layouts(pixels, layouts), strict=True
            ):
                out.append(standardised(features.permute(0, 2, 3, 1), self.params, prefix))
            return out

    def branch_distances(self, prefix: str, patches: torch.Tensor) -> torch.Tensor:
        """Each of a branch's ``... x D`` *patches*' distance to the bank (over the nearest
        row's spacing where the file has it), flattened; not yet in the branch's units."""
        queries = patches.reshape(-1, patches.shape[-1])
        terms = self.terms[prefix]
        if f"{prefix}spacing" not in self.params:
            return nearest_distances(queries, terms)
        distances, rows = nearest_rows(queries, terms)
        return distances / self.params[f"{prefix}spacing"][rows]

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        """``N x C x kS x kS`` (k: the net's ``fine_detail``) -> ``N x S x S`` maps."""
        size = tuple(side // self.net.fine_detail for side in batch.shape[-2:])
        maps = None
        for prefix, patches in zip(self.prefixes, self.branch_patches(batch), strict=True):
            n, h, w, _ = patches.shape
            distances = self.branch_distances(prefix, patches)
            if f"{prefix}scale" in self.params:
                distances = distances / self.params[f"{prefix}scale"]
            with torch.inference_mode():
                branch = torch.nn.functional.interpolate(
                    distances.reshape(n, 1, h, w),
                    size=size,
                    mode="bilinear",
                    align_corners=False,
                )[:, 0].numpy()
            maps = branch if maps is None else np.maximum(maps, branch)
        assert maps is not None
        if self.blur > 0:
            maps = np.stack([cv2.GaussianBlur(m, (0, 0), self.blur) for m in maps])
        return maps.astype(np.float32)

    def state(self) -> dict[str, Any]:
        return {**self.net.state_dict(), **{f"knn_{k}": v for k, v in self.params.items()}}


def standardised(
    features: torch.Tensor, params: dict[str, torch.Tensor], prefix: str = ""
) -> torch.Tensor:
    """``... x D`` descriptors standardised (and projected) with a branch's *params*."""
    standard = (features - params[f"{prefix}feature_mean"]) / params[f"{prefix}feature_std"]
    if f"{prefix}projection" in params:
        return standard @ params[f"{prefix}projection"]
    return standard


class BankTerms(NamedTuple):
    """A bank's terms of the distance: ``-2 x`` its transpose and each row's ``|b|^2``."""

    doubled: torch.Tensor
    squared: torch.Tensor


def bank_terms(bank: torch.Tensor) -> BankTerms:
    """:class:`BankTerms` of a ``B x D`` *bank* (a scorer takes them once, not per image)."""
    with torch.inference_mode():
        return BankTerms((-2.0 * bank).T.contiguous(), (bank * bank).sum(dim=1))


def nearest_distances(queries: torch.Tensor, bank: torch.Tensor | BankTerms) -> torch.Tensor:
    """Euclidean distance of every query row to its nearest bank row (*bank* or its terms).

    ``|q - b|^2 = |q|^2 - 2 q.b + |b|^2``: one matrix product per chunk, the minimum over
    the bank taken before the square root (``torch.cdist`` takes the root of every entry).
    The minimum's value alone (``amin``): on one core a tenth of the time of ``min`` with
    its index, which only :func:`nearest_rows` needs.
    """
    with torch.inference_mode():
        values = [d2.amin(dim=1) + norms for d2, norms in _chunked_distances(queries, bank)]
        return torch.cat(values).clamp_(min=0.0).sqrt_()


def nearest_rows(
    queries: torch.Tensor, bank: torch.Tensor | BankTerms
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`nearest_distances` and the index of each query's nearest bank row."""
    with torch.inference_mode():
        values, rows = [], []
        for d2, norms in _chunked_distances(queries, bank):
            nearest = d2.min(dim=1)
            values.append(nearest.values + norms)
            rows.append(nearest.indices)
        return torch.cat(values).clamp_(min=0.0).sqrt_(), torch.cat(rows)


def _chunked_distances(
    queries: torch.Tensor, bank: torch.Tensor | BankTerms
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """For each chunk of :data:`CHUNK` queries, ``|b|^2 - 2 q.b`` against every bank row
    (one matrix product with ``-2 b``: exactly ``-2`` times ``q.b``, the bank's ``|b|^2``
    added in place, not ``addmm``'s slow broadcast copy of it into the output) and the
    queries' own ``|q|^2``: their sum is the squared distance, whose minimum over the
    bank is taken before ``|q|^2`` is added.

    Every chunk's matrix is written into one buffer, valid until the next chunk: a fresh
    ``CHUNK x bank`` matrix (8 MB) a chunk is fresh memory whose pages the kernel maps and
    zeroes on first write, which took more time than the product itself (stop 45)."""
    doubled, squared = bank if isinstance(bank, BankTerms) else bank_terms(bank)
    buffer = torch.empty(min(CHUNK, len(queries)), len(squared), dtype=queries.dtype)
    for i in range(0, len(queries), CHUNK):
        chunk = queries[i : i + CHUNK]
        out = buffer[: len(chunk)]
        torch.mm(chunk, doubled, out=out)
        out.add_(squared)
        yield out, (chunk * chunk).sum(dim=1)


def bank_spacing(bank: torch.Tensor, neighbours: int, power: float) -> torch.Tensor:
    """Each bank row's local scale: the mean distance to its *neighbours* nearest other
    rows, over the median of that over the bank, to the *power* (a divisor, 1 typical)."""
    with torch.inference_mode():
        squared = (bank * bank).sum(dim=1)
        d2 = squared[:, None] + squared[None, :] - 2.0 * bank @ bank.T
        d2.fill_diagonal_(float("inf"))
        k = min(neighbours, len(bank) - 1)
        near = torch.topk(d2, k, dim=1, largest=False).values.clamp_(min=0.0).sqrt_().mean(dim=1)
        spacing = near / (near.median() + 1e-12)
        return spacing.clamp_(min=1e-3) ** power


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
    batch: np.ndarray,
    blur: float,
    seed: int,
    bank_size: int = BANK_SIZE,
    grid_stage: int = GRID_STAGE,
    depth: int = DEPTH,
    dims: int | None = DIMS,
    coarse: bool = COARSE_BRANCH,
    orientation: tuple[int, ...] = (),
    spacing_power: float = 0.0,
    contrast: bool = CONTRAST,
    detail_window: int = DETAIL_WINDOW,
    fine_detail: int = 1,
) -> PatchCoreScorer:
    """Build the memory bank from the normal pictures *batch* (``N x C x S x S``);
    descriptors on the grid of stage *grid_stage* from the first *depth* stages, projected
    on the *dims* principal axes of the normal patches (None: not projected). *coarse*
    adds the quarter-grid branch (three stages, not projected) beside it, each branch's
    distances in units of their median on (up to 16 of) the normal pictures. *orientation*:
    the grid stages whose descriptors also have the Gabor energy channels. *spacing_power*
    (> 0): distances over the nearest bank row's spacing to that power
    (:data:`SPACING_POWER`, :func:`bank_spacing`). *contrast*: the random channels see each
    picture over its own spread (:data:`CONTRAST`, :func:`spread`). *detail_window*: the
    sharpness channel's median window (:data:`DETAIL_WINDOW`, :func:`sharpness`).
    *fine_detail* (> 1): *batch* is at that multiple of the working size, and the half
    grid's sharpness channel is taken there (:data:`FINE_DETAIL`); the maps are at the
    working size."""
    if detail_window < 1 or detail_window % 2 == 0:
        raise ValueError(f"the detail window must be odd and at least 1, not {detail_window}")
    if fine_detail < 1 or batch.shape[-1] % fine_detail or batch.shape[-2] % fine_detail:
        raise ValueError(f"the picture's sides are not a multiple of fine_detail {fine_detail}")
    net = RandomFeatures(
        batch.shape[1],
        seed,
        padding="reflect",
        sharpness=True,
        grid_stage=grid_stage,
        depth=depth,
        orientation=orientation,
        contrast=contrast,
        detail_window=detail_window,
        fine_detail=fine_detail,
    )
    branches = {"": ((grid_stage, depth), dims)}
    if coarse:
        branches["coarse_"] = ((1, 3), None)
    params: dict[str, np.ndarray] = {
        "reflect": np.ones(1, np.float32),  # the padding the model file was made with
        "sharpness": np.ones(1, np.float32),  # the model file has the sharpness channel
    }
    if orientation:  # the grids whose descriptors have the Gabor channels
        params["orientation"] = np.array(orientation, np.float32)
    if contrast:  # the random channels see each picture over its own spread
        params["contrast"] = np.ones(1, np.float32)
    if detail_window > 1:  # the sharpness channel's median window
        params["detail_window"] = np.array([detail_window], np.float32)
    if fine_detail > 1:  # the half grid's sharpness taken at this multiple of the size
        params["fine_detail"] = np.array([fine_detail], np.float32)
    for prefix, (layout, kept) in branches.items():
        branch = _fit_branch(net, batch, layout, bank_size, kept, seed)
        if spacing_power > 0:
            bank = torch.from_numpy(branch["bank"])
            branch["spacing"] = bank_spacing(bank, SPACING_NEIGHBOURS, spacing_power).numpy()
        params.update({f"{prefix}{k}": v for k, v in branch.items()})
    if coarse:  # each branch in units of its own level on normal surface
        scorer = PatchCoreScorer(net, params, 0.0)
        sample = batch[:16]
        for prefix, patches in zip(scorer.prefixes, scorer.branch_patches(sample), strict=True):
            distances = scorer.branch_distances(prefix, patches)
            params[f"{prefix}scale"] = np.array([float(distances.median()) + 1e-6], np.float32)
    return PatchCoreScorer(net, params, blur)


def _fit_branch(
    net: RandomFeatures,
    batch: np.ndarray,
    layout: tuple[int, int],
    bank_size: int,
    dims: int | None,
    seed: int,
) -> dict[str, np.ndarray]:
    """One branch's standardisation, projection and memory bank (``grid``: its layout;
    absent in files saved before the fine grid: stage 1's grid, 3 stages)."""
    with torch.inference_mode():
        features = torch.cat(
            [
                net.layouts(torch.from_numpy(np.ascontiguousarray(batch[i : i + 8])), [layout])[0]
                for i in range(0, len(batch), 8)
            ]
        )
        vectors = features.permute(0, 2, 3, 1).reshape(-1, features.shape[1])
        mean, std = vectors.mean(dim=0), vectors.std(dim=0)
        # a channel (almost) never active on normal pictures must not blow a small
        # activation up into a huge distance: its spread is floored at a tenth of the
        # typical channel's
        std = torch.clamp(std, min=float(std.median()) * 0.1 + 1e-6)
        std[-1] /= detail_weight(net.detail_window)  # the sharpness channel, last
        if layout[0] in net.orientation:  # the Gabor channels, just before it
            std[-1 - ORIENTATIONS : -1] /= ORIENTATION_WEIGHT
        rng = np.random.default_rng(seed)
        sample = torch.from_numpy(
            rng.choice(len(vectors), min(len(vectors), SAMPLED_PATCHES), replace=False)
        )
        candidates = (vectors[sample] - mean) / std
        out = {"feature_mean": mean.numpy(), "feature_std": std.numpy()}
        if dims is not None and dims < candidates.shape[1]:
            axes = torch.linalg.svd(candidates - candidates.mean(dim=0), full_matrices=False)[2]
            projection = axes[:dims].T.contiguous()
            candidates = candidates @ projection
            out["projection"] = projection.numpy()
        out["bank"] = candidates[greedy_coreset(candidates, bank_size, seed)].numpy()
    out["grid"] = np.array(layout, np.float32)
    return out


def load_patchcore(state: dict[str, torch.Tensor], channels: int, blur: float) -> PatchCoreScorer:
    """The scorer saved by :meth:`PatchCoreScorer.state`."""
    params = {k.removeprefix("knn_"): v.numpy() for k, v in state.items() if k.startswith("knn_")}
    grid_stage, depth = (int(v) for v in params.get("grid", np.array([1, 3])))
    net = RandomFeatures(
        channels,
        padding="reflect" if "reflect" in params else "zeros",
        sharpness="sharpness" in params,
        grid_stage=grid_stage,
        depth=depth,
        orientation=tuple(int(v) for v in params.get("orientation", ())),
        contrast="contrast" in params,
        detail_window=int(params["detail_window"][0]) if "detail_window" in params else 1,
        fine_detail=int(params["fine_detail"][0]) if "fine_detail" in params else 1,
    )
    net.load_state_dict({k: v for k, v in state.items() if not k.startswith("knn_")})
    return PatchCoreScorer(net, params, blur)
