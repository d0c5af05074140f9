"""Icon search side by side: a reference ``icon_search.py`` against the current one.

    nice -n 10 python3 benchmarks/bench_icon_speed.py --screens 40 --reference main

Both searches answer the same queries on the same rectified screens (the vision
benchmark's localisation screens, in its order: same cameras, calibrations and seeds),
one after the other, in alternating order, so that the load of a shared machine weighs
on both alike. Times are CPU time on one core (OpenCV limited to one thread),
``time.process_time`` (nanosecond clock, not 10 ms ticks). Rectified screens are cached
on disk (``--cache``), so repeated runs skip the camera and the calibration.

``--reference`` is a git revision (its ``robotest/vision/icon_search.py`` is loaded as a
separate module) or the path of such a file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import vision_cases as cases  # noqa: E402

from robotest.sim import CameraModel, CameraParams  # noqa: E402
from robotest.vision import Calibration, CalibrationError, Icon  # noqa: E402
from robotest.vision import icon_search as current  # noqa: E402

cv2.setNumThreads(1)

Screen = tuple[np.ndarray, dict[str, object]]


def camera(seed: int) -> CameraModel:
    return CameraModel(seed=seed, params=CameraParams.sample(seed))


def calibrations(cameras: int) -> dict[int, Calibration]:
    """One calibration per camera, as the vision benchmark makes them (best of three screens)."""
    rng = np.random.default_rng(11)
    kept: dict[int, Calibration] = {}
    for seed in range(cameras):
        cam = camera(seed)
        screens = [
            cases.desktop(rng, False)[0],
            cases.bios(rng, "blue")[0],
            cases.terminal(rng, True)[0],
        ]
        for screen in screens:
            try:
                calibration = Calibration.from_frame(cam.photograph(screen), cases.SCREEN)
            except CalibrationError:
                continue
            best = kept.get(seed)
            if best is None or calibration.confidence > best.confidence:
                kept[seed] = calibration
    return kept


def screens(count: int, cameras: int, cache: Path) -> list[Screen]:
    """The vision benchmark's first *count* localisation screens, rectified (cached on disk)."""
    cache.mkdir(parents=True, exist_ok=True)
    files = [cache / f"screen-{cameras}-{i:04d}.npz" for i in range(count)]
    if not all(f.is_file() for f in files):
        made = calibrations(cameras)
        seeds = sorted(made)
        rng = np.random.default_rng(22)
        for index, file in enumerate(files):
            seed = seeds[index % len(seeds)]
            screen, truth = cases.desktop(rng, dark=bool(index % 2))
            rectified = made[seed].rectify(camera(seed).photograph(screen))
            labels = {"icons": truth.icons, "hidden": sorted(truth.hidden)}
            np.savez_compressed(file, screen=rectified, truth=json.dumps(labels))
            print(f"  screens: {index + 1}/{count}", file=sys.stderr)
    loaded = []
    for file in files:
        with np.load(file) as data:
            loaded.append((data["screen"], json.loads(str(data["truth"]))))
    return loaded


