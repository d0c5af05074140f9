"""Where the icon search loses recall on the real-icons bench's training half (never held out).

    nice -n 10 python3 benchmarks/real_icons/diagnose.py --per-family 12 --cache /tmp/real-icons-6

Every present training query (every size the theme draws as versions of the icon, scales
0.5-2.0, the search's defaults otherwise) is searched as ``bench.py`` searches it, and
each miss at the icon's threshold is put in the first stage that lost it:

- ``coarse``: the true place is not among the coarse stage's candidates;
- ``quick``: it is, but the quick look did not rank it into the refined ones and its
  quick score is under the threshold;
- ``score``: it was refined, but its best score there is under the threshold (the
  fine stage's score of the theme's other-size drawing);
- ``out-scored``: it reached the threshold, but a wrong place scored higher;
- ``structure``: it reached the threshold and was the best, but the structure check
  refused it;
- ``look-alike``: found, then refused by the look-alike check (``rivals_of``);
- ``uncalibrated``: the camera frame did not calibrate.

For ``score`` misses it also prints the score of the true place searched alone (the
icon's box and a fifth of its side around): what the fine stage can reach there.
"""

from __future__ import annotations

import argparse
import ast
import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench  # noqa: E402
import corpus  # noqa: E402
import cv2  # noqa: E402
import themes  # noqa: E402

from robotest.vision import (  # noqa: E402
    Icon,
    coarse_search,
    fine_search,
    icon_candidates,
    place_refits,
    place_scores,
)
from robotest.vision import icon_search as search  # noqa: E402
from robotest.vision.match_parameters import DEFAULT, MatchParameters  # noqa: E402
from robotest.vision.rivals import rival_fits  # noqa: E402

cv2.setNumThreads(1)


def stage_lost(
    screen: object, icon: Icon, q: bench.Query, p: MatchParameters, limit: float
) -> tuple[str, dict[str, object]]:
    """The stage that lost the true place (or ``found``/``wrong``), with the scores seen."""
    assert q.truth is not None
    view = search.searched_screen(screen, None)  # type: ignore[arg-type]
    floor = limit - p.coarse_slack
    coarse = coarse_search.coarse_candidates(view, icon, p, p.candidates, floor)
    quick = [q_ for q_ in (fine_search.quick_look(view, icon, c, p) for c in coarse) if q_]
    quick = [place_scores.verify(view, icon, c, p, limit, outline=False) for c in quick]
    quick.sort(key=lambda c: -c.score)
    refined = [fine_search.refine(view.grey, icon, c, p) for c in quick[: p.refine_top]]
    scored = [place_scores.verify(view, icon, c, p, limit) for c in refined if c is not None]
    scored += place_refits.again_at_places(view, icon, scored, limit, p)
    scored += quick

    def at_truth(c: icon_candidates.Candidate) -> bool:
        return bench.right_place(q.truth, (c.x, c.y, c.w, c.h))  # type: ignore[arg-type]

    true_scores = [c.score for c in scored if at_truth(c)]
    wrong_scores = [c.score for c in scored if not at_truth(c)]
    info: dict[str, object] = {
        "coarse_rank": next((i for i, c in enumerate(coarse) if at_truth(c)), None),
        "true": max(true_scores, default=None),
        "wrong": max(wrong_scores, default=None),
    }
    match = search.locate(screen, icon, params=p)  # type: ignore[arg-type]
    if match.found and match.box is not None:
        if bench.right_place(q.truth, match.box):
            return "found", info
        info["answered elsewhere"] = True
    if not any(at_truth(c) for c in coarse):
        return "coarse", info
    if not any(at_truth(c) for c in quick[: p.refine_top]) and max(true_scores) < limit:
        return "quick", info
    if max(true_scores) < limit:
        return "score", info
    if wrong_scores and max(wrong_scores) > max(true_scores):
        return "out-scored", info
    return "structure", info


def _rival_fits(
    screen: object, icon: Icon, rivals: list[Icon], match: search.IconMatch, p: MatchParameters
) -> bool:
    """Whether a rival fits the match's place as well (the look-alike check, ``rival_fits``)."""
    assert match.box is not None
    return any(
        rival_fits(screen, icon, r, match.box, match.score, p)  # type: ignore[arg-type]
        for r in rivals
    )


