"""`rtest icon ...`: manage icon versions (capture a new look from a screen)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="icon",
    help="Icon versions: capture a new look from a screen image.",
    no_args_is_help=True,
)


@app.command("capture")
def capture(
    name: Annotated[str, typer.Argument(help="Icon name: the folder DIR/NAME of its versions.")],
    box: Annotated[str, typer.Option("--box", help="The icon's box on the screen: x,y,w,h.")],
    source: Annotated[
        Path | None, typer.Option("--from", help="Screen image (PNG) to cut the new version from.")
    ] = None,
    step: Annotated[
        int | None,
        typer.Option(
            "--step",
            help="Cut it from the screen a step saw instead: the step id a report shows "
            "(a failed icon search: the bare screen under its picture).",
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Results database of --step (default: as `rtest results`)."),
    ] = None,
    into: Annotated[
        Path, typer.Option("--into", help="Icon folder of the suite (e.g. scripts/icons).")
    ] = Path("icons"),
    mask: Annotated[
        str | None,
        typer.Option(
            "--mask",
            help="Alpha mask: a grey PNG of the box's size (white = compare), or 'auto' "
            "(the border's colour is left out). Default: every pixel counts.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Write DIR/NAME/<n>.png from BOX of the screen, then score every version on it."""
    from robotest.errors import RobotestError
    from robotest.vision.capture import capture_from
    from robotest.vision.images import parse_region

    if (source is None) == (step is None):
        typer.echo("error: give the screen with either --from IMAGE or --step ID", err=True)
        raise typer.Exit(2)
    try:
        screen = _screen_of(source, step, db)
        done = capture_from(screen, parse_region(box), name, into, mask)
    except RobotestError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(done.to_dict()) if as_json else done.summary())


def _screen_of(source: Path | None, step: int | None, db: Path | None) -> Any:
    """The screen image of --from, or of --step in the results database."""
    from robotest.image_decoding import decode_image_file
    from robotest.runtime.results_location import find_results_db
    from robotest.runtime.store import ResultStore
    from robotest.vision.errors import VisionInputError
    from robotest.vision.images import load_image

    if source is not None:
        return load_image(source)
    database = find_results_db(db)  # as `rtest results` finds it
    if not database.is_file():
        raise VisionInputError(f"no results database at {database} (give it with --db)")
    with ResultStore(database) as store:
        found = store.step_screen(int(step or 0))
    if found is None:
        raise VisionInputError(f"{database}: no step {step} with a screen")
    return decode_image_file(found, f"step {step}", flags=1)  # 1: cv2.IMREAD_COLOR
