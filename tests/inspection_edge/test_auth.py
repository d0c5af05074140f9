"""Who may do what on the edge service: roles per endpoint, login, revocation, open units,
and the security headers and cookie rules (the script server's)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from edge_helpers import LINE, ROLES, Served, bearer, free_port, invoke, make_tokens, units
from typer.testing import CliRunner

from robotest.inspection.edge.client import TcpClient
from robotest.inspection.registry import Registry

# (method, path, roles allowed); None: no token at all
ENDPOINTS = [
    ("GET", "/api/units/a-000", {"line", "reviewer", "engineer"}),
    ("GET", "/api/status", {"line", "reviewer", "engineer"}),
    ("GET", "/api/review", {"reviewer", "engineer"}),
    ("GET", "/api/updates", {"reviewer", "engineer"}),
    ("POST", "/api/updates/due", {"engineer"}),
    ("POST", "/api/review/a-000", {"reviewer", "engineer"}),
    ("POST", "/api/review", {"reviewer", "engineer"}),
    ("GET", "/", {"reviewer", "engineer"}),
    ("GET", "/review", {"reviewer", "engineer"}),
    ("GET", "/updates", {"reviewer", "engineer"}),
    ("GET", "/archive", {"reviewer", "engineer"}),
    ("GET", "/units/a-001/image.png", {"reviewer", "engineer"}),
]


def request(served: Served, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    body = (
        {"units": ["a-000"], "verdict": "correct"}
        if path == "/api/review"
        else {"verdict": "correct"}
    )
    return httpx.request(
        method,
        served.url + path,
        headers=headers,
        timeout=60,
        json=body if method == "POST" else None,
        follow_redirects=False,
    )


def test_each_endpoint_answers_only_the_roles_it_serves(served: Served) -> None:
    good, bad = units("a", 1, 1, 0.0, seed=1)[:2]
    for unit in (good, bad):  # a-000 OK, a-001 NG (its picture is kept)
        assert served.post(f"/api/units/{unit.id}", "line", content=unit.data).status_code == 200
    for role in ("reviewer", "engineer"):
        refused = served.post("/api/units/a-9", role, content=good.data)
        assert refused.status_code == 403 and "role" in refused.json()["detail"]
    assert httpx.post(f"{served.url}/api/units/a-9", content=good.data).status_code == 401
    for method, path, roles in ENDPOINTS:
        for role in ROLES:
            answer = request(served, method, path, served.auth(role))
            expected = 200 if role in roles else 403
            assert answer.status_code == expected, (method, path, role, answer.text)
        anonymous = request(served, method, path, {})
        if path.startswith("/api/"):
            assert anonymous.status_code == 401, (method, path)
        else:  # console pages send the browser to the login page
            assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/login")
    wrong = request(served, "GET", "/api/status", bearer("not-a-token"))
    assert wrong.status_code == 401


def test_login_sets_a_strict_http_only_cookie_and_every_answer_has_the_headers(
    served: Served,
) -> None:
    assert served.tokens is not None
    refused = httpx.post(f"{served.url}/login", data={"token": served.tokens["line"]})
    assert refused.status_code == 403 and "rtest_edge_token" not in refused.headers.get(
        "set-cookie", ""
    )
    login = httpx.post(f"{served.url}/login", data={"token": served.tokens["reviewer"]})
    assert (login.status_code, login.headers["location"]) == (303, "/")
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    with httpx.Client(base_url=served.url, cookies=login.cookies) as browser:
        page = browser.get("/")
        assert page.status_code == 200 and "test-reviewer (reviewer)" in page.text
        for answer in (
            page,
            login,
            refused,
            browser.get("/api/status"),
            httpx.get(served.url + "/login"),
        ):
            policy = answer.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "no-referrer"
        assert browser.post("/logout").status_code == 303
    log = (served.home.parent / "serve.log").read_text()
    assert all(token not in log for token in served.tokens.values())


def test_a_revoked_token_is_refused_at_the_next_request(served: Served, runner: CliRunner) -> None:
    assert served.get("/api/status", "reviewer").status_code == 200
    result = invoke(runner, "token", "test-reviewer", "--revoke", "--home", served.home)
    assert result.exit_code == 0 and "revoked 1 token(s) of test-reviewer" in result.output
    assert served.get("/api/status", "reviewer").status_code == 401
    assert served.get("/api/status", "engineer").status_code == 200
    stored = Registry(served.home).conn.execute("SELECT hash FROM edge_tokens").fetchall()
    assert served.tokens is not None
    assert not {r[0] for r in stored} & set(served.tokens.values())  # only hashes stored


def test_open_units_need_no_line_token_and_the_console_says_so(home: Path) -> None:
    tokens = make_tokens(home)
    server = Served(home, free_port(), free_port(), tokens=tokens).start(
        "--no-idle-updates", "--open-units"
    )
    try:
        good = units("o", 1, 0, 0.0, seed=1)[0]
        answer = httpx.post(f"{server.url}/api/units/{good.id}", content=good.data, timeout=30)
        assert answer.status_code == 200 and answer.json()["verdict"] == "OK"
        with TcpClient("127.0.0.1", server.tcp) as client:
            assert client.inspect("o-tcp", good.data).verdict == "OK"
        page = server.get("/", "reviewer")
        assert 'id="open-units"' in page.text and "--open-units" in page.text
        assert server.get("/api/status", "reviewer").json()["open_units"] is True
        assert httpx.get(f"{server.url}/api/status").status_code == 401  # the rest is closed
    finally:
        server.stop()


def test_a_port_clash_is_one_line_naming_the_port(served: Served, runner: CliRunner) -> None:
    result = invoke(
        runner,
        "serve",
        "--line",
        LINE,
        "--home",
        served.home,
        "--port",
        served.http,
        "--tcp-port",
        free_port(),
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{served.http} (HTTP): Address already in use; "
        f"is another service using port {served.http}? Choose another with --port"
    ]


@pytest.mark.parametrize("role", ["reviewer", "engineer"])
def test_reviewers_and_engineers_may_log_in(served: Served, role: str) -> None:
    assert served.tokens is not None
    login = httpx.post(f"{served.url}/login", data={"token": served.tokens[role]})
    assert login.status_code == 303
