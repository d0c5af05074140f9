"""`rtest inspect serve|review|update|token|models ...|line ...`: inspection in production.

Every command works on a registry folder (``--home``, default ``$ROBOTEST_EDGE_HOME`` or
``inspection-edge``). Heavy libraries load inside the commands.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

HomeOption = Annotated[
    Path,
    typer.Option(
        "--home",
        help="Registry folder (default $ROBOTEST_EDGE_HOME or ./inspection-edge).",
        default_factory=lambda: Path(os.environ.get("ROBOTEST_EDGE_HOME", "inspection-edge")),
    ),
]
LineOption = Annotated[str, typer.Option("--line", help="Production line name.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]

models_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Registered model versions: add, list, compare, promote.",
)
line_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Production lines: threshold, ROI, band, beta, data sets.",
)


def register(app: typer.Typer, guard: Callable[[Any], Any]) -> None:
    """Add the production commands to `rtest inspect`; *guard* turns errors into one line."""
    commands: list[tuple[typer.Typer, str, Callable[..., None]]] = [
        (models_app, "add", models_add),
        (models_app, "list", models_list),
        (models_app, "compare", models_compare),
        (models_app, "promote", models_promote),
        (line_app, "set", line_set),
        (line_app, "show", line_show),
    ]
    for group, name, command in commands:
        group.command(name)(guard(command))
    app.add_typer(models_app, name="models")
    app.add_typer(line_app, name="line")
    app.command("serve")(guard(serve_command))
    app.command("review")(guard(review_command))
    app.command("update")(guard(update_command))
    app.command("token")(guard(token_command))


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def models_add(
    model_dir: Annotated[Path, typer.Argument(help="A model folder from `rtest inspect train`.")],
    holdout: Annotated[
        Path,
        typer.Option(
            help="Held-out data set (test/ with good and "
            "defective units) the metrics are measured on."
        ),
    ],
    home: HomeOption,
) -> None:
    """Register a trained model as a version, with its metrics on the held-out set."""
    from robotest.inspection.edge.updates import holdout_metrics
    from robotest.inspection.registry import LineConfig, Registry

    metrics = holdout_metrics(model_dir, LineConfig("registration"), str(holdout))
    version = Registry(home).add_version(model_dir, metrics)
    typer.echo(
        f"registered {version.name}: "
        + ", ".join(f"{k} {v}" for k, v in metrics.items() if k != "holdout")
    )


def models_list(home: HomeOption, as_json: JsonOption = False) -> None:
    """List the registered versions, oldest first, and the lines that run them."""
    from robotest.inspection.registry import Registry

    registry = Registry(home)
    running = {line.version: line.name for line in registry.lines()}
    versions = registry.versions()
    if as_json:
        _echo([{**v.to_json(), "runs_on": running.get(v.name)} for v in versions])
        return
    for v in versions:
        where = f"  [running on {running[v.name]}]" if v.name in running else ""
        typer.echo(
            f"{v.name}  {v.origin:8}  f1 {v.metrics.get('f1')}  image_auroc "
            f"{v.metrics.get('image_auroc')}  parent {v.parent or '-'}{where}"
        )


def models_compare(
    first: Annotated[str, typer.Argument(help="A version name.")],
    second: Annotated[str, typer.Argument(help="Another version name.")],
    home: HomeOption,
    as_json: JsonOption = False,
) -> None:
    """Two versions' held-out metrics side by side."""
    from robotest.inspection.registry import Registry

    rows = Registry(home).compare(first, second)
    if as_json:
        _echo([{"metric": m, first: a, second: b} for m, a, b in rows])
        return
    typer.echo(f"{'metric':>14}  {first}  {second}")
    for metric, a, b in rows:
        typer.echo(f"{metric:>14}  {a}  {b}")


def models_promote(
    version: Annotated[str, typer.Argument(help="The version to run.")],
    line: LineOption,
    home: HomeOption,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Promote even if it measures worse than the running version (recorded)."
        ),
    ] = False,
) -> None:
    """Make LINE run VERSION if it is at least as good on the line's held-out set."""
    from robotest.inspection.edge.units import UnitStore
    from robotest.inspection.edge.updates import Updates
    from robotest.inspection.registry import Registry

    registry = Registry(home)
    update = Updates(registry, UnitStore(registry.db)).propose(line, version, force=force)
    typer.echo(("FORCED: " if update.forced else "") + update.reason)
    if not update.promoted:
        raise typer.Exit(1)


