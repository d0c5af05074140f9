"""Anchored reads of highlighted rows, before and after, on the simulated laptop's setup.

    mkdir /tmp/robotest-main && git archive main robotest | tar -x -C /tmp/robotest-main
    nice -n 10 python3 benchmarks/highlighted_rows.py /tmp/robotest-main

Every row of every setup tab is highlighted in turn (a dark bar, white text: the row a
first script lands on); each screen is read as the framebuffer shows it, and every
other one also through a simulated camera (seeds 0-3), calibrated and rectified. For
the highlighted row and every third other row, the label is looked for and the value
right of it read (`read_beside`), by each version of robotest in its own process.
These screens are drawn by robotest itself: a regression check for the highlight, not
a figure on real screens.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
HERE = Path(__file__).resolve().parent


def make_frames(path: Path) -> None:
    """Each setup row highlighted, as framebuffer and (every other one) camera frames."""
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    import bench_vision as bench

    from robotest.sim.image import ProductImage
    from robotest.sim.laptop import SimLaptop
    from robotest.vision import Calibration

    laptop = SimLaptop(ProductImage.golden(), lambda: 0.0)
    laptop.enter("bios")
    setup = laptop.current_screen
    screens = []
    for tab in range(5):
        setup.tab = tab  # type: ignore[attr-defined]
        rows = setup.rows(0)  # type: ignore[attr-defined]
        for row in range(len(rows)):
            setup.row = row  # type: ignore[attr-defined]
            laptop._changed()
            screens.append((row, rows, laptop.screen()[:, :, :3].copy()))
    calibrations = {
        seed: Calibration.from_frame(bench.camera(seed).photograph(screens[0][2]), (1920, 1080))
        for seed in range(4)
    }
    cases = []
    for index, (row, rows, screen) in enumerate(screens):
        cases.append({"source": "framebuffer", "row": row, "rows": rows, "screen": screen})
        if index % 2 == 0:
            seed = (index // 2) % 4
            frame = bench.camera(seed).photograph(screen)
            rectified = calibrations[seed].rectify(frame)
            cases.append({"source": "camera", "row": row, "rows": rows, "screen": rectified})
    path.write_bytes(pickle.dumps(cases))


def worker(root: str, path: str) -> None:
    """Read every case with the robotest at *root*; one JSON line per read."""
    sys.path.insert(0, root)
    from robotest.vision import find_text, read_beside, text_search

    for case in pickle.loads(Path(path).read_bytes()):
        text_search._cache.clear()
        for index, (label, value) in enumerate(case["rows"]):
            highlighted = index == case["row"]
            if not highlighted and index % 3:
                continue
            try:
                if value:
                    read = read_beside(case["screen"], label)
                else:
                    read = "" if find_text(case["screen"], label).found else None
            except Exception:  # noqa: BLE001 - an anchor not found is a failed read
                read = None
            line = [case["source"], highlighted, label, value or "", read]
            print(json.dumps(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="a folder holding the other version's robotest package")
    parser.add_argument("--after", default=str(HERE.parent), help="default: this tree")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frames.pkl"
        make_frames(path)
        results = {}
        for name, root in (("before", args.before), ("after", args.after)):
            out = subprocess.run(
                [sys.executable, __file__, "--worker", root, str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results[name] = [json.loads(line) for line in out.splitlines()]
    print("| version | source | highlighted rows right | other rows right |")
    print("|---|---|---|---|")
    for name, reads in results.items():
        for source in ("framebuffer", "camera"):
            cells = []
            for highlighted in (True, False):
                kept = [r for r in reads if r[0] == source and r[1] == highlighted]
                right = sum(r[4] == r[3] for r in kept)
                cells.append(f"{right}/{len(kept)}")
            print(f"| {name} | {source} | {cells[0]} | {cells[1]} |")
    for name, reads in results.items():
        for read in reads:
            if read[4] != read[3]:
                print(f"- {name} {read[0]} highlighted={read[1]} {read[2]!r}: {read[4]!r}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
