"""`rtest forecast ...`: backtest, fit, predict, parts and serve.

Heavy libraries (torch, statsmodels, pandas) load inside the commands. A mistake in the input
prints one line ``error: ...`` on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from robotest.settings import settings, variable

app = typer.Typer(
    name="forecast",
    help="Parts demand forecasting: backtest, fit, predict, parts, serve.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

TOKEN_ENV = variable("forecast_token")


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the plugin's own errors and unreadable files into one-line errors, exit 2."""
    from robotest.forecast.errors import ForecastError

    try:
        yield
    except ForecastError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None


def _emit(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rows, indent=1))
    else:
        import pandas as pd

        sys.stdout.write(pd.DataFrame(rows).to_csv(index=False))


FREQ_HELP = (
    "hourly, daily, business, weekly, monthly, quarterly, yearly or a pandas alias such as "
    "W-SUN (inferred from the dates if omitted)."
)
CANDIDATES_HELP = (
    "Candidates of the auto model, comma-separated (add lstm to try it). Default: all the "
    "classical models and customer; from 1,000 commodities on, the scale set "
    "autotheta,seasonal_naive,croston,tsb,customer."
)
FILL_HELP = "Fill missing periods: zero (no orders) or interpolate (default: a gap is an error)."


def _note(message: str) -> None:
    """A remark about what the command chose for the user, on stderr."""
    typer.echo(f"note: {message}", err=True)


def _print_table(report: dict[str, Any], horizon: int) -> None:
    """The summary as a rich table, one row per model and policy."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=(
            f"{report['commodities']} commodities ({report['freq']}), "
            f"{len(report['origins'])} origins ({report['origins'][0]} .. "
            f"{report['origins'][-1]}), horizon {horizon}"
        )
    )
    for column in ("model", "policy", "mae", "rmse", "wape", "smape", "mase", "seconds"):
        table.add_column(column, justify="left" if column in ("model", "policy") else "right")
    for row in report["summary"]:
        cells = [row["model"], row["policy"]]
        cells += ["-" if row[m] is None else f"{row[m]:.3f}" for m in report["metrics"]]
        key = f"{row['model']}/{row['policy']}"
        cells.append(f"{report['seconds'].get(key, 0.0):.1f}")
        table.add_row(*cells)
    Console(width=120).print(table)


def _format(as_json: bool, as_csv: bool) -> bool:
    """True for JSON; CSV is the default; both at once is a mistake."""
    if as_json and as_csv:
        raise fail("choose one of --json and --csv")
    return as_json


@app.command()
def backtest(
    data: Annotated[Path, typer.Argument(help="History CSV: unique_id, ds, y, customer_forecast.")],
    models: Annotated[
        str, typer.Option(help="Comma-separated models to compare (auto: robotest's choice).")
    ] = "auto,autoarima,autoets,autotheta,customer,snaive",
    horizon: Annotated[int, typer.Option(help="Periods ahead forecast from each origin.")] = 8,
    origins: Annotated[int, typer.Option(help="Number of forecast origins (cut-offs).")] = 6,
    step: Annotated[int, typer.Option(help="Periods between consecutive origins.")] = 1,
    policy: Annotated[
        str, typer.Option(help="updated (refit at every origin), never, or both.")
    ] = "updated",
    freq: Annotated[str | None, typer.Option(help=FREQ_HELP)] = None,
    fill: Annotated[str | None, typer.Option(help=FILL_HELP)] = None,
    plots: Annotated[Path | None, typer.Option(help="Write PNG plots into this folder.")] = None,
    plot: Annotated[
        str | None, typer.Option(help="Plot this commodity (unique_id) to --plot-file.")
    ] = None,
    plot_file: Annotated[
        Path | None, typer.Option(help="PNG for --plot (default: backtest-<unique_id>.png).")
    ] = None,
    candidates: Annotated[str | None, typer.Option(help=CANDIDATES_HELP)] = None,
    jobs: Annotated[int, typer.Option(help="Processes for model fitting.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Rolling-origin backtest: error of each model by horizon and commodity."""
    from robotest.forecast.plugin import backtest as run

    if policy not in ("updated", "never", "both"):
        raise fail(f"unknown policy '{policy}' (use updated, never or both)")
    if plot_file is not None and plot is None:
        raise fail("--plot-file needs --plot UNIQUE_ID")
    target = plot_file or (Path(f"backtest-{plot}.png") if plot else None)
    with user_errors():
        report = run(
            data,
            models,
            horizon,
            origins,
            step,
            policy,
            freq,
            plots,
            jobs,
            fill=fill,
            plot=(plot, target) if plot and target else None,
            candidates=candidates,
            notify=_note,
        )
    if as_json:
        typer.echo(json.dumps(report, indent=1))
        return
    _print_table(report, horizon)
    if target is not None:
        typer.echo(f"plot of {plot}: {target}")


