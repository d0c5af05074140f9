"""Simulated frame rate: render + camera model at full size (2448x2048), one core.

Compares, in one run, the simulated camera as shipped (re-render only on change,
precomputed warp maps, vignetting and noise bank, cached text masks) with a naive
baseline that re-renders the screen and recomputes every map and the noise each frame.

    python3 benchmarks/bench_sim.py                 # default: 200 frames, 8 baseline frames
    python3 benchmarks/bench_sim.py --frames 400 --baseline-frames 12

Times are CPU seconds of this process (``time.process_time``), pinned to one core with
OpenCV single-threaded, so a busy shared machine slows the run down but not the figures;
wall-clock medians are printed beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from robotest.drivers.clock import ManualClock
from robotest.sim import CameraModel, ProductImage, SimCamera, SimLaptop, paint
from robotest.sim import camera_model as camera_model_module

FRAME_PERIOD = 0.05  # the station asks for a frame every 50 ms of station time


@dataclass
class Result:
    name: str
    cpu: list[float]
    wall: list[float]

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.cpu)

    @property
    def mean_ms(self) -> float:
        return 1000 * statistics.fmean(self.cpu)

    @property
    def wall_median_ms(self) -> float:
        return 1000 * statistics.median(self.wall)

    @property
    def fps(self) -> float:
        """Frames per CPU second over the whole run (mean: re-rendered frames count)."""
        return 1000 / self.mean_ms


def _desktop_with_terminal(clock: ManualClock) -> SimLaptop:
    laptop = SimLaptop(ProductImage.golden(), clock.now, seed=0)
    laptop.enter("desktop")
    laptop.pointer_move(90, 72)
    for _ in range(2):
        laptop.pointer_button("left", True)
        laptop.pointer_button("left", False)
    for command in ("uname -a", "lsdev", "battery"):
        for char in command:
            _tap(laptop, "Space" if char == " " else char)
        _tap(laptop, "Enter")
    return laptop


def _tap(laptop: SimLaptop, key: str) -> None:
    laptop.key_event(key, True)
    laptop.key_event(key, False)


def _measure(name: str, frames: int, frame: Callable[[int], np.ndarray]) -> Result:
    frame(-1)  # warm-up
    cpu, wall = [], []
    for index in range(frames):
        c0, w0 = time.process_time(), time.perf_counter()
        picture = frame(index)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        assert picture.shape == (2048, 2448, 3)
    return Result(name, cpu, wall)


def shipped(frames: int, change_every: int | None) -> Result:
    """SimCamera.grab() at 20 frames/s station time; a key typed every *change_every* frames."""
    clock = ManualClock(0.0)
    laptop = _desktop_with_terminal(clock)
    camera = SimCamera(laptop, seed=0)

    def frame(index: int) -> np.ndarray:
        clock.advance(FRAME_PERIOD)
        if change_every is not None and index % change_every == 0:
            _tap(laptop, "abcdefghij"[index % 10])
        return camera.grab()

    if change_every is None:
        label = "shipped, screen unchanged"
    elif change_every == 1:
        label = "shipped, screen changes every frame"
    else:
        label = f"shipped, a key typed every {change_every} frames"
    return _measure(label, frames, frame)


def naive(frames: int) -> Result:
    """Re-render the screen and rebuild maps, vignetting and noise for every frame."""
    clock = ManualClock(0.0)
    laptop = _desktop_with_terminal(clock)
    build_optics = camera_model_module._optics.__wrapped__  # the uncached construction

    def frame(index: int) -> np.ndarray:
        clock.advance(FRAME_PERIOD)
        paint._text_mask.cache_clear()
        painter = paint.Painter()
        laptop.current_screen.draw(painter, clock())
        screen = painter.to_bgr()
        model = CameraModel(seed=0)
        model._optics = build_optics(model.screen_size, model.frame_size, 0, model.params)
        return model.photograph(screen)

    return _measure("naive baseline (re-render + maps + noise each frame)", frames, frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--baseline-frames", type=int, default=8)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    results = [
        shipped(args.frames, None),
        shipped(args.frames, 10),
        shipped(args.frames, 1),
        naive(args.baseline_frames),
    ]
    baseline = results[-1]
    print(
        "| scenario | frames | median CPU ms/frame | mean CPU ms/frame | frames/s (1 core) "
        "| speed-up vs baseline | median wall ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.name} | {len(result.cpu)} | {result.median_ms:.1f} | {result.mean_ms:.1f} "
            f"| {result.fps:.1f} | {baseline.mean_ms / result.mean_ms:.1f}x "
            f"| {result.wall_median_ms:.1f} |"
        )
    load = os.getloadavg()[0]
    print(f"\nload average during the run: {load:.1f} (machine has {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
