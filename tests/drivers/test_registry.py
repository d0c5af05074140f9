"""Plugins, station kinds and camera kinds come from entry points: a third party adds one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from robotest import registry
from robotest.runtime.config import plugins

ROOT = Path(__file__).resolve().parents[2]

THIRD_PARTY = {
    "acme_robot.py": """
        import numpy as np

        def answer():
            return 42

        class StillCamera:
            name = "still"
            def __init__(self, spec):
                self.spec = spec
            def grab(self):
                return np.zeros((4, 4, 3), np.uint8)
            def health(self):
                return None
            def close(self):
                pass

        class Kind:
            def parse(self, data, path):
                return {"file": path.name, "arm": data["station"]["arm"]}
            def open(self, spec, **options):
                raise RuntimeError(f"opening {spec}")

        ARM_STATIONS = Kind()
    """,
    "acme_robot-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-robot\nVersion: 1.0\n",
    "acme_robot-1.0.dist-info/entry_points.txt": """
        [robotest.plugins]
        acme = acme_robot

        [robotest.camera_kinds]
        still = acme_robot:StillCamera

        [robotest.station_kinds]
        arm = acme_robot:ARM_STATIONS
    """,
}

PROBE = """
from pathlib import Path
from robotest.runtime.config import plugins
from robotest.drivers.station_files import load_station_file, open_station_file
from robotest.drivers.station_config import parse_station
from robotest.drivers.station_builder import open_camera

print("plugin", plugins.acme.answer())
print("kind", load_station_file(Path("arm.toml")))
try:
    open_station_file(Path("arm.toml"))
except RuntimeError as exc:
    print("open", exc)
spec = parse_station({"keyboard": {"kind": "usb"}, "camera": {"kind": "still"}}, Path("robot.toml"))
print("camera", type(open_camera(spec.camera).camera).__name__)
"""


def _install_third_party(folder: Path) -> None:
    for name, text in THIRD_PARTY.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def test_robotests_own_parts_are_registered_like_anyone_elses() -> None:
    assert {"inspection", "forecast"} <= set(registry.names(registry.PLUGINS))
    assert {"robot", "vnc"} <= set(registry.names(registry.STATION_KINDS))
    assert {"opencv", "genicam", "replay"} <= set(registry.names(registry.CAMERA_KINDS))
    assert plugins.forecast.__name__ == "robotest.forecast.plugin"


def test_an_unknown_plugin_names_the_installed_ones() -> None:
    with pytest.raises(
        AttributeError,
        match=r"no robotest plugin named 'nope' \(installed: .*"
        r"forecast, inspection",
    ):
        plugins.nope  # noqa: B018


def test_a_package_adds_a_plugin_a_station_kind_and_a_camera_kind(tmp_path: Path) -> None:
    _install_third_party(tmp_path / "site")
    (tmp_path / "arm.toml").write_text('[station]\nkind = "arm"\narm = "left"\n')
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path / 'site'}:{ROOT}"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "plugin 42",
        "kind {'file': 'arm.toml', 'arm': 'left'}",
        "open opening {'file': 'arm.toml', 'arm': 'left'}",
        "camera StillCamera",
    ]