def line_set(
    name: Annotated[str, typer.Argument(help="Line name.")],
    home: HomeOption,
    threshold: Annotated[
        float | None,
        typer.Option(help="Decision threshold as a factor on the model's δ (1.0 = as trained)."),
    ] = None,
    roi: Annotated[
        str | None,
        typer.Option(
            help="x,y,w,h of the product in this line's pictures, or 'model' for the model's own."
        ),
    ] = None,
    review_rate: Annotated[
        float | None,
        typer.Option(help="Share of held-out good units the review band may take (sets the band)."),
    ] = None,
    beta: Annotated[
        float | None, typer.Option(help="Failed-sample ratio past which a full retrain runs.")
    ] = None,
    cycle_ms: Annotated[float | None, typer.Option(help="The line's cycle time in ms.")] = None,
    idle_s: Annotated[
        float | None, typer.Option(help="Seconds without a unit before updates may run.")
    ] = None,
    ok_sample: Annotated[
        float | None,
        typer.Option(help="Share of OK units whose picture is archived (NG ones always are)."),
    ] = None,
    keep_days: Annotated[
        float | None, typer.Option(help="Archived pictures older than this many days are deleted.")
    ] = None,
    keep_gb: Annotated[
        float | None,
        typer.Option(help="The archive's size limit in GB (the oldest pictures go first)."),
    ] = None,
    train: Annotated[Path | None, typer.Option(help="Training data set (train/good).")] = None,
    holdout: Annotated[Path | None, typer.Option(help="Held-out data set (test/).")] = None,
) -> None:
    """Create a line or change its settings."""
    from robotest.inspection.registry import Registry
    from robotest.inspection.roi import Roi

    settings: dict[str, Any] = {
        k: v
        for k, v in {
            "threshold": threshold,
            "review_rate": review_rate,
            "beta": beta,
            "cycle_ms": cycle_ms,
            "idle_s": idle_s,
            "ok_sample": ok_sample,
            "keep_days": keep_days,
            "keep_gb": keep_gb,
        }.items()
        if v is not None
    }
    if roi is not None:
        settings["roi"] = None if roi == "model" else Roi.parse(roi).as_list()
    for key, folder in (("train_data", train), ("holdout", holdout)):
        if folder is not None:
            settings[key] = str(folder.resolve())
    _echo(Registry(home).configure_line(name, **settings).to_json())


def line_show(name: Annotated[str, typer.Argument(help="Line name.")], home: HomeOption) -> None:
    """A line's settings, review band, unit counts, review queue and failed-sample ratio."""
    from robotest.inspection.edge.calibration import calibrate
    from robotest.inspection.edge.review import failed_sample_ratio
    from robotest.inspection.edge.units import UnitStore
    from robotest.inspection.registry import Registry

    registry = Registry(home)
    config = registry.line(name)
    units = UnitStore(registry.db)
    shown: dict[str, Any] = {
        **config.to_json(),
        "counts": units.verdict_counts(name),
        "queue": len(units.queue(name, config.version)),
        "failed_sample_ratio": round(failed_sample_ratio(units, config), 4),
    }
    if config.version is not None:
        calibration = calibrate(registry.load_for_line(config), config.holdout)
        shown["band"] = [round(v, 4) for v in calibration.band(config.review_rate)]
        shown["calibration_units"] = calibration.units
        shown["holdout_good_in_review"] = round(calibration.review_share(config.review_rate), 4)
        if problem := calibration.too_few(config.review_rate):
            shown["band_warning"] = problem
    _echo(shown)


def serve_command(
    line: LineOption,
    home: HomeOption,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port (API and console).")] = 8470,
    tcp_port: Annotated[int, typer.Option(help="Plain TCP port for line equipment.")] = 8471,
    idle_updates: Annotated[
        bool, typer.Option("--idle-updates/--no-idle-updates", help="Run due updates at idle time.")
    ] = True,
    finetune_epochs: Annotated[int, typer.Option(help="Epochs of a fine-tune.")] = 5,
    retrain_epochs: Annotated[
        int | None, typer.Option(help="Epochs of a retrain (default per model).")
    ] = None,
    open_units: Annotated[
        bool,
        typer.Option(
            "--open-units",
            help="Accept unit posts without a line token (a closed line "
            "network only; the console shows it).",
        ),
    ] = False,
) -> None:
    """Serve LINE: judge units over HTTP and TCP, queue uncertain ones, update at idle time."""
    import asyncio

    from robotest.inspection.edge.serve import ServeOptions, serve
    from robotest.inspection.edge.updates import UpdateOptions
    from robotest.inspection.registry import Registry

    Registry(home).load_for_line(Registry(home).line(line))  # fail fast, one line
    options = ServeOptions(
        host=host,
        port=port,
        tcp_port=tcp_port,
        idle_updates=idle_updates,
        update=UpdateOptions(finetune_epochs=finetune_epochs, retrain_epochs=retrain_epochs),
        open_units=open_units,
    )
    typer.echo(
        f"line {line}: console and API on http://{host}:{port}/, TCP on {host}:{tcp_port}"
        + (", unit posts open (--open-units)" if open_units else "")
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(home, line, options))


