"""The keyboard controller session: handshake, sequence numbers, retries, heartbeat, reconnect.

One request at a time goes out with a fresh sequence number and waits for the ACK or
NAK that carries it. A timeout, a transient NAK or a corrupted answer resends the
*same* bytes (same sequence number): the firmware answers a repeated number from its
cache, so a resent PRESS never presses twice. A vanished port is reopened and the
handshake repeated (same host session id, so the firmware keeps its cache). Every
deadline is measured on the injected clock.
"""

from __future__ import annotations

import os
import struct
import threading
from dataclasses import dataclass

from robotest.drivers.clock import Clock, RealClock
from robotest.drivers.errors import ControllerSilent, PortGone, ProtocolError
from robotest.drivers.keyboard_codec import (
    PROTOCOL_VERSION,
    TRANSIENT_NAKS,
    Command,
    DeviceInfo,
    Frame,
    FrameParser,
    NakCode,
    Rejected,
    decode_info,
    decode_nak,
    encode,
)
from robotest.drivers.serial_transport import Transport, TransportError

READ_POLL_S = 0.005


class CommandRefused(ProtocolError):
    """The controller answered NAK with a permanent code."""

    def __init__(self, message: str, code: int, detail: int) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


@dataclass
class SessionStats:
    requests: int = 0
    resends: int = 0
    timeouts: int = 0
    naks: int = 0
    corrupted_answers: int = 0
    reconnects: int = 0
    heartbeats: int = 0


def _command_name(command: int) -> str:
    try:
        return Command(command).name
    except ValueError:
        return f"0x{command:02X}"


def _nak_name(code: int) -> str:
    try:
        return NakCode(code).name
    except ValueError:
        return f"0x{code:02X}"


