"""Build an MVTec-layout corpus from real photographs of surfaces that ship in packages.

The photographs are scikit-image's bundled texture pictures (``brick``, ``grass``,
``gravel``: 512 x 512 grey photographs inside the wheel) and three photographed GIMP
patterns from Debian's ``gimp-data`` (``stone``: a dry-stone wall, ``fabric``: burlap,
``paper``: crinkled paper; seamless tiles of 96-156 pixels, tiled to 512 x 512);
nothing is downloaded. Each class
is one surface; a "unit" is a 256 x 256 crop of it with a small shift, rotation and
change of lighting, as consecutive parts of one material under a line camera. The
defects are drawn by this generator (not robotest's ``inspection_data``): scratches,
holes, smudges, stains and cracks of several sizes, each with its pixel mask. A defect
must be visible: one that changes its pixels by less than ``MIN_VISIBLE`` on average (a
smudge on an already smooth spot) is drawn again elsewhere.

    python3 benchmarks/real_surfaces/build_corpus.py --out /tmp/real-surfaces

Classes: ``brick``, ``bark`` and ``granite`` (GIMP's ``Wood/bark.pat`` and
``Stone/granite1.pat``) are the tuning classes (the models' settings were chosen on
them); ``grass``, ``gravel``, ``stone``, ``fabric`` and ``paper`` are held out (never
looked at while tuning).
"""

from __future__ import annotations

import argparse
import struct
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

