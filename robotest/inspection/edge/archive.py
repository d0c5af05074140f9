"""The picture archive of a line: what is kept, and for how long.

Kept: the picture and heat map of every NG unit, of every uncertain unit, and of a
sample of the OK units (``ok_sample``, chosen by the picture's hash, so the choice is
reproducible). It is the station's traceability record and the evidence updates learn
from: a reviewer may mark any kept unit wrong, a clear NG as well as a doubtful one.

Retention (``keep_days``, ``keep_gb``): pictures older than ``keep_days`` are deleted,
then the oldest until the archive is under ``keep_gb``; pictures a reviewer marked
wrong that no promoted retrain has used yet are kept whatever their age (they are the
evidence of the next update).
"""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from robotest.inspection.edge.units import UnitRecord, UnitStore
from robotest.inspection.images import write_png
from robotest.inspection.registry import LineConfig

log = logging.getLogger("robotest.inspection.edge")
GB = 1024**3


def should_keep(verdict: str, uncertain: bool, sha256: str, ok_sample: float) -> bool:
    """NG and uncertain units always; OK units when their hash falls in the sample."""
    if verdict == "NG" or uncertain:
        return True
    return int(sha256[:8], 16) / 16**8 < ok_sample


def keep(folder: Path, pixels: np.ndarray, heat_map: np.ndarray) -> str:
    """Write the unit's picture (as the model saw it) and heat map into *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    write_png(folder / "image.png", np.clip(pixels * 255.0, 0, 255).astype(np.uint8))
    write_png(folder / "heatmap.png", heat_map)
    return str(folder)


def prune(units: UnitStore, line: LineConfig, *, at: datetime | None = None) -> int:
    """Apply the line's retention; return how many units' pictures were deleted."""
    moment = at or datetime.now(UTC)
    oldest = (moment - timedelta(days=line.keep_days)).isoformat(timespec="milliseconds")
    kept = units.archived(line.name)
    needed = {u.unit for u in units.corrected(line.name, not_in="retrain")}
    sizes = {u.unit: _size(u) for u in kept}
    total = sum(sizes.values())
    deleted = 0
    for unit in kept:  # oldest first
        if unit.unit in needed:
            continue
        if unit.received_at >= oldest and total <= line.keep_gb * GB:
            continue
        _delete(units, unit)
        total -= sizes[unit.unit]
        deleted += 1
    if deleted:
        log.info(
            "line %s: pictures of %d unit(s) deleted by the retention rule", line.name, deleted
        )
    return deleted


def _size(unit: UnitRecord) -> int:
    folder = Path(unit.folder or "")
    return sum(f.stat().st_size for f in folder.glob("*") if f.is_file())


def _delete(units: UnitStore, unit: UnitRecord) -> None:
    units.forget_picture(unit.line, unit.unit)
    shutil.rmtree(unit.folder or "", ignore_errors=True)
