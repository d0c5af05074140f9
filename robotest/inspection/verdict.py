"""What an inspection says about one image: a score, regions as boxes, and a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

VerdictName = Literal["pass", "fail"]


@dataclass(frozen=True)
class Box:
    """A suspicious region in image pixels with its score (1.0 = the segmentation threshold)."""

    x: int
    y: int
    w: int
    h: int
    score: float
    area: int

    def as_list(self) -> list[float]:
        """``[x, y, w, h, score]`` as the command line prints it."""
        return [self.x, self.y, self.w, self.h, round(self.score, 4)]


@dataclass
class Verdict:
    """The plugin's answer for one image.

    ``score`` is the image's anomaly score in threshold units (above 1.0 some pixel
    exceeds the segmentation threshold); ``reasons`` say why in words an engineer reads.
    """

    verdict: VerdictName
    score: float
    boxes: list[Box] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    image: str | None = None
    model_version: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def to_json(self) -> dict[str, Any]:
        """The shape ``rtest inspect predict --json`` prints for each image."""
        return {
            "image": self.image,
            "score": round(float(self.score), 4),
            "verdict": self.verdict,
            "boxes": [box.as_list() for box in self.boxes],
        }
