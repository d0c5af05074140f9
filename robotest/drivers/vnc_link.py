"""The RFB connection of a VNC station, over vncdotool's protocol code.

vncdotool (Twisted) speaks RFB; this module runs its reactor in one background thread
and offers blocking calls with a time limit: key events, pointer events and full
framebuffer grabs. A connection that drops (the server restarted, the network went
away) is opened again, within ``reconnect_timeout`` seconds, by the next call; a server
that does not come back, a refused connection and a wrong password are
:class:`~robotest.errors.DriverError` s that name ``host:port``.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image
from twisted.internet import reactor as _reactor
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.python.failure import Failure
from vncdotool.client import AuthenticationError, VNCDoToolClient, VNCDoToolFactory, factory_connect

from robotest.drivers.errors import VncAuthError, VncConnectionError

reactor: Any = _reactor  # Twisted's reactor module object is not typed
# RFB's VNC authentication is single DES; vncdotool computes it with cryptography's
# TripleDES (three equal keys), which cryptography now files under "decrepit".
warnings.filterwarnings("ignore", message="TripleDES has been moved", module="vncdotool")
RETRY_INTERVAL = 0.25  # seconds between attempts to reconnect

_start_lock = threading.Lock()
_thread: threading.Thread | None = None


def _ensure_reactor() -> None:
    """Run Twisted's reactor in a daemon thread, once per process."""
    global _thread
    with _start_lock:
        if reactor.running or (_thread is not None and _thread.is_alive()):
            return  # ours, or one that vncdotool.api (or a Twisted program) started
        _thread = threading.Thread(
            target=reactor.run,
            kwargs={"installSignalHandlers": False},
            name="robotest-vnc-reactor",
            daemon=True,
        )
        _thread.start()


def on_reactor(fn: Callable[..., Any], *args: Any, timeout: float) -> Any:
    """Run *fn* in the reactor thread; wait at most *timeout* s for it (or its Deferred).

    Raises what *fn* raised, or :class:`TimeoutError`. Each call has its own answer
    box, so a late answer to an abandoned call can never be taken for another's.
    """
    answer: queue.Queue[Any] = queue.Queue(maxsize=1)

    def run() -> None:
        maybeDeferred(fn, *args).addBoth(answer.put)

    reactor.callFromThread(run)
    try:
        result = answer.get(timeout=timeout)
    except queue.Empty:
        raise TimeoutError(f"no answer within {timeout:g} s") from None
    if isinstance(result, Failure):
        result.raiseException()
    return result


class _Client(VNCDoToolClient):
    """vncdotool's client whose full-screen grab ends only when every pixel has arrived.

    A server may answer one full-screen request in several updates (TigerVNC does under
    congestion control); the grab waits until the updates cover the whole framebuffer.
    """

    def vncConnectionMade(self) -> None:
        self.screen = Image.new("RGB", (self.width, self.height))
        self.uncovered: np.ndarray | None = None
        self.cursor_rects: set[tuple[int, int, int, int]] = set()
        super().vncConnectionMade()

    def request_full_frame(self) -> Deferred:
        self.uncovered = np.ones((self.height, self.width), bool)
        return self.refreshScreen(incremental=False)

    def updateCursor(
        self, x: int, y: int, width: int, height: int, image: bytes, mask: bytes
    ) -> None:
        self.cursor_rects.add((x, y, width, height))  # not framebuffer pixels
        super().updateCursor(x, y, width, height, image, mask)

    def updateDesktopSize(self, width: int, height: int) -> None:
        super().updateDesktopSize(width, height)
        self.width, self.height = width, height
        if self.uncovered is not None:
            self.uncovered = np.ones((height, width), bool)

    def commitUpdate(self, rectangles: list[tuple[int, int, int, int]] | None = None) -> None:
        if self.uncovered is not None:
            for rect in rectangles or ():
                if rect not in self.cursor_rects:
                    x, y, width, height = rect
                    self.uncovered[y : y + height, x : x + width] = False
            if self.uncovered.any():
                self.framebufferUpdateRequest(incremental=True)  # the rest is on its way
                return
            self.uncovered = None
        pending: Deferred | None = getattr(self, "deferred", None)
        self.deferred = None
        if pending is not None:
            pending.callback(self)


