"""The pneumatic keyboard controller's wire format: frames, CRC and an incremental parser.

Pure functions and one small stateful parser, shared by the host driver and the
firmware emulator so both speak exactly the same bytes. The format is documented in
``docs/protocols/keyboard.md``::

    0xA5 | LEN (u16 LE) | SEQ | CMD | PAYLOAD (LEN-2 bytes) | CRC-16 (BE)

``LEN`` counts SEQ, CMD and PAYLOAD; the CRC (CRC-16/CCITT-FALSE) covers LEN to PAYLOAD.
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass
from enum import IntEnum

START = 0xA5
MAX_BODY = 1024  # SEQ + CMD + PAYLOAD
HEADER_SIZE = 3  # START + LEN
TRAILER_SIZE = 2  # CRC
PROTOCOL_VERSION = 1


class Command(IntEnum):
    """Command bytes: host to controller below 0x80, controller to host from 0x80."""

    HELLO = 0x01
    PRESS = 0x02
    RELEASE_ALL = 0x03
    STATUS = 0x04
    HEARTBEAT = 0x05
    ACK = 0x80
    NAK = 0x81


class NakCode(IntEnum):
    """Why the controller refused a frame; the first two are worth a resend."""

    CRC_ERROR = 0x01
    BUSY = 0x02
    UNKNOWN_COMMAND = 0x10
    BAD_PAYLOAD = 0x11
    BAD_ACTUATOR = 0x12
    LOW_PRESSURE = 0x13
    ACTUATOR_STUCK = 0x14


TRANSIENT_NAKS = frozenset({NakCode.CRC_ERROR, NakCode.BUSY})


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as the controller computes it."""
    return binascii.crc_hqx(data, 0xFFFF)


@dataclass(frozen=True)
class Frame:
    """One decoded frame."""

    seq: int
    command: int
    payload: bytes = b""


def encode(frame: Frame) -> bytes:
    """The bytes of *frame* on the wire."""
    if not 0 <= frame.seq <= 0xFF or not 0 <= frame.command <= 0xFF:
        raise ValueError(f"seq and command are bytes: {frame}")
    body_len = 2 + len(frame.payload)
    if body_len > MAX_BODY:
        raise ValueError(f"payload of {len(frame.payload)} bytes is over the frame limit")
    body = struct.pack("<HBB", body_len, frame.seq, frame.command) + frame.payload
    return bytes([START]) + body + struct.pack(">H", crc16(body))


@dataclass(frozen=True)
class Rejected:
    """A frame whose header was plausible but whose CRC failed (seq as read, may be wrong)."""

    seq: int


class FrameParser:
    """Incremental parser: feed it any chunks of bytes, get whole frames back.

    Garbage and corrupted frames are skipped by resynchronising on the next start
    byte. A partial frame that never completes (its length byte was garbage) is
    abandoned by :meth:`flush_partial`, which readers call when the line goes idle.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.garbage_bytes = 0
        self.bad_frames = 0

    def feed(self, data: bytes) -> list[Frame | Rejected]:
        """Add *data*; return every frame (and every CRC failure) now complete."""
        self._buffer.extend(data)
        return self._drain()

    def flush_partial(self) -> list[Frame | Rejected]:
        """Give up on an incomplete frame at the buffer head and rescan what follows."""
        if not self._buffer:
            return []
        self._skip(1)
        return self._drain()

    @property
    def pending(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return len(self._buffer)

    def _skip(self, count: int) -> None:
        del self._buffer[:count]
        self.garbage_bytes += count

    def _drain(self) -> list[Frame | Rejected]:
        out: list[Frame | Rejected] = []
        buf = self._buffer
        while buf:
            start = buf.find(START)
            if start < 0:
                self._skip(len(buf))
                break
            if start:
                self._skip(start)
            if len(buf) < HEADER_SIZE:
                break
            (body_len,) = struct.unpack_from("<H", buf, 1)
            if body_len < 2 or body_len > MAX_BODY:
                self._skip(1)
                continue
            total = HEADER_SIZE + body_len + TRAILER_SIZE
            if len(buf) < total:
                break
            body = bytes(buf[1 : HEADER_SIZE + body_len])
            (crc,) = struct.unpack_from(">H", buf, HEADER_SIZE + body_len)
            if crc != crc16(body):
                self.bad_frames += 1
                out.append(Rejected(seq=body[2]))
                self._skip(1)
                continue
            out.append(Frame(seq=body[2], command=body[3], payload=body[4:]))
            del buf[:total]
        return out


# -- payloads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInfo:
    """The HELLO answer: what the controller is."""

    protocol: int
    actuators: int
    watchdog_ms: int
    firmware: str


def encode_info(info: DeviceInfo) -> bytes:
    return struct.pack("<BBH", info.protocol, info.actuators, info.watchdog_ms) + (
        info.firmware.encode("ascii")
    )


def decode_info(payload: bytes) -> DeviceInfo:
    if len(payload) < 4:
        raise ValueError(f"HELLO answer of {len(payload)} bytes is too short")
    protocol, actuators, watchdog_ms = struct.unpack_from("<BBH", payload)
    return DeviceInfo(protocol, actuators, watchdog_ms, payload[4:].decode("ascii", "replace"))


def encode_press(actuators: tuple[int, ...], hold_ms: int) -> bytes:
    """PRESS payload: hold time in ms, then the chord's actuator indices."""
    if not actuators or len(actuators) > 255:
        raise ValueError("a chord has 1 to 255 actuators")
    if not 0 < hold_ms <= 0xFFFF:
        raise ValueError(f"hold of {hold_ms} ms is out of range")
    return struct.pack("<HB", hold_ms, len(actuators)) + bytes(actuators)