class KeyboardSession:
    """A conversation with one controller over one transport."""

    def __init__(
        self,
        transport: Transport,
        clock: Clock | None = None,
        *,
        response_timeout: float = 0.1,
        attempts: int = 5,
        reconnect_timeout: float = 3.0,
        heartbeat_interval: float | None = None,
    ) -> None:
        self.transport = transport
        self.clock = clock or RealClock()
        self.response_timeout = response_timeout
        self.attempts = attempts
        self.reconnect_timeout = reconnect_timeout
        self.heartbeat_interval = heartbeat_interval
        self.info: DeviceInfo | None = None
        self.stats = SessionStats()
        self.last_error: Exception | None = None
        self._session_id = struct.pack("<I", int.from_bytes(os.urandom(4), "little"))
        self._seq = int.from_bytes(os.urandom(1), "little")
        self._parser = FrameParser()
        self._lock = threading.RLock()
        self._seq_lock = threading.Lock()
        self._last_tx = self.clock.now()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._gone: str | None = None

    @property
    def port(self) -> str:
        return self.transport.name

    # -- life cycle ------------------------------------------------------------------------
    def open(self) -> DeviceInfo:
        """Open the port and shake hands; raise DriverError naming the port on failure."""
        with self._lock:
            try:
                self.transport.open()
            except TransportError as exc:
                raise PortGone(f"keyboard controller: {exc}") from exc
            self._gone = None
            return self._handshake()

    def start_heartbeat(self) -> None:
        """Keep the firmware watchdog fed while the host is idle (background thread)."""
        if self._heartbeat is not None:
            return
        self._stop.clear()
        self._heartbeat = threading.Thread(
            target=self._heartbeat_loop, name=f"heartbeat {self.port}", daemon=True
        )
        self._heartbeat.start()

    def close(self) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=2)
            self._heartbeat = None
        with self._lock:
            self.transport.close()

    # -- requests --------------------------------------------------------------------------
    def request(self, command: Command, payload: bytes = b"") -> bytes:
        """Send one command and return its ACK payload (retrying as the protocol says)."""
        with self._lock:
            return self._exchange(self._next_seq(), command, payload)

    def send_now(self, command: Command) -> bool:
        """Write *command* at once, without waiting for a request in progress or an answer.

        The emergency stop's path: a RELEASE_ALL must not queue behind a request that is
        busy resending. Returns False when the port could not be written.
        """
        try:
            self.transport.write(encode(Frame(self._next_seq(), command, b"")))
        except TransportError:
            return False
        return True

    def heartbeat_if_due(self) -> bool:
        """Send a HEARTBEAT when nothing went out for an interval; False when not due or busy."""
        interval = self._interval()
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if self.clock.now() - self._last_tx < interval:
                return False
            self._exchange(self._next_seq(), Command.HEARTBEAT, b"")
            self.stats.heartbeats += 1
            return True
        finally:
            self._lock.release()

    # -- internals -------------------------------------------------------------------------
    def _interval(self) -> float:
        if self.heartbeat_interval is not None:
            return self.heartbeat_interval
        watchdog = (self.info.watchdog_ms if self.info else 1000) / 1000
        return watchdog / 4

    def _next_seq(self) -> int:
        with self._seq_lock:
            self._seq = (self._seq + 1) & 0xFF
            return self._seq

    def _handshake(self) -> DeviceInfo:
        payload = self._exchange(self._next_seq(), Command.HELLO, self._session_id)
        info = decode_info(payload)
        if info.protocol != PROTOCOL_VERSION:
            raise ProtocolError(
                f"keyboard controller on {self.port} speaks protocol {info.protocol}, "
                f"robotest speaks {PROTOCOL_VERSION}: update the controller firmware"
            )
        self.info = info
        return info

    def _exchange(self, seq: int, command: int, payload: bytes) -> bytes:
        data = encode(Frame(seq, command, payload))
        self.stats.requests += 1
        started = self.clock.now()
        busy: int | None = None
        for attempt in range(self.attempts):
            if attempt:
                self.stats.resends += 1
            try:
                self.transport.write(data)
                self._last_tx = self.clock.now()
                answer = self._await(seq)
            except TransportError:
                self._reconnect()
                continue
            if answer is None:
                self.stats.timeouts += 1
                continue
            if isinstance(answer, Rejected):
                self.stats.corrupted_answers += 1
                continue
            if answer.command == Command.ACK:
                return answer.payload
            code, detail = decode_nak(answer.payload)
            self.stats.naks += 1
            if code in TRANSIENT_NAKS:
                if code == NakCode.BUSY:
                    busy = detail
                    self.clock.sleep(0.005 * (attempt + 1))
                continue
            raise CommandRefused(
                f"keyboard controller on {self.port} refused {_command_name(command)} "
                f"(seq {seq}): {_nak_name(code)}",
                code,
                detail,
            )
        waited = self.clock.now() - started
        if busy is not None:
            raise CommandRefused(
                f"keyboard controller on {self.port} stayed BUSY for {_command_name(command)} "
                f"(seq {seq}): actuator {busy} is still down",
                NakCode.BUSY,
                busy,
            )
        raise ControllerSilent(
            f"keyboard controller on {self.port} did not answer {_command_name(command)} "
            f"(seq {seq}) after {self.attempts} attempts over {waited:.2f} s: "
            "check the cable, the controller's power and the port name in the station file"
        )

    def _await(self, seq: int) -> Frame | Rejected | None:
        """The answer to *seq*, or None when the response timeout passes."""
        deadline = self.clock.now() + self.response_timeout
        while True:
            remaining = deadline - self.clock.now()
            if remaining <= 0:
                return None
            data = self.transport.read(min(remaining, READ_POLL_S))
            if data:
                items = self._parser.feed(data)
            elif self._parser.pending:
                items = self._parser.flush_partial()
            else:
                continue
            for item in items:
                if item.seq != seq:
                    continue  # a stale or duplicated answer to an earlier request
                if isinstance(item, Rejected):
                    return item
                if item.command in (Command.ACK, Command.NAK):
                    return item

    def _reconnect(self) -> None:
        if self._gone is not None:
            raise PortGone(self._gone)  # gave up once already: fail fast, do not wait again
        self.stats.reconnects += 1
        self.transport.close()
        deadline = self.clock.now() + self.reconnect_timeout
        last = "no attempt"
        while True:
            try:
                self.transport.open()
                break
            except TransportError as exc:
                last = str(exc)
            if self.clock.now() >= deadline:
                self._gone = (
                    f"keyboard controller on {self.port} vanished and did not come back "
                    f"within {self.reconnect_timeout:.1f} s ({last}): check the USB-serial "
                    "cable"
                )
                raise PortGone(self._gone)
            self.clock.sleep(0.02)
        self._parser = FrameParser()
        self._handshake()

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(min(0.05, self._interval() / 2)):
            try:
                self.heartbeat_if_due()
            except Exception as exc:  # noqa: BLE001 - reported through health, not lost
                self.last_error = exc
