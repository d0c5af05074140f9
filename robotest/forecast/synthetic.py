"""An ERP-like demand data set with the customer's forecasts, generated (no downloads).

Weekly demand per commodity with trend, yearly seasonality, promotions, level shifts,
product phase-outs and intermittent low-volume parts. The customer's forecast follows the
underlying level but is biased upward and noisy, adjusts late to level shifts and phase-outs,
and announces about half of the promotions correctly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _commodity(rng: np.random.Generator, weeks: int) -> tuple[np.ndarray, np.ndarray, int]:
    t = np.arange(weeks)
    start = int(rng.integers(0, max(1, weeks - 104)))
    intermittent = rng.random() < 0.15
    level = (
        rng.uniform(0.3, 3.0)
        if intermittent
        else float(np.exp(rng.uniform(np.log(30), np.log(2000))))
    )
    trend = rng.normal(0, 0.003)
    amplitude = 0.0 if intermittent else rng.uniform(0.1, 0.6)
    phase = rng.uniform(0, 2 * np.pi)
    season = (
        1
        + amplitude * np.sin(2 * np.pi * t / 52.18 + phase)
        + 0.3 * amplitude * np.sin(4 * np.pi * t / 52.18)
    )
    base = level * np.exp(trend * (t - start)) * season
    told = base.copy()  # what the customer believes the base to be
    if rng.random() < 0.3:
        at = int(rng.integers(start + 20, weeks - 5))
        factor = rng.choice([0.6, 0.7, 1.4, 1.6])
        base[at:] *= factor
        told[at + int(rng.integers(4, 16)) :] *= factor
    if rng.random() < 0.1:
        at = int(rng.integers(weeks - 60, weeks - 10))
        fade = np.clip(1 - (t - at) / rng.uniform(4, 16), 0, 1)
        base *= fade
        told *= np.clip(1 - (t - at - rng.integers(4, 12)) / 8, 0, 1)
    lift = np.ones(weeks)
    announced = np.ones(weeks)
    if not intermittent:
        for week in rng.choice(
            np.arange(start, weeks), size=max(1, (weeks - start) // 13), replace=False
        ):
            size = rng.uniform(1.5, 2.5)
            lift[week] *= size
            if week + 1 < weeks:
                lift[week + 1] *= 0.8
            if rng.random() < 0.5:
                announced[week] *= size * rng.uniform(0.9, 1.2)
    mean = base * lift
    noise = rng.gamma(20.0, 1 / 20.0, weeks)  # about 22% multiplicative noise
    y = rng.poisson(mean * noise).astype(float)
    bias = rng.uniform(1.15, 1.45)
    customer = np.round(told * announced * bias * rng.lognormal(0, 0.25, weeks), 1)
    return y, customer, start


def erp_dataset(commodities: int = 200, weeks: int = 156, seed: int = 0) -> pd.DataFrame:
    """Long table ``unique_id, ds, y, customer_forecast`` of weekly demand (Mondays)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2022-01-03", periods=weeks, freq="W-MON").strftime("%Y-%m-%d")
    frames = []
    for k in range(commodities):
        y, customer, start = _commodity(rng, weeks)
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": f"FG-{k:04d}",
                    "ds": dates[start:],
                    "y": y[start:],
                    "customer_forecast": customer[start:],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