def decode_press(payload: bytes) -> tuple[tuple[int, ...], int]:
    if len(payload) < 3:
        raise ValueError("PRESS payload too short")
    hold_ms, count = struct.unpack_from("<HB", payload)
    if count == 0 or len(payload) != 3 + count:
        raise ValueError("PRESS payload length does not match its actuator count")
    return tuple(payload[3:]), hold_ms


def encode_nak(code: NakCode, detail: int = 0) -> bytes:
    return bytes([int(code), detail & 0xFF])


def decode_nak(payload: bytes) -> tuple[int, int]:
    if len(payload) < 2:
        return (payload[0] if payload else 0, 0)
    return payload[0], payload[1]


FLAG_WATCHDOG_TRIPPED = 0x01
FLAG_LOW_PRESSURE = 0x02
STATE_DOWN = 0x01
STATE_STUCK = 0x02


@dataclass(frozen=True)
class ActuatorState:
    down: bool
    stuck: bool
    cycles: int


@dataclass(frozen=True)
class ControllerStatus:
    """The STATUS answer: supply pressure, flags and every actuator's state."""

    pressure_kpa: int
    watchdog_tripped: bool
    low_pressure: bool
    actuators: tuple[ActuatorState, ...]

    @property
    def down(self) -> tuple[int, ...]:
        return tuple(i for i, a in enumerate(self.actuators) if a.down)

    @property
    def stuck(self) -> tuple[int, ...]:
        return tuple(i for i, a in enumerate(self.actuators) if a.stuck)


def encode_status(status: ControllerStatus) -> bytes:
    flags = (FLAG_WATCHDOG_TRIPPED if status.watchdog_tripped else 0) | (
        FLAG_LOW_PRESSURE if status.low_pressure else 0
    )
    out = bytearray(struct.pack("<BHB", flags, status.pressure_kpa, len(status.actuators)))
    for a in status.actuators:
        state = (STATE_DOWN if a.down else 0) | (STATE_STUCK if a.stuck else 0)
        out += struct.pack("<BI", state, a.cycles)
    return bytes(out)


def decode_status(payload: bytes) -> ControllerStatus:
    if len(payload) < 4:
        raise ValueError("STATUS answer too short")
    flags, pressure, count = struct.unpack_from("<BHB", payload)
    if len(payload) != 4 + 5 * count:
        raise ValueError("STATUS answer length does not match its actuator count")
    actuators = tuple(
        ActuatorState(down=bool(state & STATE_DOWN), stuck=bool(state & STATE_STUCK), cycles=cycles)
        for state, cycles in struct.iter_unpack("<BI", payload[4:])
    )
    return ControllerStatus(
        pressure_kpa=pressure,
        watchdog_tripped=bool(flags & FLAG_WATCHDOG_TRIPPED),
        low_pressure=bool(flags & FLAG_LOW_PRESSURE),
        actuators=actuators,
    )
