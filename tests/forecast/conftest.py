"""Small data sets for the forecast tests (generated, a few commodities, about a year)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from robotest.forecast.models import LSTMConfig
from robotest.forecast.synthetic import erp_dataset

TINY_LSTM = LSTMConfig(hidden=8, windows=2, pretrain_steps=30, steps=40, update_steps=10)


@pytest.fixture(scope="session")
def history_frame() -> pd.DataFrame:
    frame = erp_dataset(commodities=4, weeks=130, seed=7)
    first = frame.groupby("unique_id")["ds"].transform("min")
    return frame[frame["ds"] >= first.max()].reset_index(drop=True)


@pytest.fixture()
def history_csv(tmp_path: Path, history_frame: pd.DataFrame) -> Path:
    path = tmp_path / "history.csv"
    history_frame.to_csv(path, index=False)
    return path


@pytest.fixture()
def future_csv(tmp_path: Path, history_frame: pd.DataFrame) -> Path:
    last = pd.to_datetime(history_frame["ds"]).max()
    rows = [
        (uid, (last + pd.Timedelta(weeks=k)).strftime("%Y-%m-%d"), 50.0 * k)
        for uid in sorted(history_frame["unique_id"].unique())
        for k in (1, 2, 3)
    ]
    path = tmp_path / "future.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "customer_forecast"]).to_csv(path, index=False)
    return path
