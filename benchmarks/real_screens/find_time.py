"""CPU and wall time of ``find_text`` on the held-out real screens (1920x1080), a fresh cache each.

    python3 benchmarks/real_screens/find_time.py /tmp/robotest-main [--corpus /tmp/real-screens]
        [--split tune]

One label of each held-out screen (``--split tune``: of each tuning screen) is looked
for in the tree given (a folder holding a ``robotest`` package), the page read not
cached; the median and the largest CPU time (all the process's threads) are printed,
and the median and the largest wall time. ``RTEST_OCR_THREADS`` sets the threads reading
a page's lines (a tree before it reads them in one thread).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", help="a folder holding the robotest package to time")
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/real-screens"))
    parser.add_argument("--split", choices=("held-out", "tune"), default="held-out")
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    import cv2

    from robotest.vision import find_text, text_search

    cv2.setNumThreads(1)
    truth = json.loads((args.corpus / "truth.json").read_text())
    screens = [s for s in truth if s["split"] == args.split]
    find_text(cv2.imread(str(args.corpus / screens[0]["image"])), "x")  # engine loaded
    times, walls = [], []
    for screen in screens:
        image = cv2.imread(str(args.corpus / screen["image"]))
        label = next(r["label"] for r in screen["reads"] if r["kind"] == "beside")
        text_search._cache.clear()
        start, wall = time.process_time(), time.perf_counter()
        find_text(image, label)
        times.append(time.process_time() - start)
        walls.append(time.perf_counter() - wall)
    times.sort()
    walls.sort()
    median, most = 1000 * times[len(times) // 2], 1000 * times[-1]
    print(
        f"{args.tree} find_text median {median:.0f} ms, max {most:.0f} ms, {len(times)} screens"
        f" (CPU); wall median {1000 * walls[len(walls) // 2]:.0f} ms, max {1000 * walls[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
