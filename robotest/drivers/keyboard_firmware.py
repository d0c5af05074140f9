"""The keyboard controller's firmware logic, as a pure state machine (no I/O).

:class:`Firmware` takes decoded frames and the time, and returns the frames to send
back. It is what :mod:`keyboard_emulator` runs on a pseudo-terminal. Guarantees that
the host driver relies on:

- a frame whose sequence number was already executed is answered again from the
  cache, never executed twice (a resent PRESS never presses twice);
- each press releases itself after its hold time;
- with no frame from the host for the watchdog time, every actuator is released.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from robotest.drivers.keyboard_codec import (
    PROTOCOL_VERSION,
    TRANSIENT_NAKS,
    ActuatorState,
    Command,
    ControllerStatus,
    DeviceInfo,
    Frame,
    NakCode,
    Rejected,
    crc16,
    decode_press,
    encode,
    encode_info,
    encode_nak,
    encode_status,
)

MAX_ACTUATORS = 128
DEDUP_HISTORY = 64

ActuatorListener = Callable[[int, bool], None]


@dataclass
class Actuator:
    down: bool = False
    stuck: bool = False
    will_stick: bool = False
    cycles: int = 0
    release_at: float | None = None


@dataclass
class Firmware:
    """Controller state: actuators, supply pressure, watchdog and the seq cache."""

    actuators: int = 96
    watchdog_ms: int = 1000
    pressure_kpa: int = 600
    min_pressure_kpa: int = 400
    version: str = "robotest-emu 1.0"
    on_actuator: ActuatorListener | None = None
    press_log: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # (seq, chord)
    _state: list[Actuator] = field(default_factory=list)
    _cache: OrderedDict[int, tuple[int, bytes]] = field(default_factory=OrderedDict)
    _last_rx: float | None = None
    _watchdog_tripped: bool = False
    _host_session: bytes = b""

    def __post_init__(self) -> None:
        if not 0 < self.actuators <= MAX_ACTUATORS:
            raise ValueError(f"a controller has 1 to {MAX_ACTUATORS} actuators")
        self._state = [Actuator() for _ in range(self.actuators)]

    # -- faults a test can set ---------------------------------------------------------
    def make_stuck(self, index: int) -> None:
        """The actuator will not retract on its next release (its key sticks)."""
        self._state[index].will_stick = True

    def set_pressure(self, kpa: int) -> None:
        self.pressure_kpa = kpa

    # -- inspection ----------------------------------------------------------------------
    def down(self) -> tuple[int, ...]:
        return tuple(i for i, a in enumerate(self._state) if a.down)

    def status(self) -> ControllerStatus:
        return ControllerStatus(
            pressure_kpa=self.pressure_kpa,
            watchdog_tripped=self._watchdog_tripped,
            low_pressure=self.pressure_kpa < self.min_pressure_kpa,
            actuators=tuple(ActuatorState(a.down, a.stuck, a.cycles) for a in self._state),
        )

    # -- the protocol ----------------------------------------------------------------------
    def receive(self, item: Frame | Rejected, now: float) -> bytes:
        """Handle one parsed frame; return the encoded answer."""
        self._last_rx = now
        if isinstance(item, Rejected):
            return encode(Frame(item.seq, Command.NAK, encode_nak(NakCode.CRC_ERROR)))
        key = crc16(bytes([item.command]) + item.payload)
        cached = self._cache.get(item.seq)
        if cached is not None and cached[0] == key and item.command != Command.HELLO:
            return cached[1]
        self._release_due(now)  # a timer's release is never late for an answer
        result = self._execute(item, now)
        answer = encode(result)
        if item.command == Command.HELLO or _is_transient_nak(result):
            return answer  # not remembered: a resend must be tried afresh
        self._cache[item.seq] = (key, answer)
        self._cache.move_to_end(item.seq)
        while len(self._cache) > DEDUP_HISTORY:
            self._cache.popitem(last=False)
        return answer

    def tick(self, now: float) -> None:
        """Release presses whose hold has ended; trip the watchdog when the host is silent."""
        self._release_due(now)
        if (
            self._last_rx is not None
            and now - self._last_rx > self.watchdog_ms / 1000
            and any(a.down and not a.stuck for a in self._state)
        ):
            self._watchdog_tripped = True
            self.release_all()

    def _release_due(self, now: float) -> None:
        """Release the presses whose hold has ended by *now*. The controller's timer does
        this on time; the emulator's loop may be late to tick (a starved thread), and an
        answer must not report a press still down past its hold (the host would take the
        key for stuck)."""
        for index, a in enumerate(self._state):
            if a.release_at is not None and now >= a.release_at:
                self._release(index)

    def release_all(self) -> None:
        for index in range(self.actuators):
            self._release(index)

    def _execute(self, frame: Frame, now: float) -> Frame:
        seq = frame.seq
        try:
            command = Command(frame.command)
        except ValueError:
            return Frame(seq, Command.NAK, encode_nak(NakCode.UNKNOWN_COMMAND))
        if command == Command.HELLO:
            if frame.payload != self._host_session:
                self._host_session = frame.payload  # a new host: forget the old one's seqs
                self._cache.clear()
            info = DeviceInfo(PROTOCOL_VERSION, self.actuators, self.watchdog_ms, self.version)
            return Frame(seq, Command.ACK, encode_info(info))
        if command == Command.PRESS:
            return self._press(frame, now)
        if command == Command.RELEASE_ALL:
            self.release_all()
            return Frame(seq, Command.ACK)
        if command == Command.STATUS:
            answer = Frame(seq, Command.ACK, encode_status(self.status()))
            self._watchdog_tripped = False
            return answer
        if command == Command.HEARTBEAT:
            return Frame(seq, Command.ACK)
        return Frame(seq, Command.NAK, encode_nak(NakCode.UNKNOWN_COMMAND))

    def _press(self, frame: Frame, now: float) -> Frame:
        seq = frame.seq
        try:
            chord, hold_ms = decode_press(frame.payload)
        except ValueError:
            return Frame(seq, Command.NAK, encode_nak(NakCode.BAD_PAYLOAD))
        for index in chord:
            if index >= self.actuators:
                return Frame(seq, Command.NAK, encode_nak(NakCode.BAD_ACTUATOR, index))
            if self._state[index].stuck:
                return Frame(seq, Command.NAK, encode_nak(NakCode.ACTUATOR_STUCK, index))
        if self.pressure_kpa < self.min_pressure_kpa:
            return Frame(seq, Command.NAK, encode_nak(NakCode.LOW_PRESSURE))
        for index in chord:
            if self._state[index].down:
                return Frame(seq, Command.NAK, encode_nak(NakCode.BUSY, index))
        self.press_log.append((seq, chord))
        for index in chord:
            a = self._state[index]
            a.down = True
            a.cycles += 1
            a.release_at = now + hold_ms / 1000
            if self.on_actuator is not None:
                self.on_actuator(index, True)
        return Frame(seq, Command.ACK)

    def _release(self, index: int) -> None:
        a = self._state[index]
        a.release_at = None
        if not a.down or a.stuck:
            return
        if a.will_stick:
            a.stuck = True
            return
        a.down = False
        if self.on_actuator is not None:
            self.on_actuator(index, False)


def _is_transient_nak(frame: Frame) -> bool:
    return (
        frame.command == Command.NAK
        and bool(frame.payload)
        and (frame.payload[0] in TRANSIENT_NAKS)
    )
