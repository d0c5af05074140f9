"""Each model's behaviour: baselines exactly, LSTM and ARIMA learning, updates, save and load."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch

from robotest.forecast.errors import ModelError
from robotest.forecast.models import (
    ARIMAForecaster,
    CustomerForecast,
    LSTMConfig,
    LSTMForecaster,
    SeasonalNaive,
    Window,
    load_model,
)

SMALL = LSTMConfig(hidden=8, windows=4, pretrain_steps=60, steps=120, update_steps=20)


def relation_window(n: int = 3, t: int = 80, seed: int = 0) -> tuple[Window, np.ndarray]:
    """Demand is 80% of what the customer says (a biased but informative customer)."""
    rng = np.random.default_rng(seed)
    cf = rng.uniform(50, 150, (n, t + 4)) * np.arange(1, n + 1)[:, None]
    y = 0.8 * cf
    return Window(tuple(f"C{i}" for i in range(n)), y[:, :t], cf[:, :t], 52), cf[:, t:], y[:, t:]  # type: ignore[return-value]


def test_customer_forecast_is_taken_as_is() -> None:
    window, cf, _ = relation_window()
    assert np.array_equal(CustomerForecast().predict(window, cf), cf)


def test_seasonal_naive_repeats_last_season_and_falls_back_to_last_value() -> None:
    y = np.array([[float(v) for v in range(10)], [np.nan] * 8 + [3.0, 4.0]])
    window = Window(("A", "B"), y, np.zeros_like(y), 4)
    got = SeasonalNaive().predict(window, np.zeros((2, 6)))
    assert got[0].tolist() == [6, 7, 8, 9, 6, 7]
    assert got[1].tolist() == [4, 4, 3, 4, 4, 4]


@pytest.fixture(scope="module")
def fitted() -> LSTMForecaster:
    window, _, _ = relation_window()
    model = LSTMForecaster(SMALL)
    model.fit(window)
    return model


def test_lstm_learns_the_customer_bias_and_beats_the_customer(fitted: LSTMForecaster) -> None:
    window, cf, truth = relation_window()
    pred = fitted.predict(window, cf)
    lstm_error = np.abs(pred - truth).mean()
    customer_error = np.abs(cf - truth).mean()
    assert lstm_error < 0.5 * customer_error


def test_lstm_update_warm_starts_from_the_current_weights(fitted: LSTMForecaster) -> None:
    window, _, _ = relation_window()
    model = copy.deepcopy(fitted)
    before = {k: v.clone() for k, v in model.params["C0"].items()}
    model.fit(window, update=True)
    moved = max(float((model.params["C0"][k] - before[k]).abs().max()) for k in before)
    assert 0 < moved < 0.2  # a few small steps from where it was
    refit = copy.deepcopy(fitted)
    refit.config = LSTMConfig(hidden=8, pretrain_steps=1, steps=1)
    refit.fit(window)  # not an update: the weights start again from scratch
    assert max(float((refit.params["C0"][k] - before[k]).abs().max()) for k in before) > 0.2


def test_lstm_weights_are_per_commodity_and_new_commodities_get_their_own(
    fitted: LSTMForecaster,
) -> None:
    window, cf, _ = relation_window()
    model = copy.deepcopy(fitted)
    assert not torch.equal(model.params["C0"]["w_in"], model.params["C1"]["w_in"])
    model.config = LSTMConfig(hidden=8, pretrain_steps=5, steps=5, update_steps=5)
    wider = Window(
        window.ids + ("NEW",),
        np.vstack([window.y, window.y[:1]]),
        np.vstack([window.cf, window.cf[:1]]),
        52,
    )
    model.fit(wider, update=True)
    assert set(model.params) == {"C0", "C1", "C2", "NEW"}
    with pytest.raises(ModelError, match="no model for commodity 'X'"):
        model.predict(Window(("X",), window.y[:1], window.cf[:1], 52), cf[:1])


@pytest.mark.parametrize("name", ["lstm", "lstm_global"])
def test_lstm_save_and_load_predict_the_same(tmp_path: Path, name: str) -> None:
    window, cf, _ = relation_window()
    model = LSTMForecaster(
        LSTMConfig(hidden=4, pretrain_steps=5, steps=5), shared=name == "lstm_global"
    )
    model.fit(window)
    model.save(tmp_path)
    again = load_model(name, tmp_path)
    assert np.allclose(model.predict(window, cf), again.predict(window, cf))


def test_arima_keeps_its_order_and_refits_parameters_on_update() -> None:
    rng = np.random.default_rng(1)
    e = rng.normal(0, 1, 120)
    y = 50 + np.convolve(e, [1, 0.6], mode="full")[:120] * 5
    window = Window(("A",), y[None, :100], np.full((1, 100), 50.0), 52)
    model = ARIMAForecaster()
    model.fit(window)
    order, params = model.fits["A"].order, list(model.fits["A"].params)
    assert order is not None
    longer = Window(("A",), y[None, :120], np.full((1, 120), 50.0), 52)
    model.fit(longer, update=True)
    assert model.fits["A"].order == order and model.fits["A"].params != params
    forecast = model.predict(longer, np.full((1, 5), 50.0))
    assert forecast.shape == (1, 5) and np.all(np.abs(forecast - 50) < 20)


def test_arimax_follows_the_customer_forecast_regressor(tmp_path: Path) -> None:
    window, cf, truth = relation_window(n=1, t=100, seed=3)
    noisy = Window(
        window.ids, window.y + np.random.default_rng(0).normal(0, 2, window.y.shape), window.cf, 52
    )
    model = ARIMAForecaster(exog=True)
    model.fit(noisy)
    assert np.abs(model.predict(noisy, cf) - truth).mean() < 5
    model.save(tmp_path)
    again = load_model("arimax", tmp_path)
    assert np.allclose(again.predict(noisy, cf), model.predict(noisy, cf))


def test_arima_short_or_flat_history_gets_the_recent_mean() -> None:
    y = np.array([[np.nan] * 10 + [4.0, 6.0, 5.0], [3.0] * 13])
    window = Window(("short", "flat"), y, np.ones_like(y), 52)
    model = ARIMAForecaster()
    model.fit(window)
    assert model.predict(window, np.ones((2, 2))).tolist() == [[5.0, 5.0], [3.0, 3.0]]
