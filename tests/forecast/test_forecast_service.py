"""The forecast service on a real uvicorn server on loopback, driven with httpx."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
import uvicorn

from robotest.forecast.models import LSTMConfig, Window
from robotest.forecast.service import ServiceConfig, create_app

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TINY = LSTMConfig(hidden=4, windows=2, pretrain_steps=10, steps=10, update_steps=5)


class Faults:
    """Fault injection at the start of training: block until released, or fail."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.release.set()
        self.fail_for: str | None = None

    def __call__(self, window: Window) -> None:
        self.release.wait(30)
        if self.fail_for in window.ids:
            raise RuntimeError(f"training crashed on {self.fail_for}")


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[httpx.Client, Faults]]:
    faults = Faults()
    app = create_app(
        ServiceConfig(tmp_path / "svc", TOKEN, horizon=4, lstm=TINY), before_fit=faults
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        yield client, faults
    faults.release.set()
    server.should_exit = True
    thread.join(10)


def history_text(frame: pd.DataFrame, ids: list[str], weeks: int) -> str:
    rows = frame[frame["unique_id"].isin(ids)].groupby("unique_id").head(weeks)
    return rows.to_csv(index=False)


def wait(client: httpx.Client, job: str) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(f"/v1/jobs/{job}", headers=AUTH).json()
        if state["state"] != "running":
            return state  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"job {job} still running")


def test_token_is_required(server: tuple[httpx.Client, Faults]) -> None:
    client, _ = server
    assert client.get("/health").json() == {"status": "ok"}
    assert client.post("/v1/data", content="x").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/v1/data", content="x", headers=wrong).status_code == 401
    assert client.get("/v1/predictions", headers=wrong).status_code == 401
    assert client.post("/v1/update", headers=wrong).status_code == 401


def test_post_update_and_fetch_csv_and_json(
    server: tuple[httpx.Client, Faults], history_frame: pd.DataFrame
) -> None:
    client, _ = server
    ids = ["FG-0000", "FG-0001"]
    assert client.get("/v1/predictions", headers=AUTH).status_code == 404
    posted = client.post("/v1/data", content=history_text(history_frame, ids, 40), headers=AUTH)
    assert posted.status_code == 200 and posted.json()["history_rows"] == 80
    last = pd.to_datetime(history_frame.groupby("unique_id").head(40)["ds"]).max()
    ahead = (last + pd.Timedelta(weeks=1)).strftime("%Y-%m-%d")
    future = f"unique_id,ds,y,customer_forecast\nFG-0000,{ahead},,999\n"
    assert client.post("/v1/data", content=future, headers=AUTH).json()["future_rows"] == 1

    started = client.post("/v1/update", headers=AUTH)
    assert started.status_code == 202 and started.json()["unique_ids"] == ids
    assert wait(client, started.json()["job"])["state"] == "done"

    rows = client.get("/v1/predictions", params={"format": "json"}, headers=AUTH).json()
    assert len(rows) == 2 * 4 and {r["unique_id"] for r in rows} == set(ids)
    assert min(r["ds"] for r in rows) == ahead
    csv = client.get(
        "/v1/predictions", params={"format": "csv", "unique_id": "FG-0001"}, headers=AUTH
    )
    assert csv.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(csv.text))
    assert list(table.columns) == ["unique_id", "ds", "forecast"] and len(table) == 4
    assert (table["forecast"] >= 0).all()


