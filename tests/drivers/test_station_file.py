"""Station files: the examples parse, mistakes are named, and a file-described station
opens its real drivers (serial emulator on a pty, pyusb emulating backend, replay camera)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.drivers import HealthState, Limits, StationConfigError, load_station, open_station
from robotest.drivers.keyboard_emulator import KeyboardEmulator
from robotest.drivers.keyboard_firmware import Firmware
from robotest.drivers.station_config import parse_station
from robotest.drivers.usb_emulator import EmulatedUsbBackend, UsbControllerDevice

STATIONS = Path(__file__).resolve().parents[2] / "stations"


@pytest.mark.parametrize("path", sorted(STATIONS.glob("*.toml")), ids=lambda p: p.name)
def test_example_station_files_parse(path: Path) -> None:
    spec = load_station(path)
    assert spec.name == path.stem
    if spec.keyboard.kind == "pneumatic":
        assert spec.keyboard.keymap is not None and spec.keyboard.keymap.actuator("F2") >= 0


def test_production_example_has_every_part() -> None:
    spec = load_station(STATIONS / "line1-bay1.toml")
    assert spec.keyboard.port.startswith("/dev/serial/by-id/")
    assert (spec.usb.vendor_id, spec.usb.product_id) == (0x1209, 0x7E57)
    assert spec.camera.kind == "genicam" and spec.camera.exposure == 8000.0
    assert spec.calibration_file is not None and spec.calibration_file.name == "line1-bay1.json"
    assert spec.limits == Limits(max_presses_per_second=20.0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[keyboard\n", "is not valid TOML"),
        ("[robot]\n", "unknown section \\[robot\\]"),
        (
            "[keyboard]\nkind = 'pneumatic'\n[keyboard.keymap]\nF2 = 1\n",
            "keyboard.port: a pneumatic",
        ),
        ("[keyboard]\nport = '/dev/x'\n", "keyboard.keymap: a pneumatic keyboard needs"),
        ("[keyboard]\nport = '/dev/x'\n[keyboard.keymap]\nF99 = 1\n", "'F99' is not a key name"),
        ("[keyboard]\nport = '/dev/x'\n[keyboard.keymap]\nF2 = 1\nF3 = 1\n", "share actuator 1"),
        ("[keyboard]\nkind = 'usb'\nbaud = 'fast'\n", "keyboard.baud: expected int"),
        (
            "[keyboard]\nkind = 'usb'\n[limits]\nmin_hold = 3.0\nmax_hold = 1.0\n",
            "min_hold: is greater than max_hold",
        ),
        ("[keyboard]\nkind = 'usb'\n[limits]\nmax_speed = 3\n", "max_speed: unknown entry"),
        ("[keyboard]\nkind = 'usb'\n[usb]\nvendor_id = 0x12345\n", "USB ids are 0 to 0xFFFF"),
        ("[keyboard]\nkind = 'usb'\n[camera]\nkind = 'genicam'\n", "needs its GenTL producer"),
        ("[keyboard]\nkind = 'usb'\n[camera]\nkind = 'webcam'\n", "'webcam' is not one of"),
    ],
)
def test_mistakes_in_a_station_file_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(StationConfigError, match=message):
        load_station(path)


def test_missing_station_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StationConfigError, match="nope.toml does not exist"):
        open_station(tmp_path / "nope.toml")


def test_a_station_file_opens_real_drivers_and_releases_on_close(tmp_path: Path) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    for n in range(3):
        cv2.imwrite(str(frames / f"{n:03d}.png"), np.full((48, 64, 3), n * 50, np.uint8))
    device = UsbControllerDevice(0x1209, 0x0042)
    with KeyboardEmulator(Firmware(actuators=8)) as emulator:
        path = tmp_path / "bench.toml"
        path.write_text(f"""
[station]
name = "bench"
[keyboard]
port = "{emulator.port}"
[keyboard.keymap]
Power = 0
F2 = 1
Enter = 2
[usb]
product_id = 0x0042
[camera]
kind = "replay"
source = "frames"
[calibration]
file = "cal.json"
[limits]
max_hold = 2.0
""")
        with open_station(path, usb_backend=EmulatedUsbBackend(device)) as station:
            assert station.name == "bench"
            assert station.calibration_file == tmp_path / "cal.json"
            station.keyboard.press(("F2",), hold=0.03)
            station.keyboard.press("Enter")  # the station's default hold
            station.pointer.move_to(30, 40)
            station.pointer.button("left", True)
            assert station.camera.grab().shape == (48, 64, 3)
            assert station.health().state == HealthState.READY
            with emulator.locked() as fw:
                assert [chord for _, chord in fw.press_log] == [(1,), (2,)]
        assert device.buttons == set() and device.position == (30, 40)
        with emulator.locked() as fw:
            assert fw.down() == ()


def test_a_station_whose_usb_controller_is_missing_closes_what_it_opened(tmp_path: Path) -> None:
    with KeyboardEmulator(Firmware(actuators=8)) as emulator:
        path = tmp_path / "s.toml"
        path.write_text(f"[keyboard]\nport = '{emulator.port}'\n[keyboard.keymap]\nF2 = 1\n")
        from robotest.drivers.errors import UsbDeviceGone

        with pytest.raises(UsbDeviceGone, match="1209:7e57 is not connected"):
            open_station(path, usb_backend=EmulatedUsbBackend())


def _scalar_entries() -> list[tuple[str, str]]:
    from robotest.drivers.station_config import (
        CameraTable,
        KeyboardTable,
        LimitsTable,
        StationTable,
        UsbTable,
    )

    tables = {
        "station": StationTable,
        "keyboard": KeyboardTable,
        "usb": UsbTable,
        "camera": CameraTable,
        "limits": LimitsTable,
    }
    return [
        (table, key)
        for table, model in tables.items()
        for key in model.model_fields
        if key != "keymap"
    ]


@pytest.mark.parametrize(("table", "key"), _scalar_entries())
def test_every_entry_of_the_wrong_type_is_named(table: str, key: str, tmp_path: Path) -> None:
    """A list where a value belongs, in any entry of any table: one error naming it."""
    path = tmp_path / "bay.toml"
    data: dict[str, dict[str, object]] = {"keyboard": {"kind": "usb"}}
    data.setdefault(table, {})[key] = [1]
    with pytest.raises(StationConfigError) as caught:
        parse_station(data, path)
    assert str(caught.value).startswith(f"{path}.{table}.{key}: ")
    assert "\n" not in str(caught.value)
