"""A VNC station's faults against a real Xvnc: wrong password, refused connection, a server
that goes away mid-test, a server that restarts, a network drop that comes back, and keys
released on every exit path. Faults are station errors naming host:port, never failed tests."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from vnc_servers import Relay, XvncServer, free_port, invoke, type_line, wait_for_line

from robotest.drivers import (
    HealthState,
    ManualClock,
    VncAuthError,
    VncConnectionError,
    open_station,
)
from robotest.errors import EmergencyStop, StationError
from robotest.runtime.store import ResultStore


def test_a_wrong_password_is_one_line_naming_the_server(xvnc: XvncServer, tmp_path: Path) -> None:
    station = xvnc.station_file(tmp_path / "vnc.toml", password="not-it")
    with pytest.raises(VncAuthError) as caught:
        open_station(station)
    message = str(caught.value)
    assert f"VNC server 127.0.0.1:{xvnc.port} refused the password" in message
    assert "\n" not in message and isinstance(caught.value, StationError)
    code, output = invoke("station", "health", station)
    assert code == 1 and f"error: VNC server 127.0.0.1:{xvnc.port} refused" in output


def test_a_refused_connection_is_one_line_naming_the_server(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    station = tmp_path / "vnc.toml"
    station.write_text(f'[station]\nkind = "vnc"\n[vnc]\nport = {port}\npassword = "x"\n')
    with pytest.raises(VncConnectionError) as caught:
        open_station(station)
    assert str(caught.value) == (
        f"cannot connect to VNC server 127.0.0.1:{port}: connection refused "
        "(is the VNC server running and listening there?)"
    )


def test_a_run_against_a_wrong_password_reports_a_station_error(
    xvnc: XvncServer, tmp_path: Path
) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "one.rtest").write_text('test "look":\n    press Enter\n')
    db = tmp_path / "results.db"
    code, output = invoke(
        "run",
        suite,
        "--station",
        xvnc.station_file(tmp_path / "vnc.toml", password="nope"),
        "--db",
        db,
        "--report",
        tmp_path / "report",
    )
    assert code != 0
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None and [c.status for c in run.cases] == ["station error"], output
    assert f"127.0.0.1:{xvnc.port} refused the password" in run.cases[0].message


GONE_SUITE = """
test "waits for a screen that never comes":
    await_text "robot" within 20s
    await_text "this never appears" within 60s
