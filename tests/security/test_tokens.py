"""Issue 17, tokens: the sign-in link leaves no token in the URL or the access log, a
revoked token is refused at once, a token is never echoed, the cookie is Secure on HTTPS."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from server.conftest import ROOT, ServerProcess

from .conftest import get


def test_sign_in_link_redirects_to_a_clean_url(server: ServerProcess) -> None:
    token = server.token("rita", "reader")
    response = httpx.get(f"{server.url}/runs?from=2026-03-01&token={token}&to=2026-03-02")
    assert response.status_code == 303
    assert response.headers["location"] == "/runs?from=2026-03-01&to=2026-03-02"
    cookie = response.headers["set-cookie"]
    assert f"rtest_token={token}" in cookie and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie and "Secure" not in cookie
    followed = httpx.get(f"{server.url}/?token={token}", follow_redirects=True)
    assert followed.status_code == 200 and str(followed.url) == server.url + "/"
    assert "Stations" in followed.text


def test_cookie_is_secure_behind_an_https_proxy(server: ServerProcess) -> None:
    """uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (--forwarded-allow-ips)."""
    token = server.token("rita", "reader")
    response = httpx.get(f"{server.url}/?token={token}", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]


def test_access_log_never_shows_a_token(logged_server: ServerProcess) -> None:
    server = logged_server
    token = server.token("rita", "reader")
    httpx.get(f"{server.url}/?token={token}")
    httpx.get(f"{server.url}/runs?token={token}&from=2026-03-01")
    httpx.get(f"{server.url}/runs?token=not-a-valid-token-marker")
    httpx.get(f"{server.url}/runs?tok%65n={token}")  # the key as the server decodes it
    get(server, "/api/v1/channels", token)
    server.stop()
    log = server.log.read_text()  # type: ignore[union-attr]
    assert '"GET /?token=*** HTTP/1.1" 303' in log  # the request is logged, its token not
    assert "/api/v1/channels" in log
    assert token not in log and "not-a-valid-token-marker" not in log


def revoke_cli(server: ServerProcess, name: str) -> subprocess.CompletedProcess[str]:
    """`rtest server token --revoke NAME`, run as the administrator would, beside the server."""
    args = ["server", "token", "--revoke", name, "--data", str(server.data)]
    return subprocess.run(
        [sys.executable, "-m", "robotest", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_revoked_token_is_refused_at_once(server: ServerProcess) -> None:
    token = server.token("leaver", "publisher")
    assert get(server, "/api/v1/channels", token).status_code == 200
    assert httpx.get(server.url + "/", cookies={"rtest_token": token}).status_code == 200
    revoke = revoke_cli(server, "leaver")
    assert revoke.returncode == 0 and "revoked 1 token(s) of leaver" in revoke.stdout
    refused = get(server, "/api/v1/channels", token)
    assert refused.status_code == 401 and token not in refused.text
    assert httpx.get(server.url + "/", cookies={"rtest_token": token}).status_code == 401
    assert get(server, "/api/v1/channels", server.token("rita", "reader")).status_code == 200
    again = revoke_cli(server, "leaver")
    assert again.returncode == 1 and again.stderr == "error: no token named 'leaver'\n"


def test_a_token_is_never_echoed(server: ServerProcess) -> None:
    marker = "secret-token-marker-1234\n"
    for response in (
        httpx.get(
            server.url + "/api/v1/channels", headers={"Authorization": f"Bearer {marker.strip()}"}
        ),
        httpx.get(server.url + "/runs", params={"token": marker}),
        httpx.get(server.url + "/runs", cookies={"rtest_token": marker.strip()}),
    ):
        assert response.status_code == 401 and "secret-token-marker" not in response.text
