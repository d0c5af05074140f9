"""The pyusb driver through pyusb's own code, down to the emulating backend."""

from __future__ import annotations

import threading

import pytest
import usb.core
import usb.util

from robotest.drivers.errors import (
    DriverError,
    UnmappedKey,
    UsbDeviceGone,
    UsbPermissionError,
)
from robotest.drivers.usb_controller import UsbController, UsbKeyboard, UsbPointer
from robotest.drivers.usb_emulator import EmulatedUsbBackend, UsbControllerDevice, UsbListeners
from robotest.drivers.usb_protocol import (
    EP_IN,
    EP_OUT,
    UsbCommand,
    encode_packet,
    keyboard_report,
    move_payload,
    report_keys,
)
from robotest.errors import ScriptError

VID, PID = 0x1209, 0x7E57


class Laptop:
    """Records what the laptop would receive."""

    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []

    def listeners(self) -> UsbListeners:
        return UsbListeners(
            move=lambda x, y: self.events.append(("move", x, y)),
            button=lambda b, down: self.events.append(("button", b, down)),
            scroll=lambda dy: self.events.append(("scroll", dy)),
            key=lambda k, down: self.events.append(("key", k, down)),
        )


@pytest.fixture
def laptop() -> Laptop:
    return Laptop()


@pytest.fixture
def device(laptop: Laptop) -> UsbControllerDevice:
    return UsbControllerDevice(VID, PID, listeners=laptop.listeners())


@pytest.fixture
def controller(device: UsbControllerDevice) -> UsbController:
    ctl = UsbController(VID, PID, backend=EmulatedUsbBackend(device), reconnect_timeout=0.5)
    ctl.open()
    return ctl


def test_pyusb_finds_configures_and_reads_the_emulated_device(device: UsbControllerDevice) -> None:
    backend = EmulatedUsbBackend(device)
    dev = usb.core.find(idVendor=VID, idProduct=PID, backend=backend)
    assert dev is not None
    assert usb.core.find(idVendor=VID, idProduct=0x0001, backend=backend) is None
    dev.set_configuration()
    intf = dev.get_active_configuration()[(0, 0)]
    assert intf.bInterfaceClass == 0xFF
    assert [ep.bEndpointAddress for ep in intf] == [EP_OUT, EP_IN]
    assert dev.product == "Robot USB HID controller"
    usb.util.claim_interface(dev, 0)
    dev.write(EP_OUT, encode_packet(UsbCommand.MOVE_ABS, 9, move_payload(10, 20)))
    assert bytes(dev.read(EP_IN, 4)) == bytes([9, 0, 0, 0])
    assert device.position == (10, 20)


def test_pointer_moves_clicks_and_scrolls(controller: UsbController, laptop: Laptop) -> None:
    pointer = UsbPointer(controller)
    pointer.move_to(960, 540)
    pointer.click("left", double=True)
    pointer.button("right", True)
    pointer.button("right", False)
    pointer.scroll(-3)
    assert laptop.events == [
        ("move", 960, 540),
        ("button", "left", True),
        ("button", "left", False),
        ("button", "left", True),
        ("button", "left", False),
        ("button", "right", True),
        ("button", "right", False),
        ("scroll", -3),
    ]
    assert controller.info is not None and controller.info.width == 1920


def test_pointer_refuses_points_off_screen_and_unknown_buttons(controller: UsbController) -> None:
    pointer = UsbPointer(controller)
    with pytest.raises(ScriptError, match="outside the 1920x1080 screen"):
        pointer.move_to(1920, 5)
    with pytest.raises(ScriptError, match="unknown mouse button 'side'"):
        pointer.button("side", True)


