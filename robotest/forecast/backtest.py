"""Rolling-origin backtesting: forecast from several past cut-offs as the plant would have.

Origins are the last ``origins`` cut-offs, ``step`` periods apart, each leaving a full horizon
of actuals after it. At the first origin every model is fitted; at each later origin the
``updated`` policy refits (ARIMA: parameters, order kept) or fine-tunes (LSTM, warm start)
on the history up to it, while the ``never`` policy keeps the first fit and only sees the new
history as input. A commodity is scored at an origin when it has ``min_history`` periods by then.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from robotest.forecast.data import Panel
from robotest.forecast.errors import DataError
from robotest.forecast.metrics import METRICS, naive_scale, scores
from robotest.forecast.models import CLASSICAL_NAMES, ChoiceConfig, LSTMConfig, Window, make_model

POLICIES = ("updated", "never")
STATELESS = ("customer", "snaive", *CLASSICAL_NAMES)  # the same forecasts under both policies


@dataclass
class BacktestResult:
    """Forecasts (origin, commodity, horizon) per (model, policy) with the matching actuals."""

    panel: Panel
    origins: list[int]
    horizon: int
    actual: np.ndarray
    included: np.ndarray
    scale: np.ndarray
    forecasts: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)

    def _rows(self, by_commodity: bool, by_horizon: bool) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        groups = range(len(self.panel.ids)) if by_commodity else [None]
        horizons = range(self.horizon) if by_horizon else [None]
        for (model, policy), forecast in self.forecasts.items():
            for i in groups:
                for h in horizons:
                    mask = np.broadcast_to(self.included[:, :, None], forecast.shape).copy()
                    if i is not None:
                        mask[:, np.arange(mask.shape[1]) != i] = False
                    if h is not None:
                        mask[:, :, np.arange(self.horizon) != h] = False
                    mask &= np.isfinite(self.actual) & np.isfinite(forecast)
                    scale = np.broadcast_to(self.scale[None, :, None], forecast.shape)
                    row: dict[str, object] = {"model": model, "policy": policy}
                    if i is not None:
                        row["unique_id"] = self.panel.ids[i]
                    if h is not None:
                        row["horizon"] = h + 1
                    row.update(scores(self.actual[mask], forecast[mask], scale[mask]))
                    rows.append(row)
        return rows

    def summary(self) -> pd.DataFrame:
        """One row per model and policy, pooled over commodities, origins and horizons."""
        return pd.DataFrame(self._rows(False, False))

    def by_horizon(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(False, True))

    def by_commodity(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(True, False))

    def to_dict(self) -> dict[str, object]:
        def records(frame: pd.DataFrame) -> list[dict[str, object]]:
            return [
                {
                    k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                    for k, v in row.items()
                }
                for row in frame.to_dict("records")
            ]

        return {
            "freq": self.panel.freq,
            "horizon": self.horizon,
            "origins": [str(self.panel.dates[o - 1].date()) for o in self.origins],
            "commodities": len(self.panel.ids),
            "metrics": list(METRICS),
            "seconds": {f"{m}/{p}": round(s, 2) for (m, p), s in self.seconds.items()},
            "summary": records(self.summary()),
            "by_horizon": records(self.by_horizon()),
            "by_commodity": records(self.by_commodity()),
        }


def plan_origins(
    periods: int, horizon: int, origins: int, step: int, min_history: int
) -> list[int]:
    """Cut-off indices (history is ``[:origin]``), oldest first; fails if the data is too short."""
    if horizon < 1 or origins < 1 or step < 1:
        raise DataError("horizon, origins and step must be at least 1")
    last = periods - horizon
    first = last - (origins - 1) * step
    if first < min_history:
        raise DataError(
            f"{periods} periods are too few for {origins} origins {step} apart with horizon "
            f"{horizon} (needs at least {min_history + (origins - 1) * step + horizon})"
        )
    return list(range(first, last + 1, step))


def _future_cf(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    return panel.cf[:, origin : origin + horizon]


def run_backtest(
    panel: Panel,
    models: list[str],
    horizon: int = 8,
    origins: int = 6,
    step: int = 1,
    policies: tuple[str, ...] = ("updated",),
    min_history: int | None = None,
    n_jobs: int = 1,
    lstm: LSTMConfig | None = None,
    choice: ChoiceConfig | None = None,
) -> BacktestResult:
    """Backtest every model under every policy on the same origins and actuals."""
    min_history = min_history if min_history is not None else max(12, min(panel.season, 26))
    cutoffs = plan_origins(panel.y.shape[1], horizon, origins, step, min_history)
    actual = np.stack([panel.y[:, o : o + horizon] for o in cutoffs])
    included = np.stack([np.isfinite(panel.y[:, :o]).sum(axis=1) >= min_history for o in cutoffs])
    result = BacktestResult(
        panel,
        cutoffs,
        horizon,
        actual,
        included,
        naive_scale(panel.y[:, : cutoffs[0]], panel.season),
    )
    for name in models:
        labels = (POLICIES[0],) if name in STATELESS else policies
        for policy, paths, seconds in _run_model(
            panel, name, cutoffs, horizon, labels, n_jobs, lstm, choice
        ):
            for label in policies if name in STATELESS else (policy,):
                result.forecasts[(name, label)] = paths
                result.seconds[(name, label)] = seconds
    return result


def _run_model(
    panel: Panel,
    name: str,
    cutoffs: list[int],
    horizon: int,
    policies: tuple[str, ...],
    n_jobs: int,
    lstm: LSTMConfig | None,
    choice: ChoiceConfig | None,
) -> list[tuple[str, np.ndarray, float]]:
    """Forecast paths per policy; the policies share the fit at the first origin."""
    first = make_model(name, n_jobs=n_jobs, lstm=lstm, choice=choice)
    began = time.perf_counter()
    first.fit(Window.of(panel, cutoffs[0]))
    shared_seconds = time.perf_counter() - began
    out = []
    for policy in policies:
        model = copy.deepcopy(first)
        began = time.perf_counter()
        paths = []
        for k, origin in enumerate(cutoffs):
            window = Window.of(panel, origin)
            if k > 0 and policy == "updated":
                model.fit(window, update=True)
            paths.append(model.predict(window, _future_cf(panel, origin, horizon)))
        out.append((policy, np.stack(paths), shared_seconds + time.perf_counter() - began))
    return out
