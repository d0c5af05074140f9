"""Anchored OCR reads of two versions of robotest on the same frames, in one run.

    mkdir /tmp/robotest-main && git archive main robotest | tar -x -C /tmp/robotest-main
    nice -n 10 python3 benchmarks/ocr_side_by_side.py /tmp/robotest-main --screens 20

The screens, cameras and calibrations are those of ``bench_vision.py --cameras 6
--ocr-screens N`` (the same seeds), rectified once; each version reads them in its own
process (``robotest`` imported from its tree), screen by screen, taking turns which goes
first, so that both see the same load. Times are CPU time (Tesseract included), as in
bench_vision.py. The reads where either version is wrong are listed.
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


def make_screens(screens: int, path: Path) -> None:
    """Rectified OCR frames and their truth, exactly as bench_vision.bench_ocr makes them."""
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    import bench_vision as bench
    import numpy as np
    import vision_cases as cases

    calibrations, _ = bench.bench_calibration(6)
    rng = np.random.default_rng(33)
    seeds = sorted(calibrations)
    kinds = ["bios-blue", "bios-light", "bios-dark", "terminal-dark", "terminal-light"]
    out = []
    for index in range(screens):
        seed, kind = seeds[index % len(seeds)], kinds[index % len(kinds)]
        if kind.startswith("bios"):
            screen, truth = cases.bios(rng, kind.split("-")[1])
        else:
            screen, truth = cases.terminal(rng, kind.endswith("dark"))
        rectified = calibrations[seed].rectify(bench.camera(seed).photograph(screen))
        out.append({"kind": kind, "screen": rectified, "rows": truth.rows, "below": truth.below})
    path.write_bytes(pickle.dumps(out))


def worker(root: str, path: str) -> None:
    """Read the screens named on stdin with the robotest at *root*; one JSON line each."""
    sys.path.insert(0, root)
    import cv2

    from robotest.vision import find_text, read_beside, text_search

    cv2.setNumThreads(1)
    screens = pickle.loads(Path(path).read_bytes())

    def cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    for request in sys.stdin:
        case = screens[int(request)]
        text_search._cache.clear()
        start = cpu()
        find_text(case["screen"], case["rows"][0][0])
        found = cpu() - start
        reads = []
        for side, pairs in (("right_of", case["rows"]), ("below", case["below"])):
            for anchor, truth in pairs:
                start = cpu()
                try:
                    read = read_beside(case["screen"], anchor, side)
                except Exception:  # noqa: BLE001 - a missed anchor counts as a full misread
                    read = ""
                reads.append([side, anchor, truth, read, cpu() - start])
        print(json.dumps({"find": found, "reads": reads}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="a folder holding the other version's robotest package")
    parser.add_argument("--after", default=str(HERE.parent), help="default: this tree")
    parser.add_argument("--screens", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_vision import levenshtein, median_ms

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "screens.pkl"
        make_screens(args.screens, path)
        roots = {"before": args.before, "after": args.after}
        procs = {
            name: subprocess.Popen(
                [sys.executable, __file__, "--worker", root, str(path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for name, root in roots.items()
        }
        results: dict[str, list[dict]] = {name: [] for name in roots}
        for index in range(args.screens):
            for name in ("before", "after") if index % 2 == 0 else ("after", "before"):
                procs[name].stdin.write(f"{index}\n")  # type: ignore[union-attr]
                procs[name].stdin.flush()  # type: ignore[union-attr]
                results[name].append(json.loads(procs[name].stdout.readline()))  # type: ignore[union-attr]
        for proc in procs.values():
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait()
    print("| version | `right_of` CER | `below` CER | median read | `find_text` median / max |")
    print("|---|---|---|---|---|")
    for name, screens in results.items():
        cells = []
        for side in ("right_of", "below"):
            reads = [r for s in screens for r in s["reads"] if r[0] == side]
            errors = sum(levenshtein(r[3], r[2]) for r in reads)
            chars = sum(len(r[2]) for r in reads)
            cells.append(f"{100 * errors / chars:.2f}% ({errors}/{chars}, {len(reads)} reads)")
        every = [r[4] for s in screens for r in s["reads"]]
        finds = [s["find"] for s in screens]
        print(
            f"| {name} ({roots[name]}) | {cells[0]} | {cells[1]} | {median_ms(every):.0f} ms | "
            f"{median_ms(finds):.0f} / {1000 * max(finds):.0f} ms |"
        )
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    for index in range(args.screens):
        pairs = zip(
            results["before"][index]["reads"], results["after"][index]["reads"], strict=True
        )
        for before, after in pairs:
            if before[3] != before[2] or after[3] != after[2]:
                print(
                    f"- {index} {before[0]} {before[1]!r}: expected {before[2]!r}, "
                    f"before {before[3]!r}, after {after[3]!r}"
                )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
