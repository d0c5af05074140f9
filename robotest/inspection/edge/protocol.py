"""The plain TCP protocol for line equipment that speaks no HTTP (``docs/protocols/inspection.md``).

One ASCII header line, then for ``INSPECT`` the image file's bytes::

    AUTH <token>\\n
    INSPECT <unit-id> <length>\\n<length bytes: a PNG, JPEG, BMP or TIFF file>
    PING\\n

Replies are one ASCII line each, in the order of the requests::

    OK <token holder's name>\\n
    RESULT <unit-id> <OK|NG> <score> <uncertain 0|1> <model-version> <boxes>\\n
    PONG\\n
    ERROR <unit-id|-> <code> <message>\\n

``<code>`` is one of :data:`ERROR_CODES`: ``BAD_REQUEST`` (a message or image the
service cannot use), ``CONFLICT`` (a known unit id with another picture),
``UNAUTHORIZED`` (no valid ``line`` token on this connection).

``<boxes>`` is ``x,y,w,h,score`` per box joined by ``;``, or ``-`` for none. The parser
is sans-IO (bytes in, requests out) so that it is tested apart from sockets: a header
it cannot read breaks the stream (the server answers ``ERROR`` and closes the
connection, since it cannot know where the next message starts); a readable header
with a bad image gets ``ERROR`` and the connection goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from robotest.inspection.edge.limits import MAX_IMAGE_BYTES, UNIT_ID_PATTERN, UNIT_ID_RULE
from robotest.inspection.errors import InspectionError

MAX_HEADER = 128
MAX_PAYLOAD = MAX_IMAGE_BYTES
UNIT_ID = re.compile(UNIT_ID_PATTERN.encode("ascii"))
LENGTH = re.compile(rb"[0-9]{1,9}")
TOKEN = re.compile(rb"[A-Za-z0-9_-]{1,100}")
ERROR_CODES = ("BAD_REQUEST", "CONFLICT", "UNAUTHORIZED")


class ProtocolError(InspectionError):
    """A message that does not follow the protocol; the text says what is wrong."""


@dataclass(frozen=True)
class Request:
    """``INSPECT`` (with the unit id and image bytes), ``AUTH`` (the token as payload)
    or ``PING``."""

    command: str
    unit: str = ""
    payload: bytes = b""


@dataclass(frozen=True)
class Reply:
    """A parsed reply line, as a client sees it."""

    kind: str  # RESULT, PONG, OK or ERROR
    unit: str = ""
    verdict: str = ""
    score: float = 0.0
    uncertain: bool = False
    model_version: str = ""
    boxes: tuple[tuple[float, ...], ...] = ()
    message: str = ""
    code: str = ""


class FrameReader:
    """Feed bytes as they arrive; get complete requests, or one ProtocolError and stop."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.pending: tuple[str, int] | None = None  # unit and length of an INSPECT body
        self.broken = False

    def feed(self, data: bytes) -> list[Request | ProtocolError]:
        if self.broken:
            return []
        self.buffer.extend(data)
        out: list[Request | ProtocolError] = []
        while True:
            if self.pending is not None:
                unit, length = self.pending
                if len(self.buffer) < length:
                    return out
                payload = bytes(self.buffer[:length])
                del self.buffer[:length]
                self.pending = None
                out.append(Request("INSPECT", unit, payload))
                continue
            end = self.buffer.find(b"\n")
            if end < 0:
                if len(self.buffer) >= MAX_HEADER:
                    return self._break(
                        out, f"header longer than {MAX_HEADER} bytes without a newline"
                    )
                return out
            line = bytes(self.buffer[:end])
            del self.buffer[: end + 1]
            try:
                request = parse_header(line)
            except ProtocolError as exc:
                return self._break(out, str(exc))
            if isinstance(request, Request):
                out.append(request)
            else:
                self.pending = request

    def _break(
        self, out: list[Request | ProtocolError], message: str
    ) -> list[Request | ProtocolError]:
        self.broken = True
        self.buffer.clear()
        out.append(ProtocolError(message))
        return out


