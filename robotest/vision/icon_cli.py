"""`rtest icon ...`: manage icon versions (capture a new look from a screen)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="icon",
    help="Icon versions: capture a new look from a screen image.",
    no_args_is_help=True,
)


@app.command("capture")
def capture(
    name: Annotated[str, typer.Argument(help="Icon name: the folder DIR/NAME of its versions.")],
    source: Annotated[
        Path, typer.Option("--from", help="Screen image (PNG) to cut the new version from.")
    ],
    box: Annotated[str, typer.Option("--box", help="The icon's box on the screen: x,y,w,h.")],
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
    from robotest.vision.capture import capture as capture_version
    from robotest.vision.errors import VisionInputError
    from robotest.vision.images import parse_region

    try:
        done = capture_version(source, parse_region(box), name, into, mask)
    except VisionInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(done.to_dict()) if as_json else done.summary())
