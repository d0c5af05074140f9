"""The no-regression gate: is a candidate version worse than the running one?

Both versions judge the same pictures, as the line runs them: the line's held-out set
(``test/good`` should be OK, ``test/<defect>`` NG) plus every reviewed unit whose
picture is archived (its truth is what the reviewer said). On each picture a version
is right or wrong; what tells them apart are the pictures where they disagree:
``worse`` (the running version right, the candidate wrong) and ``better`` (the
converse). The candidate is refused when it is worse beyond chance: the exact
McNemar test (a binomial test of ``worse`` among ``worse + better`` disagreements
at 1/2, one-sided) gives p < :data:`ALPHA`. A single picture changes p a little, not
the decision, unless the evidence was already on the edge of significance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from robotest.inspection.edge.units import UnitRecord
from robotest.inspection.registry import LineConfig, model_for_line

ALPHA = 0.05
MAX_REVIEWED = 2000  # the most recent reviewed pictures the gate judges
BATCH = 32  # pictures read and judged at a time (memory stays small)


@dataclass(frozen=True)
class Picture:
    """A picture the gate judges, and whether it is truly defective."""

    path: Path
    defective: bool
    source: str  # "held-out" or "reviewed"


@dataclass(frozen=True)
class GateResult:
    promoted: bool
    reason: str
    pictures: int
    better: int
    worse: int
    p_value: float


def gate_pictures(holdout: str, reviewed: list[UnitRecord]) -> list[Picture]:
    """The held-out set's test pictures plus the reviewed units whose picture is kept
    (the :data:`MAX_REVIEWED` most recent)."""
    from robotest.inspection.dataset import open_dataset

    data = open_dataset(holdout, need_train=False, need_test=True)
    pictures = [Picture(item.path, item.defective, "held-out") for item in data.test]
    for unit in reviewed[-MAX_REVIEWED:]:
        image = Path(unit.folder or "") / "image.png"
        if unit.folder and unit.truly_ok is not None and image.is_file():
            pictures.append(Picture(image, not unit.truly_ok, "reviewed"))
    return pictures


def right_answers(folder: Path, line: LineConfig, pictures: list[Picture]) -> list[bool]:
    """Whether the model in *folder*, run as *line* runs it, judges each picture right."""
    from robotest.inspection.model import load_model

    model = model_for_line(load_model(folder), line)
    right = []
    for start in range(0, len(pictures), BATCH):
        chunk = pictures[start : start + BATCH]
        analyses = model.analyse([model.read(p.path) for p in chunk])
        judged = zip(analyses, chunk, strict=True)
        right += [(not model.judge(a).passed) == p.defective for a, p in judged]
    return right


def compare(candidate: list[bool], running: list[bool], pictures: list[Picture]) -> GateResult:
    """Refuse the candidate only when it is worse beyond chance (exact McNemar)."""
    from scipy.stats import binomtest

    worse = sum(r and not c for c, r in zip(candidate, running, strict=True))
    better = sum(c and not r for c, r in zip(candidate, running, strict=True))
    held = sum(p.source == "held-out" for p in pictures)
    p_value = (
        binomtest(worse, worse + better, 0.5, alternative="greater").pvalue
        if worse + better
        else 1.0
    )
    where = (
        f"{len(pictures)} pictures (held-out {held} + reviewed {len(pictures) - held}): "
        f"right on {sum(candidate)} vs {sum(running)}, better on {better}, worse on "
        f"{worse}"
    )
    if p_value < ALPHA:
        return GateResult(
            False,
            f"rejected: worse than the running version beyond chance on "
            f"{where} (McNemar p = {p_value:.3f} < {ALPHA})",
            len(pictures),
            better,
            worse,
            p_value,
        )
    return GateResult(
        True,
        f"promoted: not worse than the running version beyond chance on "
        f"{where} (McNemar p = {p_value:.3f} >= {ALPHA})",
        len(pictures),
        better,
        worse,
        p_value,
    )
