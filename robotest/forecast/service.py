"""`rtest forecast serve`: the gatekeeper between the ERP and the training machine.

A small HTTP API (FastAPI), every call but ``/health`` authenticated by a bearer token:

- ``POST /v1/data``: CSV ``unique_id, ds, y, customer_forecast``; a row with an empty ``y`` is
  the customer's forecast of a future period. A period posted again replaces the old one.
- ``POST /v1/update[?unique_id=A&unique_id=B]``: retrain in the background (warm start for a
  known commodity); answers 202 with a job id. A commodity updates one job at a time: one that
  is busy is listed under ``skipped``.
- ``GET /v1/jobs/{id}``: ``running``, ``done`` or ``failed`` with a one-line ``error``.
- ``GET /v1/predictions?format=csv|json[&unique_id=...]``: the latest predictions.

An update trains a copy of the model and swaps it in only on success, so a failed update
keeps serving the previous model's predictions. Periods after the last actual without a
customer forecast use the customer's last stated one.
"""

from __future__ import annotations

import copy
import io
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from robotest.forecast.data import build_panel, format_dates, read_history
from robotest.forecast.errors import DataError, ForecastError
from robotest.forecast.models import Forecaster, LSTMConfig, Window, load_model, make_model

KEY = ["unique_id", "ds"]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))]


@dataclass(frozen=True)
class ServiceConfig:
    """Where the service keeps its state and how it trains."""

    data_dir: Path
    token: str
    horizon: int = 8
    model: str = "lstm"
    freq: str | None = None
    min_history: int = 8
    fill: str | None = "zero"  # the ERP sends periods with orders: a missing one is none
    lstm: LSTMConfig | None = None


@dataclass
class Job:
    id: str
    unique_ids: list[str]
    state: str = "running"
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def public(self) -> dict[str, Any]:
        return {
            "job": self.id,
            "unique_ids": self.unique_ids,
            "state": self.state,
            "error": self.error,
        }


class ForecastService:
    """The service's state: posted data, the model, the latest good predictions, running jobs."""

    def __init__(
        self, config: ServiceConfig, before_fit: Callable[[Window], None] | None = None
    ) -> None:
        self.config = config
        self.before_fit = before_fit  # fault injection point: raise to make an update fail
        self.dir = config.data_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.model_lock = threading.Lock()
        self.busy: set[str] = set()
        self.jobs: dict[str, Job] = {}
        self.history = self._read("history.csv", ["y"])
        self.future = self._read("future.csv", [])
        self.predictions = self._read("predictions.csv", ["forecast"])
        self.model: Forecaster = (
            load_model(config.model, self.dir / "model")
            if (self.dir / "model").is_dir()
            else make_model(config.model, lstm=config.lstm)
        )

    def _read(self, name: str, numbers: list[str]) -> pd.DataFrame:
        path = self.dir / name
        if not path.is_file():
            return pd.DataFrame(columns=KEY)
        frame = pd.read_csv(path, dtype={"unique_id": str})
        frame["ds"] = pd.to_datetime(frame["ds"])
        return frame

    def _write(self, frame: pd.DataFrame, name: str) -> None:
        out = frame.copy()
        out["ds"] = format_dates(out["ds"])
        tmp = self.dir / (name + ".tmp")
        out.to_csv(tmp, index=False)
        tmp.replace(self.dir / name)

    def post(self, text: str) -> dict[str, Any]:
        """Check and store posted rows (all or nothing)."""
        rows = read_history(io.StringIO(text), "posted data", allow_future=True)
        actual = rows[rows["y"].notna()][["unique_id", "ds", "y", "customer_forecast", "line"]]
        ahead = rows[rows["y"].isna()][["unique_id", "ds", "customer_forecast"]]
        with self.lock:
            history = _merge(self.history.assign(line=0), actual)
            if history["ds"].nunique() >= 3 or self.config.freq:  # 2 dates: no calendar yet
                build_panel(
                    history, self.config.freq, "posted data", self.config.fill
                )  # one calendar for all
            self.history = history.drop(columns="line")
            self.future = _merge(self.future, ahead)
            self._write(self.history, "history.csv")
            self._write(self.future, "future.csv")
        return {
            "history_rows": len(actual),
            "future_rows": len(ahead),
            "commodities": sorted(set(rows["unique_id"])),
        }

    def start_update(self, ids: list[str] | None) -> tuple[Job | None, list[str]]:
        """Start a background update of ``ids`` (all known commodities by default)."""
        with self.lock:
            known = sorted(set(self.history["unique_id"])) if not self.history.empty else []
            wanted = ids or known
            unknown = [u for u in wanted if u not in known]
            if not wanted:
                raise DataError("no sales history posted yet")
            if unknown:
                raise DataError(f"no sales history for unique_id '{unknown[0]}'")
            skipped = [u for u in wanted if u in self.busy]
            todo = [u for u in wanted if u not in self.busy]
            if not todo:
                return None, skipped
            self.busy.update(todo)
            job = Job(uuid.uuid4().hex[:12], todo)
            self.jobs[job.id] = job
        threading.Thread(
            target=self._run, args=(job,), name=f"update-{job.id}", daemon=True
        ).start()
        return job, skipped

    def _run(self, job: Job) -> None:
        try:
            self._update(job.unique_ids)
            job.state = "done"
        except Exception as exc:  # the job boundary: any failure is reported, nothing swapped in
            job.state = "failed"
            job.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        finally:
            with self.lock:
                self.busy.difference_update(job.unique_ids)
            job.done.set()

    def _update(self, ids: list[str]) -> None:
        with self.lock:
            rows = self.history[self.history["unique_id"].isin(ids)].assign(line=0)
            future = self.future[self.future["unique_id"].isin(ids)]
        counts = rows.groupby("unique_id")["ds"].count()
        short = sorted(counts[counts < self.config.min_history].index)
        if short:
            raise DataError(
                f"unique_id '{short[0]}' has too little history "
                f"(at least {self.config.min_history} periods needed)"
            )
        panel = build_panel(rows, self.config.freq, "history", self.config.fill)
        window = Window.of(panel)
        cf = _future_cf(panel, future, self.config.horizon)
        with self.model_lock:
            candidate = copy.deepcopy(self.model)
            if self.before_fit is not None:
                self.before_fit(window)
            candidate.fit(window, update=True)
            forecast = candidate.predict(window, cf)
            candidate_dir = self.dir / "model.new"
            candidate_dir.mkdir(exist_ok=True)
            candidate.save(candidate_dir)
            self.model = candidate
            old = self.dir / "model"
            if old.is_dir():
                for f in old.iterdir():
                    f.unlink()
                old.rmdir()
            candidate_dir.replace(old)
        dates = panel.future_dates(self.config.horizon)
        fresh = pd.DataFrame(
            {
                "unique_id": np.repeat(np.array(panel.ids, dtype=object), len(dates)),
                "ds": np.tile(dates, len(panel.ids)),
                "forecast": np.round(forecast.ravel(), 3),
            }
        )
        with self.lock:
            kept = (
                self.predictions[~self.predictions["unique_id"].isin(ids)]
                if not self.predictions.empty
                else self.predictions
            )
            self.predictions = pd.concat([kept, fresh], ignore_index=True).sort_values(KEY)
            self._write(self.predictions, "predictions.csv")

    def latest(self, ids: list[str] | None) -> pd.DataFrame:
        with self.lock:
            table = self.predictions.copy()
        if ids:
            table = table[table["unique_id"].isin(ids)]
        table["ds"] = format_dates(table["ds"])
        return table.reset_index(drop=True)


