"""Beyond one machine: the classical models on a Dask cluster, through statsforecast's Fugue
backend.

The long table is split by ``unique_id`` into Dask partitions; each worker fits and forecasts
its commodities with exactly the code that runs locally (``classical.forecast_frame``), and the
forecasts come back as one pandas table. Point ``scheduler`` at a running cluster
(``tcp://host:8786``) or pass a ``distributed.Client``; without one, a local cluster is used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from robotest.forecast.models.base import Window
from robotest.forecast.models.classical import forecast_frame, forecast_window


def forecast_on_dask(
    frame: pd.DataFrame,
    names: list[str],
    season: int,
    horizon: int,
    client: Any,
    partitions: int | None = None,
    x_future: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """statsforecast's forecast of the long table, computed by the cluster of ``client``."""
    import dask.dataframe as dd

    count = partitions or max(1, len(client.scheduler_info()["workers"]))
    table = dd.from_pandas(frame, npartitions=count)
    future = None if x_future is None else dd.from_pandas(x_future, npartitions=count)
    result = forecast_frame(table, names, season, horizon, x_future=future)
    return client.compute(result).result().reset_index(drop=True)


def forecast_window_on_dask(
    names: list[str], window: Window, cf_future: np.ndarray, client: Any
) -> dict[str, np.ndarray]:
    """``classical.forecast_window`` with the statsforecast work done by the cluster."""

    def runner(
        frame: pd.DataFrame,
        group: list[str],
        season: int,
        horizon: int,
        x_future: pd.DataFrame | None,
    ) -> pd.DataFrame:
        return forecast_on_dask(frame, group, season, horizon, client, x_future=x_future)

    return forecast_window(names, window, cf_future, runner=runner)
