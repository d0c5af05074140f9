"""The sim station: real drivers (serial over a pty, pyusb with the emulating backend)
driving the simulated laptop; and the station's safety contract on every exit path."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from robotest.drivers import HealthState, Station, open_station
from robotest.drivers.errors import ActuatorStuck, SafetyLimitError, StationConfigError
from robotest.drivers.keyboard_codec import Command, encode_press
from robotest.drivers.sim_station import camera_params
from robotest.errors import EmergencyStop, ScriptError, StationError, StepFailed
from robotest.sim import CameraParams
from robotest.sim.screens.desktop import icon_box

SMALL = (612, 512)  # camera frames at a quarter size keep the tests fast


def wait_for(station: Station, state: str, timeout: float = 60.0) -> None:
    """Wait (station time) until the laptop shows *state*."""
    deadline = station.clock.now() + timeout
    while station.laptop.state != state:
        assert station.clock.now() < deadline, f"laptop shows {station.laptop.state}, not {state}"
        station.clock.sleep(0.1)


def press(station: Station, *keys: str) -> None:
    for key in keys:
        station.keyboard.press((key,), hold=0.05)
        station.clock.sleep(0.05)


@pytest.fixture
def sim() -> Iterator[Station]:
    with open_station("sim", speed=20, frame_size=SMALL) as station:
        yield station


def firmware_of(station: Station):  # type: ignore[no-untyped-def]
    return station.emulators["keyboard"].firmware


def test_keys_reach_the_laptop_through_the_serial_emulator_and_keymap(sim: Station) -> None:
    assert sim.laptop.state == "off"
    dark = sim.camera.grab()
    press(sim, "Power")
    wait_for(sim, "post")
    press(sim, "F2")
    wait_for(sim, "bios")
    press(sim, "Esc")
    assert sim.laptop.state == "bios_exit_dialog"
    keymap = sim.keyboard.device.keymap  # type: ignore[attr-defined]
    assert [chord for _, chord in firmware_of(sim).press_log] == [
        (keymap.actuator("Power"),),
        (keymap.actuator("F2"),),
        (keymap.actuator("Esc"),),
    ]
    frame = sim.camera.grab()
    assert frame.shape == (SMALL[1], SMALL[0], 3)
    assert float(np.mean(frame)) > float(np.mean(dark)) + 5  # the camera sees the BIOS


def test_pointer_reaches_the_laptop_through_pyusb_to_open_the_terminal(sim: Station) -> None:
    press(sim, "Power")
    wait_for(sim, "login")
    press(sim, *"factory", "Enter")
    wait_for(sim, "desktop")
    x0, y0, x1, y1 = icon_box(0)
    sim.pointer.move_to((x0 + x1) // 2, (y0 + y1) // 2)
    assert sim.laptop.pointer == ((x0 + x1) // 2, (y0 + y1) // 2)
    sim.pointer.click("left", double=True)
    assert sim.laptop.state == "terminal"
    assert sim.health().state == HealthState.READY


def test_the_usb_hid_keyboard_drives_the_laptop_too() -> None:
    with open_station("sim", speed=20, frame_size=SMALL, keyboard="usb") as station:
        station.keyboard.press(("Power",), hold=0.05)
        wait_for(station, "post")
        station.keyboard.press(("F2",), hold=0.05)
        wait_for(station, "bios")


def test_the_station_clock_runs_faster_than_real_time(sim: Station) -> None:
    start, real = sim.clock.now(), time.monotonic()
    sim.clock.sleep(2.0)
    assert sim.clock.now() - start >= 2.0
    assert time.monotonic() - real < 0.5


def hold_everything(station: Station) -> None:
    """Leave a key down (a 10 s press) and the left button down, as a crash would."""
    keymap = station.keyboard.device.keymap  # type: ignore[attr-defined]
    session = station.keyboard.device.session  # type: ignore[attr-defined]
    session.request(Command.PRESS, encode_press((keymap.actuator("Shift"),), 10_000))
    station.pointer.button("left", True)
    assert station.laptop.held_keys and station.laptop.held_buttons


def assert_all_released(station: Station) -> None:
    assert firmware_of(station).down() == ()
    assert not station.laptop.held_keys
    assert not station.laptop.held_buttons


@pytest.mark.parametrize("exit_with", [RuntimeError, KeyboardInterrupt, StepFailed, None])
def test_leaving_the_station_by_any_path_releases_everything(
    exit_with: type[BaseException] | None,
) -> None:
    station = open_station("sim", frame_size=SMALL)
    firmware = firmware_of(station)
    if exit_with is None:
        with station:
            hold_everything(station)
    else:
        with pytest.raises(exit_with), station:
            hold_everything(station)
            raise exit_with("boom")
    assert firmware.down() == ()
    assert not station.laptop.held_keys and not station.laptop.held_buttons
    assert station.close_errors == []


def test_emergency_stop_releases_at_once_and_refuses_further_actuation(sim: Station) -> None:
    hold_everything(sim)
    sim.emergency_stop()
    assert_all_released(sim)
    assert sim.health().state == HealthState.EMERGENCY_STOPPED
    with pytest.raises(EmergencyStop, match="emergency stop"):
        sim.keyboard.press(("a",), hold=0.05)
    with pytest.raises(EmergencyStop):
        sim.pointer.move_to(10, 10)


def test_a_stuck_key_is_a_station_fault_with_a_clear_message(sim: Station) -> None:
    keymap = sim.keyboard.device.keymap  # type: ignore[attr-defined]
    sim.emulators["keyboard"].make_stuck(keymap.actuator("Enter"))
    with pytest.raises(ActuatorStuck, match="key Enter .* is stuck down") as info:
        sim.keyboard.press(("Enter",), hold=0.05)
    assert isinstance(info.value, StationError) and not isinstance(info.value, StepFailed)
    health = sim.health()
    assert health.state == HealthState.FAULTED
    assert "Enter" in str(health)


def test_limits_are_refused_as_script_errors(sim: Station) -> None:
    with pytest.raises(SafetyLimitError, match="hold time 60 s") as info:
        sim.keyboard.press(("a",), hold=60)
    assert isinstance(info.value, ScriptError)
    with pytest.raises(ScriptError, match="has no actuator"):
        sim.keyboard.press(("F24",), hold=0.05)
    assert firmware_of(sim).press_log == []


def test_the_station_knows_the_laptop_screen_size(sim: Station) -> None:
    assert sim.screen_size == (1920, 1080)


def test_a_usb_controller_that_vanishes_mid_run_is_a_station_fault(sim: Station) -> None:
    sim.emulators["usb"].unplug()
    with pytest.raises(StationError, match="1209:7e57 disconnected"):
        sim.pointer.move_to(10, 10)
    assert sim.health().state == HealthState.FAULTED


def test_the_sim_camera_can_be_sampled_or_show_glare() -> None:
    assert camera_params("nominal", 3) is None
    assert camera_params("glare", 3) == CameraParams(glare=True)
    assert camera_params("sampled", 3) == CameraParams.sample(3)
    with pytest.raises(StationConfigError, match="camera 'fisheye': use nominal, sampled, glare"):
        camera_params("fisheye", 3)
    with open_station("sim", frame_size=SMALL, camera="glare") as station:
        assert station.camera.grab().shape == (SMALL[1], SMALL[0], 3)
