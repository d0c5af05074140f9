"""`rtest shell --view`: the live page in Chromium (click for a point, drag a box, capture
it as an icon version) and the shell serving it on a port."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import cv2
import numpy as np
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from robotest.runtime.live_view import LiveView
from tests.chromium import chromium

REPO = Path(__file__).resolve().parents[2]


def _screen() -> np.ndarray:
    """An 800x500 screen (shown 1:1 in the page) with a checkered icon at (300, 200)."""
    screen = np.full((500, 800, 3), 235, np.uint8)
    icon = np.zeros((40, 40, 3), np.uint8)
    icon[::8, :] = (200, 60, 20)
    icon[:, ::8] = (20, 160, 220)
    cv2.circle(icon, (20, 20), 12, (30, 200, 30), -1)
    screen[200:240, 300:340] = icon
    return screen


def test_drag_a_box_and_capture_it_click_for_coordinates(tmp_path: Path) -> None:
    screen = _screen()
    view = LiveView(lambda: screen, tmp_path / "icons")
    try:
        with chromium() as driver:
            driver.get(view.url)
            WebDriverWait(driver, 10).until(
                lambda d: d.execute_script(
                    "var i=document.getElementById('screen');return i.complete&&i.naturalWidth"
                )
            )
            image = driver.find_element(By.ID, "screen")
            assert image.size == {"width": 800, "height": 500}
            left = -image.size["width"] // 2  # offsets are from the element's centre
            top = -image.size["height"] // 2
            ActionChains(driver).move_to_element_with_offset(
                image, left + 120, top + 80
            ).click().perform()
            status = driver.find_element(By.ID, "status")
            assert status.text == "point (120, 80)"
            (
                ActionChains(driver)
                .move_to_element_with_offset(image, left + 296, top + 196)
                .click_and_hold()
                .move_by_offset(20, 20)
                .move_by_offset(28, 28)
                .release()
                .perform()
            )
            assert status.text == "box (296, 196, 48, 48)"
            driver.find_element(By.ID, "name").send_keys("checker")
            driver.find_element(By.ID, "go").click()
            result = driver.find_element(By.ID, "result")
            WebDriverWait(driver, 10).until(lambda d: result.text)
            assert result.text.startswith(f"wrote {tmp_path / 'icons' / 'checker' / '1.png'}")
            assert "score 1.000" in result.text
    finally:
        view.close()
    written = cv2.imread(str(tmp_path / "icons" / "checker" / "1.png"))
    assert np.array_equal(written, screen[196:244, 296:344])


def test_a_bad_capture_request_is_refused_with_its_reason(tmp_path: Path) -> None:
    view = LiveView(lambda: _screen(), tmp_path)
    try:
        for body, reason in [
            ({"name": "x", "box": [0, 0, 5]}, "box is [x, y, w, h]"),
            ({"name": "../x", "box": [296, 196, 48, 48]}, "bad icon name"),
            ({"name": "flat", "box": [0, 0, 60, 60]}, "flat colour"),
        ]:
            request = urllib.request.Request(
                view.url + "capture", json.dumps(body).encode(), method="POST"
            )
            try:
                urllib.request.urlopen(request, timeout=10)
                raise AssertionError("accepted")
            except urllib.error.HTTPError as error:
                assert error.code == 400 and reason in json.loads(error.read())["error"]
    finally:
        view.close()
    assert not any(tmp_path.iterdir())


def test_the_shell_serves_the_view_while_it_reads_statements(tmp_path: Path) -> None:
    shell = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robotest",
            "shell",
            "--station",
            "record",
            "--view",
            "--view-port",
            "0",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert shell.stderr is not None and shell.stdin is not None
    line = shell.stderr.readline()
    assert line.startswith("live view: http://127.0.0.1:")
    url = line.split(": ", 1)[1].strip()
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    assert "Capture the box" in page
    try:  # the record station has no screen: the page says so, the shell goes on
        urllib.request.urlopen(url + "screen.jpg", timeout=10)
        raise AssertionError("a screen from the record station")
    except urllib.error.HTTPError as error:
        assert error.code == 503
    out, _ = shell.communicate('print("still here")\n', timeout=60)
    assert shell.returncode == 0 and out.strip() == "still here"
    time.sleep(0.1)
