"""The forecast plugin as `.rtest` scripts see it: ``plugins.forecast.backtest(...)`` and so on.

Every function takes file paths (or DataFrames) and returns plain Python data, so a script can
assert on it: ``pred = plugins.forecast.predict("model", future="next.csv")``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from robotest.forecast import bom as _bom
from robotest.forecast import store
from robotest.forecast.backtest import POLICIES, run_backtest
from robotest.forecast.data import load_panel, read_future, read_history
from robotest.forecast.errors import DataError
from robotest.forecast.models import (
    DEFAULT_MODELS,
    SCALE_FROM,
    ChoiceConfig,
    LSTMConfig,
    default_candidates,
    parse_candidates,
    parse_models,
)

DEFAULT_MODELS_TEXT = ",".join(DEFAULT_MODELS)
Notify = Callable[[str], None]
log = logging.getLogger(__name__)


def choice_config(
    models: list[str], candidates: tuple[str, ...] | None, commodities: int, notify: Notify
) -> ChoiceConfig | None:
    """The ``auto`` model's settings: the named candidates, else the default ones for the
    panel's size (saying so when a large panel gets the scale candidates)."""
    if candidates:
        return ChoiceConfig(candidates)
    if "auto" not in models or commodities < SCALE_FROM:
        return None
    chosen = default_candidates(commodities)
    notify(
        f"{commodities} commodities (>= {SCALE_FROM}): auto uses the scale candidates "
        f"{','.join(chosen)} (no AutoARIMA, AutoETS); name others with --candidates"
    )
    return ChoiceConfig(chosen)


def backtest(
    data: str | Path,
    models: str | list[str] = DEFAULT_MODELS_TEXT,
    horizon: int = 8,
    origins: int = 6,
    step: int = 1,
    policy: str = "updated",
    freq: str | None = None,
    plots: str | Path | None = None,
    n_jobs: int = 1,
    fill: str | None = None,
    plot: tuple[str, str | Path] | None = None,
    candidates: str | None = None,
    notify: Notify = log.warning,
) -> dict[str, Any]:
    """Rolling-origin backtest of a history CSV; returns the JSON report as a dict.

    ``plot`` is ``(unique_id, png_path)``: actuals, customer and every model's forecasts of
    that commodity; ``candidates`` (comma-separated) are the ``auto`` model's candidates
    (default: :func:`default_candidates` for the panel's size; ``notify`` says so).
    """
    names = parse_models(models if isinstance(models, str) else ",".join(models))
    policies = POLICIES if policy == "both" else (policy,)
    if policy not in (*POLICIES, "both"):
        raise ValueError(f"unknown policy '{policy}' (use updated, never or both)")
    named = parse_candidates(candidates) if candidates else None
    panel = load_panel(data, freq, fill=fill)
    if plot is not None and plot[0] not in panel.ids:
        raise DataError(f"{data}: no commodity '{plot[0]}' to plot")
    choice = choice_config(names, named, len(panel.ids), notify)
    result = run_backtest(
        panel, names, horizon, origins, step, policies, n_jobs=n_jobs, choice=choice
    )
    if plots is not None or plot is not None:
        from robotest.forecast.plots import plot_all, plot_commodity

        if plots is not None:
            plot_all(result, Path(plots))
        if plot is not None:
            plot_commodity(result, panel.ids.index(plot[0]), Path(plot[1]), policies[0])
    return result.to_dict()


def fit(
    data: str | Path,
    out: str | Path,
    model: str = "lstm",
    freq: str | None = None,
    steps: int | None = None,
    fill: str | None = None,
    candidates: str | None = None,
    n_jobs: int = 1,
    notify: Notify = log.warning,
) -> Path:
    """Fit a model on a history CSV and save it to the directory ``out``; ``candidates``
    (comma-separated) are the ``auto`` model's candidates (default: :func:`default_candidates`
    for the panel's size; ``notify`` says so)."""
    (name,) = parse_models(model)
    config = LSTMConfig() if steps is None else LSTMConfig(steps=steps, pretrain_steps=steps)
    named = parse_candidates(candidates) if candidates else None
    panel = load_panel(data, freq, fill=fill)
    choice = choice_config([name], named, len(panel.ids), notify)
    return store.save(store.fit_model(panel, name, config, n_jobs, choice), Path(out))


def predict(
    model_dir: str | Path, future: str | Path, history: str | Path | None = None
) -> list[dict[str, Any]]:
    """Forecasts for FUTURE's rows as ``[{"unique_id", "ds", "forecast"}, ...]``."""
    fitted = store.load(Path(model_dir))
    if history is not None:
        fitted.panel = store.extend(fitted.panel, read_history(history), str(history))
    table = store.predict_future(fitted, read_future(future), str(future))
    return table.to_dict("records")


def parts(predictions: str | Path | list[dict[str, Any]], bom: str | Path) -> list[dict[str, Any]]:
    """Part demand per period from finished-goods predictions and a bill of materials."""
    if isinstance(predictions, list):
        frame = pd.DataFrame(predictions)
        frame["line"] = range(2, len(frame) + 2)
        label = "predictions"
    else:
        frame, label = _bom.read_predictions(predictions), str(predictions)
    table = _bom.part_demand(frame, _bom.read_bom(bom), label, str(bom))
    return table.to_dict("records")
