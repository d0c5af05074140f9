"""Benchmark of the inspection models on the real-surfaces corpus (``build_corpus.py``).

Every model trains on each class's ``train/good`` and is evaluated on its ``test/``:
image AUROC, pixel AUROC, box AP at IoU 0.3 (and 0.5; and at 0.3 with one truth box a drawn
defect, ``metrics.defect_boxes``), the good test images judged "fail", training seconds
and the median time per image with one PyTorch and one OpenCV thread. Classes are
reported as tuning (settings chosen on them) or held out. Prints one Markdown table.

    nice -n 10 python3 benchmarks/real_surfaces/bench.py --root /tmp/real-surfaces
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import build_corpus  # noqa: E402
import cv2  # noqa: E402

from robotest.inspection import regions  # noqa: E402
from robotest.inspection.dataset import Dataset, open_dataset  # noqa: E402
from robotest.inspection.evaluation import Evaluation, evaluate  # noqa: E402
from robotest.inspection.model import InspectionModel  # noqa: E402
from robotest.inspection.training import TrainOptions, train  # noqa: E402

MODELS = (
    "knn",
    "knn-0d532d6",
    "knn-spacing",
    "knn-contrast",
    "knn-pixeldetail",
    "knn-finedetail",
    "knn-prev",
    "knn-nogabor",
    "knn-coarse",
    "knn-main",
    "knn-max",
    "knn-power",
    "knn-local",
    "knn-smoothed",
    "gmm",
    "ae",
    "mean",
)
Options = dict[str, int | float | tuple[int, ...] | None]
COARSE: Options = {
    "knn_grid": 1,
    "knn_depth": 3,
    "knn_dims": None,
    "knn_coarse": 0,
    "knn_orientation": (),
    "score_level": 0.0,
    "knn_spacing": 0.0,
    "knn_detail": 1,
    "score_local": False,
}
"""The descriptors before the fine grid: three stages on the quarter grid, one branch."""
BEFORE: Options = {
    "score_level": 0.0,
    "knn_spacing": 0.0,
    "knn_detail": 1,
    "score_local": False,
}
"""Main's models up to 0d532d6 measured the smoothed score from zero (``score_level`` 0)
and a patch's plain distance to the bank (``knn_spacing`` 0), every model before
surf43 the sharpness of each pixel (``knn_detail`` 1) and every model before stop 50 the
smoothed map's maximum as the image score (``score_local`` off): every historical variant
below keeps them."""
VARIANTS: dict[str, tuple[str, float | None, Options]] = {
    "knn-0d532d6": ("knn", None, BEFORE),
    "knn-spacing": ("knn", None, {"knn_spacing": 0.5}),
    "knn-contrast": ("knn", None, {"knn_contrast": True}),
    "knn-pixeldetail": ("knn", None, {"knn_detail": 1}),
    "knn-finedetail": ("knn", None, {"knn_fine_detail": 2}),
    "knn-nogabor": ("knn", None, {**BEFORE, "knn_orientation": ()}),
    "knn-max": ("knn", 0.0, COARSE),
    "knn-prev": ("knn", None, BEFORE),
    "knn-main": ("knn", None, COARSE),
    "knn-coarse": ("knn", None, COARSE),
    "knn-power": ("knn", None, {"score_power": 0.5}),
    "knn-local": ("knn", None, {"score_local": True}),
    "knn-smoothed": ("knn", None, {"score_local": False}),
}
"""Bench names for a kind with other settings: ``knn-0d532d6`` is main's ``knn`` at 0d532d6
(2026-12-06 06:15: the smoothed score measured from zero, not from the picture's own map
median); ``knn-spacing`` is ``knn`` with each patch's distance over its nearest bank row's
spacing to the power 0.5 (``patchcore.SPACING_POWER``, off by default: branch surf36);
``knn-contrast`` is ``knn`` whose random channels see each picture over its own grey-level
spread (``patchcore.CONTRAST``, off by default: branch surf37); ``knn-pixeldetail`` is
``knn`` with the sharpness channel of each pixel, not its 3 x 3 median (main's ``knn``
before surf43, ``patchcore.DETAIL_WINDOW``); ``knn-finedetail`` is ``knn`` with the half
grid's sharpness channel taken at twice the working size (``patchcore.FINE_DETAIL``, off by
default: branch surf44); ``knn-power`` is ``knn``
whose image score pools the square root of the map at sigma 6 (``TrainOptions.score_power``
0.5, off by default: branch surf49); ``knn-local`` is ``knn`` whose image score is the map
against its own neighbourhood (``TrainOptions.score_local``, branch surf50; the default
since stop 50, so ``knn`` itself); ``knn-smoothed`` is ``knn`` scored by its smoothed
map's maximum (main's ``knn`` before stop 50); ``knn-prev`` is ``knn`` with
the box settings of main at bbd2766 (2026-12-06 05:22, :data:`PREV_BOXES`); ``knn-nogabor``
is ``knn`` without the Gabor channels (main's ``knn`` at 982397c, 2026-12-06 03:11);
``knn-coarse`` is ``knn`` on the quarter grid (the model of 2026-12-05 23:58); ``knn-max``
is that scored by the map's maximum and boxed above the threshold (the model before the
smoothed score); ``knn-main`` is ``knn-coarse`` with the candidate boxes it had before the
half-maximum cut (:data:`MAIN_BOXES`, the model of 2026-12-05 18:55)."""
MAIN_BOXES = {
    "box_low": 0.8,
    "box_level": 0.6,
    "merge": 5,
    "box_floor": 0.0,
    "box_level_strong": None,
}
"""``knn-main``'s box settings: regions above 0.8, cut at 60 % of the peak, merge 5."""
PREV_BOXES = {"box_low": 0.5, "box_level": 0.4, "box_level_strong": 0.6}
PREV_STRONG_PEAK = (2.0, 4.0)
"""``knn-prev``'s box settings and ``regions.STRONG_PEAK`` (main at bbd2766)."""


