"""The report of a failing suite on the simulated laptop, looked at in Chromium: the failed
`assert`'s screenshot, the failed icon search's overlay, the filmstrip, folded polling
steps, frames stored once, and the spreadsheet's expected/actual/location/link columns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from tests.chromium import chromium

REPO = Path(__file__).resolve().parents[2]
SUITE = """
test "Setup key":
    press Power
    shown = await_text "Press F2" within 2min
    for _ in range(5):
        exists_text "No such words"
    assert shown.text == "Press F12", f"the key is {shown.text!r}, expected 'Press F12'"

test "An icon that is not there":
    await_icon "terminal" within 2s
"""


def _rtest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robotest", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=240,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of a two-case suite on the sim where both cases fail; its folder."""
    root = tmp_path_factory.mktemp("failing")
    (root / ".rtest").write_text("")  # the suite's root: its results/ database is found here
    (root / "suite").mkdir()
    (root / "suite" / "ec.rtest").write_text(SUITE)
    done = _rtest("run", "suite", "--station", "sim", "--report", "rep", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    return root


def _loaded_images(driver: object, selector: str) -> list[int]:
    images = driver.find_elements(By.CSS_SELECTOR, selector)  # type: ignore[attr-defined]
    return [int(img.get_property("naturalWidth")) for img in images]


def test_the_report_shows_the_assert_the_overlay_and_the_filmstrip(failed_run: Path) -> None:
    report = failed_run / "rep" / "report.html"
    with chromium() as driver:
        driver.get(report.as_uri())
        cases = driver.find_elements(By.CSS_SELECTOR, "details.case")
        assert len(cases) == 2
        ec, icon = cases
        rows = ec.find_elements(By.CSS_SELECTOR, "tr")
        assert_row = next(r for r in rows if r.text.startswith("ec.rtest:7"))
        assert "assert" in assert_row.text and "expected 'Press F12'" in assert_row.text
        (shot,) = assert_row.find_elements(By.CSS_SELECTOR, "img.shot")
        assert int(shot.get_property("naturalWidth")) == 480  # the thumbnail
        polling = next(r for r in rows if "exists_text" in r.text)
        assert "(5 attempts)" in polling.text
        assert sum("exists_text" in r.text for r in rows) == 1
        film = _loaded_images(ec, ".filmstrip img")
        assert film and all(width == 480 for width in film)
        overlay = icon.find_element(By.CSS_SELECTOR, "img.shot")
        full = overlay.find_element(By.XPATH, "..").get_attribute("href")
        assert int(overlay.get_property("naturalWidth")) == 480
    picture = cv2.imread(str(failed_run / "rep" / full.split("/rep/")[1]))
    red = (picture[:, :, 2] > 180) & (picture[:, :, 1] < 80) & (picture[:, :, 0] < 80)
    assert red.sum() > 500  # the best candidate's outline and the template's frame


def test_frames_are_stored_once_and_the_self_contained_report_shows_them(
    failed_run: Path,
) -> None:
    html = (failed_run / "rep" / "report.html").read_text()
    referenced = {part.split('"')[0] for part in html.split('src="shots/')[1:]}
    on_disk = {p.name for p in (failed_run / "rep" / "shots").glob("*.thumb.jpg")}
    assert referenced == on_disk  # one file per distinct frame, however often shown
    assert len(html.split('src="shots/')) - 1 >= len(on_disk)
    done = _rtest("report", "1", "--self-contained", "--out", "sc", cwd=failed_run)
    assert done.returncode == 0, done.stderr
    assert not (failed_run / "sc" / "shots").exists()
    with chromium() as driver:
        driver.get((failed_run / "sc" / "report.html").as_uri())
        widths = _loaded_images(driver, "img[data-shot]")
        assert widths and all(width == 1920 for width in widths)


def test_the_spreadsheet_names_expected_actual_location_and_links_the_shot(
    failed_run: Path,
) -> None:
    sheet = load_workbook(failed_run / "rep" / "results.xlsx")["Run 1"]
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["Status"].value == "failed"
    assert (row["Expected"].value, row["Actual"].value) == ("'Press F12'", "'Press F2'")
    assert row["Location"].value.endswith("ec.rtest:7")
    link = row["Screenshot"].hyperlink.target
    assert link.startswith("shots/") and (failed_run / "rep" / link).is_file()
    image = cv2.imread(str(failed_run / "rep" / link))
    assert image.shape == (1080, 1920, 3) and float(np.std(image)) > 5
    icon_row = {name: cell.value for name, cell in zip(header, sheet[3], strict=True)}
    assert icon_row["Expected"] == "icon 'terminal'"
    assert icon_row["Actual"].startswith("best score")
