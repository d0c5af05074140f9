"""What one poll of the screen costs: an unchanged frame against one that needs OCR.

Run:  python3 benchmarks/bench_poll.py [--polls 15]

On the simulated station, logged in at the desktop, it times (median, real seconds):
- a poll of an unchanged frame: grab, the cheap change test, and the vision answer
  from the screen's cache (no rectification, OCR or matching);
- a poll of a changed frame: grab, rectification and OCR of the whole screen;
and, for the runtime's own overhead per step, the same statements with the recording
runtime (no device at all).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import robotest.sim
from robotest.drivers import open_station
from robotest.runtime import api, use_runtime
from robotest.runtime.station_runtime import StationRuntime
from robotest.vision import find_text, text_search

ICONS = Path(robotest.sim.__file__).parent / "assets" / "icons"


def _median(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=15)
    args = parser.parse_args()
    with open_station("sim", speed=10) as station:
        runtime = StationRuntime(station=station, icon_paths=[ICONS])
        runtime.start()
        with use_runtime(runtime):
            api.press("Power")
            api.await_text("Welcome", within=60)
            api.type_text("factory\n")
            api.await_icon("terminal", within=30)
        view = runtime.view
        unchanged, changed, grabs = [], [], []
        for _ in range(args.polls):
            with runtime.thinking():
                start = time.perf_counter()
                view.camera.grab()
                grabs.append(time.perf_counter() - start)
                start = time.perf_counter()
                find_text(view.look(), "Recycle Bin")
                unchanged.append(time.perf_counter() - start)
                view._screen = None  # the next frame counts as changed: rectify and OCR
                text_search._cache.clear()
                start = time.perf_counter()
                find_text(view.look(), "Recycle Bin")
                changed.append(time.perf_counter() - start)
    print(f"polls: {args.polls} of each kind, median real time")
    print("| poll | median | ratio |")
    print("|---|---|---|")
    print(f"| unchanged frame (change test + cached answer) | {_median(unchanged):.1f} ms | 1x |")
    print(f"| of which the camera grab alone | {_median(grabs):.1f} ms | |")
    print(
        f"| changed frame (rectify + OCR of the screen) | {_median(changed):.1f} ms | "
        f"{_median(changed) / _median(unchanged):.0f}x |"
    )


if __name__ == "__main__":
    main()
