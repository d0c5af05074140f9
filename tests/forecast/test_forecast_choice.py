"""The classical models (statsforecast) and robotest's choice among them by backtest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from robotest.forecast.errors import DataError
from robotest.forecast.models import (
    CLASSICAL_NAMES,
    SCALE_CANDIDATES,
    SCALE_FROM,
    ChoiceConfig,
    ChoiceForecaster,
    LSTMConfig,
    Window,
    default_candidates,
    load_model,
    make_model,
    parse_candidates,
)
from robotest.forecast.models.choice import DEFAULT_CANDIDATES, inverse_error_weights
from robotest.forecast.models.classical import auto_arima

MONTHS = 48


def seasonal(rng: np.random.Generator, level: float = 100.0) -> np.ndarray:
    t = np.arange(MONTHS)
    return level + 30 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, MONTHS)


@pytest.fixture(scope="module")
def two_kinds() -> Window:
    """SEASON repeats its year (the customer is 50% high); TOLD is noise the customer knows."""
    rng = np.random.default_rng(3)
    season = seasonal(rng)
    told = rng.uniform(20, 200, MONTHS)
    y = np.stack([season, told])
    cf = np.stack([season * 1.5, told])
    return Window(("SEASON", "TOLD"), y, cf, 12)


def test_inverse_error_weights_keep_the_best_and_favour_the_lowest_error() -> None:
    weights = inverse_error_weights({"a": 1.0, "b": 2.0, "c": 4.0, "d": 8.0}, top=3)
    assert set(weights) == {"a", "b", "c"}
    assert weights["a"] == pytest.approx(4 / 7) and weights["c"] == pytest.approx(1 / 7)
    assert inverse_error_weights({"a": 0.0, "b": 1.0}, top=2) == {"a": 1.0}
    assert inverse_error_weights({"a": float("nan")}, top=2) == {}


def test_choice_picks_the_model_that_clearly_wins_per_commodity(two_kinds: Window) -> None:
    config = ChoiceConfig(candidates=("seasonal_naive", "autotheta", "customer"), top=2)
    model = ChoiceForecaster(config)
    model.fit(two_kinds)
    # the customer knows TOLD exactly: a perfect backtest takes all the weight
    assert model.weights["TOLD"] == {"customer": 1.0}
    # SEASON: the customer is 50% high, the seasonal models are within a few percent
    assert "customer" not in model.weights["SEASON"]
    assert model.errors["SEASON"]["customer"] > 5 * model.errors["SEASON"]["seasonal_naive"]
    cf_future = np.array([[999.0] * 6, [42.0, 43, 44, 45, 46, 47]])
    forecast = model.predict(two_kinds, cf_future)
    assert forecast[1].tolist() == cf_future[1].tolist()
    expected = 100 + 30 * np.sin(2 * np.pi * np.arange(MONTHS, MONTHS + 6) / 12)
    assert np.abs(forecast[0] - expected).max() < 6
    table = model.chosen().set_index("unique_id")
    assert table.loc["TOLD", "choice"] == "1.00 customer"


def test_choice_saves_and_loads_its_weights(two_kinds: Window, tmp_path: Path) -> None:
    model = make_model("auto", choice=ChoiceConfig(candidates=("seasonal_naive", "customer")))
    model.fit(two_kinds)
    model.save(tmp_path)
    again = load_model("auto", tmp_path)
    cf_future = np.full((2, 3), 50.0)
    assert np.allclose(again.predict(two_kinds, cf_future), model.predict(two_kinds, cf_future))


def test_fewer_models_from_one_fit_match_a_fit_with_that_top(two_kinds: Window) -> None:
    candidates = ("seasonal_naive", "autotheta", "customer")
    wide = ChoiceForecaster(ChoiceConfig(candidates=candidates, top=3))
    wide.fit(two_kinds)
    narrow = ChoiceForecaster(ChoiceConfig(candidates=candidates, top=1))
    narrow.fit(two_kinds)
    one = wide.with_top(1)
    assert one.weights == narrow.weights and one.config.top == 1
    assert len(wide.weights["SEASON"]) == 3  # the wide fit is left as it was
    cf_future = np.array([[120.0] * 6, [42.0, 43, 44, 45, 46, 47]])
    parts = wide.candidate_forecasts(two_kinds, cf_future)
    assert set(parts) == {*candidates}
    assert np.allclose(one.mix(two_kinds.ids, parts), narrow.predict(two_kinds, cf_future))
    assert np.allclose(wide.mix(two_kinds.ids, parts), wide.predict(two_kinds, cf_future))


def test_a_commodity_too_short_to_backtest_gets_the_fallback_mix() -> None:
    rng = np.random.default_rng(0)
    y = np.full((2, MONTHS), np.nan)
    y[0] = seasonal(rng)
    y[1, -6:] = [5, 6, 7, 6, 5, 6]
    model = ChoiceForecaster(ChoiceConfig(candidates=("seasonal_naive", "customer")))
    model.fit(Window(("OLD", "NEW"), y, np.nan_to_num(y) + 1, 12))
    assert model.weights["NEW"] == {"autotheta": 0.5, "customer": 0.5}
    assert set(model.weights["OLD"]) <= {"seasonal_naive", "customer"}


@pytest.mark.parametrize("name", CLASSICAL_NAMES)
def test_every_classical_model_forecasts_every_commodity(two_kinds: Window, name: str) -> None:
    forecast = make_model(name).predict(two_kinds, np.full((2, 4), 80.0))
    assert forecast.shape == (2, 4) and np.isfinite(forecast).all() and (forecast >= 0).all()


def test_autoarimax_reads_the_customer_forecast_as_a_regressor() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(50, 150, (1, MONTHS + 4))
    y = 0.5 * x[:, :MONTHS] + rng.normal(0, 0.5, (1, MONTHS))
    window = Window(("A",), y, x[:, :MONTHS], 12)
    with_x = make_model("autoarimax").predict(window, x[:, MONTHS:])
    without = make_model("autoarima").predict(window, x[:, MONTHS:])
    assert np.abs(with_x - 0.5 * x[:, MONTHS:]).max() < 3
    assert np.abs(without - 0.5 * x[:, MONTHS:]).max() > 5


def test_unknown_candidate_is_named() -> None:
    assert parse_candidates("autoets, lstm") == ("autoets", "lstm")
    with pytest.raises(DataError, match="unknown candidate 'prophet'"):
        parse_candidates("autoets,prophet")


HOURS = 672  # four weeks, the length of the real-series benchmark's hourly series


@pytest.fixture(scope="module")
def hourly() -> tuple[Window, np.ndarray]:
    """Four weeks of hourly demand with a daily cycle, and the next day's true cycle."""
    rng = np.random.default_rng(5)
    t = np.arange(HOURS + 24)
    cycle = 100 + 40 * np.sin(2 * np.pi * t / 24) + 15 * np.cos(2 * np.pi * t / 12)
    y = cycle[:HOURS] + rng.normal(0, 3, HOURS)
    return Window(("H",), y[None, :], 1.3 * y[None, :], 24), cycle[None, HOURS:]