def test_bad_posts_are_rejected_whole_with_one_line(server: tuple[httpx.Client, Faults]) -> None:
    client, _ = server
    bad = "unique_id,ds,y,customer_forecast\nA,2024-01-01,1,1\nA,2024-01-08,-3,1\n"
    answer = client.post("/v1/data", content=bad, headers=AUTH)
    assert answer.status_code == 400
    assert (
        answer.json()["detail"] == "posted data line 3: negative y -3 (demand cannot be negative)"
    )
    missing = client.post("/v1/data", content="unique_id,ds\nA,2024-01-01\n", headers=AUTH)
    assert missing.status_code == 400 and "missing column(s) y" in missing.json()["detail"]
    assert client.post("/v1/update", headers=AUTH).json()["detail"] == "no sales history posted yet"
    weekly = "unique_id,ds,y,customer_forecast\nA,2024-01-01,1,1\nA,2024-01-08,1,1\n"
    assert client.post("/v1/data", content=weekly, headers=AUTH).status_code == 200
    tuesday = "unique_id,ds,y,customer_forecast\nA,2024-01-15,1,1\nA,2024-01-23,1,1\n"
    answer = client.post("/v1/data", content=tuesday, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith(
        "posted data line 3: date 2024-01-23 is off the calendar"
    )
    assert client.get("/v1/predictions", params={"format": "xml"}, headers=AUTH).status_code == 400


def test_one_update_at_a_time_per_commodity(
    server: tuple[httpx.Client, Faults], history_frame: pd.DataFrame
) -> None:
    client, faults = server
    client.post(
        "/v1/data", content=history_text(history_frame, ["FG-0000", "FG-0001"], 40), headers=AUTH
    )
    faults.release.clear()  # the first update blocks at the start of training
    first = client.post("/v1/update", params={"unique_id": "FG-0000"}, headers=AUTH).json()
    second = client.post("/v1/update", params={"unique_id": "FG-0000"}, headers=AUTH)
    assert second.status_code == 409 and second.json()["skipped"] == ["FG-0000"]
    both = client.post("/v1/update", headers=AUTH).json()
    assert both["unique_ids"] == ["FG-0001"] and both["skipped"] == ["FG-0000"]
    faults.release.set()
    assert wait(client, first["job"])["state"] == "done"
    assert wait(client, both["job"])["state"] == "done"


def test_a_failed_update_keeps_serving_the_previous_predictions(
    server: tuple[httpx.Client, Faults], history_frame: pd.DataFrame
) -> None:
    client, faults = server
    ids = ["FG-0000", "FG-0001"]
    client.post("/v1/data", content=history_text(history_frame, ids, 40), headers=AUTH)
    assert wait(client, client.post("/v1/update", headers=AUTH).json()["job"])["state"] == "done"
    before = client.get("/v1/predictions", headers=AUTH).json()

    client.post("/v1/data", content=history_text(history_frame, ids, 44), headers=AUTH)
    faults.fail_for = "FG-0001"
    state = wait(client, client.post("/v1/update", headers=AUTH).json()["job"])
    assert state["state"] == "failed"
    assert state["error"] == "RuntimeError: training crashed on FG-0001"
    assert client.get("/v1/predictions", headers=AUTH).json() == before

    short = "unique_id,ds,y,customer_forecast\nNEW,2024-01-01,3,4\nNEW,2024-01-08,5,4\n"
    client.post("/v1/data", content=short, headers=AUTH)
    state = wait(
        client, client.post("/v1/update", params={"unique_id": "NEW"}, headers=AUTH).json()["job"]
    )
    assert state["state"] == "failed" and "unique_id 'NEW' has too little history" in str(
        state["error"]
    )
    assert client.get("/v1/predictions", headers=AUTH).json() == before

    faults.fail_for = None
    assert (
        wait(
            client,
            client.post("/v1/update", params={"unique_id": "FG-0001"}, headers=AUTH).json()["job"],
        )["state"]
        == "done"
    )
    after = client.get("/v1/predictions", headers=AUTH).json()
    moved = [r for r in after if r["unique_id"] == "FG-0001"]
    assert moved[0]["ds"] > max(r["ds"] for r in before)  # four more weeks of history now
    assert [r for r in after if r["unique_id"] == "FG-0000"] == [
        r for r in before if r["unique_id"] == "FG-0000"
    ]


def test_rtest_forecast_serve_runs_the_service(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    import robotest

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = str(Path(robotest.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root, "RTEST_FORECAST_TOKEN": TOKEN}
    command = [
        sys.executable,
        "-m",
        "robotest",
        "forecast",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path / "svc"),
    ]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert (
            httpx.get(f"{url}/v1/predictions", headers={"Authorization": "Bearer x"}).status_code
            == 401
        )
        assert httpx.get(f"{url}/v1/predictions", headers=AUTH).status_code == 404
    finally:
        process.terminate()
        process.wait(10)