SIDE = 256
TUNING = ("brick", "bark", "granite")
HELD_OUT = ("grass", "gravel", "stone", "fabric", "paper")
STREAKED = ("rain", "woodgrain")
"""Extra tuning classes of streaked surfaces (GIMP's ``Water/rain.pat``, ``Wood/wood1.pat``),
built only when named: the tuning classes have no surface of oriented strokes, the
held-out grass has (``--classes rain woodgrain``)."""
GIMP_PATTERNS = Path("/usr/share/gimp/2.0/patterns")
PATTERN_FILES = {
    "stone": "Stone/stone33.pat",
    "fabric": "Fabric/burlap.pat",
    "paper": "Paper/crinklepaper.pat",
    "bark": "Wood/bark.pat",
    "granite": "Stone/granite1.pat",
    "rain": "Water/rain.pat",
    "woodgrain": "Wood/wood1.pat",
    "fibers": "Legacy/fibers.pat",
    "ground": "Stone/ground1.pat",
}
SOURCE_SIDE = 512
MIN_VISIBLE = 0.05  # mean absolute change over the defect's pixels (13 grey levels)
DEFECTS = ("scratch", "hole", "smudge", "stain", "crack")
Drawing = Callable[[np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def read_gimp_pattern(path: Path) -> np.ndarray:
    """Pixels of a GIMP pattern file (``.pat``: a big-endian header, then raw bytes).

    Written here because neither OpenCV nor Pillow reads the format; it is five integers
    and a name before the pixels (GIMP's ``devel-docs/pat.txt``).
    """
    data = path.read_bytes()
    header, _version, width, height, depth = struct.unpack(">5I", data[:20])
    if data[20:24] != b"GPAT" or depth not in (1, 3, 4) or max(width, height) > 4096:
        raise ValueError(f"{path} is not a GIMP pattern")
    return np.frombuffer(data[header : header + width * height * depth], np.uint8).reshape(
        height, width, depth
    )


def quilted(tile: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """*tile* laid to ``SOURCE_SIDE`` with each copy flipped at random (and, for a square
    tile, turned by a random quarter): the pattern's statistics on a surface that does
    not repeat, as a photograph of grass or gravel does not."""
    rows = [
        np.concatenate(
            [_dihedral(tile, rng) for _ in range(SOURCE_SIDE // tile.shape[1] + 1)], axis=1
        )
        for _ in range(SOURCE_SIDE // tile.shape[0] + 1)
    ]
    return np.concatenate(rows, axis=0)[:SOURCE_SIDE, :SOURCE_SIDE]


def _dihedral(tile: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = tile[:: rng.choice((-1, 1)), :: rng.choice((-1, 1))]
    if tile.shape[0] == tile.shape[1] and rng.random() < 0.5:
        out = out.T
    return out


def photograph(name: str, quilt: bool = False) -> np.ndarray:
    """The packaged photograph of class *name* as float32 grey in [0, 1]; a GIMP pattern
    tiled, or with *quilt* laid by :func:`quilted` (seeded by the name)."""
    if name in PATTERN_FILES:
        path = GIMP_PATTERNS / PATTERN_FILES[name]
        if not path.is_file():
            raise SystemExit(f"{path} is missing: install Debian's gimp-data")
        tile = read_gimp_pattern(path)[:, :, :3].mean(axis=2)
        if quilt:
            laid = quilted(tile, np.random.default_rng(sum(map(ord, name))))
        else:
            reps = (SOURCE_SIDE // tile.shape[0] + 1, SOURCE_SIDE // tile.shape[1] + 1)
            laid = np.tile(tile, reps)[:SOURCE_SIDE, :SOURCE_SIDE]
        return (laid / 255.0).astype(np.float32)
    from skimage import data

    image = getattr(data, name)()
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return image.astype(np.float32) / 255.0


def stretched(source: np.ndarray, contrast: float) -> np.ndarray:
    """*source*'s grey levels stretched about their mean by *contrast*, clipped to [0, 1]
    (1: *source* itself): a surface whose dark grains reach the tones of the drawn holes,
    cracks and dark scratches, as grass's and gravel's shadows do."""
    if contrast == 1.0:
        return source
    mean = float(source.mean())
    return np.clip((source - mean) * contrast + mean, 0, 1).astype(np.float32)


def unit(source: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One unit: a crop with a random shift, a rotation of up to 3 degrees and a change of
    brightness (+-6 %) and contrast (+-8 %), plus a little sensor noise."""
    h, w = source.shape
    cx = rng.uniform(SIDE * 0.75, w - SIDE * 0.75)
    cy = rng.uniform(SIDE * 0.75, h - SIDE * 0.75)
    matrix = cv2.getRotationMatrix2D((cx, cy), rng.uniform(-3, 3), 1.0)
    matrix[:, 2] += (SIDE / 2 - cx, SIDE / 2 - cy)
    crop = cv2.warpAffine(
        source, matrix, (SIDE, SIDE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    mean = crop.mean()
    crop = (crop - mean) * rng.uniform(0.92, 1.08) + mean + rng.uniform(-0.06, 0.06)
    crop += rng.normal(0, 0.01, crop.shape).astype(np.float32)
    return np.clip(crop, 0, 1).astype(np.float32)


def _polyline(rng: np.random.Generator, length: float, wiggle: float) -> np.ndarray:
    start = rng.uniform(40, SIDE - 40, 2)
    angle = rng.uniform(0, np.pi)
    points = [start]
    steps = 8
    for _ in range(steps):
        angle += rng.normal(0, wiggle)
        points.append(points[-1] + length / steps * np.array([np.cos(angle), np.sin(angle)]))
    return np.clip(np.array(points), 4, SIDE - 5).astype(np.int32)


def _blob(rng: np.random.Generator, radius: float) -> np.ndarray:
    """An irregular filled blob (union of a few ellipses), uint8 0/1."""
    mask = np.zeros((SIDE, SIDE), np.uint8)
    centre = rng.uniform(radius + 20, SIDE - radius - 20, 2)
    for _ in range(rng.integers(2, 5)):
        c = centre + rng.normal(0, radius / 3, 2)
        axes = (int(radius * rng.uniform(0.5, 1.0)), int(radius * rng.uniform(0.4, 0.9)))
        cv2.ellipse(mask, (int(c[0]), int(c[1])), axes, rng.uniform(0, 180), 0, 360, 1, -1)
    return mask


def scratch(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((SIDE, SIDE), np.uint8)
    cv2.polylines(
        mask, [_polyline(rng, rng.uniform(40, 140), 0.08)], False, 1, int(rng.integers(1, 4))
    )
    tone = rng.choice([0.05, 0.95])
    soft = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 0.7)
    return image * (1 - 0.8 * soft) + tone * 0.8 * soft, mask


def crack(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A dark crack: a wiggling main line 2 px wide with short 1-px branches attached to it
    (one connected mask piece; before 2026-12-06 each branch began one random step off the
    line, so a crack was 2-4 mask pieces, docs/benchmarks/real-surfaces.md)."""
    mask = np.zeros((SIDE, SIDE), np.uint8)
    main = _polyline(rng, rng.uniform(50, 120), 0.5)
    cv2.polylines(mask, [main], False, 1, 2)
    for point in main[2:-1:3]:  # short branches, each starting on the main line
        walk = point + np.cumsum(rng.normal(0, 5, (4, 2)), axis=0)
        branch = np.vstack([point, walk])
        cv2.polylines(mask, [np.clip(branch, 0, SIDE - 1).astype(np.int32)], False, 1, 1)
    return np.where(mask > 0, image * 0.25, image), mask


def hole(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((SIDE, SIDE), np.uint8)
    radius = int(rng.uniform(4, 16))
    centre = rng.integers(radius + 10, SIDE - radius - 10, 2)
    cv2.circle(mask, (int(centre[0]), int(centre[1])), radius, 1, -1)
    yy, xx = np.mgrid[:SIDE, :SIDE]
    depth = 1 - np.hypot(xx - centre[0], yy - centre[1]) / (radius + 1)
    inside = 0.08 + 0.15 * (1 - np.clip(depth, 0, 1))
    return np.where(mask > 0, inside, image), mask


def smudge(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mask = _blob(rng, rng.uniform(12, 35))
    blurred = cv2.GaussianBlur(image, (0, 0), rng.uniform(3, 6))
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 2) * 0.95
    return image * (1 - alpha) + blurred * alpha, mask


def stain(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mask = _blob(rng, rng.uniform(10, 40))
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 2)
    shift = rng.choice([-1, 1]) * rng.uniform(0.18, 0.3)
    return image + shift * alpha, mask


DRAWINGS: dict[str, Drawing] = {
    "scratch": scratch,
    "hole": hole,
    "smudge": smudge,
    "stain": stain,
    "crack": crack,
}


def visible_defect(
    draw: Drawing,
    clean: np.ndarray,
    rng: np.random.Generator,
    tries: int = 20,
    strength: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a defect on *clean* until it changes its pixels by ``MIN_VISIBLE`` on average;
    *strength* below 1 then blends it back towards *clean* (a fainter defect, for a harder
    tuning proxy)."""
    for _ in range(tries):
        image, mask = draw(clean, rng)
        change = np.abs(np.clip(image, 0, 1) - clean)[mask > 0]
        if change.size and change.mean() >= MIN_VISIBLE:
            break
    return (image if strength == 1.0 else clean + strength * (image - clean)), mask


def _save(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8))


def write_class(
    root: Path,
    name: str,
    *,
    train: int,
    test_good: int,
    per_defect: int,
    seed: int,
    strength: float = 1.0,
    contrast: float = 1.0,
    quilt: bool = False,
) -> Path:
    """Write one class in the MVTec layout; returns its folder. *contrast* above 1 stretches
    the photograph's grey levels about their mean (clipped), for a tuning proxy whose dark
    grains reach the tones of holes, cracks and dark scratches."""
    source = stretched(photograph(name, quilt), contrast)
    rng = np.random.default_rng([seed, sum(map(ord, name))])
    folder = root / name
    for i in range(train):
        _save(folder / "train" / "good" / f"{i:03d}.png", unit(source, rng))
    for i in range(test_good):
        _save(folder / "test" / "good" / f"{i:03d}.png", unit(source, rng))
    for defect in DEFECTS:
        for i in range(per_defect):
            image, mask = visible_defect(
                DRAWINGS[defect], unit(source, rng), rng, strength=strength
            )
            _save(folder / "test" / defect / f"{i:03d}.png", image)
            _save(folder / "ground_truth" / defect / f"{i:03d}_mask.png", mask.astype(np.float32))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--train", type=int, default=80)
    parser.add_argument("--test-good", type=int, default=25)
    parser.add_argument("--per-defect", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--strength", type=float, default=1.0, help="defects blended to this fraction (fainter)"
    )
    parser.add_argument(
        "--contrast", type=float, default=1.0, help="the photograph's contrast stretched by this"
    )
    parser.add_argument(
        "--quilt", action="store_true", help="GIMP patterns laid in random flips, not tiled"
    )
    parser.add_argument("--classes", nargs="+", default=list(TUNING + HELD_OUT))
    args = parser.parse_args()
    for name in args.classes:
        print(
            write_class(
                args.out,
                name,
                train=args.train,
                test_good=args.test_good,
                per_defect=args.per_defect,
                seed=args.seed,
                strength=args.strength,
                contrast=args.contrast,
                quilt=args.quilt,
            )
        )


if __name__ == "__main__":
    main()
