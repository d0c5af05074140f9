"""Scale: robotest's choice (``auto``) fitted and forecast for 10,000 monthly part series.

    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/forecast_scale.py --series 10000 --jobs 2

The series are 48-month windows cut from the monthly series bundled in statsmodels and
pmdarima (sunspots, elnino, wineind, airpassengers: 3,684 distinct windows); beyond that a
window is reused with another scale (x 1.1, 1.2...) and another customer-forecast seed, so
every series is numerically distinct. Customer forecasts follow the benchmark's documented
rule (``real_series/corpus.py``). The run fits ``auto`` (inner cross-validation of the
candidates, then the weighted forecast of each series' chosen models, 12 months ahead) and
prints the wall time and the machine's load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent / "real_series"))
from corpus import customer_forecast, real_series  # noqa: E402

from robotest.forecast.models import ChoiceConfig, ChoiceForecaster, Window  # noqa: E402

LENGTH = 48
HORIZON = 12
SCALE_CANDIDATES = "autoets,autotheta,seasonal_naive,croston,tsb,customer"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--candidates", default=SCALE_CANDIDATES)
    args = parser.parse_args()
    window = windows(args.series)
    config = ChoiceConfig(candidates=tuple(args.candidates.split(",")), horizon=HORIZON)
    model = ChoiceForecaster(config, n_jobs=args.jobs)
    print(f"load before: {os.getloadavg()}, {args.series} series, {args.jobs} jobs", flush=True)
    began = time.perf_counter()
    model.fit(window)
    fitted = time.perf_counter()
    forecast = model.predict(window, window.cf[:, -HORIZON:])
    done = time.perf_counter()
    print(f"load after: {os.getloadavg()}")
    print(f"fit (cross-validation, choice): {fitted - began:.0f} s")
    print(f"forecast {HORIZON} months: {done - fitted:.0f} s")
    print(f"total: {done - began:.0f} s for {len(window.ids)} series ({args.candidates})")
    print(f"finite forecasts: {bool(np.isfinite(forecast).all())}, shape {forecast.shape}")
    used = model.chosen()["choice"].str.split(" \\+ ").explode().str.split().str[-1]
    print("models used:", used.value_counts().to_dict())


if __name__ == "__main__":
    main()
