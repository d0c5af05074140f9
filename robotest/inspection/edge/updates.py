"""Model updates at the edge: a fine-tune on reviewed failures, a full retrain past β.

* **Fine-tune** (at idle time): the running autoencoder trains a few more epochs, from
  its own weights, on the corrected units that were really normal plus as many
  pictures of the original training set (so it does not forget them).
* **Retrain**: when the failed-sample ratio passes the line's β, a new model of the
  same kind learns from scratch on the training set plus every reviewed failure.

Either way the candidate is registered with its metrics on the line's held-out set
and promoted only when it is not worse than the running version beyond chance on the
held-out set plus the reviewed units (``gate``); otherwise the update is recorded as
rejected with the figures that decided. Reviewed units count as *used* only by a
promoted update: a rejected one leaves them waiting (a rejected retrain's units go
into the next retrain, once new evidence has come), and the history counts the
pictures an update really learnt from.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from robotest.inspection.edge.gate import GateResult, compare, gate_pictures, right_answers
from robotest.inspection.edge.review import failed_sample_ratio
from robotest.inspection.edge.units import UnitRecord, UnitStore
from robotest.inspection.errors import InspectionError
from robotest.inspection.registry import (
    LineConfig,
    ModelVersion,
    Registry,
    add_columns,
    model_for_line,
    now,
)

UPDATE_KINDS = ("finetune", "retrain", "manual")

SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, kind TEXT NOT NULL,
    candidate TEXT, running TEXT, promoted INTEGER NOT NULL, reason TEXT NOT NULL,
    candidate_metrics TEXT NOT NULL, running_metrics TEXT NOT NULL, units INTEGER NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT NOT NULL);
"""
UPDATE_COLUMNS = (("forced", "INTEGER NOT NULL DEFAULT 0"),)


@dataclass(frozen=True)
class UpdateOptions:
    """Training effort of updates (small in tests, larger on a line)."""

    finetune_epochs: int = 5
    finetune_rate: float = 5e-4
    retrain_epochs: int | None = None  # None: the model kind's default
    seed: int = 0


@dataclass(frozen=True)
class Update:
    """One update attempt and its outcome."""

    id: int
    line: str
    kind: str
    candidate: str | None
    running: str | None
    promoted: bool
    reason: str
    candidate_metrics: dict[str, Any]
    running_metrics: dict[str, Any]
    units: int  # reviewed pictures the candidate learnt from
    started_at: str
    finished_at: str
    forced: bool = False


