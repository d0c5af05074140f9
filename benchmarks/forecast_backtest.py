"""Forecast benchmark: every model on the ERP-like data, never updated vs updated at every origin.

    nice -n 10 python3 benchmarks/forecast_backtest.py                      # the full benchmark
    python3 benchmarks/forecast_backtest.py --commodities 30 --origins 3    # a quick look

Prints one table (WAPE by model, update policy and horizon, plus pooled MAE, sMAPE, MASE and the
seconds each took), the two targets (LSTM vs the customer's forecast and vs ARIMA, with updates)
and the wall time; ``--plot`` writes the summary plot.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from robotest.forecast.backtest import POLICIES, run_backtest
from robotest.forecast.data import build_panel
from robotest.forecast.models import parse_models
from robotest.forecast.synthetic import erp_dataset


def table(result, horizons: list[int]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    summary = result.summary().set_index(["model", "policy"])
    by_h = result.by_horizon().set_index(["model", "policy", "horizon"])["wape"].unstack("horizon")
    out = pd.DataFrame(index=summary.index)
    for h in horizons:
        out[f"WAPE h={h}"] = by_h[h] * 100
    out["WAPE all"] = summary["wape"] * 100
    out["MAE"] = summary["mae"]
    out["sMAPE"] = summary["smape"] * 100
    out["MASE"] = summary["mase"]
    out["seconds"] = [result.seconds.get(key, float("nan")) for key in out.index]
    return out


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (3 significant digits)."""
    head = ["model", "policy", *frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (model, policy), row in frame.iterrows():
        cells = [f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}" for v in row]
        lines.append("| " + " | ".join([model, policy, *cells]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commodities", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--step", type=int, default=4)
    parser.add_argument("--horizon", type=int, default=8)
    parser.add_argument("--models", default="lstm,arima,arimax,customer,snaive")
    parser.add_argument("--jobs", type=int, default=2, help="processes for ARIMA")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=None, help="summary PNG to write")
    args = parser.parse_args()

    frame = erp_dataset(args.commodities, args.weeks, args.seed).assign(line=0)
    frame["ds"] = pd.to_datetime(frame["ds"])
    panel = build_panel(frame, "weekly", "erp")
    began, cpu = time.perf_counter(), time.process_time()
    result = run_backtest(
        panel,
        parse_models(args.models),
        args.horizon,
        args.origins,
        args.step,
        POLICIES,
        n_jobs=args.jobs,
    )
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    horizons = sorted({1, (args.horizon + 1) // 2, args.horizon})
    out = table(result, horizons)
    print(
        f"{len(panel.ids)} commodities, {panel.y.shape[1]} weeks, {args.origins} origins "
        f"{args.step} weeks apart, horizon 1..{args.horizon}; WAPE/sMAPE in %"
    )
    print(markdown(out))
    wape = result.summary().set_index(["model", "policy"])["wape"]
    if ("lstm", "updated") in wape and ("customer", "updated") in wape:
        cut = 1 - wape["lstm", "updated"] / wape["customer", "updated"]
        print(
            f"\nLSTM (updated) WAPE {wape['lstm', 'updated']:.1%} vs customer "
            f"{wape['customer', 'updated']:.1%}: {cut:.1%} lower (target >= 20%)"
        )
    if ("lstm", "updated") in wape and ("arima", "updated") in wape:
        print(
            f"LSTM (updated) WAPE {wape['lstm', 'updated']:.1%} vs ARIMA (updated) "
            f"{wape['arima', 'updated']:.1%} (target: lower)"
        )
    print(
        f"whole backtest, both policies: {wall:.0f} s wall, {cpu:.0f} s CPU in the main process "
        f"(ARIMA workers not counted); load average then {os.getloadavg()[0]:.1f}"
    )
    if args.plot is not None:
        from robotest.forecast.plots import plot_summary

        plot_summary(result, args.plot)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
