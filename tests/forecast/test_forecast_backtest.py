"""Rolling origins, update policies and the report."""

from __future__ import annotations

import numpy as np
import pytest

from robotest.forecast.backtest import plan_origins, run_backtest
from robotest.forecast.data import Panel
from robotest.forecast.errors import DataError
from robotest.forecast.models import LSTMConfig

TINY = LSTMConfig(hidden=4, windows=2, pretrain_steps=10, steps=10, update_steps=5)


def panel(t: int = 60) -> Panel:
    import pandas as pd

    rng = np.random.default_rng(0)
    y = rng.poisson(20, (3, t)).astype(float)
    y[2, :30] = np.nan  # a commodity introduced later
    cf = np.where(np.isfinite(y), y * 1.3, np.nan)
    return Panel(("A", "B", "C"), pd.date_range("2024-01-01", periods=t, freq="W-MON"), "W", y, cf)


def test_origins_are_spaced_and_leave_a_full_horizon() -> None:
    assert plan_origins(60, 8, 3, 4, 12) == [44, 48, 52]
    with pytest.raises(DataError, match="60 periods are too few for 20 origins"):
        plan_origins(60, 8, 20, 4, 12)


def test_backtest_scores_every_model_under_both_policies() -> None:
    result = run_backtest(
        panel(),
        ["lstm", "customer", "snaive"],
        horizon=4,
        origins=3,
        step=2,
        policies=("updated", "never"),
        lstm=TINY,
        min_history=20,
    )
    assert set(result.forecasts) == {
        (m, p) for m in ("lstm", "customer", "snaive") for p in ("updated", "never")
    }
    assert result.forecasts["lstm", "updated"].shape == (3, 3, 4)
    # same fit at the first origin, different afterwards
    assert np.allclose(result.forecasts["lstm", "updated"][0], result.forecasts["lstm", "never"][0])
    assert not np.allclose(
        result.forecasts["lstm", "updated"][2], result.forecasts["lstm", "never"][2]
    )
    assert np.array_equal(
        result.forecasts["customer", "never"], result.forecasts["customer", "updated"]
    )
    summary = result.summary().set_index(["model", "policy"])
    assert summary.loc[("customer", "updated"), "wape"] == pytest.approx(0.3, rel=0.05)
    # commodity C has 30 periods of history at the origins 46..50: included with min_history 20
    assert result.included[:, 2].all()
    report = result.to_dict()
    assert len(report["by_horizon"]) == 6 * 4 and len(report["by_commodity"]) == 6 * 3
    assert report["origins"][0] == str(result.panel.dates[result.origins[0] - 1].date())


def test_commodities_without_enough_history_are_not_scored() -> None:
    result = run_backtest(panel(), ["customer"], horizon=4, origins=2, step=2, min_history=40)
    assert not result.included[:, 2].any() and result.included[:, :2].all()
    by_commodity = result.by_commodity().set_index("unique_id")
    assert np.isnan(by_commodity.loc["C", "mae"]) and np.isfinite(by_commodity.loc["A", "mae"])
