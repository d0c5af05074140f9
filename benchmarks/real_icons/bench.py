"""Real-icons benchmark: naive matchTemplate, main's icon search and this tree's, in one run.

    nice -n 10 python3 benchmarks/real_icons/bench.py --per-family 12 --reference main

Builds (or loads from ``--cache``) the corpus of :mod:`corpus` and asks every search the
same queries, one after the other in alternating order, on one core (OpenCV limited to
one thread; ``time.process_time``). The searches:

- ``naive``: ``cv2.matchTemplate`` (``TM_CCOEFF_NORMED``, grey, the 48 px template at its
  own size only), found when its best score reaches a threshold chosen on the training
  half (the one giving the most right answers there);
- ``reference``: the icon search of a git revision or another robotest tree (as
  ``bench_icon_speed.py`` loads it), at its default settings;
- ``current``: this tree's ``icon_search.locate`` at its default settings but for the
  scales, 0.5-2.0 (the corpus' range; the default is 0.75-1.5, a script widens it per
  icon with ``icon.toml``), once with the 48 px template alone and once with every
  size the theme draws (22-96 px, ``corpus.versions_folder``) as versions of the icon;
  run at threshold 0.5 and reported at the icon's default threshold and at the
  threshold (>= 0.5) with the most right answers on the training half; each also with
  the look-alike check of ``rivals.locate_distinct`` (rivals: the other icons asked for
  on the screen whose name shares the first word, see ``rivals_of``). With
  ``--without-structure``, every size as a version once more with the structure check
  off (``structure_floor`` 0): the rows of the search before that check. With
``--without-rescoring``, once more with ``template_blurs`` (0.0,) and ``sizes_at_place``
() (no smoothed version, no other version or size refined at a place): the search before.
With ``--without-icons35``, once more with ``outline_blurs`` (), ``own_sizes_at_place`` (),
``rival_reach`` 0 and ``structure_inner`` False: the search before branch `icons35`.
With ``--with-coarse-colour``, once more with ``coarse_colour`` 0.5 and ``coarse_min_side``
16 (coarse places ranked half by their colour score, a finer coarse level: opt-in since
branch `icons36`).
With ``--without-early-found``, once more with ``early_found`` 0 (no early answer from
the search without the full-screen coarse level: the search before branch `iconspeed37`).
With ``--without-speedup``, once more with ``blur_slack`` 2 and ``again_slack`` 0.45 (the
smoothed versions tried at every place, every place from 0.45 under the threshold
refined again: the settings before branch `icons33`).
With ``--without-icons38``, once more with ``rival_difference`` 0 (the look-alike check
before branch `icons38`).
With ``--without-icons48``, once more with ``rival_blurs`` (0.0,) (the look-alike check's
difference on the sharp drawings only: the check before branch `icons48`). The reference's
rows take this tree's look-alike check, so this row is the one with main's check.
With ``--reference-every-size``, the reference's search once more with every size as a
version (its own default parameters, at this run's threshold and scales): the "before"
row of a change to the search's cost.

Queries are split by icon name (``themes.held_out``): the training half may tune, the
held-out half reports. Rows: recall (found at the true place / present), wrong place
(found elsewhere / present), absent found (found / absent queries), median CPU ms per
query. Screens of the camera tier whose frame did not calibrate count as misses.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_icon_speed  # noqa: E402  (loads a git revision's icon_search)
import corpus  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import themes  # noqa: E402

from robotest.vision import Icon  # noqa: E402
from robotest.vision import icon_search as current  # noqa: E402
from robotest.vision.errors import VisionInputError  # noqa: E402
from robotest.vision.icons import DEFAULT_THRESHOLD  # noqa: E402
from robotest.vision.match_parameters import DEFAULT, MatchParameters  # noqa: E402
from robotest.vision.rivals import rival_fits  # noqa: E402

cv2.setNumThreads(1)
Box = tuple[int, int, int, int]
FLOOR = 0.5
"""The threshold this tree's search runs at; the reported ones are at or above it."""
Answer = tuple[bool, Box | None, float]


