"""Issue 17, critical: a file a station uploads must never run in the server's origin.

A station uploads a report whose script tries to publish a suite (every station would
run it) and to read the API. A publisher signed in to the pages opens it in a real
Chromium: the script must not run there, and the server must see no such call.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

import httpx
from chromium import chromium
from selenium.webdriver.common.by import By
from server.conftest import ServerProcess, small_suite

from robotest.server.archive import pack_directory
from robotest.server.client import ServerClient
from robotest.server.web import router as web_router

from .conftest import bearer, get, run_files, run_json

UPLOAD_HEADERS = ("content-security-policy", "x-content-type-options", "content-disposition")


def evil_report(suite: bytes) -> bytes:
    """A report.html whose script publishes `suite` to channel `pwned` and reads runs."""
    script = f"""
    const tar = Uint8Array.from(atob("{base64.b64encode(suite).decode()}"), c => c.charCodeAt(0));
    fetch("/api/v1/publish?channel=pwned", {{method: "POST", body: tar, credentials: "include"}});
    fetch("/api/v1/runs?stolen=1", {{credentials: "include"}});
    document.title = "script ran";
    """
    return f"<html><head><script>{script}</script></head><body>report</body></html>".encode()


def test_an_uploaded_report_cannot_call_the_api_from_a_browser(
    logged_server: ServerProcess, tmp_path: Path
) -> None:
    server = logged_server
    publisher = server.token("alice", "publisher")
    report = evil_report(pack_directory(small_suite(tmp_path / "suite")))
    with ServerClient(server.url, server.token("st7", "station")) as station:
        station.upload_run_files(run_files(run_json("r1", "st7"), **{"report.html": report}))

    with chromium(downloads=tmp_path / "downloads") as browser:
        browser.get(f"{server.url}/runs?token={publisher}")  # the documented sign-in link
        assert "token=" not in browser.current_url
        browser.find_element(By.LINK_TEXT, "r1").click()
        browser.find_element(By.LINK_TEXT, "report.html").click()
        deadline = time.monotonic() + 20
        while "report.html HTTP" not in server.log.read_text():  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the browser never asked for the report"
            time.sleep(0.2)
        time.sleep(3)  # time enough for the report's script to call the server
        assert browser.title != "script ran"

    log = server.log.read_text()  # type: ignore[union-attr]
    assert "/api/v1/publish" not in log and "stolen" not in log
    channels = get(server, "/api/v1/channels", publisher).json()
    assert [c["channel"] for c in channels] == []


def test_uploaded_files_are_served_sandboxed(server: ServerProcess) -> None:
    files = run_files(
        run_json("served", "st8"),
        **{
            "report.html": b"<script>alert(1)</script>",
            "junit.xml": b"<x/>",
            "notes.txt": b"plain",
        },
    )
    with ServerClient(server.url, server.token("st8", "station")) as station:
        station.upload_run_files(files)
    reader = server.token("rita", "reader")
    for path in ("report.html", "junit.xml"):
        served = get(server, f"/runs/st8/served/files/{path}", reader)
        assert served.status_code == 200
        assert served.headers["content-disposition"].startswith("attachment;")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in served.headers["content-security-policy"]
    for path in ("shots/bios.png", "notes.txt"):  # shown in place, but never as HTML
        served = get(server, f"/runs/st8/served/files/{path}", reader)
        assert served.headers["content-disposition"].startswith("inline;")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in served.headers["content-security-policy"]


def test_the_api_takes_bearer_tokens_only(server: ServerProcess) -> None:
    cookie = {"rtest_token": server.token("alice", "publisher")}
    assert httpx.get(server.url + "/api/v1/channels", cookies=cookie).status_code == 401
    refused = httpx.post(server.url + "/api/v1/publish?channel=x", content=b"x", cookies=cookie)
    assert refused.status_code == 401
    assert (
        httpx.get(
            server.url + "/api/v1/channels", headers=bearer(cookie["rtest_token"])
        ).status_code
        == 200
    )


def test_the_pages_never_change_state() -> None:
    """The sign-in cookie works on the pages only; they must all be reads (no CSRF)."""
    methods = {m for route in web_router.routes for m in getattr(route, "methods", ())}
    assert methods <= {"GET", "HEAD"}


def test_every_response_has_security_headers(server: ServerProcess) -> None:
    reader = server.token("rita", "reader")
    for response in (
        httpx.get(server.url + "/"),  # the sign-in form
        httpx.get(server.url + "/runs", cookies={"rtest_token": reader}),
        get(server, "/api/v1/channels", reader),
        get(server, "/api/v1/channels/none", reader),
        httpx.get(server.url + "/api/docs"),
    ):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", response.url
        assert "frame-ancestors 'none'" in headers["content-security-policy"], response.url
        assert headers["referrer-policy"] == "no-referrer", response.url
    page = httpx.get(server.url + "/runs", cookies={"rtest_token": reader})
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
