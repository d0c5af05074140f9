"""HTTP rules of the edge service, the same as the script server's (``robotest.server``).

* every answer carries a Content-Security-Policy (own scripts, styles and pictures only;
  no framing: ``frame-ancestors 'none'``), ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``;
* the console's login cookie is ``HttpOnly`` and ``SameSite=Strict`` (so no other site
  can post a review with it), and ``Secure`` when the page came over HTTPS;
* tokens travel in the ``Authorization`` header or that cookie, never in a URL, so no
  access log or browser history holds one; the service never logs them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

COOKIE = "rtest_edge_token"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Middleware: add :data:`HEADERS` to every answer."""
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def request_token(request: Request) -> str | None:
    """The bearer token of the ``Authorization`` header, else the login cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE)
