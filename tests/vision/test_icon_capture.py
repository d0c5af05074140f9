"""`rtest icon capture`: a new version cut from a sim screen, found again by `vision locate`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from robotest.cli import app

REPO = Path(__file__).resolve().parents[2]
AVATAR = (890, 368, 146, 146)  # the user picture on the sim's login screen
runner = CliRunner()


@pytest.fixture(scope="module")
def login_screen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulated laptop's login screen, saved by `rtest sim`."""
    path = tmp_path_factory.mktemp("sim") / "login.png"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "robotest",
            "sim",
            "--keys",
            "Power",
            "--advance",
            "40",
            "--screen",
            str(path),
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(path.parent)},
    )
    return path


def _rtest(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _capture(screen: Path, box: tuple[int, ...], into: Path, *extra: str) -> dict:
    code, out, err = _rtest(
        "icon",
        "capture",
        "avatar",
        "--from",
        str(screen),
        "--box",
        ",".join(map(str, box)),
        "--into",
        str(into),
        "--json",
        *extra,
    )
    assert code == 0, err
    return json.loads(out)


def test_a_captured_version_is_located_at_its_box(login_screen: Path, tmp_path: Path) -> None:
    done = _capture(login_screen, AVATAR, tmp_path)
    assert done["path"] == str(tmp_path / "avatar" / "1.png")
    assert done["new"]["box"] == list(AVATAR) and done["new"]["score"] > 0.99
    assert done["existing"] == []
    code, out, _ = _rtest("vision", "locate", str(login_screen), str(tmp_path / "avatar"), "--json")
    located = json.loads(out)
    assert code == 0 and located["found"] and located["version"] == "1.png"
    assert located["box"] == list(AVATAR)


def test_a_second_capture_goes_beside_and_scores_the_first(
    login_screen: Path, tmp_path: Path
) -> None:
    _capture(login_screen, AVATAR, tmp_path)
    wider = (AVATAR[0] - 4, AVATAR[1] - 4, AVATAR[2] + 8, AVATAR[3] + 8)
    done = _capture(login_screen, wider, tmp_path, "--mask", "auto")
    assert done["path"].endswith("avatar/2.png") and done["masked"]
    written = cv2.imread(done["path"], cv2.IMREAD_UNCHANGED)
    assert written.shape == (wider[3], wider[2], 4)
    alpha = written[:, :, 3]
    assert alpha[0, 0] == 0 and alpha[wider[3] // 2, wider[2] // 2] == 255  # border left out
    (first,) = done["existing"]
    assert first["version"] == "1.png" and first["box"] == list(AVATAR)
    assert 0.5 < first["likeness"] < 1.0
    assert done["new"]["box"] == list(wider)


def test_a_mask_file_sets_the_alpha(login_screen: Path, tmp_path: Path) -> None:
    mask = np.zeros((AVATAR[3], AVATAR[2]), np.uint8)
    cv2.circle(mask, (AVATAR[2] // 2, AVATAR[3] // 2), AVATAR[2] // 2 - 2, 255, -1)
    cv2.imwrite(str(tmp_path / "mask.png"), mask)
    done = _capture(login_screen, AVATAR, tmp_path / "icons", "--mask", str(tmp_path / "mask.png"))
    written = cv2.imread(done["path"], cv2.IMREAD_UNCHANGED)
    assert np.array_equal(written[:, :, 3], mask)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--box", "1900,1000,50,50"], "is not inside the 1920x1080 screen"),
        (["--box", "1,2,3"], "expected 4 numbers"),
        (["--box", "10,10,40,40"], "flat colour"),
        (["--box", "890,368,146,146", "--mask", "none.png"], "no such image file"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    login_screen: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = _rtest(
        "icon", "capture", "avatar", "--from", str(login_screen), "--into", str(tmp_path), *args
    )
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "avatar").exists()


def test_a_one_file_icon_and_a_path_as_name_are_refused(login_screen: Path, tmp_path: Path) -> None:
    (tmp_path / "avatar.png").write_bytes(b"")
    for name, message in [("avatar", "one-file icon"), ("../avatar", "bad icon name")]:
        code, _, err = _rtest(
            "icon",
            "capture",
            name,
            "--from",
            str(login_screen),
            "--box",
            "890,368,146,146",
            "--into",
            str(tmp_path),
        )
        assert code == 2 and message in err


STALE_SUITE = """
from robotest.stdlib_subscripts.power import boot_to_login

test "The user picture":
    boot_to_login()
    await_icon "user-picture" within 2s
"""


def _run_suite(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robotest", "run", "suite", "--station", "sim", "--report", "rep"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=240,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(root)},
    )


def test_a_new_look_is_captured_from_the_failed_step_and_the_rerun_passes(
    login_screen: Path, tmp_path: Path
) -> None:
    """The needle-editor loop from a report: the icon's only version is an old look (the
    picture upside down), the step fails; its id in the report and the bare screen under
    its overlay give the new version; the same suite then passes."""
    x, y, w, h = AVATAR
    old_look = cv2.imread(str(login_screen))[y : y + h, x : x + w][::-1].copy()
    (tmp_path / "suite" / "icons" / "user-picture").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / "suite" / "icons" / "user-picture" / "old.png"), old_look)
    (tmp_path / "suite" / "login.rtest").write_text(STALE_SUITE)

    failed = _run_suite(tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    html = (tmp_path / "rep" / "report.html").read_text()
    hint = html.split("rtest icon capture user-picture --step ")[1]
    step = hint.split(" ")[0]
    assert step.isdigit() and f'id="step-{step}"' in html

    around = (x - 6, y - 6, w + 12, h + 12)  # takes in the overlay's outline, if drawn
    database = tmp_path / "suite" / "results" / "results.db"  # in the suite's root
    code, out, err = _rtest(
        "icon", "capture", "user-picture", "--step", step, "--box", ",".join(map(str, around)),
        "--db", str(database), "--into", str(tmp_path / "suite" / "icons"), "--json",
    )  # fmt: skip
    assert code == 0, err
    done = json.loads(out)
    assert done["new"]["found"] and done["new"]["box"] == list(around)
    overlay = _step_picture(database, int(step))
    assert _red(_cut(overlay, around)) > 100  # the report's picture has the outline there
    assert _red(cv2.imread(done["path"])) == 0  # the capture is the bare screen

    passed = _run_suite(tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_capture_from_a_step_needs_one_screen_and_a_known_step(
    login_screen: Path, tmp_path: Path
) -> None:
    box = ",".join(map(str, AVATAR))
    code, _, err = _rtest("icon", "capture", "avatar", "--box", box)
    assert code == 2 and "either --from IMAGE or --step ID" in err
    code, _, err = _rtest(
        "icon", "capture", "avatar", "--from", str(login_screen), "--step", "1", "--box", box
    )
    assert code == 2 and "either --from IMAGE or --step ID" in err
    code, _, err = _rtest(
        "icon", "capture", "avatar", "--step", "7", "--box", box, "--db", str(tmp_path / "no.db")
    )
    assert code == 2 and "no results database" in err and len(err.strip().splitlines()) == 1
    from robotest.runtime.store import ResultStore

    ResultStore(tmp_path / "empty.db").close()
    code, _, err = _rtest(
        "icon", "capture", "avatar", "--step", "7", "--box", box, "--db", str(tmp_path / "empty.db")
    )
    assert code == 2 and "no step 7 with a screen" in err
    assert not (Path("icons") / "avatar").exists()


def _step_picture(database: Path, step_id: int) -> np.ndarray:
    from robotest.runtime.store import ResultStore

    with ResultStore(database) as store:
        (run,) = store.runs()
        (case,) = store.cases(run.id)
    (step,) = [s for s in case.steps if s.db_id == step_id]
    return cv2.imdecode(np.frombuffer(step.screenshot or b"", np.uint8), cv2.IMREAD_COLOR)


def _cut(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    return image[y : y + h, x : x + w]


def _red(image: np.ndarray) -> int:
    """Pixels of the overlay's red (outline, caption frame)."""
    return int(((image[:, :, 2] > 180) & (image[:, :, 1] < 80) & (image[:, :, 0] < 80)).sum())
