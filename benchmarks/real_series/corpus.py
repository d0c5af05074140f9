"""The real-series corpus: public series bundled inside installed packages, nothing downloaded.

Sources (all shipped in the wheels): statsmodels.datasets (co2 weekly, elnino monthly,
macrodata quarterly, nile and sunspots yearly) and pmdarima.datasets (airpassengers, wineind
and monthly sunspots; ausbeer, austres and woolyrnq quarterly; lynx yearly; taylor half-hourly
electricity demand, summed to hours; msft daily trading volume on business days).
Long series keep their last ``MAX_PERIODS[freq]`` periods so that every model fits in minutes.

Each series gets a synthetic, biased customer forecast by one documented rule, seeded per
series (``customer_forecast``): the customer knows half of a period's demand ahead and
extrapolates the rest from the period before, with a sales-target bias and noise::

    cf[t] = b * (0.5 * y[t] + 0.5 * y[t-1]) * exp(e[t]),  b ~ U(1.10, 1.40) per series,
    e[t] ~ N(0, 0.10)

``python3 benchmarks/real_series/corpus.py OUT_DIR`` writes one CSV per series, ready for
``rtest forecast backtest OUT_DIR/airpassengers.csv`` (co2 and msft have gaps: add ``--fill
interpolate``).
"""

from __future__ import annotations

import sys
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

MAX_PERIODS = {"h": 24 * 7 * 4, "B": 300, "W": 260, "M": 240, "Q": 160, "Y": 150}
BIAS = (1.10, 1.40)
NOISE = 0.10
KNOWN_SHARE = 0.5


@dataclass(frozen=True)
class Series:
    """One real series: its name, pandas frequency, kind (h, B, W, M, Q, Y) and values."""

    name: str
    freq: str
    kind: str
    values: pd.Series  # indexed by its dates


def _statsmodels() -> list[Series]:
    import statsmodels.api as sm

    datasets = sm.datasets
    out = []
    co2 = datasets.co2.load_pandas().data["co2"]
    out.append(Series("co2_weekly", "W-SAT", "W", co2))
    elnino = datasets.elnino.load_pandas().data
    months = elnino.drop(columns="YEAR").to_numpy().ravel()
    start = f"{int(elnino['YEAR'].iloc[0])}-01-01"
    dates = pd.date_range(start, periods=len(months), freq="MS")
    out.append(Series("elnino_sst", "MS", "M", pd.Series(months, index=dates)))
    macro = datasets.macrodata.load_pandas().data
    quarters = pd.date_range("1959-01-01", periods=len(macro), freq="QS-JAN")
    for column in ("realgdp", "realcons", "realinv", "realgovt", "realdpi", "cpi", "m1", "unemp"):
        values = pd.Series(macro[column].to_numpy(float), index=quarters)
        out.append(Series(f"macro_{column}", "QS-JAN", "Q", values))
    nile = datasets.nile.load_pandas().data
    years = pd.date_range(f"{int(nile['year'].iloc[0])}-01-01", periods=len(nile), freq="YS")
    out.append(Series("nile", "YS-JAN", "Y", pd.Series(nile["volume"].to_numpy(float), years)))
    spots = datasets.sunspots.load_pandas().data
    years = pd.date_range(f"{int(spots['YEAR'].iloc[0])}-01-01", periods=len(spots), freq="YS")
    values = pd.Series(spots["SUNACTIVITY"].to_numpy(float), years)
    out.append(Series("sunspots_yearly", "YS-JAN", "Y", values))
    return out


def _pmdarima() -> list[Series]:
    from pmdarima import datasets

    def dated(loader, start: str, freq: str) -> pd.Series:  # type: ignore[no-untyped-def]
        values = np.asarray(loader(as_series=False), dtype=float)
        return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))

    out = [
        Series("airpassengers", "MS", "M", dated(datasets.load_airpassengers, "1949-01-01", "MS")),
        Series("wineind", "MS", "M", dated(datasets.load_wineind, "1980-01-01", "MS")),
        Series("sunspots_monthly", "MS", "M", dated(datasets.load_sunspots, "1749-01-01", "MS")),
        Series("ausbeer", "QS-JAN", "Q", dated(datasets.load_ausbeer, "1956-01-01", "QS-JAN")),
        Series("austres", "QS-JAN", "Q", dated(datasets.load_austres, "1971-04-01", "QS-JAN")),
        Series("woolyrnq", "QS-JAN", "Q", dated(datasets.load_woolyrnq, "1965-01-01", "QS-JAN")),
        Series("lynx", "YS-JAN", "Y", dated(datasets.load_lynx, "1821-01-01", "YS")),
    ]
    # taylor: half-hourly demand from Monday 5 June 2000 (R forecast package's documentation)
    half_hours = dated(datasets.load_taylor, "2000-06-05", "30min")
    out.append(Series("taylor_hourly", "h", "h", half_hours.resample("h").sum()))
    msft = datasets.load_msft()
    volume = pd.Series(msft["Volume"].to_numpy(float), index=pd.to_datetime(msft["Date"]))
    out.append(Series("msft_volume", "B", "B", volume))
    return out


def real_series(cut: bool = True) -> list[Series]:
    """Every series of the corpus, cut to its last ``MAX_PERIODS`` periods (unless not ``cut``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        series = _statsmodels() + _pmdarima()
    if not cut:
        return series
    return [Series(s.name, s.freq, s.kind, s.values.iloc[-MAX_PERIODS[s.kind] :]) for s in series]


def customer_forecast(name: str, y: np.ndarray) -> np.ndarray:
    """The documented biased rule (module docstring), seeded by the series name."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    bias = rng.uniform(*BIAS)
    filled = pd.Series(y).interpolate(limit_direction="both").to_numpy()
    previous = np.concatenate([filled[:1], filled[:-1]])
    known = KNOWN_SHARE * filled + (1 - KNOWN_SHARE) * previous
    return np.round(bias * known * np.exp(rng.normal(0, NOISE, len(y))), 4)


def long_table(series: Series) -> pd.DataFrame:
    """``unique_id, ds, y, customer_forecast`` rows (missing values left out: gaps)."""
    y = series.values.to_numpy(float)
    frame = pd.DataFrame(
        {
            "unique_id": series.name,
            "ds": series.values.index,
            "y": y,
            "customer_forecast": customer_forecast(series.name, y),
        }
    )
    return frame[np.isfinite(frame["y"])].reset_index(drop=True)


def write_corpus(directory: Path) -> list[Path]:
    """One CSV per series (``airpassengers.csv``...)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for series in real_series():
        frame = long_table(series)
        with_time = series.kind == "h"
        frame["ds"] = frame["ds"].dt.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
        path = directory / f"{series.name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "real_series")):
        print(written)