def test_hid_keyboard_presses_and_releases_a_chord(
    controller: UsbController, laptop: Laptop
) -> None:
    UsbKeyboard(controller).press(("ctrl", "alt", "Delete"), hold=0.02)
    downs = {e[1] for e in laptop.events if e[0] == "key" and e[2]}
    ups = {e[1] for e in laptop.events if e[0] == "key" and not e[2]}
    assert downs == ups == {"Ctrl", "Alt", "Delete"}
    with pytest.raises(UnmappedKey, match="Fn"):
        UsbKeyboard(controller).press(("Fn",), hold=0.02)


def test_report_round_trip() -> None:
    assert report_keys(keyboard_report(("Shift", "a", "F2"))) == {"Shift", "a", "F2"}


def test_timeouts_are_retried_without_acting_twice(
    controller: UsbController, device: UsbControllerDevice, laptop: Laptop
) -> None:
    device.timeouts = 2
    UsbPointer(controller).scroll(5)
    assert laptop.events == [("scroll", 5)]


def test_a_lost_answer_is_resent_from_the_device_cache(
    controller: UsbController, device: UsbControllerDevice, laptop: Laptop
) -> None:
    original = device.bulk_in
    calls = {"n": 0}

    def lose_first() -> bytes | None:
        calls["n"] += 1
        answer = original()
        return None if calls["n"] == 1 else answer

    device.bulk_in = lose_first  # type: ignore[method-assign]
    UsbPointer(controller).scroll(2)
    assert laptop.events == [("scroll", 2)]


def test_stalled_pipe_is_cleared_and_the_command_resent(
    controller: UsbController, device: UsbControllerDevice, laptop: Laptop
) -> None:
    device.stalls = 1
    UsbPointer(controller).move_to(5, 6)
    assert laptop.events == [("move", 5, 6)] and not device.halted


def test_persistent_timeouts_fail_naming_the_device(
    controller: UsbController, device: UsbControllerDevice
) -> None:
    device.timeouts = 100
    with pytest.raises(DriverError, match="USB device 1209:7e57 did not complete SCROLL"):
        UsbPointer(controller).scroll(1)
    assert UsbPointer(controller).health().faults


def test_unplugged_device_is_found_again_after_replug(
    controller: UsbController, device: UsbControllerDevice, laptop: Laptop
) -> None:
    device.unplug()
    threading.Timer(0.1, device.replug).start()
    UsbPointer(controller).move_to(1, 2)
    assert laptop.events[-1] == ("move", 1, 2)
    assert controller.reconnects == 1
    assert "reconnected" in UsbPointer(controller).health().warnings[0]


def test_device_that_stays_gone_is_reported(
    controller: UsbController, device: UsbControllerDevice
) -> None:
    device.unplug()
    with pytest.raises(UsbDeviceGone, match="1209:7e57 disconnected and did not come back"):
        UsbPointer(controller).move_to(1, 2)


def test_missing_device_and_permission_errors_say_what_to_do(device: UsbControllerDevice) -> None:
    with pytest.raises(UsbDeviceGone, match="1209:0001 is not connected.*station file"):
        UsbController(VID, 0x0001, backend=EmulatedUsbBackend(device)).open()
    device.access_denied = True
    with pytest.raises(
        UsbPermissionError, match='udev rule SUBSYSTEM=="usb", ATTR{idVendor}=="1209"'
    ):
        UsbController(VID, PID, backend=EmulatedUsbBackend(device)).open()


def test_reset_releases_buttons_even_with_a_stalled_pipe(
    controller: UsbController, device: UsbControllerDevice
) -> None:
    UsbPointer(controller).button("left", True)
    device.halted = True
    controller.reset()
    assert device.buttons == set()


def test_after_giving_up_on_a_gone_device_commands_fail_fast(
    controller: UsbController, device: UsbControllerDevice
) -> None:
    import time

    device.unplug()
    with pytest.raises(UsbDeviceGone):
        UsbPointer(controller).move_to(1, 2)
    start = time.monotonic()
    with pytest.raises(UsbDeviceGone, match="did not come back"):
        UsbPointer(controller).release_all()
    assert time.monotonic() - start < 0.3
