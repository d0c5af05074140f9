"""robotest's choice (model ``auto``): per commodity, rolling-origin cross-validation on its own
history picks the best candidates and weighs them.

Candidates: the classical models (statsforecast), the customer's forecast taken as is, and
optionally the LSTM. Each forecasts ``windows`` inner cut-offs, ``horizon`` periods apart, at
the end of the history (statsforecast's ``cross_validation``: fitted once, then run forward;
the LSTM likewise trains once at the first inner cut-off). Per commodity, the ``top`` models
with the lowest mean absolute error are combined with weights proportional to 1 / error
(inverse-WAPE weights: the commodity's total demand cancels). A model that is not among a
commodity's best is not used for it. A commodity too short for one inner window gets the
equal mix of ``FALLBACK``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from robotest.forecast.errors import ModelError
from robotest.forecast.models.base import Window
from robotest.forecast.models.classical import (
    CLASSICAL_NAMES,
    EXOG_NAMES,
    NO_FORWARD,
    forecast_window,
    long_frame,
    statsforecast,
)
from robotest.forecast.models.lstm import LSTMConfig, LSTMForecaster

DEFAULT_CANDIDATES = (*CLASSICAL_NAMES, "customer")
# Candidates for large panels: seasonal AutoARIMA costs 0.2 to 1 s of CPU per 48-month series
# (twice: with and without the customer's forecast) and AutoETS about 40 ms, AutoTheta about
# 1.5 ms; with these, 10,000 monthly series take about 50 s on one core (docs/benchmarks.md,
# Forecast at scale). A panel of SCALE_FROM commodities or more gets them unless the user names
# the candidates.
SCALE_CANDIDATES = ("autotheta", "seasonal_naive", "croston", "tsb", "customer")
SCALE_FROM = 1_000
FALLBACK = ("autotheta", "customer")
WEIGHTS_FILE = "choice.json"


@dataclass(frozen=True)
class ChoiceConfig:
    """Candidates and the inner backtest; ``horizon`` 0 means one season, 4 to 12 periods."""

    candidates: tuple[str, ...] = DEFAULT_CANDIDATES
    windows: int = 3
    horizon: int = 0
    top: int = 3
    min_train: int = 8


def default_candidates(commodities: int) -> tuple[str, ...]:
    """The candidates ``auto`` uses when none are named, by the panel's size."""
    return SCALE_CANDIDATES if commodities >= SCALE_FROM else DEFAULT_CANDIDATES


def inverse_error_weights(errors: dict[str, float], top: int) -> dict[str, float]:
    """The ``top`` models of lowest error, weighted by 1 / error (a perfect one takes all)."""
    ranked = sorted((e, name) for name, e in errors.items() if np.isfinite(e))[:top]
    if not ranked:
        return {}
    if ranked[0][0] <= 1e-12:
        return {ranked[0][1]: 1.0}
    inverse = {name: 1.0 / e for e, name in ranked}
    total = sum(inverse.values())
    return {name: w / total for name, w in inverse.items()}


