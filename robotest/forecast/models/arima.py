"""ARIMA per commodity (statsmodels SARIMAX), optionally with the customer's forecast as regressor.

The order is chosen once per commodity (differencing by a KPSS test, then the lowest AIC of a
few small (p, q)) and cached; an update re-estimates only the parameters, warm-started from
the previous ones. That keeps 200 commodities x many origins affordable. Estimation is
unconstrained (no stationarity or invertibility transform, scale concentrated out): several
times faster, and forecasts are capped at ``BLOW_UP`` times the largest demand seen so that an
explosive fit cannot run away. A commodity with too short or constant a history gets the mean
of its last season instead (``order`` is then None).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.stattools import kpss

from robotest.forecast.errors import ModelError
from robotest.forecast.models.base import Window

MIN_HISTORY = 12
MAX_ITER = 25
BLOW_UP = 3.0  # forecasts are capped at this multiple of the largest demand seen
CANDIDATES = {0: ((1, 0), (1, 1), (2, 0)), 1: ((0, 1), (1, 0), (1, 1))}
Order = tuple[int, int, int]


@dataclass
class _Fit:
    order: Order | None
    params: list[float]


def _series(y: np.ndarray, cf: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    keep = np.isfinite(y)
    history, exog = y[keep], cf[keep]
    scale = float(np.mean(history)) if history.size and np.mean(history) > 0 else 1.0
    return history / scale, exog / scale, scale


def _model(y: np.ndarray, x: np.ndarray | None, order: Order):
    trend = "c" if order[1] == 0 else "n"
    return SARIMAX(
        y,
        exog=None if x is None else x[:, None],
        order=order,
        trend=trend,
        concentrate_scale=True,
        enforce_stationarity=False,
        enforce_invertibility=False,
    )


def _differences(y: np.ndarray) -> int:
    _, p_value, *_ = kpss(y, regression="c", nlags="auto")
    return 1 if p_value < 0.05 else 0


def _fit_one(y: np.ndarray, x: np.ndarray | None, previous: _Fit | None) -> _Fit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if y.size < MIN_HISTORY or np.ptp(y) == 0:
            return _Fit(None, [])
        if previous is not None and previous.order is not None:
            start = np.asarray(previous.params) if previous.params else None
            result = _model(y, x, previous.order).fit(
                disp=False, maxiter=MAX_ITER, start_params=start, cov_type="none"
            )
            return _Fit(previous.order, [float(v) for v in result.params])
        d = _differences(y)
        best: tuple[float, Order, list[float]] | None = None
        for p, q in CANDIDATES[d]:
            try:
                result = _model(y, x, (p, d, q)).fit(disp=False, maxiter=MAX_ITER, cov_type="none")
            except (np.linalg.LinAlgError, ValueError):
                continue
            if np.isfinite(result.aic) and (best is None or result.aic < best[0]):
                best = (float(result.aic), (p, d, q), [float(v) for v in result.params])
        return _Fit(None, []) if best is None else _Fit(best[1], best[2])


def _forecast_one(
    y: np.ndarray,
    x: np.ndarray | None,
    x_future: np.ndarray | None,
    fit: _Fit,
    horizon: int,
    season: int,
) -> np.ndarray:
    if fit.order is None or y.size < MIN_HISTORY:
        tail = y[-season:] if y.size else np.zeros(1)
        return np.full(horizon, float(np.mean(tail)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _model(y, x, fit.order).filter(np.asarray(fit.params))
        future = None if x_future is None else x_future[:, None]
        return np.asarray(result.forecast(horizon, exog=future), dtype=float)


def _fit_chunk(jobs: list[tuple[np.ndarray, np.ndarray | None, _Fit | None]]) -> list[_Fit]:
    return [_fit_one(*job) for job in jobs]


def _chunks(items: list, count: int) -> list[list]:
    return [items[i::count] for i in range(count)]


class ARIMAForecaster:
    """ARIMA (``exog=False``) or ARIMAX with the customer's forecast (``exog=True``)."""

    def __init__(self, exog: bool = False, n_jobs: int = 1) -> None:
        self.exog = exog
        self.name = "arimax" if exog else "arima"
        self.n_jobs = max(1, n_jobs)
        self.fits: dict[str, _Fit] = {}

    def fit(self, window: Window, update: bool = False) -> None:
        jobs = []
        for i, uid in enumerate(window.ids):
            y, x, _ = _series(window.y[i], window.cf[i])
            jobs.append((y, x if self.exog else None, self.fits.get(uid) if update else None))
        if self.n_jobs == 1 or len(jobs) < 2 * self.n_jobs:
            results = _fit_chunk(jobs)
        else:
            parts = _chunks(jobs, self.n_jobs)
            done = Parallel(n_jobs=self.n_jobs)(delayed(_fit_chunk)(part) for part in parts)
            results = [None] * len(jobs)  # type: ignore[list-item]
            for k, part in enumerate(done):
                results[k :: self.n_jobs] = part
        self.fits.update(zip(window.ids, results, strict=True))

    def predict(self, window: Window, cf_future: np.ndarray) -> np.ndarray:
        horizon = cf_future.shape[1]
        out = np.empty((len(window.ids), horizon))
        for i, uid in enumerate(window.ids):
            if uid not in self.fits:
                raise ModelError(f"{self.name}: no model for commodity '{uid}'; fit it first")
            y, x, scale = _series(window.y[i], window.cf[i])
            x_future = cf_future[i] / scale if self.exog else None
            forecast = _forecast_one(
                y, x if self.exog else None, x_future, self.fits[uid], horizon, window.season
            )
            ceiling = BLOW_UP * float(np.max(y)) * scale if y.size else 0.0
            out[i] = np.clip(np.nan_to_num(forecast * scale, nan=0.0), 0.0, ceiling)
        return out

    def orders(self) -> dict[str, Order | None]:
        return {uid: fit.order for uid, fit in self.fits.items()}

    def save(self, directory: Path) -> None:
        state = {uid: {"order": f.order, "params": f.params} for uid, f in self.fits.items()}
        (directory / f"{self.name}.json").write_text(json.dumps(state))

    @classmethod
    def load(cls, directory: Path, exog: bool) -> ARIMAForecaster:
        model = cls(exog=exog)
        path = directory / f"{model.name}.json"
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot read the model ({exc})") from None
        model.fits = {
            uid: _Fit(tuple(s["order"]) if s["order"] else None, list(s["params"]))
            for uid, s in state.items()
        }
        return model