def review_command(
    line: LineOption,
    home: HomeOption,
    unit: Annotated[
        list[str] | None, typer.Argument(help="Unit(s) to review alike (omit to list the queue).")
    ] = None,
    verdict: Annotated[str | None, typer.Option(help="Stage 1: correct or wrong.")] = None,
    attention: Annotated[str | None, typer.Option(help="Stage 2: well or wrong_place.")] = None,
    ng: Annotated[
        bool,
        typer.Option(
            "--ng",
            help="List the archived NG units nobody reviewed yet instead of the queue "
            "(clear NG units of a new lot never enter the queue).",
        ),
    ] = False,
) -> None:
    """List the review queue of LINE, or record a review of UNIT(s) (several: alike)."""
    from robotest.inspection.edge.units import UnitStore
    from robotest.inspection.registry import Registry, now

    registry = Registry(home)
    registry.line(line)
    units = UnitStore(registry.db)
    if not unit:
        listed = (
            [u for u in units.archived(line) if u.verdict == "NG" and u.review_verdict is None]
            if ng
            else units.queue(line, registry.line(line).version)
        )
        _echo(
            [
                {
                    **u.answer(),
                    "received_at": u.received_at,
                    "review_verdict": u.review_verdict,
                    "heatmap": u.folder and str(Path(u.folder) / "heatmap.png"),
                }
                for u in listed
            ]
        )
        return
    for record in units.review_many(line, unit, verdict=verdict, attention=attention, at=now()):
        typer.echo(
            f"{record.unit}: verdict {record.verdict} marked {record.review_verdict}, "
            f"attention {record.review_attention or 'not yet reviewed'}"
        )


def update_command(
    line: LineOption,
    home: HomeOption,
    kind: Annotated[
        str, typer.Option(help="due (what the line needs), finetune or retrain.")
    ] = "due",
    epochs: Annotated[int | None, typer.Option(help="Training epochs.")] = None,
) -> None:
    """Run an update of LINE now; it is promoted only if it measures at least as well."""
    from robotest.inspection.edge.units import UnitStore
    from robotest.inspection.edge.updates import UpdateOptions, Updates
    from robotest.inspection.errors import InspectionError
    from robotest.inspection.registry import Registry

    registry = Registry(home)
    options = (
        UpdateOptions()
        if epochs is None
        else UpdateOptions(finetune_epochs=epochs, retrain_epochs=epochs)
    )
    updates = Updates(registry, UnitStore(registry.db), options)
    if kind == "due":
        done = updates.run_due(line)
    elif kind in ("finetune", "retrain"):
        done = updates.finetune(line) if kind == "finetune" else updates.retrain(line)
    else:
        raise InspectionError(f"update kind must be due, finetune or retrain, got {kind!r}")
    typer.echo("no update due" if done is None else f"{done.kind} {done.candidate}: {done.reason}")


def token_command(
    name: Annotated[str, typer.Argument(help="Who or what holds it (a PLC, a person).")],
    home: HomeOption,
    role: Annotated[str | None, typer.Option(help="line, reviewer or engineer.")] = None,
    line: Annotated[
        str | None, typer.Option("--line", help="The line it is valid on ('*': every line).")
    ] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="End NAME's tokens.")] = False,
) -> None:
    """Make an access token (printed once, stored hashed), or revoke NAME's tokens."""
    from robotest.inspection.edge.auth import Tokens
    from robotest.inspection.errors import InspectionError
    from robotest.inspection.registry import Registry

    tokens = Tokens(Registry(home))
    if revoke:
        typer.echo(f"revoked {tokens.revoke(name)} token(s) of {name}")
        return
    if role is None or line is None:
        raise InspectionError("a token needs --role (line, reviewer or engineer) and --line")
    typer.echo(tokens.create(name, role, line))
