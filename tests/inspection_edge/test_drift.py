"""The drift scenario: the product's appearance shifts, uncertain units are reviewed, a
fine-tune and then a full retrain restore the verdicts, and a worse update is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from edge_helpers import LINE, Plant, Unit, units

from robotest.inspection.edge import updates as updates_module
from robotest.inspection.edge.gate import GateResult
from robotest.inspection.edge.review import failed_sample_ratio
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.updates import UpdateOptions, Updates
from robotest.inspection.registry import now

PROBE_SEED = 9  # the same drifted units, sent under new ids after each update


class Line:
    """The service plus what the test knows: each unit's truth."""

    def __init__(self, home: Path):
        self.service = EdgeService(home, LINE)
        self.updates = Updates(
            self.service.registry,
            self.service.units,
            UpdateOptions(finetune_epochs=3, retrain_epochs=16),
        )
        self.truth: dict[str, bool] = {}

    def send(self, batch: list[Unit]) -> float:
        """Inspect *batch*; return the share of verdicts that were right."""
        right = 0
        for unit in batch:
            self.truth[unit.id] = unit.defective
            record, new = self.service.inspect(unit.id, unit.data)
            assert new
            right += (record.verdict == "NG") == unit.defective
        return right / len(batch)

    def review_queue(self) -> int:
        """Review every queued unit, and every NG unit of the archive, as a person who
        knows the truth would; return how many."""
        queue = self.service.units.queue(LINE, self.service.refresh().version)
        queue += [
            u
            for u in self.service.units.archived(LINE)
            if u.verdict == "NG" and u.review_verdict is None and u not in queue
        ]
        for unit in queue:
            wrong = (unit.verdict == "NG") != self.truth[unit.unit]
            self.service.units.review(
                LINE, unit.unit, verdict="wrong" if wrong else "correct", at=now()
            )
            self.service.units.review(LINE, unit.unit, attention="well", at=now())
        return len(queue)

    def ratio(self) -> float:
        return failed_sample_ratio(self.service.units, self.service.registry.line(LINE))


def test_drift_is_reviewed_fine_tuned_retrained_and_a_worse_update_refused(
    home: Path, plant: Plant
) -> None:
    line = Line(home)
    base = line.service.line.version
    assert base is not None
    before = line.send(units("normal", 6, 2, 0.0, seed=1))
    drifted = line.send(units("drift", 12, 2, 0.08, seed=2))
    probe_base = line.send(units("probe0", 12, 2, 0.08, seed=PROBE_SEED))
    assert drifted < before and probe_base < 0.8

    # uncertain units wait with their picture and heat map
    queue = line.service.units.queue(LINE, base)
    low, high = line.service.band()
    assert queue and all(low < (u.decision or 0) < high for u in queue)
    assert all(u.folder and (Path(u.folder) / "heatmap.png").is_file() for u in queue)
    assert not any(
        u.unit in {"normal-001", "drift-001"} and line.truth[u.unit] for u in queue
    )  # holes score far above the band: not uncertain
    assert line.review_queue() > len(queue) and line.service.units.queue(LINE, base) == []

    # a fine-tune on the corrected units (β set just above their ratio to the training set)
    beta = 1.05 * line.ratio()
    assert beta > 0
    line.service.registry.configure_line(LINE, beta=beta)
    assert line.updates.due(LINE) == "finetune"
    tuned = line.updates.run_due(LINE)
    assert tuned is not None and tuned.kind == "finetune" and tuned.promoted, tuned
    assert tuned.reason.startswith("promoted:")
    version = line.service.registry.version(tuned.candidate or "")
    assert (version.origin, version.parent) == ("finetune", base)
    probe_tuned = line.send(units("probe1", 12, 2, 0.08, seed=PROBE_SEED))
    assert probe_tuned > probe_base
    assert line.service.units.get(LINE, "probe1-000").model_version == tuned.candidate

    # the drift goes on: more corrections push the failed-sample ratio past β
    line.send(units("drift2", 16, 2, 0.12, seed=3))
    line.review_queue()
    assert line.ratio() > beta
    assert line.updates.due(LINE) == "retrain"
    retrained = line.updates.run_due(LINE)
    assert retrained is not None and retrained.kind == "retrain" and retrained.promoted, retrained
    assert line.ratio() == 0.0  # the corrected units are in the training set now
    probe_retrained = line.send(units("probe2", 12, 2, 0.08, seed=PROBE_SEED))
    assert probe_retrained >= 0.85 and probe_retrained > probe_base

    # the first version measures worse on the held-out set: refused, and the line keeps
    # running the retrained one
    refused = line.updates.propose(LINE, base)
    assert not refused.promoted
    assert refused.reason.startswith("rejected: worse than the running version beyond chance")
    assert line.service.registry.line(LINE).version == retrained.candidate
    kinds = [(u.kind, u.promoted) for u in line.updates.history(LINE)]
    assert kinds == [("manual", False), ("retrain", True), ("finetune", True), ("manual", True)]


def test_a_new_lot_judged_ng_is_marked_wrong_and_a_retrain_judges_it_ok(
    home: Path, plant: Plant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drift case of the docs: a new material lot whose good units all score far
    above the threshold (clear NG, no review band would catch them). Their pictures are
    archived because they are NG; a reviewer marks them wrong in one bulk action; a
    retrain learns from them and judges the new lot OK."""
    line = Line(home)
    store = line.service.units
    lot = units("lot", 24, 0, 0.3, seed=5)
    assert line.send(lot) <= 0.2  # the good units of the new lot are judged NG
    judged_ng = [u for u in store.recent(LINE, 100) if u.verdict == "NG"]
    assert judged_ng and not any(u.uncertain for u in judged_ng)  # clear NG, not doubtful
    assert all((Path(u.folder or "") / "image.png").is_file() for u in judged_ng)
    store.review_many(
        LINE, [u.unit for u in judged_ng], verdict="wrong", attention="well", at=now()
    )

    # a refused retrain leaves its evidence waiting (the gate's own decisions are tested
    # in test_registry; here it is made to refuse, to test what happens to the evidence)
    with monkeypatch.context() as patched:
        patched.setattr(
            updates_module,
            "compare",
            lambda *args: GateResult(False, "rejected: (refused by the test)", 0, 0, 0, 0.0),
        )
        refused = line.updates.retrain(LINE)
    assert not refused.promoted and refused.units == len(judged_ng), refused.reason
    assert len(store.corrected(LINE, not_in="retrain")) == len(judged_ng)
    assert line.ratio() == len(judged_ng) / 16
    assert line.updates.due(LINE) == "finetune"  # no retrain again without new evidence

    retrained = line.updates.retrain(LINE)
    assert retrained.promoted, retrained.reason
    assert retrained.units == len(judged_ng)  # the pictures it really learnt from
    assert store.corrected(LINE, not_in="retrain") == [] and line.ratio() == 0.0
    probe = units("lot-probe", 12, 2, 0.3, seed=6)
    assert line.send(probe) >= 0.85  # the new lot is judged OK, holes still NG
    probe_ng = [store.get(LINE, u.id) for u in probe if u.defective]
    assert all(r is not None and r.verdict == "NG" for r in probe_ng)