def reference_module(reference: str) -> ModuleType:
    """The icon search of a git revision or a file, loaded beside the current one."""
    path = Path(reference)
    if not path.is_file():
        source = subprocess.run(
            ["git", "show", f"{reference}:robotest/vision/icon_search.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        path = Path(tempfile.mkdtemp()) / "icon_search_reference.py"
        path.write_text(source)
    spec = importlib.util.spec_from_file_location("icon_search_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class Tally:
    """Recall, wrong places and CPU times of one search (the vision benchmark's rules)."""

    def __init__(self) -> None:
        self.present = self.absent = self.correct = self.wrong = self.false_alarms = 0
        self.times: list[float] = []
        self.first: list[float] = []
        """Times of the first query on each screen (nothing cached for that screen yet)."""
        self.answers: list[tuple[str, bool, tuple[int, ...] | None, float]] = []
        """(query, found, box, score) of every query."""

    def add(self, truth: list[int] | None, box: tuple[int, ...] | None, found: bool) -> None:
        if truth is None:
            self.absent += 1
            self.false_alarms += int(found)
            return
        self.present += 1
        if not found or box is None:
            return
        tx, ty, tw, th = truth
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        near_x = abs(cx - (tx + tw / 2)) <= max(4, tw / 4)
        near_y = abs(cy - (ty + th / 2)) <= max(4, th / 4)
        if near_x and near_y:
            self.correct += 1
        else:
            self.wrong += 1

    def row(self, name: str) -> str:
        recall = 100 * self.correct / max(1, self.present)
        cases_ = self.present + self.absent
        wrong = 100 * (self.wrong + self.false_alarms) / max(1, cases_)
        return (
            f"| {name} | {cases_} ({self.absent} absent) | {recall:.2f}% | {wrong:.2f}% "
            f"({self.wrong} wrong place, {self.false_alarms} false alarms) | "
            f"{ms(self.times):.1f} ms | {ms(self.first):.1f} ms |"
        )


def ms(values: list[float]) -> float:
    return 1000 * statistics.median(values) if values else float("nan")


def query(module: ModuleType, screen: np.ndarray, icon: Icon, tally: Tally, truth: object,
          first: bool, name: str) -> None:
    start = time.process_time()
    match = module.locate(screen, icon)
    spent = time.process_time() - start
    tally.times.append(spent)
    if first:
        tally.first.append(spent)
    tally.answers.append((name, match.found, match.box, match.score))
    tally.add(truth, match.box, match.found)  # type: ignore[arg-type]


def truth_of(shown: list[Screen], where: str) -> object:
    """The true box of a query named ``screen N: icon``."""
    index, name = where.removeprefix("screen ").split(": ")
    icons = shown[int(index)][1]["icons"]
    assert isinstance(icons, dict)
    return icons.get(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, default=40)
    parser.add_argument("--cameras", type=int, default=6)
    parser.add_argument("--reference", default="main", help="git revision or icon_search.py")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "icon-speed")
    parser.add_argument("--only-current", action="store_true", help="no reference (profiling)")
    args = parser.parse_args()
    started = time.time()
    shown = screens(args.screens, args.cameras, args.cache)
    with tempfile.TemporaryDirectory() as tmp:
        folders = cases.write_icon_folders(Path(tmp))
        # each search its own Icon objects: both keep per-icon caches on them
        icons = {name: (Icon.load(f), Icon.load(f)) for name, f in folders.items()}
    searches = [("current", current, Tally())]
    if not args.only_current:
        reference = reference_module(args.reference)
        searches.append((f"reference ({args.reference})", reference, Tally()))
    turn = 0
    for number, (screen, labels) in enumerate(shown):
        truths = labels["icons"]
        assert isinstance(truths, dict)
        firsts = {name for name, _, _ in searches}
        for name, pair in icons.items():
            if name in labels["hidden"]:  # type: ignore[operator]
                continue
            order = searches if turn % 2 == 0 else searches[::-1]
            turn += 1
            for label, module, tally in order:
                icon = pair[0] if module is current else pair[1]
                where = f"screen {number}: {name}"
                query(module, screen, icon, tally, truths.get(name), label in firsts, where)
                firsts.discard(label)
    print("| search | cases | recall | wrong-place matches | median CPU per query | "
          "first query on a screen |")
    print("|---|---|---|---|---|---|")
    for label, _, tally in searches:
        print(tally.row(label))
    if len(searches) == 2:
        ratio = ms(searches[1][2].times) / ms(searches[0][2].times)
        pairs = zip(searches[0][2].answers, searches[1][2].answers, strict=True)
        differ = [(a, b) for a, b in pairs if a[1:3] != b[1:3]]
        print(f"\nreference / current: {ratio:.2f}x (median per query); "
              f"{len(differ)} of {len(searches[0][2].answers)} answers differ (found or box)")
        for a, b in differ[:10]:
            print(f"- {a[0]}: current {a[1:]} (truth {truth_of(shown, a[0])}), reference {b[1:]}")
    print(f"\nRun took {time.time() - started:.0f} s; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
