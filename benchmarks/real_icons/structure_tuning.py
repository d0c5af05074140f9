"""Tuning the structure check on the real-icons bench's training half (held-out never read).

    nice -n 10 python3 benchmarks/real_icons/structure_tuning.py --per-family 12

Every training query (every size the theme draws as versions of the icon, scales
0.5-2.0) is searched with the structure check off; the six best distinct places are kept
with their score and their edges' orientation similarity (``structure_check``). Then,
for thresholds and structure floors, the answer the search would give (the best place
by score among those at or above the floor, found at the threshold) is scored: recall,
wrong place, absent found. ``--rough-coarse`` searches with ``coarse_masked_spread``
off (the cheaper coarse ranking) and prints the median CPU time per query.
``--held-out`` reports the floor chosen there on the held-out half instead (read once).
"""

from __future__ import annotations

import argparse
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
    fine_search,
    icon_candidates,
)
from robotest.vision import icon_search as search  # noqa: E402
from robotest.vision.match_parameters import DEFAULT, MatchParameters  # noqa: E402
from robotest.vision.structure_check import orientation_similarity  # noqa: E402

cv2.setNumThreads(1)
Place = tuple[float, float, bool]
"""(score, structure, at the true place) of one candidate place."""


def places(screen: object, icon: Icon, q: bench.Query, p: MatchParameters) -> list[Place]:
    """The six best distinct places of a search with the structure check off."""
    _, found = search._search(screen, icon, None, p, p.candidates, FLOOR)  # type: ignore[arg-type]
    kept: list[icon_candidates.Candidate] = []
    for c in sorted(found, key=lambda c: -c.score):
        if all(icon_candidates.candidate_iou(c, k) < 0.3 for k in kept):
            kept.append(c)
    grey = cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY)  # type: ignore[call-overload]
    out = []
    for c in kept[:6]:
        template = fine_search.fine_template(icon, c.version, c.scale)
        th, tw = template.grey.shape
        patch = grey[c.y : c.y + th, c.x : c.x + tw]
        if patch.shape != (th, tw):
            continue
        structure = orientation_similarity(
            patch, template.grey, template.mask, p.structure_cells, p.structure_edge_floor
        )
        right = q.truth is not None and bench.right_place(q.truth, (c.x, c.y, c.w, c.h))
        out.append((c.score, structure, right))
    return out


FLOOR = 0.5


def answer_rates(
    results: list[tuple[bench.Query, list[Place]]], threshold: float, floor: float
) -> tuple[float, float, float]:
    """Recall, wrong place and absent found of the answers at *threshold* and *floor*."""
    present = absent = right = wrong = alarms = 0
    for q, found in results:
        present += q.truth is not None
        absent += q.truth is None
        passing = [f for f in found if f[1] >= floor]
        if not passing or max(passing)[0] < threshold:
            continue
        best = max(passing)
        if q.truth is None:
            alarms += 1
        elif best[2]:
            right += 1
        else:
            wrong += 1
    return right / max(present, 1), wrong / max(present, 1), alarms / max(absent, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=12)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "real-icons")
    parser.add_argument("--rough-coarse", action="store_true")
    parser.add_argument("--held-out", action="store_true", help="the held-out half instead")
    args = parser.parse_args()
    cases = corpus.corpus(args.per_family, (1920, 1080), args.cache)
    families = {f.name: f for f in themes.families()}
    p = DEFAULT.override(
        threshold=FLOOR,
        scales=corpus.SCALES,
        structure_floor=0.0,
        coarse_masked_spread=not args.rough_coarse,
    )
    results, times = [], []
    for q in bench.queries(cases):
        folder = corpus.versions_folder(families[q.family], q.name, args.cache)
        if q.held_out != args.held_out or bench.loading_error(folder):
            continue
        screen = cases[q.case].screen
        if screen is None:
            results.append((q, []))
            continue
        icon = Icon.load(folder)
        start = time.process_time()
        results.append((q, places(screen, icon, q, p)))
        times.append(time.process_time() - start)
    half = "held-out half" if args.held_out else "training half"
    print(f"{half}: {len(results)} queries, median {1000 * statistics.median(times):.0f} ms")
    print("| threshold | structure floor | recall | wrong place | absent found |")
    print("|---|---|---|---|---|")
    for threshold in (0.7, 0.75, 0.8, 0.85):
        for floor in (0.0, 0.5, 0.6, 0.7, 0.8):
            r, w, a = answer_rates(results, threshold, floor)
            print(f"| {threshold:.2f} | {floor:.1f} | {r:.1%} | {w:.1%} | {a:.1%} |")


if __name__ == "__main__":
    main()
