"""Beyond one machine: the classical models on a Dask cluster.

The commodities are dealt round-robin into one share per worker; each worker fits and
forecasts its share with exactly the code that runs locally (``classical.forecast_frame`` on
a pandas table, with that share's rows of the customer's forecast), and the forecasts come
back as one pandas table. Pass a ``distributed.Client`` (``Client("tcp://host:8786")`` for a
running cluster, ``Client(LocalCluster(...))`` for one machine).

Why not statsforecast's own Fugue backend (a Dask DataFrame given to ``forecast``): with the
customer's forecast as regressor it joins the two tables by a Dask shuffle, and on a local
two-worker cluster that lost a commodity's forecast in 1 run of 14 and failed to build the
task graph (``TokenizationError``) in another (fugue 0.9.7, dask 2025, 2026-12-06). A share
of whole series per task needs no shuffle: every series and its regressor rows travel
together, and a lost task is an error, never a missing row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from robotest.forecast.models.base import Window
from robotest.forecast.models.classical import forecast_frame, forecast_window


def shares(ids: list[str], count: int) -> list[list[str]]:
    """The commodities dealt round-robin into at most ``count`` non-empty shares."""
    return [share for share in (ids[start::count] for start in range(count)) if share]


def _rows_of(table: pd.DataFrame | None, share: list[str]) -> pd.DataFrame | None:
    return None if table is None else table[table["unique_id"].isin(share)]


def forecast_on_dask(
    frame: pd.DataFrame,
    names: list[str],
    season: int,
    horizon: int,
    client: Any,
    partitions: int | None = None,
    x_future: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """statsforecast's forecast of the long table, a share of the commodities per task."""
    count = partitions or max(1, len(client.scheduler_info()["workers"]))
    ids = list(dict.fromkeys(frame["unique_id"]))
    futures = [
        client.submit(
            forecast_frame,
            _rows_of(frame, share),
            names,
            season,
            horizon,
            x_future=_rows_of(x_future, share),
            pure=False,
        )
        for share in shares(ids, count)
    ]
    return pd.concat(client.gather(futures), ignore_index=True)


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
