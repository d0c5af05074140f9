"""The `rtest vision` command-line contract: JSON keys, exit 0 when it ran, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from robotest.cli import app

from .conftest import MONO, icon_image, paste, photograph, text_screen

runner = CliRunner()
# a camera's view of a 16:9 screen (as in test_calibration): an outline no camera can
# see a 640x360 screen as is refused
CORNERS = np.array([[109.1, 145.1], [757.8, 185.0], [729.9, 518.2], [112.5, 530.9]])


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["vision", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    screen = text_screen([(200, 40, "BIOS Version"), (400, 40, "1.07.3")], (640, 360), font=MONO)
    paste(screen, icon_image(1), 60, 150)
    cv2.rectangle(screen, (0, 330), (640, 360), (60, 60, 60), -1)
    icon = tmp_path / "icon"
    icon.mkdir()
    cv2.imwrite(str(icon / "v1.png"), icon_image(1))
    cv2.imwrite(str(icon / "v2.png"), icon_image(2))
    paths = {"screen": tmp_path / "screen.png", "frame": tmp_path / "frame.png", "icon": icon}
    cv2.imwrite(str(paths["screen"]), screen)
    cv2.imwrite(str(paths["frame"]), photograph(screen, CORNERS, (900, 700)))
    paths["bad"] = tmp_path / "bad.png"
    paths["bad"].write_bytes(b"not a png")
    paths["cal"] = tmp_path / "cal.json"
    return paths


def test_calibrate_prints_the_contract_and_saves(files: dict[str, Path]) -> None:
    code, out, _ = _run(
        "calibrate",
        str(files["frame"]),
        "--screen",
        "640x360",
        "--save",
        str(files["cal"]),
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"corners", "homography", "confidence"}
    assert len(data["corners"]) == 4 and len(data["homography"]) == 3
    assert files["cal"].is_file()


def test_locate_in_a_frame_through_the_calibration(files: dict[str, Path]) -> None:
    _run("calibrate", str(files["frame"]), "--screen", "640x360", "--save", str(files["cal"]))
    code, out, _ = _run(
        "locate",
        str(files["frame"]),
        str(files["icon"]),
        "--calibration",
        str(files["cal"]),
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"found", "box", "center", "score", "scale", "version"}
    assert data["found"] is True and data["version"] == "v1.png"
    assert abs(data["box"][0] - 60) <= 2 and abs(data["box"][1] - 150) <= 2


def test_locate_not_found_still_exits_0(files: dict[str, Path]) -> None:
    code, out, _ = _run(
        "locate", str(files["screen"]), str(files["icon"]), "--region", "300,100,300,200", "--json"
    )
    assert code == 0
    assert json.loads(out)["found"] is False


def test_ocr_and_find_text(files: dict[str, Path]) -> None:
    code, out, _ = _run("ocr", str(files["screen"]), "--region", "180,30,300,40", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["text"] == "BIOS Version 1.07.3"
    assert set(data["words"][0]) == {"text", "box", "conf"}
    code, out, _ = _run("find-text", str(files["screen"]), "BIOS Version", "--json")
    assert code == 0
    found = json.loads(out)
    assert set(found) == {"found", "box", "text"} and found["found"] is True
    code, out, _ = _run("find-text", str(files["screen"]), "Boot Menu", "--json")
    assert code == 0 and json.loads(out)["found"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["locate", "{bad}", "{icon}"], "not a readable image"),
        (["ocr", "{screen}", "--region", "1,2,3"], "bad region"),
        (["ocr", "{screen}", "--region", "900,900,10,10"], "outside"),
        (["calibrate", "{screen}", "--screen", "big"], "bad screen size"),
        (["locate", "{screen}", "{missing}"], "no such icon"),
        (["find-text", "{missing}", "x"], "no such image"),
        (["ocr", "{frame}", "--calibration", "{bad}"], "not a screen calibration"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    files: dict[str, Path], args: list[str], message: str
) -> None:
    values = {k: str(v) for k, v in files.items()} | {
        "missing": str(files["screen"].parent / "nope")
    }
    code, out, err = _run(*[a.format(**values) for a in args])
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err + out


def test_calibrate_refuses_a_frame_without_a_screen(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((400, 500, 3), 35, np.uint8))
    code, _, err = _run("calibrate", str(blank), "--json")
    assert code == 2 and "no screen quadrilateral" in err
