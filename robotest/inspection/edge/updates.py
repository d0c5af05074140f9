"""Model updates at the edge: a fine-tune on reviewed failures, a full retrain past β.

* **Fine-tune** (at idle time): the running autoencoder trains a few more epochs, from
  its own weights, on the corrected units that were really normal plus as many
  pictures of the original training set (so it does not forget them).
* **Retrain**: when the failed-sample ratio passes the line's β, a new model of the
  same kind learns from scratch on the training set plus every reviewed failure.

Either way the candidate is registered with its metrics on the line's held-out set
and promoted only when none of :data:`GATE_METRICS` is worse than the running
version's on the same set, measured now; otherwise the update is recorded as rejected
with the metric that fell.
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

from robotest.inspection.edge.review import failed_sample_ratio
from robotest.inspection.edge.units import UnitRecord, UnitStore
from robotest.inspection.errors import InspectionError
from robotest.inspection.registry import LineConfig, ModelVersion, Registry, model_for_line, now

GATE_METRICS = ("f1", "image_auroc")
UPDATE_KINDS = ("finetune", "retrain", "manual")

SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, kind TEXT NOT NULL,
    candidate TEXT, running TEXT, promoted INTEGER NOT NULL, reason TEXT NOT NULL,
    candidate_metrics TEXT NOT NULL, running_metrics TEXT NOT NULL, units INTEGER NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT NOT NULL);
"""


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
    units: int
    started_at: str
    finished_at: str


class Updates:
    """Run, gate and record updates of one registry's lines."""

    def __init__(self, registry: Registry, units: UnitStore,
                 options: UpdateOptions | None = None):
        self.registry, self.units = registry, units
        self.options = options or UpdateOptions()
        self.lock = threading.RLock()  # one update at a time
        registry.conn.executescript(SCHEMA)

    # -- what is due ------------------------------------------------------------
    def due(self, line_name: str) -> str | None:
        """``retrain`` past β, ``finetune`` when corrected units wait, else None."""
        line = self.registry.line(line_name)
        if line.version is None:
            return None
        if self.units.corrected(line.name, not_in="retrain") and \
                failed_sample_ratio(self.units, line) > line.beta:
            return "retrain"
        return "finetune" if self.units.corrected(line.name, not_in="finetune") else None

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
        failures = self.units.corrected(line.name, not_in="finetune")
        if not failures:
            raise InspectionError(f"line {line.name!r} has no corrected units to fine-tune on")
        assert line.version is not None
        running = load_model(self.registry.version(line.version).folder)
        train_good = _good_images(_require(line.train_data, line, "training set"))
        if running.meta.kind != "ae":  # no weights to start from: refit on everything (fast)
            return self._update(line, "finetune", failures, train_good, epochs=None,
                                rate=None, init=None)
        rng = np.random.default_rng(self.options.seed)
        replay = [train_good[i] for i in rng.choice(
            len(train_good), size=min(len(train_good), max(4, len(failures))), replace=False)]
        return self._update(line, "finetune", failures, replay, epochs=self.options.finetune_epochs,
                            rate=self.options.finetune_rate, init=running)

    def _retrain(self, line_name: str) -> Update:
        line = self._ready(line_name)
        failures = self.units.corrected(line.name)
        train_good = _good_images(_require(line.train_data, line, "training set"))
        return self._update(line, "retrain", failures, train_good,
                            epochs=self.options.retrain_epochs, rate=None, init=None)

    def propose(self, line_name: str, version: str, *, kind: str = "manual",
                units: int = 0, force: bool = False) -> Update:
        """Promote *version* on the line if it is at least as good as the running one."""
        with self.lock:
            return self._propose(line_name, version, kind, units, force)

    def _propose(self, line_name: str, version: str, kind: str, units: int,
                 force: bool) -> Update:
        started = now()
        line = self.registry.line(line_name)
        candidate = self.registry.version(version)
        if line.version is None or force:
            self.registry.set_running(line.name, version)
            reason = "forced by the operator" if force and line.version else \
                "first version of the line"
            return self._record(line, kind, candidate.name, line.version, True, reason,
                                candidate.metrics, {}, units, started)
        holdout = _require(line.holdout, line, "held-out set")
        cand_metrics = self.metrics(candidate, line, holdout)
        run_metrics = self.metrics(self.registry.version(line.version), line, holdout)
        promoted, reason = gate(cand_metrics, run_metrics)
        if promoted:
            self.registry.set_running(line.name, version)
        return self._record(line, kind, candidate.name, line.version, promoted, reason,
                            cand_metrics, run_metrics, units, started)

    def history(self, line_name: str) -> list[Update]:
        rows = self.registry.conn.execute(
            "SELECT * FROM updates WHERE line=? ORDER BY id DESC", (line_name,)).fetchall()
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

    def _update(self, line: LineConfig, kind: str, failures: list[UnitRecord],
                train_good: list[Path], *, epochs: int | None, rate: float | None,
                init: Any) -> Update:
        from robotest.inspection.dataset import open_dataset
        from robotest.inspection.model import load_model
        from robotest.inspection.training import TrainOptions, train

        assert line.version is not None
        running = load_model(self.registry.version(line.version).folder)
        stamp = now().replace(":", "").replace("-", "").replace(".", "")
        work = self.registry.home / "updates" / line.name / f"{stamp}-{kind}"
        with tempfile.TemporaryDirectory(dir=self.registry.home) as scratch:
            data = _write_dataset(work / "data", train_good, failures,
                                  _require(line.train_data, line, "training set"))
            options = TrainOptions(
                kind=running.meta.kind, work_size=running.meta.work_size, epochs=epochs,
                min_area=running.meta.min_area, error=running.meta.error,
                roi=line.roi or running.meta.roi, init_from=init, seed=self.options.seed,
                progress=False)
            if rate is not None:
                options.learning_rate = rate
            model = train(open_dataset(data), options)
            holdout = _require(line.holdout, line, "held-out set")
            out = model.save(Path(scratch) / "model")
            metrics = holdout_metrics(out, line, holdout)
            version = self.registry.add_version(out, metrics, origin=kind, parent=line.version)
        names = [u.unit for u in failures]
        self.units.mark_used(line.name, names, "finetune")
        if kind == "retrain":
            self.units.mark_used(line.name, names, "retrain")
        return self._propose(line.name, version.name, kind, len(failures), False)

    def _record(self, line: LineConfig, kind: str, candidate: str | None, running: str | None,
                promoted: bool, reason: str, cand: dict[str, Any], run: dict[str, Any],
                units: int, started: str) -> Update:
        cur = self.registry.conn.execute(
            "INSERT INTO updates (line, kind, candidate, running, promoted, reason, "
            "candidate_metrics, running_metrics, units, started_at, finished_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (line.name, kind, candidate, running, int(promoted), reason, json.dumps(cand),
             json.dumps(run), units, started, now()))
        row = self.registry.conn.execute("SELECT * FROM updates WHERE id=?",
                                         (cur.lastrowid,)).fetchone()
        return _update(row)


