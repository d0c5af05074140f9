"""The line manager's console, clicked through in a real headless Chromium (Selenium,
the system chromedriver: nothing is downloaded)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest
from edge_helpers import Served, units
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    if not (shutil.which(CHROMEDRIVER) and shutil.which(CHROMIUM)):
        pytest.fail("the console test needs Debian's chromium and chromium-driver "
                    "(./setup.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def text(driver: WebDriver, element_id: str) -> str:
    return str(driver.find_element(By.ID, element_id).text)


def click(driver: WebDriver, by: str, value: str) -> None:
    """Click a button or link that opens a new page, and wait until the new page is there
    (the old document's marker is gone and the new one has loaded)."""
    driver.execute_script("window.__before_click = true;")
    driver.find_element(by, value).click()
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "return window.__before_click === undefined && document.readyState === 'complete'"))


def loaded(driver: WebDriver, element_id: str) -> bool:
    return bool(driver.execute_script(
        "const i = document.getElementById(arguments[0]);"
        "return i.complete && i.naturalWidth > 0;", element_id))


def test_a_line_manager_reviews_uncertain_units_in_two_stages(served: Served,
                                                              browser: WebDriver) -> None:
    sent = units("c", 8, 1, 0.08, seed=2)  # drifted: several normal units come out uncertain
    elapsed = []
    for unit in sent:
        response = httpx.post(f"{served.url}/api/units/{unit.id}", content=unit.data, timeout=30)
        assert response.status_code == 200
        elapsed.append(response.json()["elapsed_ms"])
    queue = httpx.get(f"{served.url}/api/review").json()
    assert len(queue) >= 2

    browser.get(served.url + "/")
    assert text(browser, "version").startswith("ae-")
    assert float(text(browser, "p99")) == pytest.approx(max(elapsed), abs=0.06)
    counts = httpx.get(f"{served.url}/api/status").json()["counts"]
    assert int(text(browser, "ok-count")) == counts["OK"]
    assert int(text(browser, "ng-count")) == counts["NG"]
    assert int(text(browser, "queue")) == len(queue)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline tr")) >= 2

    click(browser, By.LINK_TEXT, "Review queue")
    first = queue[0]
    assert text(browser, "unit") == first["unit"] and text(browser, "verdict") == first["verdict"]
    assert int(text(browser, "left")) == len(queue)
    assert loaded(browser, "image") and loaded(browser, "heatmap")
    click(browser, By.ID, "wrong")  # stage 1: the verdict was wrong
    assert text(browser, "stage1") == "wrong" and text(browser, "unit") == first["unit"]
    assert not browser.find_elements(By.ID, "correct")
    click(browser, By.ID, "wrong-place")  # stage 2
    for _ in queue[1:]:
        assert text(browser, "unit") != first["unit"]
        click(browser, By.ID, "correct")
        click(browser, By.ID, "well")
    assert "No unit waits for review" in text(browser, "empty")

    reviewed = httpx.get(f"{served.url}/api/units/{first['unit']}").json()
    assert (reviewed["review_verdict"], reviewed["review_attention"]) == ("wrong", "wrong_place")
    second = httpx.get(f"{served.url}/api/units/{queue[1]['unit']}").json()
    assert (second["review_verdict"], second["review_attention"]) == ("correct", "well")

    click(browser, By.LINK_TEXT, "Overview")
    assert text(browser, "queue") == "0" and float(text(browser, "failed-ratio")) > 0
    assert text(browser, "wrong-place") == "1"

    update = httpx.post(f"{served.url}/api/updates/finetune", timeout=120).json()["update"]
    click(browser, By.LINK_TEXT, "Updates")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.updates tr")
    assert "finetune" in rows[1].text and update["reason"] in rows[1].text
