"""The line manager's console, clicked through in a real headless Chromium (Selenium,
the system chromedriver: nothing is downloaded)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium import chromium
from edge_helpers import LINE, Served, units
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from robotest.inspection.registry import Registry


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


def text(driver: WebDriver, element_id: str) -> str:
    return str(driver.find_element(By.ID, element_id).text)


def click(driver: WebDriver, by: str, value: str) -> None:
    """Click a button or link that opens a new page, and wait until the new page is there
    (the old document's marker is gone and the new one has loaded)."""
    driver.execute_script("window.__before_click = true;")
    driver.find_element(by, value).click()
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script(
            "return window.__before_click === undefined && document.readyState === 'complete'"
        )
    )


def loaded(driver: WebDriver, element_id: str) -> bool:
    return bool(
        driver.execute_script(
            "const i = document.getElementById(arguments[0]);"
            "return i.complete && i.naturalWidth > 0;",
            element_id,
        )
    )


def log_in(driver: WebDriver, served: Served, role: str) -> None:
    """Open the console: without a login it shows the login page; paste the token."""
    assert served.tokens is not None
    driver.get(served.url + "/")
    assert driver.current_url.endswith("/login")
    driver.find_element(By.ID, "token").send_keys(served.tokens[role])
    click(driver, By.ID, "login")
    assert not driver.current_url.endswith("/login")


def test_the_console_needs_a_login_and_refuses_a_line_token(
    served: Served, browser: WebDriver
) -> None:
    assert served.tokens is not None
    browser.get(served.url + "/review")
    assert browser.current_url.endswith("/login")
    browser.find_element(By.ID, "token").send_keys(served.tokens["line"])
    click(browser, By.ID, "login")
    assert "not a reviewer's or an engineer's token" in text(browser, "login-error")
    log_in(browser, served, "engineer")
    assert text(browser, "who") == "test-engineer (engineer)"
    assert not browser.find_elements(By.ID, "open-units")
    assert not browser.find_elements(By.ID, "band-warning")  # 6 good units, rate 0.6
    Registry(served.home).configure_line(LINE, review_rate=0.05)
    browser.refresh()
    assert "6 held-out good unit(s) cannot promise a review rate of 0.05" in text(
        browser, "band-warning"
    )
    click(browser, By.ID, "logout")
    browser.get(served.url + "/")
    assert browser.current_url.endswith("/login")


def test_a_line_manager_reviews_uncertain_units_in_two_stages(
    served: Served, browser: WebDriver
) -> None:
    sent = units("c", 8, 1, 0.08, seed=2)  # drifted: several normal units come out uncertain
    elapsed = []
    for unit in sent:
        response = served.post(f"/api/units/{unit.id}", "line", content=unit.data)
        assert response.status_code == 200
        elapsed.append(response.json()["elapsed_ms"])
    queue = served.get("/api/review").json()
    assert len(queue) >= 3

    log_in(browser, served, "reviewer")
    status = served.get("/api/status").json()
    version = browser.find_element(By.ID, "version")
    assert version.get_attribute("title") == status["line"]["version"]
    assert version.text.startswith("ae of ") and "(data " in version.text  # readable
    assert float(text(browser, "p99")) == pytest.approx(max(elapsed), abs=0.06)
    counts = status["counts"]
    assert int(text(browser, "ok-count")) == counts["OK"]
    assert int(text(browser, "ng-count")) == counts["NG"]
    assert int(text(browser, "queue")) == len(queue)
    assert float(text(browser, "band-low")) == pytest.approx(status["band"][0], abs=1e-3)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline tr")) >= 2
    received = browser.find_element(By.CSS_SELECTOR, "#recent time")
    assert received.get_attribute("title").endswith("(UTC)")  # shown in local time
    assert "+00:00" not in received.text
    refresh = browser.find_element(By.CSS_SELECTOR, "meta[http-equiv=refresh]")
    assert int(refresh.get_attribute("content")) > 0

    click(browser, By.LINK_TEXT, "Review queue")
    first = queue[0]
    assert text(browser, "unit") == first["unit"] and text(browser, "verdict") == first["verdict"]
    assert int(text(browser, "left")) == len(queue)
    assert loaded(browser, "image") and loaded(browser, "heatmap")
    click(browser, By.ID, "wrong")  # stage 1: the verdict was wrong
    assert text(browser, "stage1") == "wrong" and text(browser, "unit") == first["unit"]
    assert not browser.find_elements(By.ID, "correct")
    click(browser, By.ID, "wrong-place")  # stage 2
    assert text(browser, "unit") != first["unit"]
    click(browser, By.ID, "correct")  # the second one by its buttons...
    click(browser, By.ID, "well")
    for unit in queue[2:]:  # ...the rest in one bulk action
        browser.find_element(By.ID, f"tick-{unit['unit']}").click()
    click(browser, By.ID, "bulk-correct")
    assert "No unit waits for review" in text(browser, "empty")

    reviewed = served.get(f"/api/units/{first['unit']}").json()
    assert (reviewed["review_verdict"], reviewed["review_attention"]) == ("wrong", "wrong_place")
    for unit in queue[1:]:
        done = served.get(f"/api/units/{unit['unit']}").json()
        assert (done["review_verdict"], done["review_attention"]) == ("correct", "well")

    click(browser, By.LINK_TEXT, "Overview")
    assert text(browser, "queue") == "0" and float(text(browser, "failed-ratio")) > 0
    assert text(browser, "wrong-place") == "1"

    update = served.post("/api/updates/finetune").json()["update"]
    click(browser, By.LINK_TEXT, "Updates")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.updates tr")
    assert "finetune" in rows[1].text and update["reason"] in rows[1].text
    assert "McNemar" in update["reason"]


def test_a_new_lot_judged_ng_is_marked_wrong_from_the_ng_archive(
    served: Served, browser: WebDriver
) -> None:
    lot = units("lot", 6, 0, 0.3, seed=5)  # good units of a new material lot: clear NG
    for unit in lot:
        answer = served.post(f"/api/units/{unit.id}", "line", content=unit.data).json()
        assert answer["verdict"] == "NG" and not answer["uncertain"]
    assert served.get("/api/review").json() == []  # none of them is doubtful

    log_in(browser, served, "reviewer")
    click(browser, By.LINK_TEXT, "NG archive")
    assert int(text(browser, "ng-total")) == len(lot)
    widths = browser.execute_script(
        "return [...document.querySelectorAll('#ng-units img')].map(i => i.naturalWidth);"
    )
    assert len(widths) == 2 * len(lot) and all(w > 0 for w in widths)  # pictures shown
    for unit in lot:
        browser.find_element(By.ID, f"tick-{unit.id}").click()
    click(browser, By.ID, "ng-wrong")
    assert "Every archived NG unit has been reviewed" in text(browser, "ng-empty")
    for unit in lot:
        stored = served.get(f"/api/units/{unit.id}").json()
        assert (stored["review_verdict"], stored["picture_kept"]) == ("wrong", True)
    status = served.get("/api/status").json()
    assert status["failed_sample_ratio"] == len(lot) / 16  # waiting for the next update
