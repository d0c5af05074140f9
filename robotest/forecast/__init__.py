"""Parts demand forecasting: the customer's forecast and the sales history combined per commodity.

Public API: read and check data (``load_panel``), models (``make_model``, ``LSTMForecaster``),
rolling-origin backtests (``run_backtest``), model directories (``fit_model``,
``predict_future``), part demand from a bill of materials (``part_demand``). The service is
``robotest.forecast.service``, the command line ``robotest.forecast.cli``.

Names load on first use, so ``rtest --help`` does not pay for torch and statsmodels.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "robotest.forecast.backtest": ("POLICIES", "BacktestResult", "plan_origins", "run_backtest"),
    "robotest.forecast.bom": ("part_demand", "read_bom", "read_predictions"),
    "robotest.forecast.data": ("Panel", "build_panel", "load_panel", "read_future", "read_history"),
    "robotest.forecast.errors": ("DataError", "ForecastError", "ModelError"),
    "robotest.forecast.metrics": ("METRICS", "scores"),
    "robotest.forecast.models": (
        "DEFAULT_MODELS",
        "MODEL_NAMES",
        "Forecaster",
        "LSTMConfig",
        "LSTMForecaster",
        "Window",
        "make_model",
    ),
    "robotest.forecast.store": ("FittedModel", "fit_model", "predict_future"),
    "robotest.forecast.synthetic": ("erp_dataset",),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'robotest.forecast' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
