"""Icon search side by side: a reference ``icon_search.py`` against the current one.

    nice -n 10 python3 benchmarks/bench_icon_speed.py --screens 40 --reference main

Both searches answer the same queries on the same rectified screens (the vision
benchmark's localisation screens, in its order: same cameras, calibrations and seeds),
one after the other, in alternating order, so that the load of a shared machine weighs
on both alike. Times are CPU time on one core (OpenCV limited to one thread),
``time.process_time`` (nanosecond clock, not 10 ms ticks). Rectified screens are cached
on disk (``--cache``), so repeated runs skip the camera and the calibration (delete
them after changing ``vision_cases.py`` or the camera model).

``--reference`` is a git revision or a folder holding a robotest tree (its icon search is
loaded with its own modules, beside this tree's), or the path of a single
``icon_search.py`` (a tree from before the search was split into modules).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_vision as vision  # noqa: E402  (its cameras, calibrations and scoring rule)
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import other_tree  # noqa: E402
import vision_cases as cases  # noqa: E402

from robotest.vision import Icon  # noqa: E402
from robotest.vision import icon_search as current  # noqa: E402

cv2.setNumThreads(1)

Screen = tuple[np.ndarray, dict[str, object]]


def screens(count: int, cameras: int, cache: Path) -> list[Screen]:
    """The vision benchmark's first *count* localisation screens, rectified (cached on disk)."""
    cache.mkdir(parents=True, exist_ok=True)
    files = [cache / f"screen-{cameras}-{i:04d}.npz" for i in range(count)]
    if not all(f.is_file() for f in files):
        made, _ = vision.bench_calibration(cameras)
        seeds = sorted(made)
        rng = np.random.default_rng(22)
        for index, file in enumerate(files):
            seed = seeds[index % len(seeds)]
            screen, truth = cases.desktop(rng, dark=bool(index % 2))
            rectified = made[seed].rectify(vision.camera(seed).photograph(screen))
            labels = {"icons": truth.icons, "hidden": sorted(truth.hidden)}
            np.savez_compressed(file, screen=rectified, truth=json.dumps(labels))
            print(f"  screens: {index + 1}/{count}", file=sys.stderr)
    loaded = []
    for file in files:
        with np.load(file) as data:
            loaded.append((data["screen"], json.loads(str(data["truth"]))))
    return loaded


def reference_module(reference: str) -> ModuleType:
    """The icon search of another tree, loaded beside the current one: a folder holding a
    robotest tree, a git revision (with the modules it imports, as that revision has
    them), or the path of a single ``icon_search.py`` (loaded beside this tree's other
    modules, for trees from before the search was split into modules)."""
    path = Path(reference)
    if path.is_file():
        spec = importlib.util.spec_from_file_location("icon_search_reference", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    (module,) = other_tree.import_from_tree(
        other_tree.tree_of(reference), "robotest.vision.icon_search"
    )
    return module


def reference_icon(folder: Path) -> Icon:
    """An icon for a reference search: revisions before ``Icon.templates`` kept their
    templates in an ``icon._cache`` dictionary, which such an icon carries too."""
    icon = Icon.load(folder)
    object.__setattr__(icon, "_cache", {})  # frozen dataclass: set as its __init__ would
    return icon


@dataclass
class Search:
    """One icon search under test: its answers, counted by the vision benchmark's rule."""

    label: str
    module: ModuleType
    tally: vision.Tally = field(default_factory=vision.Tally)
    first: list[float] = field(default_factory=list)
    """CPU times of the first query on each screen (nothing kept for that screen yet)."""
    answers: list[tuple[str, bool, tuple[int, ...] | None, float]] = field(default_factory=list)
    """(query, found, box, score) of every query."""

    def row(self) -> str:
        return f"{self.tally.row(self.label)} {ms(self.first):.1f} ms |"


def ms(values: list[float]) -> float:
    return 1000 * statistics.median(values) if values else float("nan")


def query(
    search: Search, screen: np.ndarray, icon: Icon, truth: object, first: bool, where: str
) -> None:
    start = time.process_time()
    match = search.module.locate(screen, icon)
    spent = time.process_time() - start
    search.tally.times.append(spent)
    if first:
        search.first.append(spent)
    search.answers.append((where, match.found, match.box, match.score))
    search.tally.add(truth, match.box, match.found)  # type: ignore[arg-type]


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
    parser.add_argument(
        "--reference", default="main", help="git revision, robotest tree or icon_search.py"
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "icon-speed")
    parser.add_argument("--only-current", action="store_true", help="no reference (profiling)")
    args = parser.parse_args()
    started = time.time()
    shown = screens(args.screens, args.cameras, args.cache)
    with tempfile.TemporaryDirectory() as tmp:
        folders = cases.write_icon_folders(Path(tmp))
        # each search its own Icon objects: both keep per-icon caches on them
        icons = {name: (Icon.load(f), reference_icon(f)) for name, f in folders.items()}
    searches = [Search("current", current)]
    if not args.only_current:
        reference = reference_module(args.reference)
        searches.append(Search(f"reference ({args.reference})", reference))
    turn = 0
    for number, (screen, labels) in enumerate(shown):
        truths = labels["icons"]
        assert isinstance(truths, dict)
        firsts = {search.label for search in searches}
        for name, pair in icons.items():
            if name in labels["hidden"]:  # type: ignore[operator]
                continue
            order = searches if turn % 2 == 0 else searches[::-1]
            turn += 1
            for search in order:
                icon = pair[0] if search.module is current else pair[1]
                where = f"screen {number}: {name}"
                query(search, screen, icon, truths.get(name), search.label in firsts, where)
                firsts.discard(search.label)
    print(
        "| search | cases | recall | wrong-place matches | median CPU per query | "
        "first query on a screen |"
    )
    print("|---|---|---|---|---|---|")
    for search in searches:
        print(search.row())
    if len(searches) == 2:
        ours, theirs = searches
        ratio = ms(theirs.tally.times) / ms(ours.tally.times)
        pairs = zip(ours.answers, theirs.answers, strict=True)
        differ = [(a, b) for a, b in pairs if a[1:3] != b[1:3]]
        print(
            f"\nreference / current: {ratio:.2f}x (median per query); "
            f"{len(differ)} of {len(ours.answers)} answers differ (found or box)"
        )
        differ.sort(key=lambda pair: pair[0][1] == pair[1][1])  # found or not first
        for a, b in differ[:10]:
            print(f"- {a[0]}: current {a[1:]} (truth {truth_of(shown, a[0])}), reference {b[1:]}")
    took, load = time.time() - started, os.getloadavg()[0]
    print(f"\nRun took {took:.0f} s; load average {load:.1f} on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
