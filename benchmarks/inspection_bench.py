"""Benchmark of the inspection plugin on the procedural DAGM-like set.

For each texture class: the autoencoder (no defect labels), the supervised CNN with 1
and with 5 labelled defective images, and the naive baseline (fixed threshold on the
difference from the mean normal image), all evaluated on the same test images. Prints
one Markdown table: image AUROC, pixel AUROC and box AP at IoU 0.5 (in %) per class
and mean, with the autoencoder's training time and median inference time per image.

    nice -n 10 python3 benchmarks/inspection_bench.py                 # the full run
    nice -n 10 python3 benchmarks/inspection_bench.py --classes 2 --epochs 5 --size 256
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import inspection_data  # noqa: E402

from robotest.inspection.dataset import open_dataset  # noqa: E402
from robotest.inspection.evaluation import Evaluation, evaluate  # noqa: E402
from robotest.inspection.training import TrainOptions, train  # noqa: E402

MODELS = ("ae", "cnn1", "cnn5", "mean")
TITLES = {"ae": "AE", "cnn1": "CNN 1 label", "cnn5": "CNN 5 labels", "mean": "baseline"}


def run_class(folder: Path, args: argparse.Namespace) -> dict[str, tuple[Evaluation, float]]:
    """Train and evaluate every model on one class; figures and training seconds."""
    data = open_dataset(folder)
    common = {"work_size": args.work_size, "progress": False, "threads": 1}
    plans = {
        "ae": (data, TrainOptions(kind="ae", epochs=args.epochs, **common)),
        "cnn1": (
            replace(data, train_defective=data.train_defective[:1]),
            TrainOptions(kind="cnn", epochs=args.cnn_epochs, **common),
        ),
        "cnn5": (
            replace(data, train_defective=data.train_defective[:5]),
            TrainOptions(kind="cnn", epochs=args.cnn_epochs, **common),
        ),
        "mean": (data, TrainOptions(kind="mean", **common)),
    }
    out = {}
    for name, (dataset, options) in plans.items():
        started = time.perf_counter()
        model = train(dataset, options)
        seconds = time.perf_counter() - started
        out[name] = (evaluate(model, dataset), seconds)
    return out


def fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{100 * value:.1f}" if percent else f"{value:.3f}"


def table(results: dict[str, dict[str, tuple[Evaluation, float]]]) -> str:
    header = ["class"]
    for name in MODELS:
        header += [
            f"{TITLES[name]} img AUROC",
            f"{TITLES[name]} px AUROC",
            f"{TITLES[name]} box AP",
        ]
    header += ["AE train s", "AE ms/img"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    rows = list(results.items())
    for cls, figures in rows:
        cells = [cls]
        for name in MODELS:
            ev = figures[name][0]
            cells += [fmt(ev.image_auroc), fmt(ev.pixel_auroc), fmt(ev.box_ap50, True)]
        cells += [f"{figures['ae'][1]:.0f}", f"{figures['ae'][0].ms_per_image:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    mean_cells = ["**mean**"]
    for name in MODELS:
        for key, pct in (("image_auroc", False), ("pixel_auroc", False), ("box_ap50", True)):
            values = [getattr(f[name][0], key) for _, f in rows]
            known = [v for v in values if v is not None]
            mean_cells.append(fmt(statistics.fmean(known) if known else None, pct))
    mean_cells += [
        f"{statistics.fmean(f['ae'][1] for _, f in rows):.0f}",
        f"{statistics.median(f['ae'][0].ms_per_image for _, f in rows):.1f}",
    ]
    lines.append("| " + " | ".join(mean_cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Inspection benchmark (DAGM-like set).")
    parser.add_argument("--classes", type=int, default=10, help="first N texture classes")
    parser.add_argument("--epochs", type=int, default=None, help="autoencoder epochs")
    parser.add_argument("--cnn-epochs", type=int, default=None, help="CNN epochs")
    parser.add_argument("--size", type=int, default=512, help="image side in pixels")
    parser.add_argument("--work-size", type=int, default=128, help="model working side")
    parser.add_argument("--train", type=int, default=60, help="normal training images")
    parser.add_argument("--test-good", type=int, default=25)
    parser.add_argument("--test-bad", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", type=Path, default=None, help="keep the data set here")
    args = parser.parse_args()

    root = args.root or Path(tempfile.mkdtemp(prefix="inspection-bench-"))
    results: dict[str, dict[str, tuple[Evaluation, float]]] = {}
    started = time.perf_counter()
    for spec in inspection_data.CLASSES[: args.classes]:
        folder = inspection_data.write_class(
            root,
            spec,
            size=args.size,
            train=args.train,
            test_good=args.test_good,
            test_bad=args.test_bad,
            train_bad=5,
            seed=args.seed,
        )
        results[f"{spec.name} ({spec.defect_name})"] = run_class(folder, args)
        ae = results[f"{spec.name} ({spec.defect_name})"]["ae"]
        print(
            f"{spec.name}: AE img AUROC {fmt(ae[0].image_auroc)} box AP "
            f"{fmt(ae[0].box_ap50, True)} in {ae[1]:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    print(table(results))
    print(
        f"\n{args.classes} classes, {args.size}x{args.size} images, {args.train} normal "
        f"training images, {args.test_good}+{args.test_bad} test images per class; "
        f"total {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
