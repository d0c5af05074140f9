"""A `.rtest` suite on a VNC station, end to end: `rtest run --station vnc.toml` against a
real Xvnc server with a real xterm on it; OCR reads what bash answered."""

from __future__ import annotations

from pathlib import Path

from vnc_servers import XvncServer, run_one_failing

SHELL_SUITE = r'''
import re

subscript ask(expression):
    """Have bash work out *expression* in the terminal; read its answer."""
    type_text f"clear; echo Answer is {expression}\n"
    await_text re.compile(r"Answer is \d+") within 15s
    answer = read_text right_of "Answer is"
    return answer

test "the shell computes on the desktop":
    await_text "robot" within 20s
    click_text "robot"
    answer = ask("$((6*7))")
    assert answer == "42", f"the shell answered {answer!r}"

test "a wrong expectation fails":
    answer = ask("$((6*6))")
    assert answer == "35", f"the shell answered {answer!r}, expected '35'"
'''


def test_a_suite_types_in_an_xterm_and_reads_the_answer(
    desktop: XvncServer, tmp_path: Path
) -> None:
    station = desktop.station_file(tmp_path / "vnc.toml")
    cases = run_one_failing(tmp_path, SHELL_SUITE, station)
    outcomes = {title: status for title, (status, _) in cases.items()}
    assert outcomes == {
        "the shell computes on the desktop": "passed",
        "a wrong expectation fails": "failed",
    }, cases
    assert "the shell answered '36', expected '35'" in cases["a wrong expectation fails"][1]


def test_a_desktop_is_read_at_its_own_size_and_followed_when_it_changes(
    tmp_path: Path,
) -> None:
    """A 1024x768 desktop is the screen pixel for pixel (no resampling to any grid);
    scripts point and read in its pixels; the desktop then becomes 800x600 mid-run and
    the next looks, clicks and reads are at the new size."""
    import time

    import numpy as np

    from robotest.runtime import api, use_runtime
    from robotest.runtime.station_runtime import open_runtime

    server = XvncServer(tmp_path, size=(1024, 768)).start()
    try:
        server.xterm()
        runtime = open_runtime(str(server.station_file(tmp_path / "vnc.toml")), {})
        try:
            with use_runtime(runtime):
                api.await_text("robot", within=20)
                screen = runtime.view.look()
                assert screen.shape == (768, 1024, 3)
                assert runtime.view.screen_size == (1024, 768)
                grabbed = runtime.station.camera.grab()
                assert np.array_equal(grabbed, screen)  # the framebuffer as it is
                server.resize(800, 600)
                deadline = time.monotonic() + 15
                while runtime.view.look().shape != (600, 800, 3):
                    assert time.monotonic() < deadline, "the new size never showed"
                    time.sleep(0.2)
                assert runtime.view.screen_size == (800, 600)
                api.click_text("robot", within=10)
                api.type_text("echo resized $((40+2))\n")
                api.await_text("resized 42", within=15)
        finally:
            runtime.close()
    finally:
        server.stop()
