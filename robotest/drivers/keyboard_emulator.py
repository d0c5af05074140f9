"""The keyboard controller's firmware, emulated on a pseudo-terminal pair.

The host driver opens :attr:`KeyboardEmulator.port` with pyserial exactly like a real
``/dev/ttyUSB0``: the path is a stable symlink to the pty's slave side, so an
emulated unplug (the pty disappears) and replug (a new pty behind the same path)
look to the driver like a USB-serial adapter pulled and plugged back.

Faults are injected on demand (:meth:`KeyboardEmulator.inject`): dropped, corrupted,
delayed or duplicated frames in either direction, a vanished port, a stuck actuator,
low supply pressure.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import tempfile
import threading
import time
import tty
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from types import TracebackType

from robotest.drivers.clock import Clock, RealClock
from robotest.drivers.keyboard_codec import Frame, FrameParser, Rejected
from robotest.drivers.keyboard_firmware import Firmware

IDLE_FLUSH_S = 0.02  # an incomplete frame older than this is abandoned (inter-byte timeout)
POLL_S = 0.002


class FaultKind(Enum):
    DROP = "drop"
    CORRUPT = "corrupt"
    DELAY = "delay"
    DUPLICATE = "duplicate"


class Direction(Enum):
    TO_CONTROLLER = "to_controller"
    TO_HOST = "to_host"


@dataclass
class FrameFault:
    """Apply *kind* to the next *count* frames going *direction* (optionally of one command)."""

    kind: FaultKind
    direction: Direction
    count: int = 1
    command: int | None = None
    delay: float = 0.2


class KeyboardEmulator:
    """Runs :class:`Firmware` behind a pseudo-terminal, in a background thread."""

    def __init__(
        self,
        firmware: Firmware | None = None,
        clock: Clock | None = None,
        name: str = "ttyROBOKBD0",
    ) -> None:
        self.firmware = firmware or Firmware()
        self.clock = clock or RealClock()
        self._dir = tempfile.mkdtemp(prefix="robotest-kbd-")
        self.port = os.path.join(self._dir, name)
        self._lock = threading.RLock()
        self._faults: list[FrameFault] = []
        self._delayed: list[tuple[float, Direction, bytes | Frame | Rejected, int]] = []
        self._master: int | None = None
        self._slave: int | None = None
        self._parser = FrameParser()
        self._last_byte_at = 0.0
        self._running = False
        self._thread: threading.Thread | None = None
        self.frames_received = 0

    # -- life cycle ----------------------------------------------------------------------
    def start(self) -> KeyboardEmulator:
        self._plug()
        self._running = True
        self._thread = threading.Thread(target=self._run, name="keyboard-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        with self._lock:
            self._unplug()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> KeyboardEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- faults --------------------------------------------------------------------------
    def inject(
        self,
        kind: FaultKind | str,
        direction: Direction | str = Direction.TO_CONTROLLER,
        count: int = 1,
        command: int | None = None,
        delay: float = 0.2,
    ) -> None:
        """Apply a frame fault to the next *count* matching frames."""
        with self._lock:
            self._faults.append(
                FrameFault(FaultKind(kind), Direction(direction), count, command, delay)
            )

    def unplug(self) -> None:
        """The port vanishes (like a USB-serial adapter pulled out)."""
        with self._lock:
            self._unplug()

    def replug(self) -> None:
        """The port comes back at the same path."""
        with self._lock:
            if self._master is None:
                self._plug()

    def make_stuck(self, index: int) -> None:
        with self._lock:
            self.firmware.make_stuck(index)

    def set_pressure(self, kpa: int) -> None:
        with self._lock:
            self.firmware.set_pressure(kpa)

    def send_raw(self, data: bytes) -> None:
        """Write bytes to the host as they are (line noise, garbage)."""
        with self._lock:
            self._write(data)

    @contextlib.contextmanager
    def locked(self) -> Iterator[Firmware]:
        """Inspect the firmware without racing the emulator thread."""
        with self._lock:
            yield self.firmware

    # -- internals -----------------------------------------------------------------------
    def _plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self._parser = FrameParser()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.port)
        os.symlink(os.ttyname(slave), self.port)

    def _unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.port)
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def _take_fault(self, direction: Direction, command: int) -> FrameFault | None:
        for fault in self._faults:
            if fault.direction == direction and fault.command in (None, command):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _run(self) -> None:
        while self._running:
            master = self._master
            data = b""
            if master is not None:
                try:
                    ready, _, _ = select.select([master], [], [], POLL_S)
                    if ready:
                        data = os.read(master, 4096)
                except OSError:
                    data = b""
            else:
                time.sleep(POLL_S)
            with self._lock:
                now = self.clock.now()
                items: list[Frame | Rejected] = []
                if data:
                    self._last_byte_at = now
                    items = self._parser.feed(data)
                elif self._parser.pending and now - self._last_byte_at > IDLE_FLUSH_S:
                    items = self._parser.flush_partial()
                for item in items:
                    self._from_host(item, now)
                self._deliver_delayed(now)
                self.firmware.tick(now)

    def _from_host(self, item: Frame | Rejected, now: float) -> None:
        command = item.command if isinstance(item, Frame) else -1
        fault = self._take_fault(Direction.TO_CONTROLLER, command)
        if fault is not None and fault.kind == FaultKind.DROP:
            return
        if fault is not None and fault.kind == FaultKind.CORRUPT:
            item = Rejected(item.seq)
        if fault is not None and fault.kind == FaultKind.DELAY:
            self._delayed.append((now + fault.delay, Direction.TO_CONTROLLER, item, command))
            return
        repeats = 2 if fault is not None and fault.kind == FaultKind.DUPLICATE else 1
        for _ in range(repeats):
            self._handle(item, now, command)

    def _handle(self, item: Frame | Rejected, now: float, command: int) -> None:
        self.frames_received += 1
        answer = self.firmware.receive(item, now)
        self._to_host(answer, now, command)

    def _to_host(self, data: bytes, now: float, command: int) -> None:
        fault = self._take_fault(Direction.TO_HOST, command)
        if fault is not None and fault.kind == FaultKind.DROP:
            return
        if fault is not None and fault.kind == FaultKind.CORRUPT:
            data = data[:-1] + bytes([data[-1] ^ 0x5A])
        if fault is not None and fault.kind == FaultKind.DELAY:
            self._delayed.append((now + fault.delay, Direction.TO_HOST, data, command))
            return
        if fault is not None and fault.kind == FaultKind.DUPLICATE:
            data = data + data
        self._write(data)

    def _deliver_delayed(self, now: float) -> None:
        due = [d for d in self._delayed if d[0] <= now]
        self._delayed = [d for d in self._delayed if d[0] > now]
        for _, direction, item, command in due:
            if direction == Direction.TO_HOST:
                assert isinstance(item, bytes)
                self._write(item)
            else:
                assert not isinstance(item, bytes)
                self._handle(item, now, command)

    def _write(self, data: bytes) -> None:
        if self._master is None:
            return
        with contextlib.suppress(OSError):
            os.write(self._master, data)