"""


def test_a_server_that_goes_away_mid_test_is_a_station_error(
    desktop: XvncServer, tmp_path: Path
) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "gone.rtest").write_text(GONE_SUITE)
    station = desktop.station_file(tmp_path / "vnc.toml")  # reconnect_timeout = 4 s
    db = tmp_path / "results.db"
    killer = threading.Timer(6.0, desktop.stop)
    killer.start()
    started = time.monotonic()
    try:
        code, output = invoke(
            "run", suite, "--station", station, "--db", db, "--report", tmp_path / "report"
        )
    finally:
        killer.cancel()
    assert time.monotonic() - started < 40, "the run waited for the server far too long"
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None
    case = run.cases[0]
    assert case.status == "station error", output
    assert (
        f"VNC server 127.0.0.1:{desktop.port} went away and did not come back within 4 s"
        in case.message
    )


def test_the_station_reconnects_when_the_server_restarts(
    desktop: XvncServer, tmp_path: Path
) -> None:
    with open_station(desktop.station_file(tmp_path / "vnc.toml")) as station:
        wait_for_line(station, "robot$", timeout=15)
        desktop.stop()
        desktop.start()
        desktop.xterm()
        time.sleep(0.5)
        station.pointer.move_to(400, 300)  # reconnects: the old connection is gone
        wait_for_line(station, "robot$", timeout=15)
        type_line(station, "clear; echo again")
        wait_for_line(station, "again")
        health = station.health()
        assert health.state is HealthState.DEGRADED
        assert health.reasons == (f"VNC server 127.0.0.1:{desktop.port}: reconnected 1 time(s)",)


def test_a_dropped_connection_that_comes_back(
    desktop: XvncServer, relay: Relay, tmp_path: Path
) -> None:
    station_file = desktop.station_file(tmp_path / "vnc.toml", port=relay.port)
    with open_station(station_file) as station:
        wait_for_line(station, "robot$", timeout=15)
        station.pointer.move_to(400, 300)
        type_line(station, "clear; echo first")
        wait_for_line(station, "first")
        relay.drop(down_for=1.5)  # connections cut, then refused for 1.5 s
        time.sleep(0.3)
        type_line(station, "clear; echo second")  # waits for the relay, then types
        lines = wait_for_line(station, "second")
        assert "first" not in lines
        assert station.health().state is HealthState.DEGRADED


def test_keys_held_across_a_drop_are_released_when_it_comes_back(
    desktop: XvncServer, relay: Relay, tmp_path: Path
) -> None:
    with open_station(desktop.station_file(tmp_path / "vnc.toml", port=relay.port)) as station:
        wait_for_line(station, "robot$", timeout=15)
        station.pointer.move_to(400, 300)
        threading.Timer(0.3, relay.drop, kwargs={"down_for": 0.5}).start()
        station.keyboard.press(("Shift",), hold=1.0)  # the drop comes during the hold
        keyboard = station.keyboard.device
        assert keyboard.down == [0xFFE1], "Shift could not be released over a dead link"
        type_line(station, "clear; echo quiet")  # reconnects, releases Shift first
        assert keyboard.down == []
        wait_for_line(station, "quiet")  # a stuck Shift would have typed CLEAR: ECHO QUIET


class InterruptingClock(ManualClock):
    """Station time whose next sleep raises KeyboardInterrupt (Ctrl-C during a hold)."""

    armed = False

    def sleep(self, seconds: float) -> None:
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt
        time.sleep(seconds)


def test_a_press_interrupted_by_ctrl_c_releases_its_keys(
    desktop: XvncServer, tmp_path: Path
) -> None:
    clock = InterruptingClock()
    with open_station(desktop.station_file(tmp_path / "vnc.toml"), clock=clock) as station:
        wait_for_line(station, "robot$", timeout=15)
        station.pointer.move_to(400, 300)
        clock.armed = True
        with pytest.raises(KeyboardInterrupt):
            station.keyboard.press(("Shift", "a"), hold=5.0)
        assert station.keyboard.device.down == []
        type_line(station, "clear; echo quiet")
        wait_for_line(station, "quiet")


def test_closing_a_second_station_leaves_the_pointer_alone(
    desktop: XvncServer, tmp_path: Path
) -> None:
    """RFB has no button release without a position: a station that never moved the
    pointer must not move it on close (without a window manager the focus follows it)."""
    with open_station(desktop.station_file(tmp_path / "vnc.toml")) as station:
        wait_for_line(station, "robot$", timeout=15)
        station.pointer.move_to(400, 300)
        with open_station(desktop.station_file(tmp_path / "second.toml")) as second:
            second.grab()
        type_line(station, "clear; echo still focused")
        wait_for_line(station, "still focused")


@pytest.mark.parametrize(
    ("security", "password", "expected"),
    [
        ("None", None, None),  # an open server: no password needed
        (
            "VncAuth",
            None,
            "VNC server 127.0.0.1:{port} asks for a password: give password or "
            "password_env in the station file's [vnc] table",
        ),
        ("TLSVnc", "x", "cannot connect to VNC server 127.0.0.1:{port}: unknown security types"),
    ],
)
def test_what_the_server_asks_for(
    security: str, password: str | None, expected: str | None, tmp_path: Path
) -> None:
    try:
        server = XvncServer(tmp_path, security=security).start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        path = tmp_path / "vnc.toml"
        secret = "" if password is None else f'password = "{password}"\n'
        path.write_text(f'[station]\nkind = "vnc"\n[vnc]\nport = {server.port}\n{secret}')
        if expected is None:
            with open_station(path) as station:
                assert station.health().state is HealthState.READY
                assert station.grab().shape == (1080, 1920, 3)
        else:
            with pytest.raises(StationError) as caught:
                open_station(path)
            assert str(caught.value).startswith(expected.format(port=server.port))
            assert "\n" not in str(caught.value)
    finally:
        server.stop()


def test_the_emergency_stop_releases_a_held_key(desktop: XvncServer, tmp_path: Path) -> None:
    with open_station(desktop.station_file(tmp_path / "vnc.toml")) as station:
        wait_for_line(station, "robot$", timeout=15)
        station.pointer.move_to(400, 300)
        holder = threading.Thread(target=station.keyboard.press, args=(("Shift",), 3.0))
        holder.start()
        time.sleep(0.5)
        station.emergency_stop()
        assert station.keyboard.device.down == []
        with pytest.raises(EmergencyStop):
            station.keyboard.press(("a",))
        # a second client of the same desktop types lower case: Shift is up
        with open_station(desktop.station_file(tmp_path / "second.toml")) as second:
            second.pointer.move_to(400, 300)
            type_line(second, "clear; echo quiet")
            wait_for_line(second, "quiet")
        holder.join(timeout=5)
        assert not holder.is_alive()
