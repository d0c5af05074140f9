"""Time per image of ``knn`` against ``knn-coarse`` (the quarter grid alone), interleaved.

Trains both on each class and times ``analyse`` + ``judge`` of every test picture, three
rounds, one PyTorch and one OpenCV thread; prints the median and 90th percentile.

    nice -n 10 python3 benchmarks/real_surfaces/timing.py --root /tmp/rs6 --classes granite grass
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import cv2  # noqa: E402
from bench import train_variant  # noqa: E402

from robotest.inspection.dataset import open_dataset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--classes", nargs="+", default=["granite", "grass"])
    parser.add_argument("--models", nargs="+", default=["knn", "knn-coarse"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    for name in args.classes:
        data = open_dataset(args.root / name)
        models = {k: train_variant(data, k) for k in args.models}
        first = next(iter(models.values()))
        images = [first.read(item.path) for item in data.test]
        times: dict[str, list[float]] = {k: [] for k in models}
        for _ in range(args.rounds):
            for kind, model in models.items():
                for image in images:
                    started = time.perf_counter()
                    model.judge(model.analyse([image])[0])
                    times[kind].append(time.perf_counter() - started)
        for kind, values in times.items():
            ordered = sorted(values)
            print(
                f"{name} {kind}: median {1000 * statistics.median(values):.1f} ms, "
                f"p90 {1000 * ordered[int(0.9 * len(ordered))]:.1f} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
