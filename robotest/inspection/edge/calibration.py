"""What a decision score means on a line, and which scores go to review.

The line's held-out good units (``test/good`` of its held-out set) are scored by the
running version as the line runs it. From their decision scores:

* a unit's **good quantile** is the share of those good units that score lower: 0.5
  is an ordinary good unit, 1.0 scores above every one of them;
* the **review band** ``(1/w, w)`` is the band round the threshold 1.0, on a ratio
  scale, that a new good unit enters with probability at most ``review_rate``: with
  ``n`` good units and ``k = floor(review_rate * (n + 1))``, ``log w`` is the
  ``k``-th smallest ``|log score|`` among them (no band when ``k`` is 0: too few
  held-out units to promise that rate). This is the split-conformal rule: if new
  good units are like the held-out ones (exchangeable), a new one is among the ``k``
  nearest to the threshold of the ``n + 1`` with probability ``k / (n + 1)``. On the
  held-out units themselves at most ``k - 1`` fall strictly inside. A unit is
  uncertain when ``1/w < score < w``. Good units far from the threshold widen the
  band; good units crowding it narrow it, so reviewers are never flooded.

Model-agnostic: it needs only the model's analysis of a picture and ``decision_score``.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from pathlib import Path

from robotest.inspection.edge.review import decision_score
from robotest.inspection.model import InspectionModel


@dataclass(frozen=True)
class Calibration:
    """Sorted decision scores of the line's held-out good units."""

    good_scores: tuple[float, ...]

    @property
    def units(self) -> int:
        return len(self.good_scores)

    def good_quantile(self, score: float) -> float | None:
        """The share of held-out good units scoring lower than *score* (None: no units)."""
        if not self.good_scores:
            return None
        return bisect.bisect_left(self.good_scores, score) / len(self.good_scores)

    def band(self, review_rate: float) -> tuple[float, float]:
        """``(1/w, w)``: a new good unit falls inside with probability <= *review_rate*."""
        n = len(self.good_scores)
        k = min(n, math.floor(review_rate * (n + 1) + 1e-9))
        if k == 0:
            return 1.0, 1.0
        distances = sorted(abs(math.log(max(s, 1e-12))) for s in self.good_scores)
        half = distances[k - 1]
        return math.exp(-half), math.exp(half)

    def too_few(self, review_rate: float) -> str | None:
        """Why no unit can go to review at *review_rate* (None: a band exists)."""
        if math.floor(review_rate * (len(self.good_scores) + 1) + 1e-9) > 0:
            return None
        needed = math.ceil(1 / review_rate) - 1 if review_rate > 0 else None
        more = f"; put at least {needed} good units in test/good" if needed else ""
        return (
            f"{len(self.good_scores)} held-out good unit(s) cannot promise a review rate "
            f"of {review_rate:g}: no unit goes to review{more}"
        )

    def review_share(self, review_rate: float) -> float:
        """The share of the held-out good units the band sends to review."""
        low, high = self.band(review_rate)
        inside = [s for s in self.good_scores if low < s < high]
        return len(inside) / max(1, len(self.good_scores))


def calibrate(model: InspectionModel, holdout: str | None) -> Calibration:
    """Score the held-out good pictures (``test/good``) with *model* as the line runs it."""
    if not holdout:
        return Calibration(())
    folder = Path(holdout) / "test" / "good"
    if not folder.is_dir():
        return Calibration(())
    from robotest.inspection.images import list_images

    pictures = [model.read(p) for p in list_images(folder)]
    scores = [decision_score(model, a) for a in model.analyse(pictures)] if pictures else []
    return Calibration(tuple(sorted(scores)))


def is_uncertain(score: float, band: tuple[float, float]) -> bool:
    """True when *score* lies strictly inside the review band."""
    low, high = band
    return low < score < high
