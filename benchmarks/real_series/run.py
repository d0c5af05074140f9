"""Real-series benchmark: robotest's choice against the models a planner would pick.

    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/real_series/run.py            # everything
    PYTHONPATH=$PWD python3 benchmarks/real_series/run.py --only airpassengers,lynx --no-lstm

Every series of ``corpus.py`` (real data bundled in statsmodels and pmdarima, with the
documented biased customer forecast) goes through the same path as ``rtest forecast
backtest``: frequency inferred from the dates (``--fill interpolate`` only where the series has
gaps), then a rolling-origin backtest: ``ORIGINS`` cut-offs, half a horizon apart, each model
forecasting 1..H periods ahead (H by frequency, ``HORIZON``). Per model it prints WAPE and MASE
per series and overall (the mean over series: each series counts once, whatever its units),
then the issue's targets.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from corpus import long_table, real_series  # noqa: E402

from robotest.forecast.backtest import run_backtest  # noqa: E402
from robotest.forecast.data import build_panel  # noqa: E402
from robotest.forecast.errors import DataError  # noqa: E402
from robotest.forecast.models import ChoiceConfig, LSTMConfig  # noqa: E402
from robotest.forecast.models.choice import DEFAULT_CANDIDATES  # noqa: E402

HORIZON = {"h": 24, "B": 10, "W": 13, "M": 12, "Q": 8, "Y": 6}
ORIGINS = 3
MODELS = ["auto", "autoarima", "autoets", "autotheta", "seasonal_naive", "customer", "lstm"]


def panel_of(frame: pd.DataFrame, name: str):  # type: ignore[no-untyped-def]
    """The series as ``rtest`` reads it: inferred frequency, gaps interpolated if any."""
    frame = frame.assign(line=np.arange(len(frame)) + 2)
    try:
        return build_panel(frame, None, name), 0
    except DataError as exc:
        if "has a gap" not in str(exc):
            raise
        panel = build_panel(frame, None, name, fill="interpolate")
        return panel, panel.filled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated series names")
    parser.add_argument("--no-lstm", action="store_true", help="leave the LSTM out")
    parser.add_argument("--top", type=int, default=ChoiceConfig().top)
    args = parser.parse_args()
    models = [m for m in MODELS if not (args.no_lstm and m == "lstm")]
    candidates = DEFAULT_CANDIDATES + (() if args.no_lstm else ("lstm",))
    choice = ChoiceConfig(candidates=candidates, top=args.top)
    rows, began = [], time.perf_counter()
    order = "YQMBhW"  # the cheapest first: weekly seasonal ARIMA (season 52) takes longest
    for series in sorted(real_series(), key=lambda s: order.index(s.kind)):
        if args.only and series.name not in args.only.split(","):
            continue
        start = time.perf_counter()
        panel, filled = panel_of(long_table(series), series.name)
        horizon = HORIZON[series.kind]
        result = run_backtest(
            panel,
            models,
            horizon=horizon,
            origins=ORIGINS,
            step=max(1, horizon // 2),
            lstm=LSTMConfig(),
            choice=choice,
        )
        summary = result.summary().set_index("model")
        for model in models:
            rows.append(
                {
                    "series": series.name,
                    "freq": panel.freq,
                    "season": panel.season,
                    "periods": panel.y.shape[1],
                    "filled": filled,
                    "model": model,
                    "wape": summary.loc[model, "wape"],
                    "mase": summary.loc[model, "mase"],
                }
            )
        seconds = time.perf_counter() - start
        wape = summary["wape"].round(3).to_dict()
        print(
            f"{series.name} ({panel.freq}, {panel.y.shape[1]} periods, "
            f"{filled} filled) {seconds:.0f}s {wape}",
            flush=True,
        )
    report(pd.DataFrame(rows), models, time.perf_counter() - began)


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table of a frame with a named index (numbers to 3 significant digits)."""
    head = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, row in frame.iterrows():
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join([str(key), *cells]) + " |")
    return "\n".join(lines)


def report(table: pd.DataFrame, models: list[str], seconds: float) -> None:
    wape = table.pivot(index="series", columns="model", values="wape")[models]
    mase = table.pivot(index="series", columns="model", values="mase")[models]
    info = table.drop_duplicates("series").set_index("series")[["freq", "periods", "filled"]]
    print("\nWAPE % per series\n")
    print(markdown(info.join(wape * 100)))
    overall = pd.DataFrame(
        {"WAPE % (mean over series)": wape.mean() * 100, "MASE (mean)": mase.mean()}
    )
    overall["series best"] = [int((wape.idxmin(axis=1) == m).sum()) for m in models]
    print("\nOverall\n")
    overall.index.name = "model"
    print(markdown(overall))
    auto = overall.loc["auto", "WAPE % (mean over series)"]
    print("\nTargets")
    for rival in ("autoarima", "autoets"):
        value = overall.loc[rival, "WAPE % (mean over series)"]
        print(f"  auto {auto:.2f} < {rival} {value:.2f}: {auto < value}")
    customer = overall.loc["customer", "WAPE % (mean over series)"]
    gain = 1 - auto / customer
    print(f"  auto {gain:.0%} below the customer ({customer:.2f}): {gain >= 0.2}")
    print(f"  every series forecast: {bool(wape['auto'].notna().all())} ({len(wape)} series)")
    print(f"\n{len(wape)} series in {seconds:.0f} s")


if __name__ == "__main__":
    main()
