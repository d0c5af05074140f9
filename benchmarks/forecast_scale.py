"""Scale: robotest's choice (``auto``) fitted and forecast for 10,000 monthly part series.

    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/forecast_scale.py --series 10000
    # with AutoETS among the candidates (about 40 ms of CPU per series for its forecast)
    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/forecast_scale.py --series 500 \
        --candidates autoets,autotheta,seasonal_naive,croston,tsb,customer

The series are 48-month windows cut from the monthly series bundled in statsmodels and
pmdarima (sunspots, elnino, wineind, airpassengers: 3,684 distinct windows); beyond that a
window is reused with another scale (x 1.1, 1.2...) and another customer-forecast seed, so
every series is numerically distinct. Customer forecasts follow the benchmark's documented
rule (``real_series/corpus.py``). The run fits ``auto`` (inner cross-validation of the
candidates, then the weighted forecast of each series' chosen models, 12 months ahead) and
prints the wall time, the CPU time (this process and its worker processes) and the machine's
load average before and after: on the shared machine the wall time also counts the other
users' jobs, the CPU time is what the run itself needs.

Scale candidates (what ``rtest forecast fit --model auto`` uses from 1,000 commodities on when
none are named): AutoTheta, seasonal naive, Croston, TSB and the customer's forecast. Profiled
(cProfile, 300 series): the forecast step was dominated by AutoETS, which fits 15 ETS models
per series (error, trend, damping, season) in statsforecast's C++ optimiser, about 40 ms per
48-month series against about 1.5 ms for AutoTheta and well under 1 ms for the others; in the
inner cross-validation it is cheap because it trains on 12 months only, too few for a seasonal
ETS. Seasonal AutoARIMA costs 0.2 to 1 s per series. ``--jobs 1`` by default: each
statsforecast call with ``n_jobs`` > 1 starts a process pool (about 0.25 s per call), which
pays only where cores are free.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent / "real_series"))
from corpus import customer_forecast, real_series  # noqa: E402

from robotest.forecast.models import (  # noqa: E402
    SCALE_CANDIDATES,
    ChoiceConfig,
    ChoiceForecaster,
    Window,
)

LENGTH = 48
HORIZON = 12


def windows(count: int) -> Window:
    """``count`` monthly windows of ``LENGTH`` months with their customer forecasts."""
    monthly = [s.values.to_numpy(float) for s in real_series(cut=False) if s.kind == "M"]
    starts = [(k, i) for k, v in enumerate(monthly) for i in range(len(v) - LENGTH + 1)]
    ys, cfs, ids = [], [], []
    for n in range(count):
        k, i = starts[n % len(starts)]
        copy = n // len(starts)
        y = monthly[k][i : i + LENGTH] * (1 + 0.1 * copy)
        ys.append(y)
        cfs.append(customer_forecast(f"part-{n}", y))
        ids.append(f"part-{n:05d}")
    return Window(tuple(ids), np.array(ys), np.array(cfs), 12)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (statsforecast's worker processes):
    on a shared machine the wall time also counts the other users' jobs."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--candidates", default=",".join(SCALE_CANDIDATES))
    args = parser.parse_args()
    window = windows(args.series)
    config = ChoiceConfig(candidates=tuple(args.candidates.split(",")), horizon=HORIZON)
    model = ChoiceForecaster(config, n_jobs=args.jobs)
    print(f"load before: {os.getloadavg()}, {args.series} series, {args.jobs} jobs", flush=True)
    began, cpu_began = time.perf_counter(), cpu_seconds()
    model.fit(window)
    fitted, cpu_fitted = time.perf_counter(), cpu_seconds()
    forecast = model.predict(window, window.cf[:, -HORIZON:])
    done, cpu_done = time.perf_counter(), cpu_seconds()
    print(f"load after: {os.getloadavg()}")
    print(
        f"fit (inner cross-validation): {fitted - began:.0f} s, CPU {cpu_fitted - cpu_began:.0f} s"
    )
    print(f"forecast {HORIZON} months: {done - fitted:.0f} s, CPU {cpu_done - cpu_fitted:.0f} s")
    print(
        f"total: {done - began:.0f} s wall, {cpu_done - cpu_began:.0f} s CPU "
        f"for {len(window.ids)} series ({args.candidates})"
    )
    print(f"finite forecasts: {bool(np.isfinite(forecast).all())}, shape {forecast.shape}")
    used = model.chosen()["choice"].str.split(" \\+ ").explode().str.split().str[-1]
    print("models used:", used.value_counts().to_dict())


if __name__ == "__main__":
    main()
