"""What keeps a browser safe on the server's pages: security headers on every response,
uploaded files served so that no browser runs them in the server's origin, and an
access log that never shows a token.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath
from urllib.parse import quote, unquote_plus

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Our pages are plain HTML with one inline <style>: no script, no frame, nothing remote.
PAGE_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# FastAPI's /api/docs page loads Swagger UI from its CDN and starts it with an inline script.
DOCS_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# A file a station uploaded: a sandboxed, script-less document with an opaque origin.
UPLOAD_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
# Uploaded files a browser may show in place: images and plain text cannot run script
# (nosniff stops a browser from guessing HTML). Everything else is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/bmp", "text/plain"})


class SecurityHeaders:
    """ASGI middleware adding the security headers to every response that has none.

    Written as plain ASGI (a few lines) rather than Starlette's BaseHTTPMiddleware,
    which would buffer the streamed object downloads stations sync with.
    """

    def __init__(self, app: ASGIApp, docs_path: str = "/api/docs"):
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] == self.docs_path else PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASE_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def upload_headers(path: str, media_type: str) -> dict[str, str]:
    """Headers for serving a file a station uploaded (a report, a screenshot)."""
    name = quote(PurePosixPath(path).name)
    disposition = "inline" if media_type in INLINE_TYPES else "attachment"
    return {
        "content-security-policy": UPLOAD_POLICY,
        "content-disposition": f"{disposition}; filename*=UTF-8''{name}",
        "cache-control": "private, no-cache",
    }


def hide_tokens(target: str) -> str:
    """A request target (`/path?query`) with the value of every `token` parameter
    replaced by `***` (the key compared as the server decodes it)."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    pairs = []
    for pair in query.split("&"):
        key, equals, _ = pair.partition("=")
        hidden = unquote_plus(key).strip().lower() == "token"
        pairs.append(f"{key}{equals or '='}***" if hidden else pair)
    return f"{path}?{'&'.join(pairs)}"


class HideTokens(logging.Filter):
    """Access-log filter: a `?token=...` sign-in link is logged without its token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(hide_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = hide_tokens(record.msg)
        return True
