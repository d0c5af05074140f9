"""PNG plots of a backtest (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robotest.forecast.backtest import BacktestResult


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_commodity(result: BacktestResult, index: int, path: Path, policy: str = "updated") -> Path:
    """Actuals, the customer's forecast and each model's forecasts from every origin."""
    plt = _pyplot()
    panel = result.panel
    first = max(0, result.origins[0] - 2 * result.horizon)
    last = result.origins[-1] + result.horizon
    dates = panel.dates[first:last]
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=80)
    ax.plot(dates, panel.y[index, first:last], color="black", lw=1.6, label="actual")
    ax.plot(dates, panel.cf[index, first:last], color="grey", lw=1, ls="--", label="customer said")
    colors = plt.get_cmap("tab10")
    models = [m for (m, p) in result.forecasts if p == policy and m != "customer"]
    for j, model in enumerate(models):
        paths = result.forecasts[(model, policy)][:, index, :]
        for k, origin in enumerate(result.origins):
            span = panel.dates[origin : origin + result.horizon]
            ax.plot(
                span,
                paths[k, : len(span)],
                color=colors(j),
                lw=1,
                alpha=0.8,
                label=model if k == 0 else None,
            )
    ax.set_title(f"{panel.ids[index]}: forecasts from {len(result.origins)} origins ({policy})")
    ax.set_ylabel("demand")
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_summary(result: BacktestResult, path: Path) -> Path:
    """WAPE by model (bars: solid updated, hatched never) and by horizon (lines)."""
    from robotest.forecast.backtest import STATELESS

    plt = _pyplot()
    keep = lambda frame: frame[~(frame["model"].isin(STATELESS) & (frame["policy"] == "never"))]  # noqa: E731
    summary, by_h = keep(result.summary()), keep(result.by_horizon())
    models = list(dict.fromkeys(summary["model"]))
    color = {m: plt.get_cmap("tab10")(k) for k, m in enumerate(models)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=72)
    for k, row in enumerate(summary.itertuples()):
        hatch = "//" if row.policy == "never" else None
        left.bar(k, row.wape * 100, color=color[row.model], hatch=hatch, edgecolor="white")
    left.set_xticks(range(len(summary)))
    left.set_xticklabels(
        [
            m if m in STATELESS else f"{m}\n{p}"
            for m, p in zip(summary["model"], summary["policy"], strict=True)
        ],
        fontsize=7,
    )
    left.set_ylabel("WAPE %")
    for (model, policy), rows in by_h.groupby(["model", "policy"], sort=False):
        right.plot(
            rows["horizon"],
            rows["wape"] * 100,
            marker="o",
            ms=3,
            color=color[model],
            ls=":" if policy == "never" else "-",
            label=model if model in STATELESS else f"{model} ({policy})",
        )
    right.set_xlabel("horizon (periods ahead)")
    right.set_ylabel("WAPE %")
    right.legend(fontsize=7, ncol=2)
    fig.suptitle(f"Backtest: {len(result.panel.ids)} commodities, {len(result.origins)} origins")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_all(result: BacktestResult, directory: Path) -> list[Path]:
    """The summary plot and one plot per commodity into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [plot_summary(result, directory / "summary.png")]
    policy = "updated" if any(p == "updated" for _, p in result.forecasts) else "never"
    for i, uid in enumerate(result.panel.ids):
        if np.isfinite(result.panel.y[i]).any():
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in uid)
            written.append(plot_commodity(result, i, directory / f"{safe}.png", policy))
    return written
