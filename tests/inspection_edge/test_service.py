"""The edge service on loopback: HTTP and TCP answers, repeated and reused unit ids, bad
messages, restarts mid-stream."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import numpy as np
from edge_helpers import LINE, Served, png, units

from robotest.inspection.edge.client import TcpClient
from robotest.inspection.edge.units import UnitStore
from robotest.inspection.registry import Registry


def post(served: Served, unit: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{served.url}/api/units/{unit}",
        content=body,
        headers={"content-type": "image/png", **served.auth("line")},
        timeout=30,
    )


def test_http_answers_ok_and_ng_and_a_repeated_unit_gets_the_same_answer(served: Served) -> None:
    good, bad = units("h", 1, 1, 0.0, seed=1)[:2]
    first = post(served, good.id, good.data)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["verdict"] == "OK" and answer["new"] and answer["boxes"] == []
    assert answer["model_version"].startswith("ae-") and answer["elapsed_ms"] < 500
    assert 0 <= answer["good_quantile"] <= 1 and answer["decision"] < 1
    again = post(served, good.id, good.data).json()
    assert not again["new"] and {**again, "new": True} == answer  # stored answer, not re-judged
    defective = post(served, bad.id, bad.data).json()
    assert defective["verdict"] == "NG" and defective["boxes"] and defective["score"] > 1.5
    assert defective["good_quantile"] == 1.0  # above every held-out good unit
    assert served.get(f"/api/units/{bad.id}").json()["verdict"] == "NG"
    assert served.get("/api/status").json()["counts"] == {"OK": 1, "NG": 1}


def test_a_known_unit_id_with_another_picture_is_refused_and_logged(served: Served) -> None:
    good, bad = units("k", 1, 1, 0.0, seed=1)[:2]
    assert post(served, "unit-0001", good.data).json()["verdict"] == "OK"
    refused = post(served, "unit-0001", bad.data)  # a PLC counter that reset, a defect
    assert refused.status_code == 409, refused.text
    assert refused.json()["unit"] == "unit-0001"
    assert (
        "unit unit-0001 of line L1 was inspected before with a different picture"
        in refused.json()["error"]
    )
    again = post(served, "unit-0001", good.data)  # the same picture is still a retry
    assert again.status_code == 200 and again.json()["new"] is False
    with TcpClient("127.0.0.1", served.tcp) as client:
        assert client.auth(served.tokens["line"]).kind == "OK"  # type: ignore[index]
        reply = client.inspect("unit-0001", bad.data)
        assert (reply.kind, reply.unit, reply.code) == ("ERROR", "unit-0001", "CONFLICT")
        assert "was inspected before with a different picture" in reply.message
        assert client.inspect("unit-0001", good.data).verdict == "OK"
    assert served.get("/api/status").json()["counts"] == {"OK": 1, "NG": 0}
    log = (served.home.parent / "serve.log").read_text()
    assert log.count("unit unit-0001 sent again with a different picture") == 2


def test_http_bad_messages_get_clear_errors_and_the_service_keeps_serving(served: Served) -> None:
    small = png(np.full((64, 64), 0.5, np.float32))
    cases = [
        ("u1", b"not an image", "image of unit u1 is not a readable image file"),
        ("u2", b"", "image of unit u2 is empty"),
        ("u3", small, "image of unit u3 is 64x64, the model expects 128x128"),
        ("x" * 65, units("v", 1, 0, 0.0, seed=1)[0].data, "must be 1 to 64 characters"),
        ("bad*id", units("v", 1, 0, 0.0, seed=1)[0].data, "must be 1 to 64 characters"),
    ]
    for unit, body, message in cases:
        response = post(served, unit, body)
        assert response.status_code == 400, response.text
        assert message in response.json()["error"]
    good = units("after", 1, 0, 0.0, seed=1)[0]
    assert post(served, good.id, good.data).json()["verdict"] == "OK"
    assert served.get("/api/status").json()["counts"] == {"OK": 1, "NG": 0}


def test_tcp_answers_and_bad_messages(served: Served) -> None:
    good, bad = units("t", 1, 1, 0.0, seed=1)[:2]
    with TcpClient("127.0.0.1", served.tcp) as client:
        assert client.ping().kind == "PONG"
        refused = client.inspect(good.id, good.data)  # no token shown yet
        assert (refused.kind, refused.unit, refused.code) == ("ERROR", good.id, "UNAUTHORIZED")
        assert client.auth(served.tokens["reviewer"]).code == "UNAUTHORIZED"  # type: ignore
        assert client.auth(served.tokens["line"]).kind == "OK"  # type: ignore[index]
        reply = client.inspect(good.id, good.data)
        assert (reply.kind, reply.unit, reply.verdict) == ("RESULT", good.id, "OK")
        assert reply.model_version.startswith("ae-") and reply.boxes == ()
        broken = client.inspect("t-broken", b"\x89PNG garbage")
        assert broken.kind == "ERROR" and broken.unit == "t-broken"
        assert "not a readable image file" in broken.message
        reply = client.inspect(bad.id, bad.data)  # same connection goes on
        assert reply.verdict == "NG" and reply.boxes and len(reply.boxes[0]) == 5
        assert client.inspect(good.id, good.data).verdict == "OK"  # repeat: stored answer
    for garbage, message in [
        (b"HELLO there\n", "unknown command 'HELLO'"),
        (b"INSPECT u1 -5\n", "length must be a decimal number"),
        (b"INSPECT u1 99999999\n", "length must be 1 to"),
        (b"x" * 300, "header longer than 128 bytes"),
    ]:
        with socket.create_connection(("127.0.0.1", served.tcp), timeout=10) as sock:
            sock.sendall(garbage)
            data = sock.makefile("rb").read()  # one ERROR line, then the service closes
            assert data.startswith(b"ERROR - ") and message.encode() in data, data
            assert data.count(b"\n") == 1
    with TcpClient("127.0.0.1", served.tcp) as client:
        assert client.ping().kind == "PONG"
    counts = served.get("/api/status").json()["counts"]
    assert counts == {"OK": 1, "NG": 1}


def test_a_restart_mid_stream_loses_and_duplicates_no_unit(served: Served) -> None:
    stream = units("r", 24, 4, 0.0, seed=4)
    answers: dict[str, dict[str, object]] = {}
    retries = [0]

    def client() -> None:
        for unit in stream:
            while True:
                try:
                    response = post(served, unit.id, unit.data)
                    if response.status_code == 200:
                        answers.setdefault(unit.id, response.json())
                        break
                except httpx.HTTPError:
                    pass
                retries[0] += 1  # no answer: send the same unit again
                time.sleep(0.2)

    sender = threading.Thread(target=client)
    sender.start()
    while len(answers) < 8:
        time.sleep(0.01)
    served.kill()
    served.start("--no-idle-updates")
    sender.join(120)
    assert not sender.is_alive()
    assert retries[0] > 0 and set(answers) == {u.id for u in stream}
    registry = Registry(served.home)
    store = UnitStore(registry.db)
    assert store.count(LINE) == len(stream)
    for unit in stream:
        record = store.get(LINE, unit.id)
        assert record is not None and record.verdict == answers[unit.id]["verdict"]
        assert record.verdict == ("NG" if unit.defective else "OK")