class ChoiceForecaster:
    """Per-commodity weighted mix of the candidates that backtested best on its history."""

    name = "auto"

    def __init__(
        self, config: ChoiceConfig | None = None, lstm: LSTMConfig | None = None, n_jobs: int = 1
    ) -> None:
        self.config = config or ChoiceConfig()
        self.lstm_config = lstm
        self.n_jobs = n_jobs
        self.weights: dict[str, dict[str, float]] = {}
        self.errors: dict[str, dict[str, float]] = {}
        self.lstm: LSTMForecaster | None = None

    def _horizon(self, season: int) -> int:
        return self.config.horizon or int(np.clip(season, 4, 12))

    def fit(self, window: Window, update: bool = False) -> None:
        """Backtest every candidate on the end of the window and keep the weights."""
        horizon = self._horizon(window.season)
        observed = window.observed()
        folds = np.clip((observed - self.config.min_train) // horizon, 0, self.config.windows)
        self.weights, self.errors = {}, {}
        for count in sorted(set(folds.tolist()) - {0}):
            rows = np.flatnonzero(folds == count)
            part = _rows(window, rows)
            errors = self._cv_errors(part, horizon, int(count))
            for uid in part.ids:
                self.errors[uid] = errors.get(uid, {})
                self.weights[uid] = inverse_error_weights(self.errors[uid], self.config.top)
        for uid in window.ids:
            if not self.weights.get(uid):
                self.weights[uid] = dict.fromkeys(FALLBACK, 1.0 / len(FALLBACK))
        if self._uses("lstm"):
            self.lstm = LSTMForecaster(self.lstm_config)
            self.lstm.fit(window)

    def _uses(self, name: str) -> bool:
        return any(name in w for w in self.weights.values())

    def _cv_errors(self, window: Window, horizon: int, folds: int) -> dict[str, dict[str, float]]:
        """Mean absolute error per commodity and candidate over ``folds`` inner windows."""
        t = window.y.shape[1]
        cutoffs = [t - horizon * (folds - k) for k in range(folds)]
        forecasts = self._cv_statsforecast(window, horizon, folds)
        if "customer" in self.config.candidates:
            forecasts["customer"] = _stack(window.cf, cutoffs, horizon)
        if "lstm" in self.config.candidates:
            forecasts["lstm"] = self._cv_lstm(window, cutoffs, horizon)
        actual = _stack(window.y, cutoffs, horizon)
        out: dict[str, dict[str, float]] = {uid: {} for uid in window.ids}
        for name, values in forecasts.items():
            error = np.abs(values - actual)
            mae = np.nanmean(np.where(np.isfinite(values), error, np.nan), axis=1)
            for uid, value in zip(window.ids, mae, strict=True):
                out[uid][name] = float(value)
        return out

    def _cv_statsforecast(self, window: Window, horizon: int, folds: int) -> dict[str, np.ndarray]:
        """Forecasts (commodities, folds * horizon) of the statsforecast candidates."""
        names = [n for n in self.config.candidates if n not in ("customer", "lstm")]
        out: dict[str, np.ndarray] = {}
        for exog, forward in ((False, True), (False, False), (True, True)):
            group = [
                n for n in names if (n in EXOG_NAMES) == exog and (n not in NO_FORWARD) == forward
            ]
            if not group:
                continue
            table = statsforecast(group, window.season, self.n_jobs).cross_validation(
                df=long_frame(window, exog),
                h=horizon,
                n_windows=folds,
                step_size=horizon,
                refit=not forward,
            )
            table = table.reset_index().sort_values(["unique_id", "cutoff", "ds"])
            row = pd.Index(window.ids).get_indexer(table["unique_id"])
            column = table.groupby("unique_id").cumcount().to_numpy()
            for name in group:
                values = np.full((len(window.ids), folds * horizon), np.nan)
                values[row, column] = table[name].to_numpy(float)
                out[name] = np.clip(values, 0.0, None)
        return out

    def _cv_lstm(self, window: Window, cutoffs: list[int], horizon: int) -> np.ndarray:
        """The LSTM trained once at the first inner cut-off, then fed the later history."""
        model = LSTMForecaster(self.lstm_config)
        model.fit(_until(window, cutoffs[0]))
        paths = [model.predict(_until(window, c), window.cf[:, c : c + horizon]) for c in cutoffs]
        return np.concatenate(paths, axis=1)

    def predict(self, window: Window, cf_future: np.ndarray) -> np.ndarray:
        """The weighted mix of each commodity's chosen models."""
        return self.mix(window.ids, self.candidate_forecasts(window, cf_future))

    def candidate_forecasts(self, window: Window, cf_future: np.ndarray) -> dict[str, np.ndarray]:
        """Forecasts (commodities, horizon) of every model some commodity's mix uses."""
        missing = [u for u in window.ids if u not in self.weights]
        if missing:
            raise ModelError(f"auto: no model for commodity '{missing[0]}'; fit it first")
        cf_future = np.asarray(cf_future, float)
        used = sorted({name for uid in window.ids for name in self.weights[uid]})
        forecasts = {"customer": np.nan_to_num(cf_future)}
        classical = [n for n in used if n not in ("customer", "lstm")]
        forecasts.update(forecast_window(classical, window, cf_future, self.n_jobs))
        if "lstm" in used:
            if self.lstm is None:
                raise ModelError("auto: the LSTM was chosen but not trained; fit again")
            forecasts["lstm"] = self.lstm.predict(window, cf_future)
        return forecasts

    def mix(self, ids: tuple[str, ...], forecasts: dict[str, np.ndarray]) -> np.ndarray:
        """Each commodity's weighted sum of its chosen models' forecasts."""
        out = np.zeros(forecasts["customer"].shape)
        for i, uid in enumerate(ids):
            for name, weight in self.weights[uid].items():
                out[i] += weight * forecasts[name][i]
        return out

    def with_top(self, top: int) -> ChoiceForecaster:
        """The same fit mixing only the ``top`` best candidates (no refit: the inner errors are
        kept); its forecasts need only models that this fit's mixes already use when ``top`` is
        not larger than the fitted one."""
        other = copy.copy(self)
        other.config = replace(self.config, top=top)
        other.weights = {
            uid: inverse_error_weights(self.errors.get(uid, {}), top) or dict(weights)
            for uid, weights in self.weights.items()
        }
        return other

    def chosen(self) -> pd.DataFrame:
        """One row per commodity: its models and weights, and each candidate's inner error."""
        rows = []
        for uid, weights in self.weights.items():
            mix = " + ".join(
                f"{w:.2f} {n}" for n, w in sorted(weights.items(), key=lambda i: -i[1])
            )
            rows.append({"unique_id": uid, "choice": mix, **self.errors.get(uid, {})})
        return pd.DataFrame(rows)

    def save(self, directory: Path) -> None:
        state = {"config": asdict(self.config), "weights": self.weights, "errors": self.errors}
        (directory / WEIGHTS_FILE).write_text(json.dumps(state, indent=1))
        if self.lstm is not None:
            self.lstm.save(directory)

    @classmethod
    def load(cls, directory: Path) -> ChoiceForecaster:
        path = directory / WEIGHTS_FILE
        try:
            state = json.loads(path.read_text())
            config = ChoiceConfig(
                **{**state["config"], "candidates": tuple(state["config"]["candidates"])}
            )
            model = cls(config)
            model.weights = {u: dict(w) for u, w in state["weights"].items()}
            model.errors = {u: dict(e) for u, e in state["errors"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}: cannot read the model ({exc})") from None
        if model._uses("lstm"):
            model.lstm = LSTMForecaster.load(directory, shared=False)
        return model


def _rows(window: Window, rows: np.ndarray) -> Window:
    return Window(
        tuple(window.ids[i] for i in rows), window.y[rows], window.cf[rows], window.season
    )


def _until(window: Window, end: int) -> Window:
    return Window(window.ids, window.y[:, :end], window.cf[:, :end], window.season)


def _stack(values: np.ndarray, cutoffs: list[int], horizon: int) -> np.ndarray:
    return np.concatenate([values[:, c : c + horizon] for c in cutoffs], axis=1)
