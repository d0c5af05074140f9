"""What a decision score means on a line, and which scores go to review.

The line's held-out good units (``test/good`` of its held-out set) are scored by the
running version as the line runs it. From their decision scores:

* a unit's **good quantile** is the share of those good units that score lower: 0.5
  is an ordinary good unit, 1.0 scores above every one of them;
* the **review band** ``(1/w, w)`` is the widest band round the threshold 1.0, on a
  ratio scale, that holds at most ``review_rate`` of them: with ``n`` good units,
  ``log w`` is the ``floor(review_rate * n) + 1``-th smallest ``|log score|``
  among them. A unit is uncertain when ``1/w < score < w``. Good units far below
  the threshold widen it; good units crowding the threshold (a model that is close
  to calling normal units NG) narrow it, so reviewers are never flooded.

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
        """``(1/w, w)``: at most *review_rate* of the good units score strictly inside."""
        if not self.good_scores:
            return 1.0, 1.0
        distances = sorted(abs(math.log(max(s, 1e-12))) for s in self.good_scores)
        allowed = min(len(distances) - 1, math.floor(review_rate * len(distances) + 1e-9))
        half = distances[allowed]
        return math.exp(-half), math.exp(half)

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