class Updates:
    """Run, gate and record updates of one registry's lines."""

    def __init__(self, registry: Registry, units: UnitStore, options: UpdateOptions | None = None):
        self.registry, self.units = registry, units
        self.options = options or UpdateOptions()
        self.lock = threading.RLock()  # one update at a time
        registry.conn.executescript(SCHEMA)
        add_columns(registry.conn, "updates", UPDATE_COLUMNS)

    # -- what is due ------------------------------------------------------------
    def due(self, line_name: str) -> str | None:
        """``retrain`` past β (when some corrected unit is new since the last rejected
        retrain), ``finetune`` when corrected units no fine-tune tried wait, else None."""
        line = self.registry.line(line_name)
        if line.version is None:
            return None
        if self.units.untried(line.name) and failed_sample_ratio(self.units, line) > line.beta:
            return "retrain"
        waiting = self.units.corrected(line.name, not_in="finetune", learnable=True)
        return "finetune" if waiting else None

    def run_due(self, line_name: str) -> Update | None:
        with self.lock:
            return self._run_due(line_name)

    def _run_due(self, line_name: str) -> Update | None:
        kind = self.due(line_name)
        if kind == "retrain":
            return self._retrain(line_name)
        return self._finetune(line_name) if kind == "finetune" else None

    # -- the two updates ----------------------------------------------------------
    def finetune(self, line_name: str) -> Update:
        """Fine-tune the running version on corrected units not used by a fine-tune yet."""
        with self.lock:
            return self._finetune(line_name)

    def retrain(self, line_name: str) -> Update:
        """Train a new model on the training set plus every reviewed failure."""
        with self.lock:
            return self._retrain(line_name)

    def _finetune(self, line_name: str) -> Update:
        from robotest.inspection.model import load_model

        line = self._ready(line_name)
        failures = self.units.corrected(line.name, not_in="finetune", learnable=True)
        if not failures:
            raise InspectionError(
                f"line {line.name!r} has no corrected units to fine-tune on "
                "(reviewed wrong, with a kept picture, not used by a fine-tune yet)"
            )
        assert line.version is not None
        running = load_model(self.registry.version(line.version).folder)
        train_good = _good_images(_require(line.train_data, line, "training set"))
        if running.meta.kind != "ae":  # no weights to start from: refit on everything (fast)
            return self._update(
                line, "finetune", failures, train_good, epochs=None, rate=None, init=None
            )
        rng = np.random.default_rng(self.options.seed)
        replay = [
            train_good[i]
            for i in rng.choice(
                len(train_good), size=min(len(train_good), max(4, len(failures))), replace=False
            )
        ]
        return self._update(
            line,
            "finetune",
            failures,
            replay,
            epochs=self.options.finetune_epochs,
            rate=self.options.finetune_rate,
            init=running,
        )

    def _retrain(self, line_name: str) -> Update:
        line = self._ready(line_name)
        failures = self.units.corrected(line.name)
        train_good = _good_images(_require(line.train_data, line, "training set"))
        return self._update(
            line,
            "retrain",
            failures,
            train_good,
            epochs=self.options.retrain_epochs,
            rate=None,
            init=None,
        )

    def propose(
        self,
        line_name: str,
        version: str,
        *,
        kind: str = "manual",
        units: int = 0,
        force: bool = False,
    ) -> Update:
        """Promote *version* on the line if it is at least as good as the running one."""
        with self.lock:
            return self._propose(line_name, version, kind, units, force)

    def _propose(self, line_name: str, version: str, kind: str, units: int, force: bool) -> Update:
        started = now()
        line = self.registry.line(line_name)
        candidate = self.registry.version(version)
        if line.version is None:
            self.registry.set_running(line.name, version)
            return self._record(
                line,
                kind,
                candidate.name,
                None,
                True,
                "promoted: first version of the line",
                candidate.metrics,
                {},
                units,
                started,
            )
        holdout = _require(line.holdout, line, "held-out set")
        running = self.registry.version(line.version)
        cand_metrics = self.metrics(candidate, line, holdout)
        run_metrics = self.metrics(running, line, holdout)
        result = self.judge(candidate, running, line, holdout)
        promoted, reason = result.promoted, result.reason
        if force and not promoted:
            promoted, reason = True, "forced by the operator; the gate said " + reason
        if promoted:
            self.registry.set_running(line.name, version)
        return self._record(
            line,
            kind,
            candidate.name,
            line.version,
            promoted,
            reason,
            cand_metrics,
            run_metrics,
            units,
            started,
            forced=force and not result.promoted,
        )

    def judge(
        self, candidate: ModelVersion, running: ModelVersion, line: LineConfig, holdout: str
    ) -> GateResult:
        """The gate on the held-out set plus the line's reviewed units with pictures."""
        pictures = gate_pictures(holdout, self.units.reviewed(line.name))
        return compare(
            right_answers(candidate.folder, line, pictures),
            right_answers(running.folder, line, pictures),
            pictures,
        )

    def history(self, line_name: str) -> list[Update]:
        rows = self.registry.conn.execute(
            "SELECT * FROM updates WHERE line=? ORDER BY id DESC", (line_name,)
        ).fetchall()
        return [_update(r) for r in rows]

    # -- helpers ------------------------------------------------------------------
    def metrics(self, version: ModelVersion, line: LineConfig, holdout: str) -> dict[str, Any]:
        """*version*'s figures on the held-out set with the line's threshold and ROI."""
        return holdout_metrics(version.folder, line, holdout)

    def _ready(self, line_name: str) -> LineConfig:
        line = self.registry.line(line_name)
        if line.version is None:
            raise InspectionError(f"line {line.name!r} runs no model version to update")
        return line

    def _update(
        self,
        line: LineConfig,
        kind: str,
        failures: list[UnitRecord],
        train_good: list[Path],
        *,
        epochs: int | None,
        rate: float | None,
        init: Any,
    ) -> Update:
        from robotest.inspection.dataset import open_dataset
        from robotest.inspection.model import load_model
        from robotest.inspection.training import TrainOptions, train

        assert line.version is not None
        running = load_model(self.registry.version(line.version).folder)
        stamp = now().replace(":", "").replace("-", "").replace(".", "")
        work = self.registry.home / "updates" / line.name / f"{stamp}-{kind}"
        with tempfile.TemporaryDirectory(dir=self.registry.home) as scratch:
            data, used = _write_dataset(
                work / "data", train_good, failures, _require(line.train_data, line, "training set")
            )
            options = TrainOptions(
                kind=running.meta.kind,
                work_size=running.meta.work_size,
                epochs=epochs,
                min_area=running.meta.min_area,
                error=running.meta.error,
                roi=line.roi or running.meta.roi,
                init_from=init,
                seed=self.options.seed,
                progress=False,
            )
            if rate is not None:
                options.learning_rate = rate
            model = train(open_dataset(data), options)
            holdout = _require(line.holdout, line, "held-out set")
            out = model.save(Path(scratch) / "model")
            metrics = holdout_metrics(out, line, holdout)
            version = self.registry.add_version(out, metrics, origin=kind, parent=line.version)
        update = self._propose(line.name, version.name, kind, len(used), False)
        self._mark(line.name, kind, [u.unit for u in used], update.promoted)
        return update

    def _mark(self, line: str, kind: str, used: list[str], promoted: bool) -> None:
        """Used by a promoted update; a rejected one only keeps the same kind from trying
        the same units again (a rejected fine-tune's units still go into a retrain)."""
        if promoted:
            self.units.mark_used(line, used, "finetune")
            if kind == "retrain":
                self.units.mark_used(line, used, "retrain")
        elif kind == "finetune":
            self.units.mark_used(line, used, "finetune")
        else:
            self.units.mark_used(line, used, "tried_retrain")

    def _record(
        self,
        line: LineConfig,
        kind: str,
        candidate: str | None,
        running: str | None,
        promoted: bool,
        reason: str,
        cand: dict[str, Any],
        run: dict[str, Any],
        units: int,
        started: str,
        forced: bool = False,
    ) -> Update:
        cur = self.registry.conn.execute(
            "INSERT INTO updates (line, kind, candidate, running, promoted, reason, "
            "candidate_metrics, running_metrics, units, started_at, finished_at, forced) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                line.name,
                kind,
                candidate,
                running,
                int(promoted),
                reason,
                json.dumps(cand),
                json.dumps(run),
                units,
                started,
                now(),
                int(forced),
            ),
        )
        row = self.registry.conn.execute(
            "SELECT * FROM updates WHERE id=?", (cur.lastrowid,)
        ).fetchone()
        return _update(row)


