"""Calibration on the real-icons camera tier: every frame, found or refused, and how far off.

    nice -n 10 python3 benchmarks/real_icons/calibration.py --per-family 12

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
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "real-icons")
    args = parser.parse_args()
    size = (1920, 1080)
    svg = args.cache / "svg"
    walls = corpus.backgrounds(size, svg)
    errors, refused = [], 0
    for f_index, family in enumerate(themes.families()):
        names = family.names()
        for i in range(args.per_family):
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
                refused += 1
                print(f"camera {seed} ({family.name}): refused: {exc}")
                continue
            error = float(np.linalg.norm(calibration.corners - truth, axis=1).mean())
            errors.append(error)
            print(
                f"camera {seed} ({family.name}): corner error {error:.2f} px, confidence "
                f"{calibration.confidence:.2f}, {time.process_time() - start:.1f} s CPU"
            )
    print(
        f"\n{len(errors)}/{len(errors) + refused} frames calibrated, mean corner error "
        f"{np.mean(errors) if errors else float('nan'):.2f} px, worst "
        f"{max(errors, default=float('nan')):.2f} px"
    )


if __name__ == "__main__":
    main()
