"""Calibration on the real-icons camera tier: every frame, found or refused, and how far off.

    nice -n 10 python3 benchmarks/real_icons/calibration.py --per-family 12
    nice -n 10 python3 benchmarks/real_icons/calibration.py --first 36 --per-family 36

``--first`` skips each family's first screens: frames 0-35 of each family were looked at
while the calibration was tuned (issue 19), frames from 36 on were not (held out).

Rebuilds each camera-tier screen of :mod:`corpus` (the same seeds), photographs it with
its sampled camera, and calibrates from that frame with this tree's
``Calibration.from_frame``: per frame, the mean corner error against the camera's true
corners, or the station error's message (what it saw on each side).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

import corpus  # noqa: E402
import numpy as np  # noqa: E402
import themes  # noqa: E402

from robotest.vision import Calibration  # noqa: E402
from robotest.vision.errors import CalibrationError  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=12, help="screens per icon family")
    parser.add_argument("--first", type=int, default=0, help="first screen of each family")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "real-icons")
    args = parser.parse_args()
    size = (1920, 1080)
    svg = args.cache / "svg"
    walls = corpus.backgrounds(size, svg)
    errors: list[float] = []
    worst: list[float] = []
    refused: list[int] = []
    times: list[float] = []
    for f_index, family in enumerate(themes.families()):
        names = family.names()
        for i in range(args.first, args.first + args.per_family):
            index = f_index * 1000 + i
            if corpus.TIERS[index % len(corpus.TIERS)] != "camera":
                continue
            screen, _, _ = corpus.shown_screen(index, family, names, walls, size, svg)
            seed = corpus.camera_seed(index)
            frame, truth = corpus.photograph(screen, seed, size)
            start = time.process_time()
            try:
                calibration = Calibration.from_frame(frame, size)
            except CalibrationError as exc:
                refused.append(seed)
                print(f"camera {seed} ({family.name}): refused: {exc}")
                continue
            times.append(time.process_time() - start)
            corner_errors = np.linalg.norm(calibration.corners - truth, axis=1)
            error = float(corner_errors.mean())
            errors.append(error)
            worst.append(float(corner_errors.max()))
            print(
                f"camera {seed} ({family.name}): corner error {error:.2f} px, confidence "
                f"{calibration.confidence:.2f}, {times[-1]:.1f} s CPU"
            )
    print(
        f"\n{len(errors)}/{len(errors) + len(refused)} frames calibrated, mean corner error "
        f"{np.mean(errors) if errors else float('nan'):.3f} px (worst frame "
        f"{max(errors, default=float('nan')):.3f} px, worst corner "
        f"{max(worst, default=float('nan')):.3f} px), off by > 1 px: "
        f"{sum(w > 1.0 for w in worst)}, median {np.median(times) if times else 0:.1f} s CPU; "
        f"refused: {refused or 'none'}"
    )


if __name__ == "__main__":
    main()
