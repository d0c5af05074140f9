"""The FastAPI application and how `rtest server` runs it under uvicorn."""

from __future__ import annotations

from fastapi import FastAPI

from robotest.server import api, web
from robotest.server.service import ServerConfig, Service


def create_app(config: ServerConfig) -> FastAPI:
    """The script server's ASGI application over the data directory of `config`."""
    app = FastAPI(title="robotest script server", docs_url="/api/docs", redoc_url=None)
    app.state.service = Service(config)
    app.include_router(api.router)
    app.include_router(web.router)
    app.add_exception_handler(web.LoginRequired, web.login_page)
    return app


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 8750,
          access_log: bool = False) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, access_log=access_log,
                log_level="info", timeout_graceful_shutdown=5, timeout_keep_alive=30,
                backlog=4096)
