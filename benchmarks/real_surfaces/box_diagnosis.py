"""Where ``knn``'s box AP is lost on the real-surfaces corpus (issue 22): map or boxes?

For each class, trains ``knn`` as ``train`` does, analyses the test pictures and sorts
every ground-truth defect and every unmatched box into a cause:

* ``found``: a candidate box overlaps it at IoU >= 0.3;
* ``map-miss``: no candidate touches it (the map never rises to the low level there);
* ``too-large`` / ``too-small`` / ``split``: the best overlapping candidate is more than
  twice / less than half its size, or several candidates each cover a piece of it;
* false boxes: in good pictures (``false-good``: the map is high on normal texture) or
  in defective ones away from the defect (``false-bg``) or on it (``false-dup``: a
  second piece of a found defect).

Then the AP if each cause were fixed (the ground-truth box given to the matching
candidate, or the false boxes dropped), which says which step loses most. Maps are
cached (``--cache``) so box makers can be tried on them without retraining
(``--model knn-main``: the boxes before the half-maximum cut; ``--gap 5``: a defect's
mask pieces less than 5 pixels apart counted as one defect; ``--sweep``: the mean box
AP of every box setting in :data:`SWEEP` on the cached maps, which is how the
half-maximum cut was chosen).

    nice -n 10 python3 benchmarks/real_surfaces/box_diagnosis.py --root /tmp/rs6
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import train_variant  # noqa: E402

from robotest.inspection.dataset import open_dataset  # noqa: E402
from robotest.inspection.evaluation import _mask  # noqa: E402
from robotest.inspection.metrics import BoxXYWH, box_ap, iou, mask_boxes  # noqa: E402
from robotest.inspection.regions import find_peak_boxes  # noqa: E402
from robotest.inspection.verdict import Box  # noqa: E402

TUNING = ("brick", "bark", "granite")
IOU = 0.3


@dataclass
class Picture:
    """One test picture: its kind, maps (working size), ground truth and model boxes."""

    kind: str  # "good" or the defect type
    anomaly: np.ndarray  # threshold units
    smoothed: np.ndarray  # image-score units
    truth: list[BoxXYWH]  # image pixels
    boxes: list[Box]  # the model's candidates
    floor: float  # the model's box_floor (median of its held-back normal maps)
    scale: float  # image pixels per working pixel
    min_area: float  # the model's smallest region, working pixels


def joined_boxes(mask: np.ndarray, gap: int) -> list[BoxXYWH]:
    """Ground-truth boxes with the mask's pieces less than *gap* pixels apart as one
    defect (a crack drawn with branches is one crack); ``gap`` 0: plain components."""
    if gap <= 0:
        return mask_boxes(mask)
    pieces = (mask > 0).astype(np.uint8)
    count, labels = cv2.connectedComponents(cv2.dilate(pieces, np.ones((gap, gap), np.uint8)))
    boxes = []
    for label in range(1, count):
        ys, xs = np.nonzero((labels == label) & (pieces > 0))
        boxes.append((int(xs.min()), int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1))
    return boxes


def collect(root: Path, name: str, model_name: str, gap: int) -> list[Picture]:
    data = open_dataset(root / name)
    model = train_variant(data, model_name)
    pictures = []
    size = tuple(model.meta.input_size)
    for item in data.test:
        analysis = model.analyse([model.read(item.path)])[0]
        mask = _mask(item.mask, size) if item.mask else np.zeros(size[::-1], np.uint8)
        pictures.append(
            Picture(
                item.defect_type or "good",
                analysis.anomaly,
                model.smoothed(analysis.anomaly),
                joined_boxes(mask, gap),
                analysis.candidates,
                model.meta.box_floor,
                model.roi.w / model.meta.work_size,
                model.meta.min_area * (model.meta.work_size / model.roi.w) ** 2,
            )
        )
    return pictures


def as_xywh(box: Box) -> BoxXYWH:
    return (box.x, box.y, box.w, box.h)


def truth_cause(truth: BoxXYWH, boxes: list[Box]) -> tuple[str, int | None]:
    """The cause for one ground-truth box and the index of its best candidate."""
    overlaps = [iou(as_xywh(b), truth) for b in boxes]
    if not overlaps or max(overlaps) == 0:
        return "map-miss", None
    best = int(np.argmax(overlaps))
    if overlaps[best] >= IOU:
        return "found", best
    touching = [i for i, o in enumerate(overlaps) if o > 0]
    area = boxes[best].w * boxes[best].h
    if area > 2 * truth[2] * truth[3]:
        return "too-large", best
    if len(touching) > 1:
        return "split", best
    if area * 2 < truth[2] * truth[3]:
        return "too-small", best
    return "offset", best


def diagnose(pictures: list[Picture]) -> dict[str, object]:
    causes: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    fixed_shape = []  # candidates with the ground-truth box where one overlaps it
    for p in pictures:
        boxes = list(p.boxes)
        for t in p.truth:
            cause, best = truth_cause(t, p.boxes)
            causes[cause] += 1
            by_kind.setdefault(p.kind, Counter())[cause] += 1
            if best is not None and cause != "found":
                b = boxes[best]
                boxes[best] = Box(t[0], t[1], t[2], t[3], b.score, b.area)
        fixed_shape.append(boxes)
    truths = [p.truth for p in pictures]
    base = [p.boxes for p in pictures]
    false_kind: Counter[str] = Counter()
    no_false_good, no_false_bg = [], []
    for p in pictures:
        keep_good, keep_bg = [], []
        for b in p.boxes:
            hit = max((iou(as_xywh(b), t) for t in p.truth), default=0.0)
            if not p.truth:
                false_kind["false-good"] += 1
                keep_bg.append(b)
                continue
            keep_good.append(b)
            if hit >= IOU:
                keep_bg.append(b)
            elif hit > 0:
                false_kind["false-dup"] += 1
                keep_bg.append(b)
            else:
                false_kind["false-bg"] += 1
        no_false_good.append(keep_good)
        no_false_bg.append(keep_bg)
    return {
        "ap": box_ap(base, truths, IOU),
        "ap_shape_fixed": box_ap(fixed_shape, truths, IOU),
        "ap_no_false_good": box_ap(no_false_good, truths, IOU),
        "ap_no_false_bg": box_ap(no_false_bg, truths, IOU),
        "causes": dict(causes),
        "by_kind": {k: dict(v) for k, v in by_kind.items()},
        "false": dict(false_kind),
    }


SWEEP = {
    "low": (0.5, 0.6, 0.7, 0.8),
    "level": (0.3, 0.4, 0.5, 0.6, 0.7),
    "merge": (5, 7, 9),
    "floor": (0, 1),
    "strong": (None, 0.5, 0.6),
}
"""Box settings tried on the cached maps (``--sweep``); floor 1: cut above the model's
``box_floor``, 0: above 0 (main's cut); strong: the cut level of strong peaks (None: the
same level for all)."""


def sweep(cached: dict[str, list[Picture]]) -> list[tuple[float, str]]:
    """Mean box AP@0.3 of every :data:`SWEEP` setting on the cached maps, best first."""
    rows = []
    for low, level, merge, floored, strong in itertools.product(*SWEEP.values()):
        aps = []
        for pictures in cached.values():
            predictions = [
                find_peak_boxes(
                    p.anomaly,
                    p.smoothed,
                    min_area=p.min_area,
                    low=low,
                    box_level=level,
                    merge=merge,
                    scale=(p.scale, p.scale),
                    floor=p.floor * floored,
                    strong_level=strong,
                )
                for p in pictures
            ]
            aps.append(box_ap(predictions, [p.truth for p in pictures], IOU) or 0.0)
        label = (
            f"low {low} level {level} merge {merge} floor {'yes' if floored else 'no'} "
            f"strong {strong}"
        )
        rows.append((statistics.fmean(aps), f"{label}: " + " / ".join(f"{a:.3f}" for a in aps)))
    return sorted(rows, reverse=True)


def main() -> None:
    global IOU
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--classes", nargs="+", default=list(TUNING))
    parser.add_argument("--cache", type=Path, help="pickle of the maps (written if absent)")
    parser.add_argument(
        "--gap", type=int, default=0, help="mask pieces closer than this are one defect"
    )
    parser.add_argument("--model", default="knn", choices=("knn", "knn-main"))
    parser.add_argument("--sweep", action="store_true", help="try SWEEP's box settings")
    parser.add_argument("--iou", type=float, default=IOU, help="IoU of a found defect")
    args = parser.parse_args()
    IOU = args.iou
    cv2.setNumThreads(1)
    if args.cache and args.cache.is_file():
        cached = pickle.loads(args.cache.read_bytes())
    else:
        cached = {name: collect(args.root, name, args.model, args.gap) for name in args.classes}
        if args.cache:
            args.cache.write_bytes(pickle.dumps(cached))
    if args.sweep:
        for mean, row in sweep(cached):
            print(f"{mean:.3f}  {row}")
        return
    aps = []
    for name in args.classes:
        result = diagnose(cached[name])
        aps.append(result["ap"])
        print(f"## {name}")
        for key, value in result.items():
            print(f"{key}: {value}")
    print(f"mean AP@{IOU}: {statistics.fmean(a or 0 for a in aps):.3f}")


if __name__ == "__main__":
    main()