@app.command()
def fit(
    data: Annotated[Path, typer.Argument(help="History CSV: unique_id, ds, y, customer_forecast.")],
    out: Annotated[Path, typer.Option(help="Model directory to write.")],
    model: Annotated[
        str,
        typer.Option(
            help="auto (robotest's choice), lstm, lstm_global, autoarima, autoarimax, autoets, "
            "autotheta, seasonal_naive, croston, tsb, arima, arimax, customer or snaive."
        ),
    ] = "lstm",
    freq: Annotated[str | None, typer.Option(help=FREQ_HELP)] = None,
    fill: Annotated[str | None, typer.Option(help=FILL_HELP)] = None,
    candidates: Annotated[str | None, typer.Option(help=CANDIDATES_HELP)] = None,
    jobs: Annotated[int, typer.Option(help="Processes for model fitting.")] = 1,
) -> None:
    """Fit a model on the whole history and save it for `predict`."""
    from robotest.forecast.plugin import fit as run

    with user_errors():
        path = run(
            data, out, model, freq, fill=fill, candidates=candidates, n_jobs=jobs, notify=_note
        )
    typer.echo(f"fitted {model} on {data} -> {path}")


@app.command()
def predict(
    model_dir: Annotated[Path, typer.Argument(help="Directory written by `rtest forecast fit`.")],
    future: Annotated[
        Path, typer.Option(help="CSV of periods to predict: unique_id, ds, customer_forecast.")
    ],
    history: Annotated[
        Path | None, typer.Option(help="New periods since the fit (same columns as the history).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (the default).")] = False,
) -> None:
    """Forecast each row of FUTURE.csv: prints unique_id, ds, forecast."""
    from robotest.forecast.plugin import predict as run

    use_json = _format(as_json, as_csv)
    with user_errors():
        rows = run(model_dir, future, history)
    _emit(rows, use_json)


@app.command()
def parts(
    predictions: Annotated[Path, typer.Argument(help="Predictions CSV: unique_id, ds, forecast.")],
    bom: Annotated[
        Path, typer.Argument(help="Bill of materials: finished_good, part, quantity_per_unit.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (the default).")] = False,
) -> None:
    """Part demand per period: prints part, ds, demand."""
    from robotest.forecast.plugin import parts as run

    use_json = _format(as_json, as_csv)
    with user_errors():
        rows = run(predictions, bom)
    _emit(rows, use_json)


@app.command()
def serve(
    data_dir: Annotated[
        Path, typer.Option(help="Folder for posted data, models and predictions.")
    ] = Path("forecast-service"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    token: Annotated[str | None, typer.Option(help=f"API token (default: ${TOKEN_ENV}).")] = None,
    horizon: Annotated[int, typer.Option(help="Periods predicted after the last actual.")] = 8,
    model: Annotated[str, typer.Option(help="Model the service trains.")] = "lstm",
    freq: Annotated[str | None, typer.Option(help=FREQ_HELP)] = None,
    fill: Annotated[
        str, typer.Option(help="Missing periods of posted data: zero, interpolate or none (error).")
    ] = "zero",
) -> None:
    """HTTP API between the ERP and the training machine (token required)."""
    secret = token or settings().forecast_token
    if not secret:
        raise fail(f"no token: pass --token or set {TOKEN_ENV}")
    import uvicorn

    from robotest.forecast.service import ServiceConfig, create_app

    with user_errors():
        config = ServiceConfig(
            data_dir, secret, horizon, model, freq, fill=None if fill == "none" else fill
        )
        api = create_app(config)
    uvicorn.run(api, host=host, port=port, log_level="warning")
