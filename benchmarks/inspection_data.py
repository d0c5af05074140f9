"""A procedural DAGM-2007-like data set in the MVTec AD folder convention.

Ten texture classes, each with its own kind of defect drawn on some images, the
defect's mask as ground truth, and a train/test split::

    ROOT/class01/train/good/000.png
    ROOT/class01/test/good/000.png
    ROOT/class01/test/<defect>/000.png
    ROOT/class01/ground_truth/<defect>/000_mask.png

Everything is generated from a seed (no downloads). Run as a script to write a set:
``python3 benchmarks/inspection_data.py OUT --classes 10 --train 60 --test-good 20 --test-bad 20``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

Rng = np.random.Generator
Image = np.ndarray


def _noise(rng: Rng, size: int, sigma: float) -> Image:
    """Gaussian-smoothed white noise, scaled to unit standard deviation."""
    field = rng.standard_normal((size, size)).astype(np.float32)
    if sigma > 0:
        field = cv2.GaussianBlur(field, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    return field / (field.std() + 1e-6)


def _grid(size: int) -> tuple[Image, Image]:
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    return xs, ys


# --- textures: float images around 0.5, range roughly [0, 1] ----------------------------


def tex_clouds(rng: Rng, n: int) -> Image:
    return 0.5 + 0.07 * _noise(rng, n, 12) + 0.03 * _noise(rng, n, 1.5)


def tex_grain(rng: Rng, n: int) -> Image:
    return 0.45 + 0.08 * _noise(rng, n, 1.0) + 0.04 * _noise(rng, n, 6)


def tex_stripes(rng: Rng, n: int) -> Image:
    xs, ys = _grid(n)
    angle = rng.uniform(0, np.pi)
    phase = rng.uniform(0, 2 * np.pi)
    u = xs * np.cos(angle) + ys * np.sin(angle) + 6 * _noise(rng, n, 20)
    return 0.5 + 0.15 * np.sin(2 * np.pi * u / 24 + phase) + 0.03 * _noise(rng, n, 1.0)


def tex_weave(rng: Rng, n: int) -> Image:
    xs, ys = _grid(n)
    ox, oy = rng.uniform(0, 32, 2)
    weave = np.sin(2 * np.pi * (xs + ox) / 16) * np.sin(2 * np.pi * (ys + oy) / 16)
    return 0.5 + 0.12 * weave + 0.04 * _noise(rng, n, 1.0) + 0.03 * _noise(rng, n, 16)


def tex_brushed(rng: Rng, n: int) -> Image:
    field = rng.standard_normal((n, n)).astype(np.float32)
    field = cv2.GaussianBlur(field, (0, 0), sigmaX=25, sigmaY=0.8)
    field /= field.std() + 1e-6
    return 0.55 + 0.08 * field + 0.02 * _noise(rng, n, 1.0)


def tex_cells(rng: Rng, n: int) -> Image:
    img = np.full((n, n), 0.45, np.float32)
    for _ in range(int(n * n / 900)):
        x, y = rng.integers(0, n, 2)
        radius, value = int(rng.integers(3, 7)), float(rng.uniform(0.55, 0.65))
        cv2.circle(img, (int(x), int(y)), radius, value, -1)
    return cv2.GaussianBlur(img, (0, 0), 1.0) + 0.03 * _noise(rng, n, 1.0)


def tex_fabric(rng: Rng, n: int) -> Image:
    xs, ys = _grid(n)
    ox, oy = rng.uniform(0, 12, 2)
    fabric = np.sin(2 * np.pi * (xs + ox) / 6) + np.sin(2 * np.pi * (ys + oy) / 9)
    return 0.5 + 0.06 * fabric + 0.04 * _noise(rng, n, 1.5) + 0.04 * _noise(rng, n, 24)


def tex_marble(rng: Rng, n: int) -> Image:
    xs, ys = _grid(n)
    turbulence = 40 * _noise(rng, n, 24)
    return 0.5 + 0.12 * np.sin((xs + ys + turbulence) / 18) + 0.03 * _noise(rng, n, 1.2)


def tex_sand(rng: Rng, n: int) -> Image:
    speckle = (rng.random((n, n)) < 0.06).astype(np.float32)
    speckle = cv2.GaussianBlur(speckle, (0, 0), 0.8)
    return 0.42 + 0.5 * speckle + 0.05 * _noise(rng, n, 2.5)


def tex_wood(rng: Rng, n: int) -> Image:
    xs, ys = _grid(n)
    cx, cy = rng.uniform(-n, 2 * n, 2)
    radius = np.hypot((xs - cx) * 0.3, ys - cy) + 8 * _noise(rng, n, 30)
    return 0.5 + 0.1 * np.sin(radius / 5) + 0.03 * _noise(rng, n, 1.0)


# --- defects: each draws on the image and returns the defect's mask ------------------------


def _ellipse_mask(rng: Rng, n: int, lo: int, hi: int) -> Image:
    mask = np.zeros((n, n), np.uint8)
    center = (int(rng.integers(n // 6, 5 * n // 6)), int(rng.integers(n // 6, 5 * n // 6)))
    axes = (int(rng.integers(lo, hi)), int(rng.integers(lo, hi)))
    cv2.ellipse(mask, center, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    return mask


def _blend(img: Image, mask: Image, value: Image | float, soften: float = 2.0) -> Image:
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), soften) if soften else mask
    return img * (1 - alpha) + value * alpha


def defect_stain(rng: Rng, img: Image) -> tuple[Image, Image]:
    mask = _ellipse_mask(rng, img.shape[0], 18, 45)
    return _blend(img, mask, img * 0.35, 1.5), mask


def defect_scratch(rng: Rng, img: Image) -> tuple[Image, Image]:
    n = img.shape[0]
    mask = np.zeros((n, n), np.uint8)
    x0, y0 = rng.integers(n // 5, 4 * n // 5, 2)
    angle, length = rng.uniform(0, np.pi), rng.uniform(n / 6, n / 3)
    x1, y1 = x0 + length * np.cos(angle), y0 + length * np.sin(angle)
    cv2.line(mask, (int(x0), int(y0)), (int(x1), int(y1)), 1, 7)
    return _blend(img, mask, 0.95, 1.0), mask


def defect_blotch(rng: Rng, img: Image) -> tuple[Image, Image]:
    mask = _ellipse_mask(rng, img.shape[0], 20, 40)
    return _blend(img, mask, 0.25 + 0.01 * _noise(rng, img.shape[0], 2), 3.0), mask


def defect_hole(rng: Rng, img: Image) -> tuple[Image, Image]:
    mask = _ellipse_mask(rng, img.shape[0], 12, 26)
    return _blend(img, mask, 0.08, 1.5), mask


def defect_dent(rng: Rng, img: Image) -> tuple[Image, Image]:
    n = img.shape[0]
    mask = _ellipse_mask(rng, n, 20, 40)
    xs, _ = _grid(n)
    ramp = (xs - xs[mask > 0].mean()) / (xs[mask > 0].std() + 1e-6)
    return _blend(img, mask, img + 0.16 * ramp, 5.0), mask


def defect_crack(rng: Rng, img: Image) -> tuple[Image, Image]:
    n = img.shape[0]
    mask = np.zeros((n, n), np.uint8)
    point = rng.uniform(n / 4, 3 * n / 4, 2)
    heading = rng.uniform(0, 2 * np.pi)
    for _ in range(14):
        heading += rng.normal(0, 0.5)
        step = point + 10 * np.array([np.cos(heading), np.sin(heading)])
        step = np.clip(step, 8, n - 8)
        cv2.line(mask, (int(point[0]), int(point[1])), (int(step[0]), int(step[1])), 1, 5)
        point = step
    return _blend(img, mask, 0.1, 1.0), mask


def defect_knot(rng: Rng, img: Image) -> tuple[Image, Image]:
    mask = _ellipse_mask(rng, img.shape[0], 10, 22)
    return _blend(img, mask, 0.92, 2.0), mask


def defect_smudge(rng: Rng, img: Image) -> tuple[Image, Image]:
    mask = _ellipse_mask(rng, img.shape[0], 24, 48)
    return _blend(img, mask, cv2.GaussianBlur(img, (0, 0), 6) * 0.3 + 0.7, 2.0), mask


def defect_bump(rng: Rng, img: Image) -> tuple[Image, Image]:
    mask = _ellipse_mask(rng, img.shape[0], 16, 34)
    return _blend(img, mask, 0.25 + 0.3 * (img - img.mean()), 2.0), mask


def defect_rotten(rng: Rng, img: Image) -> tuple[Image, Image]:
    n = img.shape[0]
    mask = _ellipse_mask(rng, n, 20, 42)
    return _blend(img, mask, 0.75 + 0.1 * _noise(rng, n, 1.0), 2.0), mask


@dataclass(frozen=True)
class TextureClass:
    """One product: a texture and the kind of defect it gets."""

    name: str
    texture: Callable[[Rng, int], Image]
    defect_name: str
    defect: Callable[[Rng, Image], tuple[Image, Image]]


CLASSES: tuple[TextureClass, ...] = (
    TextureClass("class01", tex_clouds, "stain", defect_stain),
    TextureClass("class02", tex_grain, "scratch", defect_scratch),
    TextureClass("class03", tex_stripes, "blotch", defect_blotch),
    TextureClass("class04", tex_weave, "hole", defect_hole),
    TextureClass("class05", tex_brushed, "dent", defect_dent),
    TextureClass("class06", tex_cells, "crack", defect_crack),
    TextureClass("class07", tex_fabric, "knot", defect_knot),
    TextureClass("class08", tex_marble, "smudge", defect_smudge),
    TextureClass("class09", tex_sand, "bump", defect_bump),
    TextureClass("class10", tex_wood, "rotten", defect_rotten),
)


def _to_png(img: Image) -> np.ndarray:
    return np.clip(img * 255.0, 0, 255).astype(np.uint8)


def write_class(
    root: Path,
    spec: TextureClass,
    *,
    size: int = 512,
    train: int = 60,
    test_good: int = 20,
    test_bad: int = 20,
    train_bad: int = 0,
    seed: int = 0,
) -> Path:
    """Write one class in the MVTec AD layout under ``root/spec.name``; return that folder.

    *train_bad* labelled defective images go to ``train/<defect>/`` (for the supervised
    CNN; the autoencoder never reads them).
    """
    rng = np.random.default_rng([seed, int(spec.name[-2:])])
    base = root / spec.name
    folders = {
        "train": base / "train" / "good",
        "good": base / "test" / "good",
        "bad": base / "test" / spec.defect_name,
        "mask": base / "ground_truth" / spec.defect_name,
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for i in range(train):
        cv2.imwrite(str(folders["train"] / f"{i:03d}.png"), _to_png(spec.texture(rng, size)))
    for i in range(test_good):
        cv2.imwrite(str(folders["good"] / f"{i:03d}.png"), _to_png(spec.texture(rng, size)))
    for i in range(test_bad):
        image, mask = spec.defect(rng, spec.texture(rng, size))
        cv2.imwrite(str(folders["bad"] / f"{i:03d}.png"), _to_png(image))
        cv2.imwrite(str(folders["mask"] / f"{i:03d}_mask.png"), mask.astype(np.uint8) * 255)
    if train_bad:
        labelled = base / "train" / spec.defect_name
        labelled.mkdir(parents=True, exist_ok=True)
        for i in range(train_bad):
            image, _ = spec.defect(rng, spec.texture(rng, size))
            cv2.imwrite(str(labelled / f"{i:03d}.png"), _to_png(image))
    return base


def write_dataset(
    root: Path,
    *,
    classes: int = 10,
    size: int = 512,
    train: int = 60,
    test_good: int = 20,
    test_bad: int = 20,
    seed: int = 0,
) -> list[Path]:
    """Write the first *classes* texture classes; return their folders."""
    return [
        write_class(
            root, spec, size=size, train=train, test_good=test_good, test_bad=test_bad, seed=seed
        )
        for spec in CLASSES[:classes]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--train", type=int, default=60)
    parser.add_argument("--test-good", type=int, default=20)
    parser.add_argument("--test-bad", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for folder in write_dataset(
        args.out,
        classes=args.classes,
        size=args.size,
        train=args.train,
        test_good=args.test_good,
        test_bad=args.test_bad,
        seed=args.seed,
    ):
        print(folder)


if __name__ == "__main__":
    main()
