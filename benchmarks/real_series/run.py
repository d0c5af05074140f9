"""Real-series benchmark: robotest's choice against the models a planner would pick.

    # the two halves in parallel (each writes its rows), then the report
    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/real_series/run.py --half tune --rows tune.csv
    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/real_series/run.py --half held-out \\
        --rows held.csv
    python3 benchmarks/real_series/run.py --report tune.csv held.csv
    # one quick look
    PYTHONPATH=$PWD python3 benchmarks/real_series/run.py --only airpassengers --no-lstm

Every series of ``corpus.py`` (real data bundled in statsmodels and pmdarima, with the
documented biased customer forecast) goes through the same path as ``rtest forecast
backtest``: frequency inferred from the dates (``--fill interpolate`` only where the series has
gaps), then a rolling-origin backtest: ``ORIGINS`` cut-offs, half a horizon apart, each model
forecasting 1..H periods ahead (H by frequency, ``HORIZON``).

Tuning and held-out halves: the series, sorted by frequency and name, alternate between the
two halves (``split``). robotest's choice (``auto``) has one setting to tune, how
many of a series' best candidates it mixes (``top``): it is fitted once per origin with the
largest ``top`` and each smaller one is the same fit's mix of fewer models (``with_top``). The
report picks the ``top`` of lowest mean WAPE on the tuning half and reports that ``auto``
against seasonal AutoARIMA, AutoETS and the customer's forecast on the held-out half: WAPE and
MASE per series and overall (the mean over series: each series counts once, whatever its
units), then the issue's targets.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Series, long_table, real_series  # noqa: E402

from robotest.forecast.backtest import BacktestResult, run_backtest  # noqa: E402
from robotest.forecast.data import Panel, build_panel  # noqa: E402
from robotest.forecast.errors import DataError  # noqa: E402
from robotest.forecast.models import (  # noqa: E402
    ChoiceConfig,
    ChoiceForecaster,
    LSTMConfig,
    Window,
)
from robotest.forecast.models.choice import DEFAULT_CANDIDATES  # noqa: E402

HORIZON = {"h": 24, "B": 10, "W": 13, "M": 12, "Q": 8, "Y": 6}
ORIGINS = 3
RIVALS = ["autoarima", "autoets", "autotheta", "seasonal_naive", "customer"]
TOPS = (1, 2, 3, 4)
HALVES = ("tune", "held-out")


def split(series: list[Series]) -> dict[str, str]:
    """Series name -> half: sorted by frequency (hourly, weekly, business days, monthly,
    quarterly, yearly), then by name, alternately; the lone hourly and weekly series fall in
    different halves."""
    order = "hWBMQY"
    ranked = sorted(series, key=lambda s: (order.index(s.kind), s.name))
    return {s.name: HALVES[k % 2] for k, s in enumerate(ranked)}


def panel_of(frame: pd.DataFrame, name: str) -> tuple[Panel, int]:
    """The series as ``rtest`` reads it: inferred frequency, gaps interpolated if any."""
    frame = frame.assign(line=np.arange(len(frame)) + 2)
    try:
        return build_panel(frame, None, name), 0
    except DataError as exc:
        if "has a gap" not in str(exc):
            raise
        panel = build_panel(frame, None, name, fill="interpolate")
        return panel, panel.filled


def add_auto(result: BacktestResult, config: ChoiceConfig, lstm: LSTMConfig | None) -> None:
    """``auto_topK`` paths: ``auto`` refitted at every origin (as the ``updated`` policy does),
    mixing the K best candidates, for every K of ``TOPS`` from one fit."""
    panel, horizon = result.panel, result.horizon
    paths: dict[int, list[np.ndarray]] = {top: [] for top in TOPS}
    for origin in result.origins:
        window = Window.of(panel, origin)
        model = ChoiceForecaster(replace(config, top=max(TOPS)), lstm)
        model.fit(window)
        parts = model.candidate_forecasts(window, panel.cf[:, origin : origin + horizon])
        for top in TOPS:
            paths[top].append(model.with_top(top).mix(window.ids, parts))
    for top in TOPS:
        result.forecasts[(f"auto_top{top}", "updated")] = np.stack(paths[top])


def run(series: list[Series], halves: dict[str, str], lstm: LSTMConfig | None) -> pd.DataFrame:
    candidates = DEFAULT_CANDIDATES + (() if lstm is None else ("lstm",))
    config = ChoiceConfig(candidates=candidates)
    rows = []
    order = "YQMBhW"  # the cheapest first: the long seasons (hourly 24, weekly 52) last
    for item in sorted(series, key=lambda s: order.index(s.kind)):
        start = time.perf_counter()
        panel, filled = panel_of(long_table(item), item.name)
        horizon = HORIZON[item.kind]
        result = run_backtest(
            panel, RIVALS, horizon=horizon, origins=ORIGINS, step=max(1, horizon // 2)
        )
        add_auto(result, config, lstm)
        summary = result.summary().set_index("model")
        seconds = time.perf_counter() - start
        for model in summary.index:
            rows.append(
                {
                    "series": item.name,
                    "half": halves[item.name],
                    "freq": panel.freq,
                    "periods": panel.y.shape[1],
                    "filled": filled,
                    "seconds": round(seconds),
                    "model": model,
                    "wape": summary.loc[model, "wape"],
                    "mase": summary.loc[model, "mase"],
                }
            )
        wape = summary["wape"].round(3).to_dict()
        print(f"{item.name} ({panel.freq}, {filled} filled) {seconds:.0f}s {wape}", flush=True)
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table of a frame with a named index (numbers to 3 significant digits)."""
    head = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, row in frame.iterrows():
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join([str(key), *cells]) + " |")
    return "\n".join(lines)