def gate(candidate: dict[str, Any], running: dict[str, Any]) -> tuple[bool, str]:
    """Promote only when no gate metric is worse; the reason names what decided."""
    for name in GATE_METRICS:
        new, old = candidate.get(name), running.get(name)
        if old is None:
            continue
        if new is None or new < old:
            return False, (f"rejected: {name} {_fmt(new)} on the held-out set is below the "
                           f"running version's {_fmt(old)}")
    figures = ", ".join(f"{n} {_fmt(candidate.get(n))} vs {_fmt(running.get(n))}"
                        for n in GATE_METRICS)
    return True, f"promoted: at least as good on the held-out set ({figures})"


def holdout_metrics(folder: Path, line: LineConfig, holdout: str) -> dict[str, Any]:
    """Evaluate the model in *folder*, as the line runs it, on *holdout*'s test images."""
    from robotest.inspection.dataset import open_dataset
    from robotest.inspection.evaluation import evaluate
    from robotest.inspection.model import load_model

    model = model_for_line(load_model(folder), line)
    figures = evaluate(model, open_dataset(holdout, need_train=False, need_test=True)).to_json()
    return {**figures, "holdout": str(holdout)}


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.3f}"


def _require(value: str | None, line: LineConfig, what: str) -> str:
    if not value:
        option = "--train" if what == "training set" else "--holdout"
        raise InspectionError(f"line {line.name!r} has no {what} "
                              f"(set it with `rtest inspect line set {line.name} {option} DIR`)")
    return value


def _good_images(dataset: str) -> list[Path]:
    from robotest.inspection.dataset import open_dataset

    return open_dataset(dataset).train_good


def _write_dataset(root: Path, good: list[Path], failures: list[UnitRecord],
                   source: str) -> Path:
    """An MVTec-layout folder: *good* plus the reviewed units that were really normal in
    ``train/good``; the really defective ones in ``train/reviewed_ng``."""
    (root / "train" / "good").mkdir(parents=True)
    for i, path in enumerate(good):
        shutil.copy2(path, root / "train" / "good" / f"train-{i:05d}{path.suffix}")
    for unit in failures:
        if unit.folder is None:
            continue
        target = "good" if unit.truly_ok else "reviewed_ng"
        (root / "train" / target).mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(unit.folder) / "image.png",
                     root / "train" / target / f"unit-{unit.unit}.png")
    settings = Path(source) / "inspection.toml"
    if settings.is_file():
        shutil.copy2(settings, root / "inspection.toml")
    return root


def _update(row: sqlite3.Row) -> Update:
    data = dict(row)
    data["promoted"] = bool(data["promoted"])
    data["candidate_metrics"] = json.loads(data["candidate_metrics"])
    data["running_metrics"] = json.loads(data["running_metrics"])
    return Update(**data)
