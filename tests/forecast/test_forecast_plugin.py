"""`plugins.forecast` as scripts reach it: plain calls returning plain data."""

from __future__ import annotations

from pathlib import Path

import pytest

from robotest.forecast.errors import DataError
from robotest.runtime.config import plugins


def test_scripts_reach_the_plugin_through_plugins_forecast(
    history_csv: Path, future_csv: Path, tmp_path: Path
) -> None:
    forecast = plugins.forecast
    model = forecast.fit(history_csv, tmp_path / "model", model="lstm", steps=20)
    pred = forecast.predict(model, future=future_csv)
    assert len(pred) == 4 * 3 and set(pred[0]) == {"unique_id", "ds", "forecast"}
    assert all(row["forecast"] >= 0 for row in pred)

    bom = tmp_path / "bom.csv"
    bom.write_text(
        "finished_good,part,quantity_per_unit\n"
        + "".join(f"FG-000{i},battery,2\n" for i in range(4))
    )
    parts = forecast.parts(pred, bom)
    first_week = [r for r in pred if r["ds"] == pred[0]["ds"]]
    assert parts[0] == {
        "part": "battery",
        "ds": pred[0]["ds"],
        "demand": pytest.approx(2 * sum(r["forecast"] for r in first_week), abs=0.01),
    }

    report = forecast.backtest(history_csv, models=["customer", "snaive"], horizon=2, origins=2)
    assert {row["model"] for row in report["summary"]} == {"customer", "snaive"}


def test_plugin_errors_are_the_plugins_own(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        plugins.forecast.backtest(tmp_path / "missing.csv")


def test_the_example_script_calls_only_the_plugin() -> None:
    script = Path(__file__).parent / "scripts" / "forecast_demand.rtest"
    text = script.read_text()
    assert 'test "' in text and "plugins.forecast.predict(" in text and "assert " in text
