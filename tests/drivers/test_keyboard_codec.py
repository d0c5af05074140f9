"""The keyboard wire format: round trips and a parser that resynchronises (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robotest.drivers.keyboard_codec import (
    START,
    ActuatorState,
    ControllerStatus,
    DeviceInfo,
    Frame,
    FrameParser,
    Rejected,
    crc16,
    decode_info,
    decode_press,
    decode_status,
    encode,
    encode_info,
    encode_press,
    encode_status,
)

frames = st.builds(
    Frame,
    seq=st.integers(0, 255),
    command=st.integers(0, 255),
    payload=st.binary(max_size=64),
)
garbage = st.binary(max_size=40).map(lambda b: bytes(x for x in b if x != START))


def parse_all(data: bytes, chunks: list[int] | None = None) -> list[Frame | Rejected]:
    parser = FrameParser()
    out: list[Frame | Rejected] = []
    if chunks is None:
        out += parser.feed(data)
    else:
        pos = 0
        for size in chunks:
            out += parser.feed(data[pos : pos + size])
            pos += size
        out += parser.feed(data[pos:])
    while parser.pending:
        out += parser.flush_partial()
    return out


def test_crc_is_ccitt_false() -> None:
    assert crc16(b"123456789") == 0x29B1


def test_known_frame_bytes() -> None:
    data = encode(Frame(seq=7, command=0x02, payload=b"\x32\x00\x01\x05"))
    assert data[:6] == bytes([0xA5, 0x06, 0x00, 0x07, 0x02, 0x32])
    assert int.from_bytes(data[-2:], "big") == crc16(data[1:-2])


@given(frames)
def test_encode_then_parse_round_trips(frame: Frame) -> None:
    assert parse_all(encode(frame)) == [frame]


@given(
    st.lists(st.tuples(garbage, frames), max_size=8),
    garbage,
    st.lists(st.integers(1, 17), max_size=30),
)
@settings(max_examples=200)
def test_parser_finds_every_frame_among_garbage_in_any_chunking(
    items: list[tuple[bytes, Frame]], tail: bytes, chunks: list[int]
) -> None:
    stream = b"".join(g + encode(f) for g, f in items) + tail
    assert parse_all(stream, chunks) == [f for _, f in items]


@given(frames, st.integers(min_value=0), st.integers(1, 255), frames)
def test_a_corrupted_frame_is_rejected_and_the_next_one_still_parses(
    frame: Frame, position: int, flip: int, following: Frame
) -> None:
    data = bytearray(encode(frame))
    index = 3 + position % (len(data) - 3)  # corrupt past the length field
    data[index] ^= flip
    result = [
        item for item in parse_all(bytes(data) + encode(following)) if isinstance(item, Frame)
    ]
    assert result == [following]


@given(st.binary(max_size=300))
def test_parser_never_raises_on_line_noise(data: bytes) -> None:
    parser = FrameParser()
    parser.feed(data)
    while parser.pending:
        parser.flush_partial()
    assert parser.pending == 0


def test_garbage_length_does_not_swallow_a_following_frame_after_idle_flush() -> None:
    parser = FrameParser()
    frame = Frame(1, 0x80, b"")
    assert parser.feed(bytes([START, 0xFF, 0x01]) + encode(frame)) == []  # bogus 511-byte body
    assert parser.flush_partial() == [frame]


@given(st.lists(st.integers(0, 127), min_size=1, max_size=8), st.integers(1, 0xFFFF))
def test_press_payload_round_trips(chord: list[int], hold_ms: int) -> None:
    assert decode_press(encode_press(tuple(chord), hold_ms)) == (tuple(chord), hold_ms)


@given(
    st.integers(0, 0xFFFF),
    st.booleans(),
    st.booleans(),
    st.lists(
        st.builds(ActuatorState, st.booleans(), st.booleans(), st.integers(0, 2**32 - 1)),
        max_size=128,
    ),
)
def test_status_payload_round_trips(
    pressure: int, tripped: bool, low: bool, actuators: list[ActuatorState]
) -> None:
    status = ControllerStatus(pressure, tripped, low, tuple(actuators))
    assert decode_status(encode_status(status)) == status


def test_info_round_trips_and_bad_payloads_are_refused() -> None:
    info = DeviceInfo(1, 96, 1000, "fw 2.1")
    assert decode_info(encode_info(info)) == info
    with pytest.raises(ValueError):
        decode_press(b"\x10\x00\x02\x01")  # says 2 actuators, carries 1
    with pytest.raises(ValueError):
        encode_press((), 10)
    with pytest.raises(ValueError):
        decode_status(b"\x00\x00\x00\x02\x00")
