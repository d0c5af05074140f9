"""In-memory stand-ins for session tests: a transport wired straight to the firmware logic.

Used only to test the session's timing decisions on a ManualClock; every driver test
that matters also runs through pyserial and a real pseudo-terminal (test_keyboard_faults).
"""

from __future__ import annotations

from robotest.drivers.clock import ManualClock
from robotest.drivers.keyboard_codec import FrameParser
from robotest.drivers.keyboard_firmware import Firmware
from robotest.drivers.serial_transport import TransportError


class FirmwareLink:
    """A transport whose far end is a Firmware; reading with nothing to read moves the clock."""

    def __init__(self, firmware: Firmware, clock: ManualClock, latency: float = 0.001) -> None:
        self.name = "/dev/fake-kbd"
        self.firmware = firmware
        self.clock = clock
        self.latency = latency
        self.silent = False
        self.open_failures = 0
        self.opened = 0
        self.written: list[bytes] = []
        self._parser = FrameParser()
        self._inbox = b""

    def open(self) -> None:
        if self.open_failures:
            self.open_failures -= 1
            raise TransportError(f"cannot open serial port {self.name}: gone")
        self.opened += 1

    def close(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self.written.append(data)
        if self.silent:
            return
        self.firmware.tick(self.clock.now())
        for item in self._parser.feed(data):
            self._inbox += self.firmware.receive(item, self.clock.now())

    def read(self, timeout: float) -> bytes:
        if self._inbox:
            self.clock.advance(self.latency)
            data, self._inbox = self._inbox, b""
            return data
        self.clock.advance(timeout)
        self.firmware.tick(self.clock.now())
        return b""
