"""`rtest sim`: look at the simulated laptop, send it keys and clicks, save what it shows."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

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
    Any other line is a robot statement or Python, as in `rtest shell --station sim`
    (`await_text "BIOS Setup" within 60s`, `print(read_text right_of "EC Version")`).
    """
    from robotest.errors import RobotestError
    from robotest.sim.image import ProductImage

    try:
        product = ProductImage.load(image) if image is not None else ProductImage.golden()
        plan = _plan(keys, steps or [], advance, screen, frame)
        console = _Console.open(product, image, seed, camera_seed, realtime)
    except RobotestError as exc:
        raise _fail(str(exc)) from None
    try:
        for entry in plan:
            console.run(entry, stop_on_error=True)
        if interactive:
            console.interact()
        typer.echo(console.session.describe())
    except RobotestError as exc:  # the station could not open for a statement
        raise _fail(str(exc)) from None
    finally:
        console.close()
    raise typer.Exit(console.exit_code)


def _plan(
    keys: str, steps: list[str], advance: float, screen: Path | None, frame: Path | None
) -> list[str]:
    """The lines to run before any interaction; steps are checked before anything runs."""
    from robotest.sim.session import parse_step

    key_specs = keys.replace(",", " ").split()
    plan = ["press " + " ".join(key_specs)] if key_specs else []
    for text in steps:  # a malformed line is a one-line error now, not halfway
        if _is_statement(text):
            _check_statement(text)
        else:
            parse_step(text)
        plan.append(text)
    plan += [f"wait {advance}"] if advance else []
    plan += [_quoted("screen", screen)] if screen is not None else []
    plan += [_quoted("frame", frame)] if frame is not None else []
    return plan


def _quoted(verb: str, path: Path) -> str:
    import shlex

    return f"{verb} {shlex.quote(str(path))}"


# Step verbs that are also robot statements: a line with one of them that is not a
# well-formed step (`press F2 times 5 every 300ms`, `wait 2s`) is the statement.
_SHARED_VERBS = ("press", "type", "click", "wait")
_NUMBER = re.compile(r"[-+]?[0-9.]+")


def _is_statement(text: str) -> bool:
    """Whether a line is a robot statement or Python rather than one of the sim's steps."""
    from robotest.sim.session import STEP_HELP, StepError, parse_step

    verb = text.strip().split(" ", 1)[0].lower()
    if verb not in STEP_HELP:
        return True
    if verb not in _SHARED_VERBS:
        return False
    try:
        parse_step(text.strip())
    except StepError:  # numbers only (`wait -1`, `click 10`): a step gone wrong
        return not all(_NUMBER.fullmatch(word) for word in text.split()[1:])
    return False


def _check_statement(text: str) -> None:
    """A --step that is neither a step nor a statement: StepError naming both."""
    from robotest.dsl import RtestSyntaxError, compile_source
    from robotest.sim.session import STEP_HELP, StepError

    try:
        compile_source(text + "\n", "<step>", interactive=True)
    except RtestSyntaxError as exc:
        verb = text.strip().split(" ", 1)[0]
        first = str(exc).splitlines()[0]
        raise StepError(
            f"step {text!r}: unknown step {verb!r} (known: {', '.join(STEP_HELP)}) "
            f"and not a statement ({first})"
        ) from None


class _Console:
    """The sim's steps and robot statements on one simulated laptop: steps act on the
    laptop directly; statements run through the sim station's runtime (opened at the
    first statement), as `rtest shell --station sim` runs them."""

    def __init__(self, session: Any, station: Any, image: Path | None) -> None:
        self.session = session
        self.station = station
        self.image = image
        self.shell: Any = None
        self.outcomes: list[str] = []

    @classmethod
    def open(
        cls, product: Any, image: Path | None, seed: int, camera_seed: int | None, realtime: bool
    ) -> _Console:
        from robotest.drivers.clock import ManualClock
        from robotest.drivers.sim_station import open_sim_station
        from robotest.sim.session import SimSession

        station = open_sim_station(
            image=product, seed=seed, keyboard="usb", speed=1.0,
            clock=None if realtime else ManualClock(0.0),
        )  # fmt: skip
        session = SimSession(product, seed, camera_seed, laptop=station.laptop, clock=station.clock)
        return cls(session, station, image)

    @property
    def exit_code(self) -> int:
        from robotest.results.statuses import worst
        from robotest.runtime.shell_cli import EXIT_CODES

        return EXIT_CODES.get(worst(self.outcomes or ["passed"]), 2)

    def run(self, entry: str, *, stop_on_error: bool = False) -> None:
        """Run one line (a step or a statement) or block (statements)."""
        from robotest.errors import RobotestError

        text = entry.strip()
        if "\n" in text or _is_statement(text):
            outcome = self._statements().run(entry).status
            self.outcomes.append(outcome)
            if stop_on_error and outcome != "passed":
                raise typer.Exit(self.exit_code)
            return
        from robotest.sim.session import parse_step

        try:
            _show(self.session.run(parse_step(text)))
        except RobotestError as exc:
            if stop_on_error:
                raise _fail(str(exc)) from None
            typer.echo(f"error: {exc}", err=True)
            self.outcomes.append("error")

    def _statements(self) -> Any:
        """The shell on the sim station, opened (and calibrated) at the first statement."""
        if self.shell is None:
            from robotest.runtime.session import read_image
            from robotest.runtime.shell import Shell
            from robotest.runtime.shell_cli import shell_options
            from robotest.runtime.station_runtime import start_runtime
            from robotest.sim.icons import ICON_DIR

            info = read_image(self.image)
            options = shell_options(info.data, self.image, "sim")
            runtime = start_runtime(self.station, [ICON_DIR], options)
            self.shell = Shell(runtime, write=lambda text: typer.echo(text))
        return self.shell

    def interact(self) -> None:
        """Read lines from stdin until 'quit'; a bad line prints an error and goes on."""
        from robotest.runtime.shell import entries

        for entry in entries(self._lines()):
            self.run(entry)

    def _lines(self) -> Iterator[str]:
        prompt = sys.stdin.isatty()
        while True:
            if prompt:
                typer.echo("sim> ", nl=False)
            line = sys.stdin.readline()
            if not line or line.strip() in ("quit", "exit"):
                return
            yield line

    def close(self) -> None:
        """Leave the laptop with nothing held (the station's own clean-up)."""
        self.station.close()


def _show(line: str | None) -> None:
    if line:
        typer.echo(line)


def register(root: typer.Typer) -> None:
    """Add `rtest sim` to the root app."""
    root.add_typer(app, name="sim")
