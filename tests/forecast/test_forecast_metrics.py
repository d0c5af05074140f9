"""Error measures on hand-checked numbers, zero demand included."""

from __future__ import annotations

import math

import numpy as np

from robotest.forecast.metrics import naive_scale, scores


def test_known_values() -> None:
    actual, forecast = np.array([10.0, 0.0, 5.0]), np.array([8.0, 0.0, 10.0])
    got = scores(actual, forecast, np.array([2.0, 2.0, 2.0]))
    assert math.isclose(got["mae"], 7 / 3)
    assert math.isclose(got["rmse"], math.sqrt((4 + 0 + 25) / 3))
    assert math.isclose(got["wape"], 7 / 15)
    assert math.isclose(got["smape"], (4 / 18 + 0 + 10 / 15) / 3)
    assert math.isclose(got["mase"], 7 / 3 / 2)


def test_all_zero_demand_has_no_wape_and_zero_smape() -> None:
    got = scores(np.zeros(3), np.zeros(3), np.zeros(3))
    assert math.isnan(got["wape"]) and got["smape"] == 0 and math.isnan(got["mase"])


def test_naive_scale_uses_the_season_when_history_allows() -> None:
    history = np.array([[1.0, 2.0, 1.0, 2.0, 1.0, 2.0], [np.nan, np.nan, np.nan, 1.0, 3.0, 6.0]])
    scale = naive_scale(history, season=2)
    assert scale[0] == 0.0  # perfectly seasonal
    assert math.isclose(scale[1], 2.5)  # too short for lag 2: lag 1