def alone_score(
    screen: object, icon: Icon, truth: tuple[int, int, int, int], p: MatchParameters
) -> float:
    """The search's best score over the true box and a fifth of its side around."""
    x, y, w, h = truth
    pad = max(4, w // 5)
    region = (max(0, x - pad), max(0, y - pad), w + 2 * pad, h + 2 * pad)
    return search.locate(screen, icon, region=region, params=p).score  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=12)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "real-icons")
    parser.add_argument("--verbose", action="store_true", help="one line per miss")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="a MatchParameters field, NAME=VALUE (a Python literal: 1.2, (0.0, 1.0), True)",
    )
    args = parser.parse_args()
    cases = corpus.corpus(args.per_family, (1920, 1080), args.cache)
    families = {f.name: f for f in themes.families()}
    changes = {k: ast.literal_eval(v) for k, v in (item.split("=", 1) for item in args.set)}
    p = DEFAULT.override(scales=corpus.SCALES, **changes)
    print(f"parameters: {changes or 'defaults'}")
    counts: collections.Counter[str] = collections.Counter()
    per_tier: collections.Counter[tuple[str, str]] = collections.Counter()
    times = []
    alarms = collections.Counter[str]()
    for q in bench.queries(cases):
        folder = corpus.versions_folder(families[q.family], q.name, args.cache)
        if q.held_out or bench.loading_error(folder):
            continue
        screen = cases[q.case].screen
        if screen is None:
            counts["uncalibrated"] += 1
            per_tier[(q.tier, "uncalibrated")] += 1
            continue
        icon = Icon.load(folder)
        rivals = [
            Icon.load(corpus.versions_folder(families[q.family], n, args.cache))
            for n in bench.rivals_of(q, cases[q.case])
            if not bench.loading_error(corpus.versions_folder(families[q.family], n, args.cache))
        ]
        if q.truth is None:
            match = search.locate(screen, icon, params=p)
            alarms["absent"] += 1
            alarms["found"] += match.found
            kept = match.found and not _rival_fits(screen, icon, rivals, match, p)
            alarms["found, look-alike check"] += kept
            if args.verbose and match.found:
                print(
                    f"absent     {q.tier:8} {q.family}/{q.name} found at {match.box} "
                    f"({match.version}, score {match.score:.3f}, look-alike check "
                    f"{'passed' if kept else 'refused'})"
                )
            continue
        start = time.process_time()
        stage, info = stage_lost(screen, icon, q, p, icon.threshold)
        times.append(time.process_time() - start)
        if stage == "found":
            match = search.locate(screen, icon, params=p)
            if _rival_fits(screen, icon, rivals, match, p):
                stage = "look-alike"
        if stage == "score":
            info["alone"] = round(alone_score(screen, icon, q.truth, p), 3)
        counts[stage] += 1
        per_tier[(q.tier, stage)] += 1
        counts["answered elsewhere"] += bool(info.get("answered elsewhere"))
        if args.verbose and stage != "found":
            side = cases[q.case].sides[q.name]
            print(f"{stage:11} {q.tier:8} {q.family}/{q.name} side {side}: {info}")
    total = sum(v for k, v in counts.items() if k != "answered elsewhere")
    print(
        f"\ntraining half, {total} present queries, median {1000 * statistics.median(times):.0f} ms"
    )
    print("| stage lost | all | " + " | ".join(corpus.TIERS) + " |")
    print("|---|---|" + "---|" * len(corpus.TIERS))
    for stage in (
        "found",
        "coarse",
        "quick",
        "score",
        "out-scored",
        "structure",
        "look-alike",
        "uncalibrated",
    ):
        tiers = " | ".join(str(per_tier[(t, stage)]) for t in corpus.TIERS)
        print(f"| {stage} | {counts[stage]} | {tiers} |")
    print(f"(misses answered at a wrong place: {counts['answered elsewhere']})")
    print(
        f"absent: {alarms['absent']}, found {alarms['found']}, "
        f"with the look-alike check {alarms['found, look-alike check']}"
    )


if __name__ == "__main__":
    main()