@dataclass
class Tally:
    present: int = 0
    absent: int = 0
    correct: int = 0
    wrong_place: int = 0
    false_alarm: int = 0
    times: list[float] = field(default_factory=list)

    def add(self, truth: Box | None, answer: Answer) -> None:
        found, box, _ = answer
        if truth is None:
            self.absent += 1
            self.false_alarm += found
            return
        self.present += 1
        if found and box is not None:
            if right_place(truth, box):
                self.correct += 1
            else:
                self.wrong_place += 1

    def row(self, label: str) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:.1f}%" if b else "-"

        median = 1000 * statistics.median(self.times) if self.times else float("nan")
        return (
            f"| {label} | {self.present}+{self.absent} | {pct(self.correct, self.present)} | "
            f"{pct(self.wrong_place, self.present)} | {pct(self.false_alarm, self.absent)} | "
            f"{median:.1f} ms |"
        )


def right_place(truth: Box, box: tuple[int, ...]) -> bool:
    """The match's centre within a quarter of the icon's side (4 px at least) of the truth's."""
    tx, ty, tw, th = truth
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return abs(cx - (tx + tw / 2)) <= max(4, tw / 4) and abs(cy - (ty + th / 2)) <= max(4, th / 4)


def naive(screen: np.ndarray, icon: Icon) -> tuple[float, Box]:
    """Single-scale grey normalised correlation of the icon's first version (what a user writes)."""
    template = icon.versions[0].grey
    grey = cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY)
    scores = cv2.matchTemplate(grey, template, cv2.TM_CCOEFF_NORMED)
    _, best, _, (x, y) = cv2.minMaxLoc(scores)
    return float(best), (x, y, template.shape[1], template.shape[0])


def loading_error(folder: Path) -> VisionInputError | None:
    """Why robotest refuses this template (a theme icon too thin or flat to match), if it does."""
    try:
        Icon.load(folder)
    except VisionInputError as exc:
        return exc
    return None


@dataclass
class Query:
    case: int
    family: str
    tier: str
    name: str
    truth: Box | None
    held_out: bool


def queries(cases: list[corpus.Case]) -> list[Query]:
    out = []
    for index, case in enumerate(cases):
        for name in [*case.icons, *case.absent]:
            truth = case.icons.get(name)
            out.append(Query(index, case.family, case.tier, name, truth, themes.held_out(name)))
    return out


def run_search(
    label: str,
    answer: Callable[[np.ndarray, Icon], Answer],
    asked: list[Query],
    cases: list[corpus.Case],
    load: Callable[[tuple[str, str]], Icon],
) -> list[tuple[Answer, float]]:
    """Every query answered, each with an icon loaded afresh (outside the timing).

    A fresh icon per query keeps memory bounded (an icon keeps the templates its
    searches made) and times every search the same way: templates made in the query.
    """
    results = []
    for q in asked:
        screen = cases[q.case].screen
        if screen is None:  # the camera frame did not calibrate: nothing to search
            results.append(((False, None, 0.0), 0.0))
            continue
        icon = load((q.family, q.name))
        start = time.process_time()
        result = answer(screen, icon)
        results.append((result, time.process_time() - start))
    print(f"  {label}: {len(asked)} queries", file=sys.stderr)
    return results


def rivals_of(q: Query, case: corpus.Case) -> list[str]:
    """The look-alikes a script looking for *q* knows: the other icons it asks for on the
    screen (shown or not) whose name shares the first word with *q*'s."""

    def first(name: str) -> str:
        return name.replace("_", "-").split("-")[0]

    return [n for n in [*case.icons, *case.absent] if n != q.name and first(n) == first(q.name)]


