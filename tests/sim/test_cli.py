"""`rtest sim`: drive the laptop from the command line, save screens and frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from robotest.cli import app
from robotest.sim import ProductImage
from robotest.sim.session import SimSession, StepError, parse_step

from .conftest import ocr

runner = CliRunner()


def test_power_advance_saves_screen_and_frame(tmp_path: Path) -> None:
    screen, frame = tmp_path / "screen.png", tmp_path / "frame.png"
    result = runner.invoke(
        app,
        [
            "sim",
            "--keys",
            "Power",
            "--advance",
            "1",
            "--screen",
            str(screen),
            "--frame",
            str(frame),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "state: post" in result.output
    picture = cv2.imread(str(screen))
    assert picture.shape == (1080, 1920, 3)
    assert "Press F2 to enter Setup" in ocr(picture, (40, 900, 900, 1050))
    assert cv2.imread(str(frame)).shape == (2048, 2448, 3)


def test_steps_run_in_order(tmp_path: Path) -> None:
    out = tmp_path / "terminal.png"
    result = runner.invoke(
        app,
        [
            "sim", "-k", "Power", "-s", "wait 11", "-s", "type factory", "-s", "press Enter",
            "-s", "double_click 90 72", "-s", "type 'echo hi there'", "-s", "press Enter",
            "-s", f"screen {out}",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "state: terminal" in result.output
    assert "hi there" in ocr(cv2.imread(str(out)), (420, 154, 1500, 300))


def test_image_file_and_faults_are_used(tmp_path: Path) -> None:
    from robotest.sim.image import GOLDEN_PATH

    path = tmp_path / "bad.toml"
    path.write_text(GOLDEN_PATH.read_text().replace('bios_version = ""', 'bios_version = "6.6.6"'))
    out = tmp_path / "bios.png"
    result = runner.invoke(
        app, ["sim", "--image", str(path), "-k", "Power F2 Down", "--screen", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "6.6.6" in ocr(cv2.imread(str(out)), (60, 150, 1340, 210))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "presss F2"], "unknown step 'presss'"),
        (["-s", "click 10"], "usage: click X Y"),
        (["-s", "wait -1"], "wait between 0 and 1e6 seconds"),
        (["-k", "Power+Hyper"], "unknown key 'Hyper'"),
        (["--image", "/no/such.toml"], "no such file"),
        (["--screen", "/no/such/folder/x.png"], "does not exist"),
        (["--screen", "x.jpg"], "use a .png file name"),
    ],
)
def test_user_mistakes_give_one_line_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["sim", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_interactive_session_reads_steps_until_quit(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["sim", "--interactive"],
        input="press Power\nscreen x.jpg\npress F2\nstate\nquit\npress F12\n",
    )
    assert result.exit_code == 2  # the worst line: an error
    assert "state: bios" in result.output
    assert "pictures are saved as PNG" in result.output


def test_the_sim_takes_the_statements_of_scripts_beside_its_steps(tmp_path: Path) -> None:
    """Robot statements and Python run on the same laptop as the manual steps, on the
    simulated clock; a failed statement is reported and sets the exit code."""
    lines = [
        "press Power",
        'await_text "Press F2" within 2min',
        "press F2 times 5 every 300ms",
        'await_text "BIOS Setup Utility" within 60s',
        'version = read_text right_of "EC Version"',
        "print(version * 2)",
        "state",
        "for key in ['Right', 'Right']:",
        "    press key",
        "",
        f"screen {tmp_path / 'after.png'}",
        "undefined_name",
        'await_text "No such words" within 2s',
    ]
    result = runner.invoke(app, ["sim", "--interactive"], input="\n".join(lines) + "\n")
    assert "2.142.14" in result.output
    assert "state: bios" in result.output
    assert (tmp_path / "after.png").is_file()
    assert "NameError: name 'undefined_name' is not defined" in result.output
    assert "failed: TextNotFound: 'No such words' not on screen within 2s" in result.output
    assert result.exit_code == 1


def test_a_failing_statement_step_stops_the_plan() -> None:
    result = runner.invoke(
        app,
        ["sim", "--step", "press Power", "--step", 'await_text "Nope" within 1s',
         "--step", "state"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "failed: TextNotFound: 'Nope'" in result.output
    assert "state:" not in result.output


def test_session_presses_chords_and_releases_everything() -> None:
    session = SimSession(ProductImage.golden())
    session.laptop.enter("desktop")
    session.run(parse_step("double_click 90 72"))
    session.run(parse_step("press shift+a b"))
    assert session.laptop.current_screen.focused.typed == "Ab"  # type: ignore[attr-defined]
    assert not session.laptop.held_keys


@given(st.text(max_size=40))
def test_parse_step_accepts_or_explains(text: str) -> None:
    try:
        step = parse_step(text)
    except StepError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert step.verb in {
            "press", "type", "click", "double_click", "right_click", "move", "scroll", "wait",
            "screen", "frame", "state",
        }  # fmt: skip