def holdout_metrics(folder: Path, line: LineConfig, holdout: str) -> dict[str, Any]:
    """Evaluate the model in *folder*, as the line runs it, on *holdout*'s test images."""
    from robotest.inspection.dataset import open_dataset
    from robotest.inspection.evaluation import evaluate
    from robotest.inspection.model import load_model

    model = model_for_line(load_model(folder), line)
    figures = evaluate(model, open_dataset(holdout, need_train=False, need_test=True)).to_json()
    return {**figures, "holdout": str(holdout)}


def _require(value: str | None, line: LineConfig, what: str) -> str:
    if not value:
        option = "--train" if what == "training set" else "--holdout"
        raise InspectionError(
            f"line {line.name!r} has no {what} "
            f"(set it with `rtest inspect line set {line.name} {option} DIR`)"
        )
    return value


def _good_images(dataset: str) -> list[Path]:
    from robotest.inspection.dataset import open_dataset

    return open_dataset(dataset).train_good


def _write_dataset(
    root: Path, good: list[Path], failures: list[UnitRecord], source: str
) -> tuple[Path, list[UnitRecord]]:
    """An MVTec-layout folder: *good* plus the reviewed units that were really normal in
    ``train/good``; the really defective ones in ``train/reviewed_ng``. Returns it and
    the reviewed units whose picture it holds (a unit whose picture the retention rule
    deleted cannot be learnt from)."""
    (root / "train" / "good").mkdir(parents=True)
    for i, path in enumerate(good):
        shutil.copy2(path, root / "train" / "good" / f"train-{i:05d}{path.suffix}")
    used = []
    for unit in failures:
        picture = Path(unit.folder or "") / "image.png"
        if unit.folder is None or not picture.is_file():
            continue
        target = "good" if unit.truly_ok else "reviewed_ng"
        (root / "train" / target).mkdir(parents=True, exist_ok=True)
        shutil.copy2(picture, root / "train" / target / f"unit-{unit.unit}.png")
        used.append(unit)
    settings = Path(source) / "inspection.toml"
    if settings.is_file():
        shutil.copy2(settings, root / "inspection.toml")
    return root, used


def _update(row: sqlite3.Row) -> Update:
    data = dict(row)
    data["promoted"] = bool(data["promoted"])
    data["forced"] = bool(data["forced"])
    data["candidate_metrics"] = json.loads(data["candidate_metrics"])
    data["running_metrics"] = json.loads(data["running_metrics"])
    return Update(**data)
