"""The laptop screen sizes of issue 18 on a real VNC server (TigerVNC's Xvnc with a real
xterm), straight from the framebuffer and photographed by the camera model: at each
size the robot sees the screen at its own size, awaits and reads text, clicks a word
and types a command whose answer it reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from vnc_servers import XvncServer

from robotest.drivers import open_station
from robotest.runtime import api, use_runtime
from robotest.runtime.station_runtime import StationRuntime

SIZES = [(800, 600), (1024, 768), (1366, 768), (1920, 1200), (2560, 1600)]
CAMERA = "\n[camera_model]\nseed = 1\nframe_size = [2448, 2048]\n"
CASES = [
    pytest.param(size, through, id=f"{size[0]}x{size[1]}-{through}")
    for size in SIZES
    for through in ("framebuffer", "camera")
]


@pytest.mark.parametrize(("size", "through"), CASES)
def test_a_screen_of_this_size_is_seen_read_and_clicked(
    tmp_path: Path, size: tuple[int, int], through: str
) -> None:
    server = XvncServer(tmp_path, size=size).start()
    try:
        server.xterm(whole_screen=True)  # bright: a camera tells it from the dark bezel
        extra = CAMERA if through == "camera" else ""
        with open_station(server.station_file(tmp_path / "vnc.toml", extra=extra)) as station:
            frame = (2048, 2448) if through == "camera" else (size[1], size[0])
            assert station.grab().shape[:2] == frame  # a photograph, or the framebuffer
            runtime = StationRuntime(config={}, station=station)
            runtime.start()  # through the camera: calibrates on the photographed screen
            with use_runtime(runtime):
                api.await_text("robot$", within=20)
                assert runtime.view.screen_size == size
                assert runtime.view.look().shape == (size[1], size[0], 3)
                api.click_text("robot$", within=10)
                width, height = size
                api.type_text(f"echo screen $(({width}+1))x$(({height}+1))\n")
                api.await_text(f"screen {width + 1}x{height + 1}", within=20)
    finally:
        server.stop()
