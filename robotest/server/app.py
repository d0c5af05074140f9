"""The FastAPI application and how `rtest server` runs it under uvicorn."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from robotest.server import api, web
from robotest.server.security import SecurityHeaders
from robotest.server.service import ServerConfig, Service


def create_app(config: ServerConfig) -> FastAPI:
    """The script server's ASGI application over the data directory of `config`."""
    app = FastAPI(title="robotest script server", docs_url="/api/docs", redoc_url=None)
    app.state.service = Service(config)
    app.include_router(api.router)
    app.include_router(web.router)
    app.add_exception_handler(web.LoginRequired, web.login_page)
    app.add_exception_handler(web.SignedIn, web.sign_in)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_middleware(SecurityHeaders, docs_path="/api/docs")
    return app


def invalid_request(request: Request, exc: Exception) -> Response:
    """A request whose parameters or body do not validate: 422 with a one-line reason."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"])
    return JSONResponse({"detail": f"{where}: {first['msg']}"}, status_code=422)


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with tokens hidden from the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"hide_tokens": {"()": "robotest.server.security.HideTokens"}}
    config["handlers"]["access"]["filters"] = ["hide_tokens"]
    return config


def serve(
    config: ServerConfig,
    host: str = "127.0.0.1",
    port: int = 8750,
    access_log: bool = False,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        access_log=access_log,
        log_level="info",
        log_config=log_config(),
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=30,
        backlog=4096,
    )
