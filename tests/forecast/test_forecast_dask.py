"""The classical models on a Dask cluster (a share of the commodities per worker) give the local
answer, and no commodity is lost."""

from __future__ import annotations

import numpy as np

from robotest.forecast.distributed import forecast_on_dask, forecast_window_on_dask, shares
from robotest.forecast.models import Window
from robotest.forecast.models.classical import (
    forecast_frame,
    forecast_window,
    future_frame,
    long_frame,
)


def test_a_local_two_worker_cluster_forecasts_like_one_machine() -> None:
    from dask.distributed import Client, LocalCluster

    rng = np.random.default_rng(0)
    t, n = 36, 6
    y = 50 + 10 * np.sin(np.arange(t) * 2 * np.pi / 12) + rng.normal(0, 2, (n, t))
    window = Window(tuple(f"P-{i}" for i in range(n)), y, y * 1.2, 12)
    cf_future = np.full((n, 4), 60.0)
    names = ["autoets", "autotheta", "autoarimax"]
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        remote = forecast_window_on_dask(names, window, cf_future, client)
    local = forecast_window(names, window, cf_future)
    for name in names:
        assert remote[name].shape == (n, 4)
        assert np.allclose(remote[name], local[name], rtol=1e-4), name


def test_commodities_are_dealt_into_whole_non_empty_shares() -> None:
    ids = [f"P-{i}" for i in range(7)]
    dealt = shares(ids, 3)
    assert dealt == [["P-0", "P-3", "P-6"], ["P-1", "P-4"], ["P-2", "P-5"]]
    assert shares(ids[:2], 4) == [["P-0"], ["P-1"]]


def test_every_commodity_comes_back_from_uneven_shares() -> None:
    from dask.distributed import Client, LocalCluster

    rng = np.random.default_rng(1)
    t, n = 30, 7
    y = 40 + 5 * np.sin(np.arange(t) * 2 * np.pi / 12) + rng.normal(0, 1, (n, t))
    cf = y * 1.1 + rng.normal(0, 1, (n, t))
    window = Window(tuple(f"P-{i}" for i in range(n)), y, cf, 12)
    frame = long_frame(window, exog=True)
    x_future = future_frame(window.ids, t, np.full((n, 3), 45.0))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        table = forecast_on_dask(
            frame, ["autoarimax"], 12, 3, client, partitions=3, x_future=x_future
        )
    local = forecast_frame(frame, ["autoarimax"], 12, 3, x_future=x_future)
    assert sorted(table["unique_id"].unique()) == sorted(window.ids)
    assert len(table) == n * 3
    merged = table.merge(local, on=["unique_id", "ds"], suffixes=("", "_local"))
    assert len(merged) == n * 3
    assert np.allclose(merged["autoarimax"], merged["autoarimax_local"], rtol=1e-6)
