"""Forecast error measures. Zero demand is handled explicitly: a period where both actual and
forecast are zero has sMAPE 0; WAPE is pooled (sum of errors over sum of actuals); MASE divides
by the in-sample seasonal-naive error of each commodity and is undefined (NaN) where that is 0."""

from __future__ import annotations

import numpy as np

METRICS = ("mae", "rmse", "wape", "smape", "mase")


def scores(actual: np.ndarray, forecast: np.ndarray, scale: np.ndarray) -> dict[str, float]:
    """The five measures over matching entries (``scale`` is each entry's MASE denominator)."""
    if actual.size == 0:
        return dict.fromkeys(METRICS, float("nan"))
    error = np.abs(actual - forecast)
    total = float(np.sum(np.abs(actual)))
    denominator = np.abs(actual) + np.abs(forecast)
    smape = np.divide(2 * error, denominator, out=np.zeros_like(error), where=denominator > 0)
    scaled = scale > 0
    return {
        "mae": float(np.mean(error)),
        "rmse": float(np.sqrt(np.mean(error**2))),
        "wape": float(np.sum(error) / total) if total > 0 else float("nan"),
        "smape": float(np.mean(smape)),
        "mase": float(np.mean(error[scaled] / scale[scaled])) if scaled.any() else float("nan"),
    }


def naive_scale(history: np.ndarray, season: int) -> np.ndarray:
    """Per commodity, the mean absolute seasonal-naive error in sample (lag 1 if too short)."""
    out = np.full(len(history), np.nan)
    for i, row in enumerate(history):
        values = row[np.isfinite(row)]
        lag = season if values.size > season + 1 else 1
        if values.size > lag:
            out[i] = float(np.mean(np.abs(values[lag:] - values[:-lag])))
    return out