def run(folder: Path, kind: str, work_size: int) -> tuple[Evaluation, float]:
    data = open_dataset(folder)
    started = time.perf_counter()
    model = train_variant(data, kind, work_size)
    strong_peak = regions.STRONG_PEAK
    if kind == "knn-prev":
        regions.STRONG_PEAK = PREV_STRONG_PEAK
    try:
        return evaluate(model, data), time.perf_counter() - started
    finally:
        regions.STRONG_PEAK = strong_peak


def train_variant(data: Dataset, name: str, work_size: int = 128) -> InspectionModel:
    """Train the bench model *name* (a kind or one of :data:`VARIANTS`) on *data*."""
    kind, score_blur, extra = VARIANTS.get(name, (name, None, {}))
    options = TrainOptions(
        kind=kind, work_size=work_size, progress=False, threads=1, score_blur=score_blur, **extra
    )
    model = train(data, options)
    if name == "knn-main":  # the same map and score, the boxes as they were
        for key, value in MAIN_BOXES.items():
            setattr(model.meta, key, value)
    if name == "knn-prev":  # main's knn at bbd2766: its box settings
        for key, value in PREV_BOXES.items():
            setattr(model.meta, key, value)
    return model


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="corpus folder (built if absent)")
    parser.add_argument("--work-size", type=int, default=128)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--classes", nargs="+", help="default: every tuning and held-out class")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    classes = args.classes or build_corpus.TUNING + build_corpus.HELD_OUT
    for name in classes:
        if not (args.root / name).is_dir():
            build_corpus.write_class(args.root, name, train=80, test_good=25, per_defect=5, seed=0)
    rows = [
        "| class | split | model | image AUROC | pixel AUROC | box AP@0.3 | box AP@0.5 "
        "| box AP@0.3 by defect | good failed | train s | ms/image |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    held: dict[str, list[Evaluation]] = {kind: [] for kind in args.models}
    for name in classes:
        split = "tuning" if name in build_corpus.TUNING else "held out"
        for kind in args.models:
            ev, seconds = run(args.root / name, kind, args.work_size)
            if split == "held out":
                held[kind].append(ev)
            rows.append(
                f"| {name} | {split} | {kind} | {fmt(ev.image_auroc)} | "
                f"{fmt(ev.pixel_auroc)} | {fmt(ev.box_ap30)} | {fmt(ev.box_ap50)} | "
                f"{fmt(ev.box_ap30_defects)} | {ev.good_failed}/{ev.images - ev.defective} | "
                f"{seconds:.0f} | {ev.ms_per_image:.1f} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    for kind, evs in held.items():
        if not evs:
            continue
        rows.append(
            f"| **held-out mean** | | {kind} | "
            f"{fmt(statistics.fmean(e.image_auroc or 0 for e in evs))} | "
            f"{fmt(statistics.fmean(e.pixel_auroc or 0 for e in evs))} | "
            f"{fmt(statistics.fmean(e.box_ap30 or 0 for e in evs))} | "
            f"{fmt(statistics.fmean(e.box_ap50 or 0 for e in evs))} | "
            f"{fmt(statistics.fmean(e.box_ap30_defects or 0 for e in evs))} | "
            f"{sum(e.good_failed for e in evs)}/{sum(e.images - e.defective for e in evs)} | | "
            f"{statistics.median(e.ms_per_image for e in evs):.1f} |"
        )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
