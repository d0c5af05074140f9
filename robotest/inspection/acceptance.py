"""The acceptance decision: pass or fail, with the reasons.

With units the customer has judged (``acceptance/pass`` and ``acceptance/fail``), a
support vector machine on the image features learns their criteria; its decision
threshold (default 0.0, raise it to fail fewer units) is adjustable. With no judged
units the *stated rule* applies: **fail when at least one region above the
segmentation threshold covers at least the minimum area; otherwise pass.**
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from robotest.inspection.errors import InspectionError
from robotest.inspection.verdict import Box, VerdictName

RULE = (
    "fail when at least one region above the segmentation threshold covers at least "
    "the minimum area; otherwise pass"
)


@dataclass
class Acceptance:
    """Rule or SVM; ``svm`` is a fitted scikit-learn pipeline or None for the rule."""

    svm: Any = None
    threshold: float = 0.0

    @property
    def kind(self) -> str:
        return "svm" if self.svm is not None else "rule"

    @classmethod
    def fit(cls, features: np.ndarray, passed: np.ndarray, threshold: float = 0.0) -> Acceptance:
        """Learn from judged units: *passed* is True for units the customer accepts."""
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        fails, passes = int((~passed).sum()), int(passed.sum())
        if fails < 1 or passes < 1:
            raise InspectionError(
                f"acceptance needs units judged both pass and fail, got {passes} pass and "
                f"{fails} fail"
            )
        svm = make_pipeline(StandardScaler(), SVC(kernel="rbf", C=1.0, class_weight="balanced"))
        svm.fit(features, (~passed).astype(int))
        return cls(svm=svm, threshold=threshold)

    def decide(
        self, features: np.ndarray, boxes: list[Box], min_area: int
    ) -> tuple[VerdictName, list[str]]:
        """The verdict and its reasons for one image."""
        regions = [_describe(box) for box in boxes]
        if self.svm is None:
            if boxes:
                return "fail", [
                    f"{len(boxes)} region(s) of at least {min_area} px above the threshold",
                    *regions,
                ]
            return "pass", [f"no region of at least {min_area} px above the threshold"]
        decision = float(self.svm.decision_function(features[None, :])[0])
        if decision >= self.threshold:
            return "fail", [
                f"acceptance SVM decision {decision:.3f} >= {self.threshold:.3f}",
                *regions,
            ]
        return "pass", [f"acceptance SVM decision {decision:.3f} < {self.threshold:.3f}", *regions]

    def describe(self) -> dict[str, Any]:
        if self.svm is None:
            return {"kind": "rule", "rule": RULE}
        return {"kind": "svm", "threshold": self.threshold}


def _describe(box: Box) -> str:
    return (
        f"region at x={box.x} y={box.y} size {box.w}x{box.h} px, area {box.area} px, "
        f"score {box.score:.2f}"
    )
