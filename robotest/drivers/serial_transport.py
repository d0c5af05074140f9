"""Bytes to and from a serial port (pyserial): the keyboard session's transport.

Any object with the :class:`Transport` methods can stand in (tests use an in-memory
one). Every failure surfaces as :class:`TransportError` carrying the port name, so
the session above can reopen the port after an unplug.
"""

from __future__ import annotations

import contextlib
import errno
from typing import Protocol

import serial


class TransportError(OSError):
    """The port failed (vanished, unreadable); the session decides what to do."""


class Transport(Protocol):
    name: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, timeout: float) -> bytes: ...


class SerialTransport:
    """A pyserial port opened raw (8N1, no flow control)."""

    def __init__(self, port: str, baudrate: int = 115200) -> None:
        self.name = port
        self.baudrate = baudrate
        self._serial: serial.Serial | None = None

    def open(self) -> None:
        self.close()
        try:
            self._serial = serial.Serial(
                self.name, self.baudrate, timeout=0, write_timeout=1.0, exclusive=True
            )
            self._serial.reset_input_buffer()
        except (serial.SerialException, OSError, ValueError) as exc:
            self._serial = None
            raise TransportError(f"cannot open serial port {self.name}: {_reason(exc)}") from exc

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def close(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._serial.close()
            self._serial = None

    def write(self, data: bytes) -> None:
        port = self._require()
        try:
            port.write(data)
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportError(f"writing to {self.name} failed: {_reason(exc)}") from exc

    def read(self, timeout: float) -> bytes:
        """Whatever arrives within *timeout* seconds (possibly nothing)."""
        port = self._require()
        try:
            port.timeout = max(0.0, timeout)
            first = port.read(1)
            if not first:
                return b""
            waiting = port.in_waiting
            return first + (port.read(waiting) if waiting else b"")
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportError(f"reading from {self.name} failed: {_reason(exc)}") from exc

    def _require(self) -> serial.Serial:
        if self._serial is None:
            raise TransportError(f"serial port {self.name} is not open")
        return self._serial


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if getattr(exc, "errno", None) == errno.EACCES:
        text += (
            " (this user may not open serial ports: `sudo usermod -aG dialout $USER`, "
            "then log in again)"
        )
    elif getattr(exc, "errno", None) in (errno.EAGAIN, errno.EBUSY):
        text += " (another program has the port open: close it)"
    return text
