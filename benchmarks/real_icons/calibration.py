"""Calibration on the real-icons camera tier: every frame, found or refused, and how far off.

    nice -n 10 python3 benchmarks/real_icons/calibration.py --per-family 12
    nice -n 10 python3 benchmarks/real_icons/calibration.py --first 36 --per-family 36
    nice -n 10 python3 benchmarks/real_icons/calibration.py --first 36 --per-family 36 \\
        --sizes 800x600,1920x1080,2560x1600 --reference /tmp/t37/main

``--first`` skips each family's first screens: frames 0-35 of each family were looked at
while the calibration was tuned (issue 19), frames from 36 on were not (held out).

Rebuilds each camera-tier screen of :mod:`corpus` (the same seeds) at each screen size,
photographs it with its sampled camera, and calibrates from that frame with this tree's
``Calibration.from_frame`` (and, with ``--reference``, another tree's, on the same
frame): per frame, the mean corner error against the camera's true corners, or the
station error's message (what it saw on each side).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

import corpus  # noqa: E402
import numpy as np  # noqa: E402
import other_tree  # noqa: E402
import themes  # noqa: E402

from robotest.vision import Calibration  # noqa: E402
from robotest.vision.errors import CalibrationError  # noqa: E402

Calibrate = Callable[[np.ndarray, tuple[int, int]], np.ndarray]
"""Frame and screen size -> the corners found; raises the tree's CalibrationError."""


def reference_tree(root: Path) -> tuple[Calibrate, type[Exception]]:
    """``Calibration.from_frame`` of the robotest tree at *root*, loaded beside this one
    (:func:`other_tree.import_from_tree`)."""
    module, errors = other_tree.import_from_tree(
        root, "robotest.vision.calibration", "robotest.vision.errors"
    )
    return (
        lambda frame, size: module.Calibration.from_frame(frame, size).corners,
        errors.CalibrationError,
    )


@dataclass
class Tally:
    """One version's results over the frames of one screen size."""

    errors: list[float] = field(default_factory=list)
    worst: list[float] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def add(self, seed: int, corners: np.ndarray | None, truth: np.ndarray, cpu: float) -> str:
        if corners is None:
            self.refused.append(seed)
            return "refused"
        self.times.append(cpu)
        corner_errors = np.linalg.norm(corners - truth, axis=1)
        self.errors.append(float(corner_errors.mean()))
        self.worst.append(float(corner_errors.max()))
        return f"corner error {self.errors[-1]:.2f} px, {cpu:.1f} s CPU"

    def row(self, name: str) -> str:
        def top(values: list[float]) -> str:
            return f"{max(values):.3f} px" if values else "-"

        mean = f"{np.mean(self.errors):.3f} px" if self.errors else "-"
        median = f"{np.median(self.times):.1f} s" if self.times else "-"
        refused = ", ".join(map(str, self.refused)) or "none"
        calibrated = f"{len(self.errors)}/{len(self.errors) + len(self.refused)}"
        off = sum(w > 1.0 for w in self.worst)
        return (
            f"| {name} | {calibrated} | {mean} | {top(self.errors)} | {top(self.worst)} | "
            f"{off} | {median} | {refused} |"
        )


def _calibrated(
    calibrate: Calibrate, error: type[Exception], frame: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray | None, float, str]:
    """The corners found (None: refused), the CPU seconds taken and the refusal."""
    start = time.process_time()
    try:
        corners = calibrate(frame, size)
    except error as exc:
        return None, time.process_time() - start, str(exc)
    return corners, time.process_time() - start, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=12, help="screens per icon family")
    parser.add_argument("--first", type=int, default=0, help="first screen of each family")
    parser.add_argument("--sizes", default="1920x1080", help="screen sizes, comma-separated")
    parser.add_argument("--reference", type=Path, help="another robotest tree, side by side")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "real-icons")
    args = parser.parse_args()
    versions: dict[str, tuple[Calibrate, type[Exception]]] = {
        "this tree": (
            lambda frame, size: Calibration.from_frame(frame, size).corners,
            CalibrationError,
        ),
    }
    if args.reference:
        versions[str(args.reference)] = reference_tree(args.reference)
    svg = args.cache / "svg"
    rows = []
    for text in args.sizes.split(","):
        size = tuple(int(v) for v in text.split("x"))
        walls = corpus.backgrounds(size, svg)
        tallies = {name: Tally() for name in versions}
        for f_index, family in enumerate(themes.families()):
            names = family.names()
            for i in range(args.first, args.first + args.per_family):
                index = f_index * 1000 + i
                if corpus.TIERS[index % len(corpus.TIERS)] != "camera":
                    continue
                screen, _, _ = corpus.shown_screen(index, family, names, walls, size, svg)
                seed = corpus.camera_seed(index)
                frame, truth = corpus.photograph(screen, seed, size)
                for name, (calibrate, error) in versions.items():
                    corners, cpu, refusal = _calibrated(calibrate, error, frame, size)
                    said = tallies[name].add(seed, corners, truth, cpu)
                    print(f"{text} camera {seed} ({family.name}) {name}: {said} {refusal}")
        rows += [tally.row(f"{text}, {name}") for name, tally in tallies.items()]
    print(
        "\n| size, version | calibrated | mean corner error | worst frame (mean) | worst corner "
        "| off by > 1 px | median CPU | refused (camera seed) |\n|---|---|---|---|---|---|---|---|"
    )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