def _merge(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    if old.empty:
        return new.reset_index(drop=True)
    merged = pd.concat([old, new], ignore_index=True)
    return merged.drop_duplicates(KEY, keep="last").sort_values(KEY).reset_index(drop=True)


def _future_cf(panel: Any, future: pd.DataFrame, horizon: int) -> np.ndarray:
    """Customer forecasts of the next periods; a period without one repeats the last stated."""
    dates = panel.future_dates(horizon)
    cf = np.full((len(panel.ids), horizon), np.nan)
    if not future.empty:
        rows = pd.Index(panel.ids).get_indexer(future["unique_id"])
        cols = dates.get_indexer(pd.to_datetime(future["ds"]))
        ok = (rows >= 0) & (cols >= 0)
        cf[rows[ok], cols[ok]] = future["customer_forecast"].to_numpy(float)[ok]
    last = panel.cf[:, -1]
    filled = pd.DataFrame(np.column_stack([last, cf])).ffill(axis=1).to_numpy()[:, 1:]
    return np.nan_to_num(filled)


def create_app(
    config: ServiceConfig, before_fit: Callable[[Window], None] | None = None
) -> FastAPI:
    """The FastAPI application (``app.state.service`` is the :class:`ForecastService`)."""
    service = ForecastService(config, before_fit)
    app = FastAPI(title="robotest forecast service", version="1")
    app.state.service = service

    def authorized(credentials: Credentials) -> None:
        given = credentials.credentials if credentials else ""
        if not secrets.compare_digest(given.encode(), config.token.encode()):
            raise HTTPException(
                401, "missing or wrong token", headers={"WWW-Authenticate": "Bearer"}
            )

    @app.exception_handler(ForecastError)
    async def bad_input(request: Request, exc: ForecastError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/data", dependencies=[Depends(authorized)])
    async def post_data(request: Request) -> dict[str, Any]:
        body = (await request.body()).decode("utf-8", errors="replace")
        return service.post(body)

    @app.post("/v1/update", status_code=202, dependencies=[Depends(authorized)])
    def update(unique_id: Annotated[list[str] | None, Query()] = None) -> JSONResponse:
        job, skipped = service.start_update(unique_id)
        if job is None:
            return JSONResponse(
                {"detail": "an update of these commodities is already running", "skipped": skipped},
                status_code=409,
            )
        return JSONResponse({**job.public(), "skipped": skipped}, status_code=202)

    @app.get("/v1/jobs/{job_id}", dependencies=[Depends(authorized)])
    def job(job_id: str) -> dict[str, Any]:
        if job_id not in service.jobs:
            raise HTTPException(404, f"no job {job_id}")
        return service.jobs[job_id].public()

    @app.get("/v1/predictions", dependencies=[Depends(authorized)])
    def predictions(
        format: str = "json",  # noqa: A002
        unique_id: Annotated[list[str] | None, Query()] = None,
    ) -> Response:
        if format not in ("json", "csv"):
            raise HTTPException(400, f"unknown format '{format}' (use json or csv)")
        table = service.latest(unique_id)
        if table.empty:
            raise HTTPException(404, "no predictions yet: post data and trigger an update")
        if format == "csv":
            return PlainTextResponse(table.to_csv(index=False), media_type="text/csv")
        return JSONResponse(table.to_dict("records"))

    return app
