"""The classical models on a Dask cluster (statsforecast's Fugue backend) give the local answer."""

from __future__ import annotations

import numpy as np

from robotest.forecast.distributed import forecast_window_on_dask
from robotest.forecast.models import Window
from robotest.forecast.models.classical import forecast_window


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
