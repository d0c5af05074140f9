"""The picture archive: every NG unit and a sample of OK units kept, retention by age and
size, the evidence of the next update spared; units of retired versions leave the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from edge_helpers import LINE, units

from robotest.inspection.edge.archive import GB, prune, should_keep
from robotest.inspection.edge.review import failed_sample_ratio
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.updates import Updates
from robotest.inspection.registry import now


def test_ng_units_are_always_kept_and_ok_units_by_their_sample(home: Path) -> None:
    service = EdgeService(home, LINE)
    service.registry.configure_line(LINE, ok_sample=0.0)
    for unit in units("n", 6, 2, 0.0, seed=1):
        service.inspect(unit.id, unit.data)
    records = service.units.recent(LINE, 100)
    for record in records:
        kept = record.verdict == "NG" or record.uncertain
        assert (record.folder is not None) == kept, record
        if kept:
            assert {p.name for p in Path(record.folder or "").iterdir()} == {
                "image.png",
                "heatmap.png",
            }
    assert any(r.verdict == "NG" for r in records)
    service.registry.configure_line(LINE, ok_sample=1.0)
    record, _ = service.inspect("all-ok", units("m", 1, 0, 0.0, seed=8)[0].data)
    assert record.verdict == "OK" and record.folder is not None
    assert should_keep("OK", False, "00000000" + "0" * 56, 0.01)  # hash 0 is in any sample
    assert not should_keep("OK", False, "ffffffff" + "0" * 56, 0.99)


def test_retention_deletes_old_pictures_but_spares_the_next_updates_evidence(home: Path) -> None:
    service = EdgeService(home, LINE)
    service.registry.configure_line(LINE, ok_sample=1.0, keep_days=30)
    for unit in units("r", 4, 0, 0.0, seed=3):
        service.inspect(unit.id, unit.data)
    kept = service.units.archived(LINE)
    assert len(kept) == 4
    evidence = kept[0].unit  # a reviewer marked it wrong; no retrain has used it
    service.units.review(LINE, evidence, verdict="wrong", attention="well", at=now())
    line = service.registry.line(LINE)
    assert prune(service.units, line) == 0  # all younger than 30 days, far under 10 GB
    later = datetime.now(UTC) + timedelta(days=31)
    assert prune(service.units, line, at=later) == 3
    assert [u.unit for u in service.units.archived(LINE)] == [evidence]
    assert not Path(kept[1].folder or "").exists()
    assert service.units.get(LINE, kept[1].unit) is not None  # the record stays

    for unit in units("s", 3, 0, 0.0, seed=4):
        service.inspect(unit.id, unit.data)
    size = sum(f.stat().st_size for f in (home / "units").rglob("*.png"))
    tight = service.registry.configure_line(LINE, keep_gb=(size * 0.65) / GB)
    assert prune(service.units, tight) >= 1  # the oldest go first, down to the limit
    left = service.units.archived(LINE)
    assert left[0].unit == evidence and left[-1].unit == "s-002"


def test_units_judged_by_a_retired_version_leave_the_queue(home: Path) -> None:
    service = EdgeService(home, LINE)
    for unit in units("q", 8, 0, 0.08, seed=2):
        service.inspect(unit.id, unit.data)
    running = service.line.version
    waiting = service.units.queue(LINE, running)
    assert waiting
    assert service.units.queue(LINE, "ae-00000000-20260101T000000Z") == []
    assert service.units.retired_waiting(LINE, "ae-00000000-20260101T000000Z") == len(waiting)
    assert service.units.retired_waiting(LINE, running) == 0


def test_a_corrected_unit_without_a_picture_triggers_no_update(home: Path) -> None:
    service = EdgeService(home, LINE)
    service.registry.configure_line(LINE, ok_sample=0.0, review_rate=0.0)  # no band
    record, _ = service.inspect("missed", units("x", 1, 0, 0.0, seed=1)[0].data)
    assert record.verdict == "OK" and record.folder is None  # an OK unit outside the sample
    service.units.review(LINE, "missed", verdict="wrong", attention="well", at=now())
    updates = Updates(service.registry, service.units)
    assert updates.due(LINE) is None  # nothing to learn from: no fine-tune at every idle
    assert failed_sample_ratio(service.units, service.registry.line(LINE)) == 0.0
