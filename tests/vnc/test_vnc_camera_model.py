"""A VNC station whose frames pass through the simulated station's camera model: the
runtime calibrates on the photographed screen, as on a robot, and sees the desktop."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from vnc_servers import XvncServer, type_line

from robotest.drivers import open_station
from robotest.runtime.station_runtime import StationRuntime


@pytest.mark.parametrize("size", [(1920, 1080), (1920, 1200)])
def test_the_camera_model_photographs_the_framebuffer(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """Calibration maps the photograph onto the laptop's own screen size (a 16:10 laptop
    is not stretched onto 16:9)."""
    xvnc = XvncServer(tmp_path, size=size).start()
    try:
        _check_the_photographed_desktop(xvnc, tmp_path, size)
    finally:
        xvnc.stop()


def _check_the_photographed_desktop(
    xvnc: XvncServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    xvnc.xterm(whole_screen=True)  # a bright screen inside the laptop's dark bezel
    station_file = xvnc.station_file(
        tmp_path / "vnc.toml", extra="\n[camera_model]\nseed = 2\nframe_size = [2448, 2048]\n"
    )
    with open_station(station_file) as station:
        assert station.calibration_file is None  # calibrated from frames, as on a robot
        station.pointer.move_to(300, 300)
        type_line(station, "clear; echo camera rehearsal")
        first, second = station.grab(), station.grab()
        assert first.shape == (2048, 2448, 3)
        assert not np.array_equal(first, second), "a camera frame carries fresh sensor noise"
        runtime = StationRuntime(config={}, station=station)
        runtime.start()  # calibrates on the photographed screen
        assert runtime.view.screen_size == size
        seen = cv2.cvtColor(runtime.view.look(), cv2.COLOR_BGR2GRAY)
        assert seen.shape == (size[1], size[0])
        truth = cv2.cvtColor(station.keyboard.device.link.grab(), cv2.COLOR_RGB2GRAY)
    text = truth[30:130, 30:600]  # the two lines of text at the top left
    score = cv2.matchTemplate(seen[:200, :700], text, cv2.TM_CCOEFF_NORMED)
    _, best, _, (x, y) = cv2.minMaxLoc(score)
    assert best > 0.8, f"the desktop's text is not in the rectified photograph ({best:.2f})"
    assert abs(x - 30) <= 3 and abs(y - 30) <= 3, f"the text is at ({x}, {y}), not (30, 30)"
