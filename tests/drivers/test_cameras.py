"""Cameras: OpenCV (video file), replay, GenICam (simulated GenTL producer), the frame guard."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.drivers.camera import FrameGuard, GuardedCamera
from robotest.drivers.camera_genicam import GenICamCamera, simulated_producer
from robotest.drivers.camera_opencv import OpenCvCamera
from robotest.drivers.camera_replay import ReplayCamera
from robotest.drivers.camera_sim import SimCameraAdapter
from robotest.errors import CameraError


def numbered_frame(n: int, size: tuple[int, int] = (64, 48)) -> np.ndarray:
    frame = np.zeros((size[1], size[0], 3), np.uint8)
    frame[:, :, 2] = (n * 40) % 256  # red channel encodes the frame number
    return frame


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "run.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for n in range(5):
        writer.write(numbered_frame(n))
    writer.release()
    return path


def test_opencv_camera_reads_a_video_file_in_order(video: Path) -> None:
    cam = OpenCvCamera(str(video))
    reds = [int(np.median(cam.grab()[:, :, 2])) for _ in range(5)]
    assert reds == pytest.approx([0, 40, 80, 120, 160], abs=6)
    with pytest.raises(CameraError, match="returned no frame"):
        cam.grab()
    cam.close()


def test_opencv_camera_names_a_source_it_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="could not be opened"):
        OpenCvCamera(str(tmp_path / "missing.avi"))


def test_replay_folder_plays_frames_in_name_order_then_ends(tmp_path: Path) -> None:
    for n in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"frame_{n:03d}.png"), numbered_frame(n))
    cam = ReplayCamera(str(tmp_path))
    assert [int(cam.grab()[0, 0, 2]) for _ in range(3)] == [0, 40, 80]
    with pytest.raises(CameraError, match="ended after 3 frames"):
        cam.grab()
    looping = ReplayCamera(str(tmp_path), loop=True)
    assert [int(looping.grab()[0, 0, 2]) for _ in range(4)] == [0, 40, 80, 0]


def test_replay_video_and_bad_paths(video: Path, tmp_path: Path) -> None:
    assert ReplayCamera(str(video)).grab().shape == (48, 64, 3)
    with pytest.raises(CameraError, match="no such file"):
        ReplayCamera(str(tmp_path / "nope"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CameraError, match="no image files"):
        ReplayCamera(str(empty))


class Scripted:
    name = "scripted"

    def __init__(self, frames: list[np.ndarray | None]) -> None:
        self.frames = frames

    def grab(self) -> np.ndarray:
        return self.frames.pop(0)  # type: ignore[return-value]

    def close(self) -> None:
        pass


def test_guard_reports_no_frame_frozen_frames_and_resolution_change() -> None:
    with pytest.raises(CameraError, match="scripted returned no frame"):
        GuardedCamera(Scripted([None])).grab()
    frozen = GuardedCamera(Scripted([numbered_frame(1)] * 4), FrameGuard("scripted", 3))
    for _ in range(3):
        frozen.grab()
    with pytest.raises(CameraError, match="frozen: the last 4 frames are identical"):
        frozen.grab()
    assert frozen.health().faults
    resized = GuardedCamera(Scripted([numbered_frame(1), numbered_frame(2, (32, 24))]))
    resized.grab()
    with pytest.raises(CameraError, match="changed resolution from 64x48 to 32x24"):
        resized.grab()


def test_guard_accepts_changing_frames_and_converts_grey_and_bgra() -> None:
    frames = [numbered_frame(n) for n in range(30)]
    cam = GuardedCamera(Scripted(list(frames)))
    for _ in range(30):
        cam.grab()
    guard = FrameGuard("x")
    assert guard.check(np.zeros((4, 4), np.uint8)).shape == (4, 4, 3)
    assert guard.check(np.zeros((4, 4, 4), np.uint8)).shape == (4, 4, 3)


def test_sim_adapter_turns_simulation_failures_into_camera_errors() -> None:
    class Broken:
        def grab(self) -> np.ndarray:
            raise RuntimeError("renderer crashed")

    with pytest.raises(CameraError, match="simulated camera failed: renderer crashed"):
        SimCameraAdapter(Broken()).grab()


PRODUCER = simulated_producer()


@pytest.mark.skipif(
    PRODUCER is None,
    reason="the genicam package (simulated GenTL producer "
    "viky.cti) is not installed: pip install genicam harvesters",
)
def test_genicam_camera_streams_from_the_simulated_producer() -> None:
    assert PRODUCER is not None
    cam = GenICamCamera(PRODUCER, device=0, exposure=1000.0)
    try:
        first, second = cam.grab(), cam.grab()
        assert first.shape == second.shape == (400, 400, 3) and first.dtype == np.uint8
        assert "exposure" in cam.unsupported  # the simulated camera has no ExposureTime
    finally:
        cam.close()


def test_genicam_camera_reports_a_missing_producer(tmp_path: Path) -> None:
    pytest.importorskip("harvesters")
    with pytest.raises(CameraError, match="does not exist"):
        GenICamCamera(str(tmp_path / "vendor.cti"))


def test_a_live_source_is_drained_so_the_frame_is_fresh(video: Path) -> None:
    # a file read as if it were a live stream: every grab returns at once (a full
    # buffer), so the camera drops up to max_drain frames and returns the newest
    cam = OpenCvCamera(str(video), live=True, max_drain=2)
    assert int(np.median(cam.grab()[:, :, 2])) == pytest.approx(40, abs=6)  # frames 0, 1
    assert int(np.median(cam.grab()[:, :, 2])) == pytest.approx(120, abs=6)  # frames 2, 3
    with pytest.raises(CameraError, match="returned no frame"):
        cam.grab()  # frame 4, then the stream ends while draining
