"""`rtest sim`: look at the simulated laptop, send it keys and clicks, save what it shows."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Drive the simulated laptop and save its screen or camera frame as PNG.",
    subcommand_metavar="",
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


ImageOption = Annotated[
    Path | None,
    typer.Option("--image", "-i", help="Product image TOML (default: the golden image)."),
]
KeysOption = Annotated[
    str,
    typer.Option("--keys", "-k", help="Keys to press first, space or comma separated: 'Power F2'."),
]
StepOption = Annotated[
    list[str] | None,
    typer.Option("--step", "-s", help="A step, repeatable, in order: 'press F2', 'wait 5'..."),
]
AdvanceOption = Annotated[
    float, typer.Option("--advance", "-a", min=0.0, help="Seconds to let pass at the end.")
]
ScreenOption = Annotated[
    Path | None, typer.Option("--screen", help="Save the clean 1920x1080 screen (PNG).")
]
FrameOption = Annotated[Path | None, typer.Option("--frame", help="Save the camera frame (PNG).")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the laptop's faults and camera.")]
CameraSeedOption = Annotated[
    int | None, typer.Option("--camera-seed", help="Camera seed (default: --seed).")
]
RealtimeOption = Annotated[
    bool, typer.Option("--realtime", help="Run on the real clock (waits take real time).")
]
InteractiveOption = Annotated[
    bool, typer.Option("--interactive", help="Then read steps from standard input until 'quit'.")
]


@app.callback(invoke_without_command=True)
def sim(
    image: ImageOption = None,
    keys: KeysOption = "",
    steps: StepOption = None,
    advance: AdvanceOption = 0.0,
    screen: ScreenOption = None,
    frame: FrameOption = None,
    seed: SeedOption = 0,
    camera_seed: CameraSeedOption = None,
    realtime: RealtimeOption = False,
    interactive: InteractiveOption = False,
) -> None:
    """Drive the simulated laptop: --keys first, then each --step, then --advance; then save.

    Time is simulated unless --realtime: waiting costs nothing, a key is held 50 ms and
    keys are 100 ms apart. Steps: press KEYS, type TEXT, click X Y, double_click X Y,
    right_click X Y, move X Y, scroll DY, wait S, screen FILE.png, frame FILE.png, state.
    """
    from robotest.errors import RobotestError
    from robotest.sim.image import ProductImage
    from robotest.sim.session import SimSession, Step, parse_step

    try:
        product = ProductImage.load(image) if image is not None else ProductImage.golden()
        plan: list[Step] = []
        key_specs = keys.replace(",", " ").split()
        if key_specs:
            plan.append(parse_step("press " + " ".join(key_specs)))
        plan.extend(parse_step(text) for text in steps or [])
        if advance:
            plan.append(parse_step(f"wait {advance}"))
        if screen is not None:
            plan.append(Step("screen", (str(screen),), f"screen {screen}"))
        if frame is not None:
            plan.append(Step("frame", (str(frame),), f"frame {frame}"))
    except RobotestError as exc:
        raise _fail(str(exc)) from None
    session = SimSession(product, seed=seed, camera_seed=camera_seed, realtime=realtime)
    try:
        for step in plan:
            _show(session.run(step))
        if interactive:
            _interact(session)
        typer.echo(session.describe())
    except RobotestError as exc:
        raise _fail(str(exc)) from None
    finally:
        session.laptop.release_all()


def _show(line: str | None) -> None:
    if line:
        typer.echo(line)


def _interact(session: object) -> None:
    """Read steps from stdin; a bad step prints an error and the session goes on."""
    from robotest.sim.session import SimSession, StepError, parse_step

    assert isinstance(session, SimSession)
    prompt = sys.stdin.isatty()
    while True:
        if prompt:
            typer.echo("sim> ", nl=False)
        line = sys.stdin.readline()
        if not line or line.strip() in ("quit", "exit"):
            return
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            _show(session.run(parse_step(line.strip())))
        except StepError as exc:
            typer.echo(f"error: {exc}", err=True)


def register(root: typer.Typer) -> None:
    """Add `rtest sim` to the root app."""
    root.add_typer(app, name="sim")
