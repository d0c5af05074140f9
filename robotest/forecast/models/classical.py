"""Classical per-series models on statsforecast: AutoARIMA (with or without the customer's
forecast as regressor), AutoETS, AutoTheta, seasonal naive, Croston and TSB.

Periods are numbered (``ds`` = 0, 1, 2... with ``freq=1``), so the same code serves every
calendar; the season length comes from the panel's frequency. A series that a model cannot fit
(too short, constant) gets statsforecast's fallback, the naive forecast. Each forecast
re-estimates the models on the whole history given: for statsforecast this costs milliseconds
per series, so a classical model keeps no state between fits (``update`` changes nothing).

``forecast_frame`` takes the long table as a pandas DataFrame and runs locally (``n_jobs``
processes); ``robotest.forecast.distributed`` runs the same call on a Dask cluster, a share of
the commodities per worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from robotest.forecast.models.base import Window

EXOG_COLUMN = "customer_forecast"
TSB_SMOOTHING = 0.2  # demand size and probability smoothing of TSB, a common textbook value
# Above this season length (hourly: 24, weekly: 52) AutoARIMA ranks its candidate orders by an
# approximate likelihood (conditional sum of squares), as R's auto.arima does for frequency > 12:
# with the exact likelihood, one fit on the real-series benchmark's hourly series (taylor, 672
# periods, season 24) took 147 s of CPU, about 5 s with the approximation (weekly co2, season 52:
# 2.4 s). The chosen order's parameters are still estimated by exact maximum likelihood.
EXACT_ARIMA_MAX_SEASON = 12


def auto_arima(season: int, alias: str) -> Any:
    """statsforecast's AutoARIMA, approximate order search for long seasons."""
    from statsforecast.models import AutoARIMA

    return AutoARIMA(
        season_length=season, approximation=season > EXACT_ARIMA_MAX_SEASON, alias=alias
    )


def _builders() -> dict[str, Callable[[int], Any]]:
    from statsforecast.models import (
        TSB,
        AutoETS,
        AutoTheta,
        CrostonOptimized,
        SeasonalNaive,
    )

    return {
        "autoarima": lambda m: auto_arima(m, "autoarima"),
        "autoarimax": lambda m: auto_arima(m, "autoarimax"),
        "autoets": lambda m: AutoETS(season_length=m, alias="autoets"),
        "autotheta": lambda m: AutoTheta(season_length=m, alias="autotheta"),
        "seasonal_naive": lambda m: SeasonalNaive(season_length=m, alias="seasonal_naive"),
        "croston": lambda m: CrostonOptimized(alias="croston"),
        "tsb": lambda m: TSB(alpha_d=TSB_SMOOTHING, alpha_p=TSB_SMOOTHING, alias="tsb"),
    }


CLASSICAL_NAMES = (
    "autoarima",
    "autoarimax",
    "autoets",
    "autotheta",
    "seasonal_naive",
    "croston",
    "tsb",
)
EXOG_NAMES = frozenset({"autoarimax"})  # the models that read the customer's forecast
NO_FORWARD = frozenset({"croston", "tsb"})  # refitted at every cross-validation window


def statsforecast(names: Iterable[str], season: int, n_jobs: int = 1) -> Any:
    """A StatsForecast of the named models on numbered periods (naive where a fit fails)."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    builders = _builders()
    return StatsForecast(
        models=[builders[name](season) for name in names],
        freq=1,
        n_jobs=n_jobs,
        fallback_model=Naive(),
    )


def long_frame(window: Window, exog: bool) -> pd.DataFrame:
    """``unique_id, ds, y`` (and the customer's forecast) of every observed period."""
    n, t = window.y.shape
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.array(window.ids, dtype=object), t),
            "ds": np.tile(np.arange(t), n),
            "y": window.y.ravel(),
        }
    )
    if exog:
        frame[EXOG_COLUMN] = np.nan_to_num(window.cf.ravel())
    return frame[np.isfinite(frame["y"])].reset_index(drop=True)


