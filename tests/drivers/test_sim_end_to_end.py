"""Whole journeys on the simulated laptop through the real drivers, with injected faults.

Keys go through the pneumatic driver, pyserial, the pty and the firmware emulator; the
pointer through pyusb and the emulating backend. What the screen shows is read from the
laptop's clean screen (Tesseract) or its terminal's lines.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.drivers import Station, open_station
from robotest.sim import ProductImage
from robotest.sim.screens.desktop import icon_box

pytesseract = pytest.importorskip("pytesseract", reason="pytesseract is needed to read screens")

SMALL = (612, 512)


def ocr(screen: np.ndarray, box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    gray = cv2.cvtColor(screen[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    if gray.mean() < 128:
        gray = 255 - gray
    return str(pytesseract.image_to_string(gray, config="--psm 6"))


class Robot:
    """What a script does, in station calls only."""

    def __init__(self, station: Station) -> None:
        self.station = station

    def press(self, *chord: str) -> None:
        self.station.keyboard.press(chord, hold=0.05)
        self.station.clock.sleep(0.05)

    def type(self, text: str) -> None:
        for char in text:
            if char == " ":
                self.press("Space")
            elif char.isupper():
                self.press("Shift", char.lower())
            else:
                self.press(char)

    def wait_for(self, state: str, timeout: float = 90.0) -> None:
        deadline = self.station.clock.now() + timeout
        while self.station.laptop.state != state:
            assert self.station.clock.now() < deadline, (
                f"laptop shows {self.station.laptop.state}, not {state}"
            )
            self.station.clock.sleep(0.2)

    def double_click_icon(self, index: int) -> None:
        x0, y0, x1, y1 = icon_box(index)
        self.station.pointer.move_to((x0 + x1) // 2, (y0 + y1) // 2)
        self.station.pointer.click("left", double=True)

    def terminal_lines(self) -> list[str]:
        return list(self.station.laptop.current_screen.focused.lines)


def test_wrong_bios_version_and_missing_device_seen_through_the_drivers() -> None:
    image = ProductImage.golden().with_faults(
        bios_version="1.06.9", missing_devices=["Goodix Fingerprint Reader"]
    )
    with open_station("sim", image=image, speed=20, frame_size=SMALL) as station:
        robot = Robot(station)
        robot.press("Power")
        robot.wait_for("post")
        robot.press("F2")
        robot.wait_for("bios")
        robot.press("Down")
        text = ocr(station.laptop.screen(), (60, 150, 1340, 210))
        assert "1.06.9" in text
        robot.press("Esc")
        assert station.laptop.state == "bios_exit_dialog"
        robot.press("Enter")
        robot.wait_for("login")
        robot.type("wrong")
        robot.press("Enter")
        assert station.laptop.state == "login"
        robot.type("factory")
        robot.press("Enter")
        robot.wait_for("desktop")
        robot.double_click_icon(0)
        assert station.laptop.state == "terminal"
        robot.type("bios-version")
        robot.press("Enter")
        assert "BIOS Version: 1.06.9" in robot.terminal_lines()
        robot.type("lsdev")
        robot.press("Enter")
        lines = robot.terminal_lines()
        assert any("Touchpad" in line for line in lines)
        assert not any("Fingerprint" in line for line in lines)
        assert station.health().state.value == "ready"


def test_keys_the_laptop_drops_were_still_pressed_exactly_once_by_the_robot() -> None:
    image = ProductImage.golden().with_faults(drop_key_probability=0.5)
    with open_station("sim", image=image, speed=20, frame_size=SMALL, seed=3) as station:
        robot = Robot(station)
        robot.press("Power")
        robot.wait_for("login")
        for _ in range(20):
            robot.press("a")
        firmware = station.emulators["keyboard"].firmware
        assert len(firmware.press_log) == 21  # the robot pressed every key once
        assert 0 < station.laptop.dropped_keys < 20  # the image lost some: an image fault
        assert station.health().state.value == "ready"  # and the station is fine
