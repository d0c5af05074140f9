"""The forecasting models, all behind one interface (:class:`Forecaster`)."""

from __future__ import annotations

from pathlib import Path

from robotest.forecast.errors import DataError
from robotest.forecast.models.arima import ARIMAForecaster
from robotest.forecast.models.base import Forecaster, Window
from robotest.forecast.models.baselines import CustomerForecast, SeasonalNaive
from robotest.forecast.models.choice import (
    SCALE_CANDIDATES,
    SCALE_FROM,
    ChoiceConfig,
    ChoiceForecaster,
    default_candidates,
)
from robotest.forecast.models.classical import CLASSICAL_NAMES, StatsForecaster
from robotest.forecast.models.lstm import LSTMConfig, LSTMForecaster

MODEL_NAMES = (
    "auto",
    "lstm",
    "lstm_global",
    "arima",
    "arimax",
    "customer",
    "snaive",
    *CLASSICAL_NAMES,
)
DEFAULT_MODELS = ("auto", "autoarima", "autoets", "autotheta", "customer", "snaive")


def parse_models(text: str) -> list[str]:
    """``lstm,arima`` to a checked list of model names."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODEL_NAMES]
    if unknown or not names:
        raise DataError(
            f"unknown model '{unknown[0] if unknown else text}' "
            f"(choose from {', '.join(MODEL_NAMES)})"
        )
    return list(dict.fromkeys(names))


def parse_candidates(text: str) -> tuple[str, ...]:
    """``autoets,customer,lstm`` to the checked candidates of the ``auto`` model."""
    allowed = ("customer", "lstm", *CLASSICAL_NAMES)
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise DataError(
            f"unknown candidate '{unknown[0] if unknown else text}' "
            f"(choose from {', '.join(allowed)})"
        )
    return names


def make_model(
    name: str,
    n_jobs: int = 1,
    lstm: LSTMConfig | None = None,
    choice: ChoiceConfig | None = None,
) -> Forecaster:
    """A fresh, unfitted model by name."""
    if name == "auto":
        return ChoiceForecaster(choice, lstm, n_jobs)
    if name in CLASSICAL_NAMES:
        return StatsForecaster(name, n_jobs)
    if name in ("lstm", "lstm_global"):
        return LSTMForecaster(lstm, shared=name == "lstm_global")
    if name in ("arima", "arimax"):
        return ARIMAForecaster(exog=name == "arimax", n_jobs=n_jobs)
    if name == "customer":
        return CustomerForecast()
    if name == "snaive":
        return SeasonalNaive()
    raise DataError(f"unknown model '{name}' (choose from {', '.join(MODEL_NAMES)})")


def load_model(name: str, directory: Path) -> Forecaster:
    """A model saved with ``save(directory)``."""
    if name == "auto":
        return ChoiceForecaster.load(directory)
    if name in ("lstm", "lstm_global"):
        return LSTMForecaster.load(directory, shared=name == "lstm_global")
    if name in ("arima", "arimax"):
        return ARIMAForecaster.load(directory, exog=name == "arimax")
    return make_model(name)


__all__ = [
    "MODEL_NAMES",
    "DEFAULT_MODELS",
    "Forecaster",
    "Window",
    "LSTMConfig",
    "LSTMForecaster",
    "ARIMAForecaster",
    "ChoiceConfig",
    "SCALE_CANDIDATES",
    "SCALE_FROM",
    "default_candidates",
    "ChoiceForecaster",
    "StatsForecaster",
    "CLASSICAL_NAMES",
    "CustomerForecast",
    "SeasonalNaive",
    "make_model",
    "load_model",
    "parse_models",
    "parse_candidates",
]