def tuned_top(table: pd.DataFrame) -> int:
    """The ``top`` of lowest mean WAPE over the tuning half's series."""
    tune = table[table["half"] == "tune"]
    means = {top: tune.loc[tune["model"] == f"auto_top{top}", "wape"].mean() for top in TOPS}
    print("\nTuning half: mean WAPE % of auto by top")
    for top, value in means.items():
        print(f"  top {top}: {100 * value:.2f}")
    return min(means, key=lambda top: means[top])


def report(table: pd.DataFrame) -> None:
    top = tuned_top(table)
    models = ["auto", *RIVALS]
    table = table.replace({"model": {f"auto_top{top}": "auto"}})
    for half in ("held-out", "tune"):
        part = table[table["half"] == half]
        title = (
            "HELD-OUT half (the result)" if half == "held-out" else "tuning half (for reference)"
        )
        print(f"\n## {title}: auto = top {top}, {part['series'].nunique()} series")
        print_half(part, models)


def print_half(part: pd.DataFrame, models: list[str]) -> None:
    wape = part.pivot(index="series", columns="model", values="wape")[models] * 100
    mase = part.pivot(index="series", columns="model", values="mase")[models]
    info = part.drop_duplicates("series").set_index("series")[["freq", "periods", "filled"]]
    both = info.join(wape.add_suffix(" WAPE")).join(mase.add_suffix(" MASE"))
    print("\nWAPE % and MASE per series\n")
    print(markdown(both))
    overall = pd.DataFrame({"WAPE % (mean over series)": wape.mean(), "MASE (mean)": mase.mean()})
    overall["series best (WAPE)"] = [int((wape.idxmin(axis=1) == m).sum()) for m in models]
    overall.index.name = "model"
    print("\nOverall\n")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated series names")
    parser.add_argument("--half", choices=[*HALVES, "both"], default="both")
    parser.add_argument("--no-lstm", action="store_true", help="leave the LSTM out of auto")
    parser.add_argument("--rows", type=Path, help="write the per-series rows to this CSV")
    parser.add_argument("--report", type=Path, nargs="+", help="report rows written before")
    args = parser.parse_args()
    if args.report:
        report(pd.concat([pd.read_csv(path) for path in args.report]))
        return
    series = real_series()
    halves = split(series)
    chosen = [
        s
        for s in series
        if (not args.only or s.name in args.only.split(","))
        and args.half in ("both", halves[s.name])
    ]
    began = time.perf_counter()
    table = run(chosen, halves, None if args.no_lstm else LSTMConfig())
    print(f"\n{len(chosen)} series in {time.perf_counter() - began:.0f} s")
    if args.rows:
        table.to_csv(args.rows, index=False)
    if table["half"].nunique() == 2:
        report(table)


if __name__ == "__main__":
    main()