class _Factory(VNCDoToolFactory):
    """vncdotool's factory, told when its connection is lost.

    The pointer is never drawn into the frames (the cursor pseudo-encoding takes it out),
    as a camera pointed at a real screen would not mistake it for text either.
    """

    nocursor = True
    protocol = _Client

    def __init__(self, password: str | None) -> None:
        super().__init__()
        self.password = password
        self.lost = threading.Event()
        self.protocol_instance: _Client | None = None

    def clientConnectionMade(self, protocol: _Client) -> None:
        self.protocol_instance = protocol
        super().clientConnectionMade(protocol)

    def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
        if not self.deferred.called:
            self.deferred.errback(reason)

    def clientConnectionLost(self, connector: Any, reason: Any) -> None:
        self.lost.set()
        pending = getattr(connector, "deferred", None)  # a grab waiting for its update
        if isinstance(pending, Deferred) and not pending.called:
            connector.deferred = None
            pending.errback(reason)
        if not self.deferred.called:  # lost during the handshake
            self.deferred.errback(reason)
        super().clientConnectionLost(connector, reason)


class VncLink:
    """One RFB client connection to ``host:port`` that comes back after a drop."""

    def __init__(
        self,
        host: str,
        port: int,
        password: str | None = None,
        *,
        timeout: float = 5.0,
        reconnect_timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.password = password
        self.timeout = timeout
        self.reconnect_timeout = reconnect_timeout
        self.address = f"{host}:{port}"
        self.reconnects = 0
        self.fault: str | None = None
        self._size: tuple[int, int] = (0, 0)  # framebuffer (width, height) when last seen
        self.on_reconnect: list[Callable[[], None]] = []
        self._factory: _Factory | None = None
        self._closed = False
        self._lock = threading.RLock()  # one request at a time: grabs, keys, pointer

    # -- connecting ----------------------------------------------------------------
    def open(self) -> VncLink:
        """Connect and log in; raise VncConnectionError or VncAuthError naming host:port."""
        with self._lock:
            self._connect()
        return self

    def _connect(self) -> None:
        _ensure_reactor()
        factory = _Factory(self.password)

        def start() -> Deferred:
            factory_connect(factory, self.host, self.port, socket.AF_UNSPEC)
            return factory.deferred

        try:
            protocol = on_reactor(start, timeout=self.timeout)
        except AuthenticationError as exc:
            self._drop(factory)
            if self.password is None:
                raise VncAuthError(
                    f"VNC server {self.address} asks for a password: give password or "
                    "password_env in the station file's [vnc] table"
                ) from None
            raise VncAuthError(
                f"VNC server {self.address} refused the password ({_reason(exc)}): "
                "check the station file's password"
            ) from None
        except TimeoutError:
            self._drop(factory)
            raise VncConnectionError(
                f"VNC server {self.address} did not answer within {self.timeout:g} s"
            ) from None
        except Exception as exc:  # noqa: BLE001 - Twisted's connection errors are many
            self._drop(factory)
            raise VncConnectionError(
                f"cannot connect to VNC server {self.address}: {_reason(exc)}"
            ) from None
        self._factory = factory
        self._size = (int(protocol.width), int(protocol.height))

    def _drop(self, factory: _Factory | None) -> None:
        """Close *factory*'s connection, if it has one (from any thread)."""
        protocol = factory.protocol_instance if factory is not None else None
        if protocol is not None and protocol.transport is not None:
            reactor.callFromThread(protocol.transport.abortConnection)

    @property
    def size(self) -> tuple[int, int]:
        """The framebuffer's (width, height); it changes when the desktop's resolution does."""
        protocol = self._factory.protocol_instance if self._factory is not None else None
        if protocol is not None:
            self._size = (int(protocol.width), int(protocol.height))
        return self._size

    @property
    def connected(self) -> bool:
        return self._factory is not None and not self._factory.lost.is_set()

    def _live(self) -> _Client:
        """The connected protocol, reconnecting first if the connection dropped."""
        if self.fault is not None:
            raise VncConnectionError(self.fault)
        if self._closed:
            raise VncConnectionError(f"the connection to VNC server {self.address} is closed")
        if not self.connected:
            self._reconnect()
        assert self._factory is not None and self._factory.protocol_instance is not None
        return self._factory.protocol_instance

    def _reconnect(self) -> None:
        """Connect again within ``reconnect_timeout`` s, or fault the link for good."""
        self._drop(self._factory)
        self._factory = None
        deadline = time.monotonic() + self.reconnect_timeout
        last = "the connection dropped"
        while True:
            try:
                self._connect()
            except VncAuthError:
                raise
            except VncConnectionError as exc:
                last = str(exc)
                if time.monotonic() + RETRY_INTERVAL >= deadline:
                    break
                time.sleep(RETRY_INTERVAL)
                continue
            self.reconnects += 1
            for hook in self.on_reconnect:
                hook()
            return
        self.fault = (
            f"VNC server {self.address} went away and did not come back within "
            f"{self.reconnect_timeout:g} s (last attempt: {last})"
        )
        raise VncConnectionError(self.fault)

    # -- requests ------------------------------------------------------------------
    def key(self, keysym: int, down: bool) -> None:
        self._send(lambda p: p.keyEvent(keysym, down))

    def pointer(self, x: int, y: int, buttons: int) -> None:
        self._send(lambda p: p.pointerEvent(x, y, buttons))

    def _send(self, write: Callable[[_Client], None]) -> None:
        with self._lock:
            protocol = self._live()
            try:
                on_reactor(write, protocol, timeout=self.timeout)
            except TimeoutError:
                raise VncConnectionError(
                    f"VNC station {self.address}: the client did not send within {self.timeout:g} s"
                ) from None

    def grab(self) -> np.ndarray:
        """The whole framebuffer now, RGB ``uint8`` H x W x 3 (reconnects once if needed)."""
        with self._lock:
            problem = ""
            for _attempt in range(2):
                protocol = self._live()
                try:
                    return on_reactor(_full_frame, protocol, timeout=self.timeout)
                except TimeoutError:
                    self._drop(self._factory)
                    self._factory = None
                    problem = f"sent no frame within {self.timeout:g} s"
                except Exception as exc:  # noqa: BLE001 - dropped, or a garbled update
                    if self.connected:  # the protocol state is unknown: start afresh
                        self._drop(self._factory)
                        self._factory = None
                        raise VncConnectionError(
                            f"VNC server {self.address} sent a frame robotest cannot read: "
                            f"{_reason(exc)}"
                        ) from None
                    problem = f"dropped the connection during a frame ({_reason(exc)})"
            raise VncConnectionError(f"VNC server {self.address} {problem}")

    def close(self) -> None:
        """Disconnect (waits briefly for the socket to close)."""
        with self._lock:
            self._closed = True
            factory, self._factory = self._factory, None
            if factory is None or factory.lost.is_set() or factory.protocol_instance is None:
                return
            protocol = factory.protocol_instance
            reactor.callFromThread(protocol.transport.loseConnection)
            factory.lost.wait(timeout=self.timeout)


def _full_frame(protocol: _Client) -> Deferred:
    """Ask for the whole framebuffer; the Deferred gives it as an RGB array."""
    return protocol.request_full_frame().addCallback(lambda p: np.asarray(p.screen))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) or "refused" in text.lower():
        return "connection refused (is the VNC server running and listening there?)"
    if "security types" in text:
        return (
            f"{text}; robotest logs in with VNC authentication or none (for a TLS-only "
            "server, allow VncAuth on loopback and reach it through an SSH tunnel)"
        )
    return " ".join(text.split())
