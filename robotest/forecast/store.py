"""Model directories: fit once, predict later from the customer's forecast of future periods.

A model directory holds ``meta.json`` (model name, frequency, commodities), ``history.csv``
(the data it was fitted on, which predictions start from) and the model's own file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from robotest.forecast.data import Panel, build_panel, format_dates, read_history
from robotest.forecast.errors import DataError, ModelError
from robotest.forecast.models import Forecaster, LSTMConfig, Window, load_model, make_model

META = "meta.json"
HISTORY = "history.csv"


@dataclass
class FittedModel:
    """A model with the history it was fitted on."""

    name: str
    model: Forecaster
    panel: Panel


def fit_model(
    panel: Panel, name: str = "lstm", lstm: LSTMConfig | None = None, n_jobs: int = 1
) -> FittedModel:
    model = make_model(name, n_jobs=n_jobs, lstm=lstm)
    model.fit(Window.of(panel))
    return FittedModel(name, model, panel)


def save(fitted: FittedModel, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    fitted.model.save(directory)
    fitted.panel.to_frame().to_csv(directory / HISTORY, index=False)
    meta = {
        "model": fitted.name,
        "freq": fitted.panel.freq,
        "ids": list(fitted.panel.ids),
        "last": str(fitted.panel.dates[-1].date()),
    }
    (directory / META).write_text(json.dumps(meta, indent=1))
    return directory


def load(directory: Path) -> FittedModel:
    meta_path = directory / META
    if not meta_path.is_file():
        raise ModelError(
            f"{directory}: not a model directory (no {META}; run `rtest forecast fit`)"
        )
    try:
        meta = json.loads(meta_path.read_text())
        name, freq = str(meta["model"]), str(meta["freq"])
    except (ValueError, KeyError) as exc:
        raise ModelError(f"{meta_path}: damaged ({exc})") from None
    panel = build_panel(read_history(directory / HISTORY), freq, str(directory / HISTORY))
    return FittedModel(name, load_model(name, directory), panel)


def extend(panel: Panel, new: pd.DataFrame, name: str, fill: str | None = "zero") -> Panel:
    """The panel with newly arrived periods (a period already there is replaced).

    A commodity without a row for a new period had no orders in it (``fill="zero"``).
    """
    old = panel.to_frame()
    old["ds"] = pd.to_datetime(old["ds"])
    old["line"] = 0
    merged = pd.concat([old, new], ignore_index=True)
    merged = merged.drop_duplicates(["unique_id", "ds"], keep="last")
    return build_panel(merged, panel.freq, name, fill)


def _future_matrix(panel: Panel, future: pd.DataFrame, name: str) -> tuple[list[str], np.ndarray]:
    """Customer forecasts (commodities, horizon) for the commodities FUTURE names."""
    index = {uid: i for i, uid in enumerate(panel.ids)}
    for row in future.itertuples():
        if row.unique_id not in index:
            raise DataError(
                f"{name} line {row.line}: unknown unique_id '{row.unique_id}' "
                f"(the model knows {len(panel.ids)} commodities)"
            )
    steps = pd.Series(np.nan, index=future.index)
    calendar = panel.future_dates(max(1, len(future)) + 4 * 366)
    position = calendar.get_indexer(future["ds"])
    for row, pos in zip(future.itertuples(), position, strict=True):
        if pos < 0:
            after = future["ds"] > panel.dates[-1]
            reason = (
                "is off the calendar"
                if bool(after[row.Index])
                else f"is not after the last history period {panel.dates[-1].date()}"
            )
            raise DataError(f"{name} line {row.line}: ds {row.ds.date()} {reason}")
        steps[row.Index] = pos + 1
    ids = list(dict.fromkeys(future["unique_id"]))
    horizon = int(steps.max())
    cf = np.full((len(ids), horizon), np.nan)
    for row, step in zip(future.itertuples(), steps.astype(int), strict=True):
        cf[ids.index(row.unique_id), step - 1] = row.customer_forecast
    for k, uid in enumerate(ids):
        last = int(steps[future["unique_id"] == uid].max())
        gap = np.flatnonzero(np.isnan(cf[k, :last]))
        if gap.size:
            raise DataError(
                f"{name}: unique_id '{uid}' has no customer_forecast for "
                f"{calendar[gap[0]].date()} (every period up to the last one asked for is needed)"
            )
        cf[k, last:] = cf[k, last - 1]
    return ids, cf


def predict_future(
    fitted: FittedModel, future: pd.DataFrame, name: str = "FUTURE.csv"
) -> pd.DataFrame:
    """``unique_id, ds, forecast`` for every row of FUTURE, in its order."""
    ids, cf = _future_matrix(fitted.panel, future, name)
    panel = fitted.panel.subset(ids)
    forecast = fitted.model.predict(Window.of(panel), cf)
    steps = fitted.panel.future_dates(cf.shape[1]).get_indexer(future["ds"])
    values = [
        forecast[ids.index(uid), step] for uid, step in zip(future["unique_id"], steps, strict=True)
    ]
    return pd.DataFrame(
        {
            "unique_id": future["unique_id"].to_numpy(),
            "ds": format_dates(future["ds"]),
            "forecast": np.round(values, 3),
        }
    )