def parse_header(line: bytes) -> Request | tuple[str, int]:
    """A header line (no newline) -> a complete request, or ``(unit, length)`` of a body."""
    if len(line) >= MAX_HEADER:
        raise ProtocolError(f"header longer than {MAX_HEADER} bytes")
    line = line[:-1] if line.endswith(b"\r") else line
    parts = line.split(b" ")
    command = parts[0]
    if command == b"PING":
        if len(parts) != 1:
            raise ProtocolError("PING takes no arguments")
        return Request("PING")
    if command == b"AUTH":
        if len(parts) != 2 or not TOKEN.fullmatch(parts[1]):
            raise ProtocolError("AUTH needs one token: AUTH <token>")
        return Request("AUTH", payload=parts[1])
    if command != b"INSPECT":
        shown = command[:20].decode("ascii", "replace")
        raise ProtocolError(f"unknown command {shown!r}: expected INSPECT, AUTH or PING")
    if len(parts) != 3:
        raise ProtocolError(
            "INSPECT needs exactly a unit id and a length: INSPECT <unit-id> <length>"
        )
    unit, length = parts[1], parts[2]
    if not UNIT_ID.fullmatch(unit):
        raise ProtocolError(f"unit id must be {UNIT_ID_RULE}")
    if not LENGTH.fullmatch(length):
        raise ProtocolError("length must be a decimal number of bytes")
    size = int(length)
    if not 0 < size <= MAX_PAYLOAD:
        raise ProtocolError(f"length must be 1 to {MAX_PAYLOAD} bytes, got {size}")
    return unit.decode("ascii"), size


def encode_request(request: Request) -> bytes:
    if request.command == "PING":
        return b"PING\n"
    if request.command == "AUTH":
        return b"AUTH " + request.payload + b"\n"
    return f"INSPECT {request.unit} {len(request.payload)}\n".encode("ascii") + request.payload


def encode_result(answer: dict[str, Any]) -> bytes:
    """The ``RESULT`` line for a unit's answer (see ``UnitRecord.answer``)."""
    boxes = ";".join(",".join(_num(v) for v in box) for box in answer["boxes"]) or "-"
    return (
        f"RESULT {answer['unit']} {answer['verdict']} {answer['score']:.4f} "
        f"{int(bool(answer['uncertain']))} {answer['model_version'] or '-'} {boxes}\n"
    ).encode("ascii")


def encode_error(unit: str | None, message: str, code: str = "BAD_REQUEST") -> bytes:
    assert code in ERROR_CODES
    text = " ".join(message.split()).encode("ascii", "replace").decode("ascii")
    return f"ERROR {unit or '-'} {code} {text}\n".encode("ascii")


def parse_reply(line: bytes) -> Reply:
    """A client's reading of one reply line (without the newline)."""
    text = line.decode("ascii").rstrip("\r")
    if text == "PONG":
        return Reply("PONG")
    kind, _, rest = text.partition(" ")
    if kind == "OK":
        return Reply("OK", message=rest)
    if kind == "ERROR":
        unit, _, rest = rest.partition(" ")
        code, _, message = rest.partition(" ")
        return Reply("ERROR", unit=unit, code=code, message=message)
    if kind != "RESULT":
        raise ProtocolError(f"unknown reply {text[:40]!r}")
    fields = rest.split(" ")
    if len(fields) != 6:
        raise ProtocolError(f"RESULT needs 6 fields, got {len(fields)}")
    unit, verdict, score, uncertain, version, boxes = fields
    parsed = (
        ()
        if boxes == "-"
        else tuple(tuple(float(v) for v in box.split(",")) for box in boxes.split(";"))
    )
    return Reply(
        "RESULT",
        unit=unit,
        verdict=verdict,
        score=float(score),
        uncertain=uncertain == "1",
        model_version=version,
        boxes=parsed,
    )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"
