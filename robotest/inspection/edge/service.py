"""The edge service's core, independent of HTTP or TCP: one image in, one recorded answer out.

Each unit is judged by the line's running version with the line's threshold and ROI,
recorded in SQLite before the answer leaves (so a restart loses nothing that was
answered), and, when its score is within the band round the threshold, queued for
review with its picture and heat map. A unit id sent again gets the stored answer.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from robotest.image_decoding import ImageFileError, declared_size
from robotest.inspection.edge.limits import MAX_IMAGE_BYTES, UNIT_ID_PATTERN, UNIT_ID_RULE
from robotest.inspection.edge.review import decision_score, is_uncertain
from robotest.inspection.edge.units import UnitRecord, UnitStore
from robotest.inspection.errors import InspectionError
from robotest.inspection.images import decode_image, write_png
from robotest.inspection.model import Analysis, InspectionModel
from robotest.inspection.overlay import overlay
from robotest.inspection.registry import LineConfig, Registry, now

UNIT_ID = re.compile(UNIT_ID_PATTERN)


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
        self.lock = threading.Lock()
        self.line: LineConfig = self.registry.line(line)
        self.model: InspectionModel = self._load(self.line)
        self.last_unit_at = time.monotonic()

    def refresh(self) -> LineConfig:
        """Re-read the line's configuration; reload the model when it changed."""
        line = self.registry.line(self.line_name)
        if line != self.line:
            model = self._load(line)
            self.line, self.model = line, model
        return self.line

    def _load(self, line: LineConfig) -> InspectionModel:
        """The line's model, warmed up: the first inference of a fresh model pays for
        lazy initialisation (hundreds of ms), which no unit's cycle time should."""
        model = self.registry.load_for_line(line)
        width, height = model.meta.input_size
        blank = np.full((height, width, model.meta.channels), 128, np.uint8)
        pixels = decode_image(cv2.imencode(".png", blank)[1].tobytes(), "warm-up",
                              channels=model.meta.channels, size=(width, height))
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
            raise InspectionError(f"image of unit {unit} is {len(data)} bytes, "
                                  f"the limit is {MAX_IMAGE_BYTES}")
        known = self.units.get(self.line_name, unit)
        if known is not None:
            return known, False
        try:  # the header's size, before the lock: a bomb never holds up the line
            declared_size(data, f"of unit {unit}", self.max_megapixels)
        except ImageFileError as exc:
            raise InspectionError(str(exc)) from None
        with self.lock:
            self.last_unit_at = time.monotonic()
            line = self.refresh()
            model = self.model
            width, height = model.meta.input_size
            pixels = decode_image(data, f"of unit {unit}", channels=model.meta.channels,
                                  size=(width, height), max_megapixels=self.max_megapixels)
            analysis = model.analyse([pixels])[0]
            verdict = model.judge(analysis)
            score = decision_score(model, analysis)
            uncertain = is_uncertain(score, line.band)
            folder = self._keep(unit, pixels, model, analysis) if uncertain else None
            record = UnitRecord(
                line=self.line_name, unit=unit, received_at=now(),
                verdict="OK" if verdict.passed else "NG", score=score,
                boxes=[b.as_list() for b in verdict.boxes], model_version=line.version or "",
                elapsed_ms=1000.0 * (time.perf_counter() - started), uncertain=uncertain,
                folder=folder)
            inserted = self.units.record(record)
        if not inserted:  # another thread recorded the same unit meanwhile
            stored = self.units.get(self.line_name, unit)
            assert stored is not None
            return stored, False
        return record, True

    def _keep(self, unit: str, pixels: np.ndarray, model: InspectionModel,
              analysis: Analysis) -> str:
        """Save the picture and its heat map for the review queue."""
        folder = self.home / "units" / self.line_name / unit
        folder.mkdir(parents=True, exist_ok=True)
        write_png(folder / "image.png", np.clip(pixels * 255.0, 0, 255).astype(np.uint8))
        write_png(folder / "heatmap.png", _heat_map(model, pixels, analysis))
        return str(folder)

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_unit_at


def _heat_map(model: InspectionModel, pixels: np.ndarray, analysis: Analysis) -> np.ndarray:
    """The picture with its anomaly map over it (yellow-green at the threshold) and boxes."""
    heat = np.clip(model.full_map(analysis) / 2.0, 0.0, 1.0)
    return overlay(pixels, heat, analysis.boxes)
