"""The station runtime on the simulated station: real drivers, camera model and vision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import robotest.sim
from robotest.drivers import open_station
from robotest.errors import IconNotFound, ScriptError, TextNotFound
from robotest.runtime import api, use_runtime
from robotest.runtime.station_runtime import StationRuntime

SIM_ICONS = Path(robotest.sim.__file__).parent / "assets" / "icons"


@pytest.fixture
def runtime() -> Iterator[StationRuntime]:
    with open_station("sim", speed=10) as station:
        runtime = StationRuntime(station=station, icon_paths=[SIM_ICONS])
        runtime.start()
        with use_runtime(runtime):
            yield runtime


def _log_in(runtime: StationRuntime) -> None:
    api.press("Power")
    api.await_text("Welcome", within=60)
    api.type_text("factory\n")
    api.await_icon("terminal", within=30)


def test_keys_reach_the_laptop_and_the_screen_is_read(runtime: StationRuntime) -> None:
    laptop = runtime.station.laptop
    api.press("Power")
    api.press("F2", times=8, every=0.5)
    api.await_text("BIOS Setup Utility", within=30)
    assert laptop.state == "bios"
    assert api.read_text(right_of="EC Version") == laptop.image.ec_version


def test_icons_are_clicked_where_vision_finds_them(runtime: StationRuntime) -> None:
    _log_in(runtime)
    match = api.click_icon("terminal", double=True)
    api.await_text("qa@qa-laptop", within=10)
    assert runtime.station.laptop.state == "terminal"
    assert match.score >= 0.5


def test_missing_text_fails_with_what_the_screen_shows(runtime: StationRuntime) -> None:
    with pytest.raises(
        TextNotFound,
        match=r"'Nonexistent Title' not on screen within 2s; "
        r"screen reads: .*",
    ):
        api.await_text("Nonexistent Title", within=2)


def test_missing_icon_fails_with_the_best_score(runtime: StationRuntime) -> None:
    with pytest.raises(IconNotFound, match=r"icon 'terminal' not on screen within 1s; best score"):
        api.await_icon("terminal", within=1)


def test_an_unchanged_screen_is_not_processed_again(runtime: StationRuntime) -> None:
    first = runtime.view.look()
    version = runtime.view.version
    second = runtime.view.look()
    assert second is first and runtime.view.version == version
    api.press("Power")
    api.wait(6)
    assert runtime.view.look() is not first
    assert runtime.view.version > version


def test_text_split_by_ocr_is_still_found_but_not_other_text(runtime: StationRuntime) -> None:
    """OCR reads a gap in a word as a space ("qa@qa- laptop"): the text is still there."""
    import numpy as np
    from PIL import Image, ImageDraw

    from robotest.runtime.station_runtime import Closest
    from robotest.sim.fonts import font

    picture = Image.new("RGB", (1920, 1080), (255, 255, 255))
    ImageDraw.Draw(picture).text(
        (100, 100), "qa@qa-    laptop:~$ uname", fill=(0, 0, 0), font=font("mono", 40)
    )
    screen = np.array(picture)[:, :, ::-1].copy()
    closest = Closest()
    assert runtime._find_text("qa@qa-laptop", None, closest)(screen) is not None
    assert runtime._find_text("qa@qa-desktop", None, closest)(screen) is None
    assert "laptop:~$ uname" in closest.describe.casefold()


def test_a_call_sets_the_icon_search_parameters(runtime: StationRuntime) -> None:
    _log_in(runtime)
    assert api.await_icon("terminal", params={"scales": [0.6, 1.8]}).score >= 0.5
    with pytest.raises(IconNotFound, match=r"needs 1\.00"):  # the call's threshold is used
        api.await_icon("terminal", within=1, params={"threshold": 0.9999})
    with pytest.raises(ScriptError, match="params: unknown match parameter"):
        api.await_icon("terminal", params={"treshold": 0.9})


def test_a_match_refused_by_the_structure_check_says_so(runtime: StationRuntime) -> None:
    """A place over the threshold whose edges fall under the structure floor (here one no
    place reaches) fails with the reason, not only a score that looks high enough."""
    _log_in(runtime)
    refused = r"edges do not run like the icon's \(structure [01]\.\d\d"
    with pytest.raises(IconNotFound, match=refused):
        api.await_icon("terminal", within=1, params={"structure_floor": 1.0, "threshold": 0.5})


def test_a_failed_icon_step_shows_the_best_candidate_and_the_template(
    runtime: StationRuntime,
) -> None:
    with pytest.raises(IconNotFound, match=r"best score .* scale \d\.\d\d, version \S+\.png") as e:
        api.await_icon("terminal", within=1)
    picture = e.value.picture
    assert isinstance(picture, np.ndarray)
    box = [int(v) for v in str(e.value).split(" at (")[1].split(")")[0].split(", ")]
    x, y, w, h = box
    height, width = picture.shape[:2]
    sides = (
        [  # the outline's four sides, those inside the screen (the box may touch an edge)
            picture[row, max(0, x) : x + w] for row in (y - 2, y + h + 1) if 0 <= row < height
        ]
        + [picture[max(0, y) : y + h, col] for col in (x - 2, x + w + 1) if 0 <= col < width]
    )
    red = [((side[:, 2] > 200) & (side[:, 0] < 80)).mean() for side in sides]
    assert max(red) > 0.9  # red, over the box (the template may cover one side)
    screen = runtime.view.look()
    assert picture.shape == screen.shape  # the screen, drawn over
    assert e.value.screen is not None and (e.value.screen == screen).all()  # kept bare
    differs = (picture != screen).any(axis=2)
    assert differs.sum() > differs[y - 3 : y + h + 3, x - 3 : x + w + 3].sum()  # and the template


def _icon_folder_with_look_alike(folder: Path, with_original: bool) -> Path:
    """``terminal-beta``: the sim's terminal icon with an emblem; beside it, optionally, the
    terminal icon itself (a look-alike sharing the first word of its name)."""
    import shutil

    import cv2

    beta = folder / "terminal-beta"
    beta.mkdir(parents=True)
    for version in (SIM_ICONS / "terminal").glob("*.png"):
        image = cv2.imread(str(version), cv2.IMREAD_UNCHANGED)
        h, w = image.shape[:2]
        cv2.circle(image, (w // 4, h // 4), max(3, w // 8), (0, 200, 255, 255), -1)
        cv2.imwrite(str(beta / version.name), image)
    if with_original:
        shutil.copytree(SIM_ICONS / "terminal", folder / "terminal")
    return folder


@pytest.mark.parametrize("with_original", [False, True])
def test_a_look_alike_in_the_icon_folder_refuses_the_match(
    runtime: StationRuntime, tmp_path: Path, with_original: bool
) -> None:
    _log_in(runtime)
    runtime.icon_paths = [_icon_folder_with_look_alike(tmp_path, with_original)]
    lenient = {"threshold": 0.3}
    if not with_original:  # alone, the emblem does not keep the score under the threshold
        assert api.await_icon("terminal-beta", within=1, params=lenient).score >= 0.3
        return
    with pytest.raises(IconNotFound, match="icon 'terminal' fits there as well"):
        api.await_icon("terminal-beta", within=1, params=lenient)
    assert api.await_icon("terminal", within=1).score >= 0.85
