"""What every forecasting model offers: fit on a history window, predict the next periods."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from robotest.forecast.data import Panel


@dataclass(frozen=True)
class Window:
    """The history a model sees: ``y`` and ``cf`` are (commodities, periods), NaN before a start."""

    ids: tuple[str, ...]
    y: np.ndarray
    cf: np.ndarray
    season: int

    @classmethod
    def of(cls, panel: Panel, end: int | None = None) -> Window:
        """The panel's periods before ``end`` (all of them by default)."""
        stop = panel.y.shape[1] if end is None else end
        return cls(panel.ids, panel.y[:, :stop], panel.cf[:, :stop], panel.season)

    def observed(self) -> np.ndarray:
        """Number of observed periods per commodity."""
        return np.isfinite(self.y).sum(axis=1)


class Forecaster(Protocol):
    """A model of every commodity of a window. ``update`` warm-starts from the last fit."""

    name: str

    def fit(self, window: Window, update: bool = False) -> None: ...

    def predict(self, window: Window, cf_future: np.ndarray) -> np.ndarray:
        """Forecasts (commodities, horizon) given the customer's forecast of those periods."""
        ...

    def save(self, directory: Path) -> None: ...


def last_finite(values: np.ndarray, default: float = 0.0) -> np.ndarray:
    """The last finite value of each row (``default`` for a row with none)."""
    finite = np.isfinite(values)
    index = values.shape[1] - 1 - np.argmax(finite[:, ::-1], axis=1)
    out = values[np.arange(len(values)), index]
    return np.where(finite.any(axis=1), out, default)