def future_frame(ids: Iterable[str], start: int, cf_future: np.ndarray) -> pd.DataFrame:
    """The customer's forecast of the periods ``start, start + 1...`` (the models' X_df)."""
    ids = list(ids)
    horizon = cf_future.shape[1]
    return pd.DataFrame(
        {
            "unique_id": np.repeat(np.array(ids, dtype=object), horizon),
            "ds": np.tile(np.arange(start, start + horizon), len(ids)),
            EXOG_COLUMN: np.nan_to_num(cf_future).ravel(),
        }
    )


def forecast_frame(
    frame: Any, names: list[str], season: int, horizon: int, n_jobs: int = 1, x_future: Any = None
) -> Any:
    """statsforecast's forecast of a long table (``unique_id, ds, y``), in ``n_jobs`` processes."""
    model = statsforecast(names, season, n_jobs)
    return model.forecast(df=frame, h=horizon, X_df=x_future)


def to_matrix(
    table: pd.DataFrame, ids: tuple[str, ...], names: list[str], horizon: int
) -> dict[str, np.ndarray]:
    """Forecast columns of a ``unique_id, ds`` table as (commodities, horizon) arrays."""
    table = table.sort_values(["unique_id", "ds"])
    row = pd.Index(ids).get_indexer(table["unique_id"])
    step = table.groupby("unique_id").cumcount().to_numpy()
    out = {}
    for name in names:
        values = np.full((len(ids), horizon), np.nan)
        values[row, step] = table[name].to_numpy(float)
        out[name] = values
    return out


Runner = Callable[[pd.DataFrame, list[str], int, int, pd.DataFrame | None], pd.DataFrame]


def forecast_window(
    names: list[str],
    window: Window,
    cf_future: np.ndarray,
    n_jobs: int = 1,
    runner: Runner | None = None,
) -> dict[str, np.ndarray]:
    """Forecasts (commodities, horizon) per model; a commodity without history gets the
    customer's forecast, and forecasts are never negative.

    ``runner(frame, names, season, horizon, x_future)`` computes statsforecast's table:
    locally in ``n_jobs`` processes by default, on a cluster with ``distributed``'s runner.
    """
    horizon = cf_future.shape[1]
    out: dict[str, np.ndarray] = {}
    t = window.y.shape[1]
    run = runner or (
        lambda frame, group, season, h, x: forecast_frame(frame, group, season, h, n_jobs, x)
    )
    for exog in (False, True):
        group = [n for n in names if (n in EXOG_NAMES) == exog]
        frame = long_frame(window, exog)
        if not group or frame.empty:
            continue
        known = tuple(dict.fromkeys(frame["unique_id"]))
        rows = [window.ids.index(u) for u in known]
        x_future = future_frame(known, t, cf_future[rows]) if exog else None
        table = run(frame, group, window.season, horizon, x_future)
        out.update(to_matrix(table.reset_index(drop=True), window.ids, group, horizon))
    for name in names:
        values = out.get(name, np.full(cf_future.shape, np.nan))
        out[name] = np.clip(np.where(np.isfinite(values), values, cf_future), 0.0, None)
    return out


class StatsForecaster:
    """One classical model behind the :class:`Forecaster` interface (re-estimated per forecast)."""

    def __init__(self, name: str, n_jobs: int = 1) -> None:
        self.name = name
        self.n_jobs = n_jobs

    def fit(self, window: Window, update: bool = False) -> None:
        """Nothing kept: statsforecast re-estimates on the history given to ``predict``."""

    def predict(self, window: Window, cf_future: np.ndarray) -> np.ndarray:
        return forecast_window([self.name], window, np.asarray(cf_future, float), self.n_jobs)[
            self.name
        ]

    def save(self, directory: Path) -> None:
        """Nothing to keep (the model directory's history is the model's input)."""

    @classmethod
    def load(cls, name: str) -> StatsForecaster:
        return cls(name)
