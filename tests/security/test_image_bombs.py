"""Images are refused by the size their header declares, before any pixel is decoded.

A 389 KB PNG declaring 20000 x 20000 pixels once took `rtest inspect predict` to 3.7 GB
and the edge service to 6.7 GB (while it held its lock), and `inspect train` saved a
20000 x 20000 model.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

from robotest.image_decoding import (
    DEFAULT_MAX_MEGAPIXELS,
    MAX_MEGAPIXELS_ENV,
    ImageTooLarge,
    declared_size,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "inspection_edge"))

from edge_helpers import LINE, home, plant, runner, units  # noqa: E402,F401 (fixtures)


def bomb_png(width: int, height: int) -> bytes:
    """A valid grey PNG of *width* x *height* black pixels: tiny, however large it is."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte, then the row
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10000 x 8000 (80 megapixels, over the default limit of 50) in about 80 KB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    path.write_bytes(bomb_png(10_000, 8_000))
    assert path.stat().st_size < 200_000
    return path


_PEAK = """
import resource, sys
from pathlib import Path
from robotest.inspection.images import decode_image, read_image
from robotest.inspection.errors import InspectionError
from robotest.vision.images import load_image
from robotest.vision.errors import VisionInputError
path = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
errors = []
for read in (lambda: read_image(path), lambda: decode_image(path.read_bytes(), "sent"),
             lambda: load_image(path)):
    try:
        read()
    except (InspectionError, VisionInputError) as exc:
        errors.append(str(exc))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(grown, *errors, sep="\\n")
"""


def test_every_entry_point_refuses_the_bomb_without_decoding_it(bomb: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PEAK, str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    grown_kb, *errors = result.stdout.splitlines()
    assert int(grown_kb) < 60_000  # decoding would take 80 MB, as float 320 MB
    limit = f"over the limit of {DEFAULT_MAX_MEGAPIXELS:g} megapixels"
    assert len(errors) == 3 and all(
        f"10000x8000 (80.0 megapixels), {limit}" in e for e in errors
    ), errors
    assert all(MAX_MEGAPIXELS_ENV in e for e in errors)


def test_the_limit_is_set_by_option_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    small = bomb_png(2_000, 1_000)  # 2 megapixels
    assert declared_size(small, "small") == (2_000, 1_000)
    with pytest.raises(ImageTooLarge, match="over the limit of 1.5 megapixels"):
        declared_size(small, "small", megapixels=1.5)
    monkeypatch.setenv(MAX_MEGAPIXELS_ENV, "1")
    with pytest.raises(ImageTooLarge, match="small is 2000x1000 .* limit of 1 megapixels"):
        declared_size(small, "small")
    assert declared_size(small, "small", megapixels=3) == (2_000, 1_000)


def _rtest(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robotest", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_inspect_predict_and_train_refuse_the_bomb(
    plant: object,  # noqa: F811
    bomb: Path,
    tmp_path: Path,
) -> None:
    model = plant.model  # type: ignore[attr-defined]
    result = _rtest("inspect", "predict", model, bomb)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith(
        "(80.0 megapixels), over the limit of 50 megapixels "
        f"(set {MAX_MEGAPIXELS_ENV} or --max-megapixels "
        "for larger images)"
    )
    # the option is the limit: a 128 x 128 unit is refused under 0.01 megapixels
    good = next((plant.train / "train" / "good").iterdir())  # type: ignore[attr-defined]
    result = _rtest("inspect", "--max-megapixels", "0.01", "predict", model, good)
    assert result.returncode == 2 and "over the limit of 0.01 megapixels" in result.stderr
    dataset = tmp_path / "data"
    (dataset / "train" / "good").mkdir(parents=True)
    for name in ("000.png", "001.png"):
        (dataset / "train" / "good" / name).write_bytes(bomb.read_bytes())
    result = _rtest("inspect", "train", dataset, "--out", tmp_path / "model", "--quiet")
    assert result.returncode == 2 and "over the limit of 50 megapixels" in result.stderr
    assert not (tmp_path / "model").exists()


def test_edge_service_refuses_the_bomb_before_taking_its_lock(
    home: Path,  # noqa: F811
    bomb: Path,
) -> None:
    from robotest.inspection.edge.service import EdgeService
    from robotest.inspection.errors import InspectionError

    service = EdgeService(home, LINE)
    data = bomb.read_bytes()
    outcome: list[BaseException | None] = []

    def send_bomb() -> None:
        try:
            service.inspect("u-bomb", data)
            outcome.append(None)
        except InspectionError as exc:
            outcome.append(exc)

    with service.lock:  # held by another unit: the bomb is refused without waiting for it
        sender = threading.Thread(target=send_bomb, daemon=True)
        sender.start()
        sender.join(30)
        assert not sender.is_alive(), "the bomb waited for the service's lock"
    assert len(outcome) == 1 and outcome[0] is not None
    assert "unit u-bomb is 10000x8000 (80.0 megapixels), over the limit of 50" in str(outcome[0])
    strict = EdgeService(home, LINE, max_megapixels=0.01)
    with pytest.raises(InspectionError, match="limit of 0.01 megapixels"):
        strict.inspect("u-small", units("s", 1, 0, 0.0, seed=1)[0].data)
    record, new = service.inspect("u-good", units("g", 1, 0, 0.0, seed=1)[0].data)
    assert new and record.verdict == "OK"


def test_a_replay_camera_refuses_a_bomb_frame(bomb: Path, tmp_path: Path) -> None:
    from robotest.drivers.camera_replay import ReplayCamera
    from robotest.errors import CameraError

    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "0001.png").write_bytes(bomb_png(64, 48))
    (frames / "0002.png").write_bytes(bomb.read_bytes())
    camera = ReplayCamera(str(frames))
    assert camera.grab().shape == (48, 64, 3)
    with pytest.raises(CameraError, match="10000x8000 .*over the limit of 50 megapixels"):
        camera.grab()
