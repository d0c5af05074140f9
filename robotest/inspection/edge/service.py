"""The edge service's core, independent of HTTP or TCP: one image in, one recorded answer out.

Each unit is judged by the line's running version with the line's threshold and ROI,
recorded in SQLite before the answer leaves (so a restart loses nothing that was
answered), and, when its decision score is within the line's review band, queued for
review. NG, uncertain and a sample of OK units have their picture and heat map
archived (``archive``). A unit id sent again with the same picture gets the stored
answer; with another picture it is refused (:class:`UnitConflict`) and logged.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from robotest.image_decoding import ImageFileError, declared_size
from robotest.inspection.edge import archive
from robotest.inspection.edge.calibration import Calibration, calibrate, is_uncertain
from robotest.inspection.edge.limits import MAX_IMAGE_BYTES, UNIT_ID_PATTERN, UNIT_ID_RULE
from robotest.inspection.edge.review import decision_score
from robotest.inspection.edge.units import (
    UnitConflict,
    UnitRecord,
    UnitStore,
    VerdictName,
    picture_hash,
)
from robotest.inspection.errors import InspectionError
from robotest.inspection.images import decode_image
from robotest.inspection.model import Analysis, InspectionModel
from robotest.inspection.overlay import overlay
from robotest.inspection.registry import LineConfig, Registry, now

UNIT_ID = re.compile(UNIT_ID_PATTERN)
log = logging.getLogger("robotest.inspection.edge")


def check_unit_id(unit: str) -> str:
    """A unit id is 1 to 64 letters, digits, ``.``, ``_``, ``:`` or ``-``."""
    if not UNIT_ID.fullmatch(unit):
        raise InspectionError(f"unit id {unit[:80]!r} must be {UNIT_ID_RULE}")
    return unit


class EdgeService:
    """Inspect units for one line; safe to call from several threads."""

    def __init__(self, home: str | Path, line: str, max_megapixels: float | None = None):
        from robotest.inspection.threads import configure_torch

        configure_torch()
        self.home = Path(home)
        self.registry = Registry(self.home)
        self.units = UnitStore(self.registry.db)
        self.line_name = line
        self.max_megapixels = max_megapixels  # None: RTEST_MAX_IMAGE_MEGAPIXELS, else 50
        self.lock = threading.RLock()  # judging, and swapping the model in refresh()
        self.line: LineConfig = self.registry.line(line)
        self.model: InspectionModel = self._load(self.line)
        self.calibration: Calibration = calibrate(self.model, self.line.holdout)
        self._warn_band()
        self.last_unit_at = time.monotonic()

    def refresh(self) -> LineConfig:
        """Re-read the line's configuration; reload the model (and score the held-out
        good units again) when what judges changed."""
        line = self.registry.line(self.line_name)
        with self.lock:
            return self._swap(line)

    def _swap(self, line: LineConfig) -> LineConfig:
        if line != self.line:
            judging = ("version", "threshold", "roi", "holdout")
            if any(getattr(line, k) != getattr(self.line, k) for k in judging):
                model = self._load(line)
                self.model, self.calibration = model, calibrate(model, line.holdout)
            self.line = line
            self._warn_band()
        return self.line

    def _warn_band(self) -> None:
        problem = self.calibration.too_few(self.line.review_rate)
        if problem:
            log.warning("line %s: %s", self.line_name, problem)

    def band(self) -> tuple[float, float]:
        """The review band of the decision score, from the line's review rate."""
        return self.calibration.band(self.line.review_rate)

    def _load(self, line: LineConfig) -> InspectionModel:
        """The line's model, warmed up: the first inference of a fresh model pays for
        lazy initialisation (hundreds of ms), which no unit's cycle time should."""
        model = self.registry.load_for_line(line)
        width, height = model.meta.input_size
        blank = np.full((height, width, model.meta.channels), 128, np.uint8)
        pixels = decode_image(
            cv2.imencode(".png", blank)[1].tobytes(),
            "warm-up",
            channels=model.meta.channels,
            size=(width, height),
        )
        analysis = model.analyse([pixels])[0]
        model.judge(analysis)
        decision_score(model, analysis)
        cv2.imencode(".png", _heat_map(model, pixels, analysis))
        return model

    def inspect(self, unit: str, data: bytes) -> tuple[UnitRecord, bool]:
        """Judge the image file *data* of *unit*; return the record and whether it is new."""
        started = time.perf_counter()
        check_unit_id(unit)
        if len(data) > MAX_IMAGE_BYTES:
            raise InspectionError(
                f"image of unit {unit} is {len(data)} bytes, the limit is {MAX_IMAGE_BYTES}"
            )
        sha256 = picture_hash(data)
        known = self.units.get(self.line_name, unit)
        if known is not None:
            return self._repeat(known, sha256), False
        try:  # the header's size, before the lock: a bomb never holds up the line
            declared_size(data, f"of unit {unit}", self.max_megapixels)
        except ImageFileError as exc:
            raise InspectionError(str(exc)) from None
        with self.lock:
            self.last_unit_at = time.monotonic()
            record = self._judge(unit, data, sha256, started)
            inserted = self.units.record(record)
        if not inserted:  # another thread recorded the same unit meanwhile
            stored = self.units.get(self.line_name, unit)
            assert stored is not None
            return self._repeat(stored, sha256), False
        return record, True

    def _repeat(self, known: UnitRecord, sha256: str) -> UnitRecord:
        """The stored answer, when the picture is the one the unit was judged on."""
        if known.image_sha256 is not None and known.image_sha256 != sha256:
            log.warning(
                "line %s: unit %s sent again with a different picture (sha256 %s, "
                "judged on %s): refused",
                self.line_name,
                known.unit,
                sha256[:16],
                known.image_sha256[:16],
            )
            raise UnitConflict(self.line_name, known.unit)
        return known

    def _judge(self, unit: str, data: bytes, sha256: str, started: float) -> UnitRecord:
        line = self.refresh()
        model = self.model
        width, height = model.meta.input_size
        pixels = decode_image(
            data,
            f"of unit {unit}",
            channels=model.meta.channels,
            size=(width, height),
            max_megapixels=self.max_megapixels,
        )
        analysis = model.analyse([pixels])[0]
        judged = model.judge(analysis)  # what `rtest inspect predict` says of the picture
        verdict: VerdictName = "OK" if judged.passed else "NG"
        decision = decision_score(model, analysis)
        uncertain = is_uncertain(decision, self.band())
        folder = None
        if archive.should_keep(verdict, uncertain, sha256, line.ok_sample):
            folder = archive.keep(
                self.home / "units" / self.line_name / unit,
                pixels,
                _heat_map(model, pixels, analysis),
            )
        return UnitRecord(
            line=self.line_name,
            unit=unit,
            received_at=now(),
            verdict=verdict,
            score=judged.score,
            boxes=[b.as_list() for b in judged.boxes],
            model_version=line.version or "",
            elapsed_ms=1000.0 * (time.perf_counter() - started),
            uncertain=uncertain,
            folder=folder,
            image_sha256=sha256,
            decision=decision,
            good_quantile=self.calibration.good_quantile(decision),
        )

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_unit_at


def _heat_map(model: InspectionModel, pixels: np.ndarray, analysis: Analysis) -> np.ndarray:
    """The picture with its anomaly map over it (yellow-green at the threshold) and boxes."""
    heat = np.clip(model.full_map(analysis) / 2.0, 0.0, 1.0)
    return overlay(pixels, heat, analysis.boxes)