def test_seasonal_arima_searches_long_seasons_approximately() -> None:
    assert auto_arima(24, "autoarima").approximation
    assert auto_arima(52, "autoarima").approximation
    assert not auto_arima(12, "autoarima").approximation


def test_seasonal_arima_forecasts_an_hourly_day_cycle(hourly: tuple[Window, np.ndarray]) -> None:
    window, truth = hourly
    forecast = make_model("autoarima").predict(window, np.full((1, 24), 130.0))
    last_value = np.abs(window.y[:, -1:] - truth).mean()
    assert np.abs(forecast - truth).mean() < min(6.0, last_value / 4)


def test_auto_chooses_among_every_default_candidate_on_hourly_data(
    hourly: tuple[Window, np.ndarray],
) -> None:
    window, truth = hourly
    model = ChoiceForecaster()
    model.fit(window)
    assert set(model.errors["H"]) == set(DEFAULT_CANDIDATES)
    assert model.errors["H"]["autoarima"] < model.errors["H"]["customer"]
    forecast = model.predict(window, 1.3 * truth)
    assert np.abs(forecast - truth).mean() < 6.0


def test_large_panels_get_the_scale_candidates_unless_named() -> None:
    assert default_candidates(SCALE_FROM - 1) == DEFAULT_CANDIDATES
    assert default_candidates(SCALE_FROM) == SCALE_CANDIDATES
    assert not {"autoarima", "autoarimax", "autoets"} & set(SCALE_CANDIDATES)


def test_the_lstm_earns_weight_only_where_its_backtest_wins() -> None:
    """HALF's demand is half of what the customer says (the LSTM reads the customer's forecast
    and learns the ratio); TOLD's customer is exact, so the LSTM is not used for it."""
    rng = np.random.default_rng(2)
    periods = 96
    cf = rng.uniform(40, 200, (2, periods + 6))
    y = np.stack([0.5 * cf[0, :periods], cf[1, :periods]])
    window = Window(("HALF", "TOLD"), y, cf[:, :periods], 12)
    config = ChoiceConfig(candidates=("seasonal_naive", "customer", "lstm"), top=1)
    model = ChoiceForecaster(config, LSTMConfig(hidden=8, pretrain_steps=100, steps=80, seed=1))
    model.fit(window)
    half = model.errors["HALF"]
    assert half["lstm"] < 0.5 * min(half["customer"], half["seasonal_naive"])
    assert model.weights == {"HALF": {"lstm": 1.0}, "TOLD": {"customer": 1.0}}
    forecast = model.predict(window, cf[:, periods:])
    assert np.abs(forecast[0] - 0.5 * cf[0, periods:]).mean() < 0.25 * half["customer"]
