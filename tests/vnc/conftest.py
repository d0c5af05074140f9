"""Fixtures: a real Xvnc server on loopback (with an xterm), stopped at the end of each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from vnc_servers import Relay, XvncServer


def pytest_configure(config: pytest.Config) -> None:
    """vncdotool's VNC password DES goes through cryptography's "decrepit" TripleDES."""
    config.addinivalue_line("filterwarnings", "ignore:TripleDES has been moved")


@pytest.fixture
def xvnc(tmp_path: Path) -> Iterator[XvncServer]:
    """Xvnc (1920x1080, VNC password) on a free display and port; no X client yet."""
    try:
        server = XvncServer(tmp_path).start()
    except RuntimeError as exc:  # missing programs fail the test: CI runs setup.sh first
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def desktop(xvnc: XvncServer) -> XvncServer:
    """The Xvnc server with an xterm running bash (prompt `robot$ `) at the top left."""
    xvnc.xterm()
    return xvnc


@pytest.fixture
def relay(xvnc: XvncServer) -> Iterator[Relay]:
    """A TCP relay in front of the Xvnc server, to drop connections at will."""
    proxy = Relay(xvnc.port)
    try:
        yield proxy
    finally:
        proxy.close()