def look_alike_check(
    answers: list[tuple[Answer, float]],
    asked: list[Query],
    cases: list[corpus.Case],
    params: MatchParameters,
    folder: Callable[[tuple[str, str]], Path],
) -> list[tuple[Answer, float]]:
    """The answers with ``rivals.locate_distinct``'s check: a match at the floor or above
    whose place a rival (:func:`rivals_of`) fits (``rivals.rival_fits``: within
    ``rival_margin``, and not told apart by ``rival_difference``) becomes a score of -1 (not
    found at any threshold). The rivals' searches are added to the query's time.
    """
    checked = []
    for q, ((found, box, score), seconds) in zip(asked, answers, strict=True):
        screen = cases[q.case].screen
        if screen is None or box is None or score < FLOOR:
            checked.append(((found, box, score), seconds))
            continue
        names = rivals_of(q, cases[q.case])
        rivals = [
            Icon.load(folder((q.family, n)))
            for n in names
            if not loading_error(folder((q.family, n)))
        ]
        start = time.process_time()
        icon = Icon.load(folder((q.family, q.name))) if rivals else None
        refused = any(rival_fits(screen, icon, r, box, score, params) for r in rivals)  # type: ignore[arg-type]
        spent = time.process_time() - start
        checked.append(((found and not refused, box, -1.0 if refused else score), seconds + spent))
    return checked


CALIBRATED = "camera, calibrated frames only"
"""A tier of the report: the camera tier's screens whose frame calibrated."""


def _in_tier(q: Query, tier: str, cases: list[corpus.Case]) -> bool:
    if tier == CALIBRATED:
        return q.tier == "camera" and cases[q.case].screen is not None
    return tier in ("all", q.tier)


def tune(asked: list[Query], scores: list[tuple[float, Box]], lowest: float = 0.3) -> float:
    """The threshold with the most right answers on the training half."""
    best, best_right = 0.5, -1
    for limit in np.arange(lowest, 0.99, 0.01):
        right = 0
        for q, (score, box) in zip(asked, scores, strict=True):
            if q.held_out:
                continue
            found = score >= limit
            right += (q.truth is None and not found) or (
                q.truth is not None and found and right_place(q.truth, box)
            )
        if right > best_right:
            best, best_right = float(limit), right
    return best


