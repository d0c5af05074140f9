"""Fine-tunes wait for idle time: none while units arrive, one once the line is quiet."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from edge_helpers import LINE, units

from robotest.inspection.edge.serve import idle_updates
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.updates import UpdateOptions, Updates
from robotest.inspection.registry import now


def test_a_due_fine_tune_runs_only_when_the_line_is_idle(home: Path) -> None:
    service = EdgeService(home, LINE)
    service.registry.configure_line(LINE, idle_s=0.5)
    updates = Updates(service.registry, service.units, UpdateOptions(finetune_epochs=1))
    for unit in units("i", 4, 0, 0.08, seed=2):
        record, _ = service.inspect(unit.id, unit.data)
        if record.verdict == "NG":  # good units: wrong (NG pictures are always kept)
            assert record.folder is not None
            service.units.review(LINE, unit.id, verdict="wrong", attention="well", at=now())
    assert updates.due(LINE) == "finetune"

    async def line_busy_then_quiet() -> list[str]:
        task = asyncio.create_task(idle_updates(service, updates, every=0.05))
        busy_until = time.monotonic() + 1.0
        while time.monotonic() < busy_until:  # a unit every 0.1 s: never idle for 0.5 s
            service.last_unit_at = time.monotonic()
            await asyncio.sleep(0.1)
        during = [u.kind for u in updates.history(LINE)]
        deadline = time.monotonic() + 60
        while not any(u.kind == "finetune" for u in updates.history(LINE)):
            assert time.monotonic() < deadline, "no fine-tune at idle time"
            await asyncio.sleep(0.05)
        task.cancel()
        return during

    during = asyncio.run(line_busy_then_quiet())
    assert during == ["manual"]  # only the first promotion while the line was busy
    assert updates.due(LINE) is None  # its corrected units are used
