"""The TCP message parser: any chunking, any bytes, one clear error and never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robotest.inspection.edge.protocol import (
    MAX_HEADER,
    FrameReader,
    ProtocolError,
    Reply,
    Request,
    encode_error,
    encode_request,
    encode_result,
    parse_header,
    parse_reply,
)

unit_ids = st.text(alphabet="ABCxyz019._:-", min_size=1, max_size=64)
requests = st.one_of(
    st.builds(Request, st.just("INSPECT"), unit_ids, st.binary(min_size=1, max_size=300)),
    st.builds(
        Request,
        st.just("AUTH"),
        st.just(""),
        st.text(alphabet="abcXYZ019_-", min_size=1, max_size=100).map(str.encode),
    ),
    st.just(Request("PING")),
)


def feed_in_chunks(data: bytes, cuts: list[int]) -> list[Request | ProtocolError]:
    reader = FrameReader()
    out: list[Request | ProtocolError] = []
    points = sorted({min(c, len(data)) for c in cuts}) + [len(data)]
    start = 0
    for point in points:
        out.extend(reader.feed(data[start:point]))
        start = point
    return out


@settings(deadline=None)  # a loaded shared machine: no timing in tests
@given(st.lists(requests, max_size=6), st.lists(st.integers(0, 2000), max_size=20))
def test_requests_come_out_as_they_went_in_however_the_bytes_are_split(
    sent: list[Request], cuts: list[int]
) -> None:
    data = b"".join(encode_request(r) for r in sent)
    assert feed_in_chunks(data, cuts) == sent


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=10))
def test_any_bytes_give_requests_or_one_error_and_nothing_after_it(
    data: bytes, cuts: list[int]
) -> None:
    out = feed_in_chunks(data, cuts)
    errors = [i for i, item in enumerate(out) if isinstance(item, ProtocolError)]
    assert errors in ([], [len(out) - 1])
    for item in out:
        if isinstance(item, ProtocolError):
            assert str(item) and "\n" not in str(item)
        else:
            assert item.command in ("INSPECT", "PING", "AUTH")


@settings(deadline=None)  # a loaded shared machine: no timing in tests
@given(st.binary(min_size=MAX_HEADER, max_size=MAX_HEADER + 50).filter(lambda b: b"\n" not in b))
def test_a_header_without_a_newline_is_cut_off_at_the_limit(data: bytes) -> None:
    out = FrameReader().feed(data)
    assert len(out) == 1 and isinstance(out[0], ProtocolError)
    assert "longer than 128 bytes" in str(out[0])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"", "unknown command ''"),
        (b"AUTH", "AUTH needs one token"),
        (b"AUTH a b", "AUTH needs one token"),
        (b"AUTH t%ken", "AUTH needs one token"),
        (b"inspect u 3", "unknown command 'inspect'"),
        (b"PING now", "PING takes no arguments"),
        (b"INSPECT u", "exactly a unit id and a length"),
        (b"INSPECT  u 3", "exactly a unit id and a length"),
        (b"INSPECT u/1 3", "unit id must be 1 to 64 characters"),
        (b"INSPECT u 0", "length must be 1 to"),
        (b"INSPECT u 3e2", "length must be a decimal number"),
        (b"INSPECT u 16777217", "length must be 1 to 16777216 bytes"),
    ],
)
def test_bad_headers_say_what_is_wrong(line: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_header(line)


def test_a_header_may_end_with_crlf() -> None:
    assert parse_header(b"INSPECT u-1 12\r") == ("u-1", 12)
    assert parse_header(b"PING\r") == Request("PING")


@settings(deadline=None)  # a loaded shared machine: no timing in tests
@given(
    unit_ids,
    st.sampled_from(["OK", "NG"]),
    st.floats(0, 1000, allow_nan=False),
    st.booleans(),
    st.lists(
        st.tuples(
            st.integers(0, 4000),
            st.integers(0, 4000),
            st.integers(1, 4000),
            st.integers(1, 4000),
            st.floats(0, 100, allow_nan=False),
        ),
        max_size=4,
    ),
)
def test_result_lines_round_trip(
    unit: str,
    verdict: str,
    score: float,
    uncertain: bool,
    boxes: list[tuple[int, int, int, int, float]],
) -> None:
    answer = {
        "unit": unit,
        "verdict": verdict,
        "score": score,
        "uncertain": uncertain,
        "model_version": "ae-1234-20260101T000000Z",
        "boxes": [list(b) for b in boxes],
    }
    line = encode_result(answer)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    reply = parse_reply(line[:-1])
    assert (reply.kind, reply.unit, reply.verdict, reply.uncertain) == (
        "RESULT",
        unit,
        verdict,
        uncertain,
    )
    assert reply.score == pytest.approx(score, abs=1e-4)
    assert [b[:4] for b in reply.boxes] == [tuple(float(v) for v in b[:4]) for b in boxes]


@settings(deadline=None)  # a loaded shared machine: no timing in tests
@given(st.text(max_size=200))
def test_error_lines_are_one_ascii_line(message: str) -> None:
    line = encode_error("u1", message)
    assert line.startswith(b"ERROR u1 ") and line.count(b"\n") == 1
    assert parse_reply(line[:-1]).kind == "ERROR"


def test_error_lines_carry_a_code_and_auth_is_answered_ok() -> None:
    line = encode_error("unit-0001", "unit unit-0001 was inspected before", "CONFLICT")
    reply = parse_reply(line[:-1])
    assert (reply.kind, reply.unit, reply.code) == ("ERROR", "unit-0001", "CONFLICT")
    assert reply.message == "unit unit-0001 was inspected before"
    assert parse_reply(encode_error(None, "bad header")[:-1]).code == "BAD_REQUEST"
    assert parse_reply(b"OK plc-1") == Reply("OK", message="plc-1")
    assert parse_header(b"AUTH abc_-9") == Request("AUTH", payload=b"abc_-9")
