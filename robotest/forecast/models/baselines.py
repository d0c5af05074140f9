"""The two references every model must beat: the customer's own forecast and seasonal naive."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robotest.forecast.models.base import Window, last_finite


class CustomerForecast:
    """The forecast the customer sent for each period, taken as is."""

    name = "customer"

    def fit(self, window: Window, update: bool = False) -> None:
        """Nothing to learn."""

    def predict(self, window: Window, cf_future: np.ndarray) -> np.ndarray:
        return np.asarray(cf_future, dtype=float).copy()

    def save(self, directory: Path) -> None:
        """Nothing to keep."""

    @classmethod
    def load(cls, directory: Path) -> CustomerForecast:
        return cls()


class SeasonalNaive:
    """Demand of the same period one season earlier (the last value if the history is shorter)."""

    name = "snaive"

    def fit(self, window: Window, update: bool = False) -> None:
        """Nothing to learn."""

    def predict(self, window: Window, cf_future: np.ndarray) -> np.ndarray:
        horizon = np.asarray(cf_future).shape[1]
        t, m = window.y.shape[1], window.season
        out = np.empty((len(window.ids), horizon))
        fallback = last_finite(window.y)
        for h in range(1, horizon + 1):
            back = t + h - m * int(np.ceil(h / m)) - 1
            column = window.y[:, back] if 0 <= back < t else np.full(len(window.ids), np.nan)
            out[:, h - 1] = np.where(np.isfinite(column), column, fallback)
        return out

    def save(self, directory: Path) -> None:
        """Nothing to keep."""

    @classmethod
    def load(cls, directory: Path) -> SeasonalNaive:
        return cls()