VARIANTS: tuple[tuple[str, str, dict[str, object]], ...] = (
    # the flag asking for it, its row's label, the settings it changes from the defaults
    ("without_structure", "no structure check", {"structure_floor": 0.0}),
    (
        "without_rescoring",
        "no rescoring at the place",
        {"template_blurs": (0.0,), "sizes_at_place": ()},
    ),
    (
        "without_speedup",
        "no blur_slack, again_slack 0.45",
        {"blur_slack": 2.0, "again_slack": 0.45},
    ),
    ("without_edge_floor", "no edge floor", {"structure_edge_floor": 0.0}),
    (
        "without_icons35",
        "no icons35 changes",
        {
            "outline_blurs": (),
            "own_sizes_at_place": (),
            "rival_reach": 0.0,
            "structure_inner": False,
        },
    ),
    (
        "with_coarse_colour",
        "no grey-only coarse rank",
        {"coarse_colour": 0.5, "coarse_min_side": 16},
    ),
    ("with_structure_inner", "no whole-grid-only structure", {"structure_inner": 0.35}),
    ("without_early_found", "no early answer", {"early_found": 0.0}),
    (
        "without_icons38",
        "no icons38 changes",
        {"rival_difference": 0.0},
    ),
    ("without_icons39", "no edge maps", {"edge_places": 0}),
    ("without_icons40", "no outline structure", {"structure_outline": 0.0}),
    ("with_edge_full_screen", "edge maps on the full screen", {"edge_full_screen": True}),
    ("without_icons48", "sharp look-alike difference", {"rival_blurs": (0.0,)}),
)
"""The searches beside the defaults that the bench's flags ask for, each as one row."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=12, help="screens per icon family")
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument(
        "--reference", default="main", help="git revision, robotest tree or icon_search.py"
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "real-icons")
    parser.add_argument(
        "--without-structure",
        action="store_true",
        help="also every size as a version with the structure check off (structure_floor 0)",
    )
    parser.add_argument(
        "--without-rescoring",
        action="store_true",
        help="also every size as a version with template_blurs (0.0,) and sizes_at_place () "
        "(the search before they were on by default)",
    )
    parser.add_argument(
        "--without-speedup",
        action="store_true",
        help="also every size as a version with blur_slack 2 (smoothed versions everywhere) "
        "and again_slack 0.45 (the settings before they were cut for speed)",
    )
    parser.add_argument(
        "--without-edge-floor",
        action="store_true",
        help="also every size as a version with structure_edge_floor 0 (every orientation "
        "cell at full weight: the search before branch icons34)",
    )
    parser.add_argument(
        "--without-icons35",
        action="store_true",
        help="also every size as a version with outline_blurs (), own_sizes_at_place (), "
        "rival_reach 0 and structure_inner False (the search before branch icons35)",
    )
    parser.add_argument(
        "--with-coarse-colour",
        action="store_true",
        help="also every size as a version with coarse_colour 0.5 and coarse_min_side 16 "
        "(opt-in, branch icons36)",
    )
    parser.add_argument(
        "--with-structure-inner",
        action="store_true",
        help="also every size as a version with structure_inner 0.35 (opt-in)",
    )
    parser.add_argument(
        "--without-early-found",
        action="store_true",
        help="also every size as a version with early_found 0 (the whole search always: "
        "the search before branch iconspeed37)",
    )
    parser.add_argument(
        "--without-icons38",
        action="store_true",
        help="also every size as a version with rival_difference 0 (the look-alike check "
        "before branch icons38)",
    )
    parser.add_argument(
        "--without-icons39",
        action="store_true",
        help="also every size as a version with edge_places 0 (no coarse edge maps: the "
        "coarse stage before branch icons39)",
    )
    parser.add_argument(
        "--without-icons40",
        action="store_true",
        help="also every size as a version with structure_outline 0 (the structure check "
        "inside the icon only: the search before branch icons40)",
    )
    parser.add_argument(
        "--with-edge-full-screen",
        action="store_true",
        help="also every size as a version with edge_full_screen True (the full screen's "
        "edge maps, as before branch iconspd40)",
    )
    parser.add_argument(
        "--without-icons48",
        action="store_true",
        help="also every size as a version with rival_blurs (0.0,) (the look-alike check's "
        "difference on the sharp drawings only: the check before branch icons48; the "
        "reference's rows take this tree's check)",
    )
    parser.add_argument(
        "--reference-every-size",
        action="store_true",
        help="also the reference's search with every size as a version, at the reference "
        "tree's own default parameters but for the threshold and scales (the look-alike "
        "check is this tree's)",
    )
    parser.add_argument(
        "--searched-at",
        type=float,
        default=FLOOR,
        help="threshold this tree's searches run at (default 0.5, re-thresholded for the "
        "rows); 0.85 searches as a script does at the default threshold (steps that only "
        "rescore places under the threshold then act as they do there)",
    )
    args = parser.parse_args()
    started = time.time()
    size = tuple(int(v) for v in args.size.split("x"))
    cases = corpus.corpus(args.per_family, size, args.cache)  # type: ignore[arg-type]
    families = {f.name: f for f in themes.families()}
    asked = queries(cases)
    keys = {(q.family, q.name) for q in asked}
    folders = {k: corpus.template_folder(families[k[0]], k[1], args.cache) for k in keys}
    refused = {k: str(exc) for k in keys if (exc := loading_error(folders[k])) is not None}
    asked = [q for q in asked if (q.family, q.name) not in refused]
    folders = {k: f for k, f in folders.items() if k not in refused}
    reference = bench_icon_speed.reference_module(args.reference)

    def searcher(
        module: object, params: MatchParameters | None = None
    ) -> Callable[[np.ndarray, Icon], Answer]:
        def answer(screen: np.ndarray, icon: Icon) -> Answer:
            extra = {} if params is None else {"params": params}
            match = module.locate(screen, icon, **extra)  # type: ignore[attr-defined]
            if params is not None and not match.found and match.score >= params.threshold:
                # refused over the threshold (the structure check): not found at any
                # threshold the rows report (they re-threshold the score)
                return False, match.box, -1.0
            return match.found, match.box, match.score

        return answer

    one = {k: corpus.template_folder(families[k[0]], k[1], args.cache) for k in folders}
    every = {k: corpus.versions_folder(families[k[0]], k[1], args.cache) for k in folders}
    naive_scores = run_search(
        "naive", lambda s, i: (True, *naive(s, i)[::-1]), asked, cases, lambda k: Icon.load(one[k])
    )
    limit = tune(asked, [(a[2], a[1]) for a, _ in naive_scores])  # type: ignore[misc]
    rows: dict[str, list[tuple[Answer, float]]] = {
        f"naive matchTemplate, 48 px template (threshold {limit:.2f})": [
            ((a[2] >= limit, a[1], a[2]), t) for a, t in naive_scores
        ],
        f"icon_search of {args.reference}, 48 px template": run_search(
            "reference",
            searcher(reference),
            asked,
            cases,
            lambda k: bench_icon_speed.reference_icon(one[k]),
        ),
    }
    # this tree at its defaults, searched at a low threshold and reported at the icon's
    # default threshold and at the one with the most right answers on the training half
    low = DEFAULT.override(threshold=args.searched_at, scales=corpus.SCALES)
    makers: dict[str, Callable[[tuple[str, str]], Path]] = {
        "48 px template": lambda k: corpus.template_folder(families[k[0]], k[1], args.cache),
        "every size as a version": lambda k: corpus.versions_folder(
            families[k[0]], k[1], args.cache
        ),
    }
    runs: list[tuple[str, dict[tuple[str, str], Path], MatchParameters, object, str]] = [
        ("48 px template", one, low, current, "this tree"),
        ("every size as a version", every, low, current, "this tree"),
    ]
    if args.reference_every_size:
        # the reference tree's own parameters object, at the same threshold and scales
        theirs = reference.DEFAULT.override(threshold=args.searched_at, scales=corpus.SCALES)  # type: ignore[attr-defined]
        runs.append(("every size as a version", every, theirs, reference, args.reference))
    runs += [
        (f"every size as a version, {label}", every, low.override(**changes), current, "this tree")
        for flag, label, changes in VARIANTS
        if vars(args)[flag]
    ]
    for label, kept, params, module, tree in runs:
        make = makers["48 px template" if label.startswith("48") else "every size as a version"]
        scores = run_search(
            f"{tree}, {label}",
            searcher(module, params),
            asked,
            cases,
            lambda k, kept=kept: Icon.load(kept[k]),  # type: ignore[misc]
        )
        # the look-alike check is this tree's (rivals.py), at this tree's parameters
        checked = look_alike_check(
            scores,
            asked,
            cases,
            low if module is not current else params,
            lambda k, make=make: make(k),
        )
        for check, answers in (("", scores), (", look-alike check", checked)):
            tuned = tune(asked, [(a[2], a[1]) for a, _ in answers], FLOOR)  # type: ignore[misc]
            for name, limit in (("default threshold", DEFAULT_THRESHOLD), ("tuned", tuned)):
                rows[f"icon_search ({tree}), {label}{check}, {name} {limit:.2f}"] = [
                    ((a[2] >= limit, a[1], a[2]), t) for a, t in answers
                ]
    calibrations = [c.calibration for c in cases if c.tier == "camera"]
    errors = [float(c["corner_error"]) for c in calibrations if "corner_error" in c]
    for (family, name), reason in sorted(refused.items()):
        print(f"template {family}/{name} refused by Icon.load ({reason}): its queries left out")
    print(f"\nscreens {size[0]}x{size[1]}, families {', '.join(families)}; {len(cases)} screens")
    print(
        f"camera tier: {len(errors)}/{len(calibrations)} frames calibrated, mean corner error "
        f"{np.mean(errors) if errors else float('nan'):.2f} px"
    )
    for c in calibrations:
        if "error" in c:
            print(f"  camera {c['seed']}: {c['error']}")
    for half, wanted in (("training half", False), ("held-out half", True)):
        for tier in ("all", *corpus.TIERS, CALIBRATED):
            print(f"\n{half}, tier {tier}\n")
            print(
                "| search | present+absent | recall | wrong place | absent found | "
                "median CPU/query |"
            )
            print("|---|---|---|---|---|---|")
            for label, results in rows.items():
                tally = Tally()
                for q, (a, t) in zip(asked, results, strict=True):
                    if q.held_out == wanted and _in_tier(q, tier, cases):
                        tally.add(q.truth, a)
                        if cases[q.case].screen is not None:
                            tally.times.append(t)
                print(tally.row(label))
    print(
        f"\nRun took {time.time() - started:.0f} s; "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores."
    )


if __name__ == "__main__":
    main()
