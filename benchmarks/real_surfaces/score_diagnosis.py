"""What limits ``knn``'s image AUROC on the real-surfaces corpus (issue 22).

For each class, trains ``knn`` as ``train`` does and prints the image AUROC by defect
kind, the good pictures that score highest, the defective pictures that score lowest
(with where their smoothed peak lies: on the defect's mask or away from it) and the
statistics of each picture's map (median, peak), so the cause of each misordered pair
can be read: a good picture whose whole map is high, a lone spot of unusual texture, a
defect whose map never rises. ``--cache`` keeps the raw maps (and the held-back normal
maps) to try other image scores on them without retraining.

    nice -n 10 python3 benchmarks/real_surfaces/score_diagnosis.py --root /tmp/rs6
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import train_variant  # noqa: E402

from robotest.inspection.dataset import open_dataset  # noqa: E402
from robotest.inspection.evaluation import _mask  # noqa: E402
from robotest.inspection.metrics import auroc  # noqa: E402

TUNING = ("brick", "bark", "granite")


def class_maps(root: Path, name: str, model_name: str) -> dict[str, object]:
    """Train on *name* and return its test pictures' raw maps, kinds and masks."""
    data = open_dataset(root / name)
    model = train_variant(data, model_name)
    kinds, maps, masks = [], [], []
    side = model.meta.work_size
    for item in data.test:
        image = model.read(item.path)
        prepared = model.prepare(image)[None]
        maps.append(model.raw_maps(prepared)[0] / model.meta.threshold)
        kinds.append(item.defect_type or "good")
        if item.mask is None:
            masks.append(np.zeros((side, side), bool))
        else:
            full = _mask(item.mask, tuple(model.meta.input_size))
            masks.append(cv2.resize(full, (side, side), interpolation=cv2.INTER_NEAREST) > 0)
    return {
        "kinds": kinds,
        "maps": np.stack(maps),
        "masks": np.stack(masks),
        "paths": [str(i.path) for i in data.test],
        "meta": model.meta,
    }


def report(name: str, cached: dict[str, object], worst: int) -> None:
    meta = cached["meta"]
    maps = cached["maps"]
    kinds = cached["kinds"]
    masks = cached["masks"]
    smoothed = np.stack([cv2.GaussianBlur(m, (0, 0), meta.score_blur) for m in maps])
    scores = smoothed.reshape(len(maps), -1).max(axis=1) / meta.score_scale
    labels = np.array([k != "good" for k in kinds])
    print(f"## {name}: image AUROC {auroc(labels, scores):.3f}")
    good = scores[~labels]
    for kind in sorted(set(kinds) - {"good"}):
        pick = np.array([k == kind for k in kinds])
        both = np.concatenate([good, scores[pick]])
        flags = np.concatenate([np.zeros(len(good), bool), np.ones(pick.sum(), bool)])
        print(f"  {kind:8s} AUROC {auroc(flags, both):.3f}  scores {np.sort(scores[pick])}")
    print(f"  good scores (top): {np.sort(good)[::-1][:8]}")
    order = np.argsort(scores)
    print("  highest good pictures:")
    for i in [j for j in order[::-1] if not labels[j]][:worst]:
        y, x = np.unravel_index(np.argmax(smoothed[i]), smoothed[i].shape)
        print(
            f"    {Path(cached['paths'][i]).name} score {scores[i]:.3f} median "
            f"{np.median(maps[i]):.3f} raw max {maps[i].max():.3f} at ({x},{y})"
        )
    print("  lowest defective pictures:")
    for i in [j for j in order if labels[j]][:worst]:
        y, x = np.unravel_index(np.argmax(smoothed[i]), smoothed[i].shape)
        inside = maps[i][masks[i]]
        on = bool(masks[i][max(0, y - 4) : y + 5, max(0, x - 4) : x + 5].any())
        print(
            f"    {kinds[i]:7s} {Path(cached['paths'][i]).name} score {scores[i]:.3f} median "
            f"{np.median(maps[i]):.3f} mask px {masks[i].sum()} max in mask "
            f"{inside.max() if inside.size else 0:.3f} peak on defect {on}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--classes", nargs="+", default=list(TUNING))
    parser.add_argument("--model", default="knn")
    parser.add_argument("--cache", type=Path, help="pickle of the maps (read if present)")
    parser.add_argument("--worst", type=int, default=6)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    cache: dict[str, dict[str, object]] = {}
    if args.cache and args.cache.is_file():
        cache = pickle.loads(args.cache.read_bytes())
    for name in args.classes:
        if name not in cache:
            cache[name] = class_maps(args.root, name, args.model)
        report(name, cache[name], args.worst)
    if args.cache:
        args.cache.write_bytes(pickle.dumps(cache))


if __name__ == "__main__":
    main()
