"""Clocks, health, the serial transport's hints and the USB device's never-twice rule."""

from __future__ import annotations

import errno
import time

import serial
from hypothesis import given
from hypothesis import strategies as st

from robotest.drivers.clock import AcceleratedClock, ManualClock, RealClock
from robotest.drivers.health import Health, HealthNotes, HealthState
from robotest.drivers.serial_transport import SerialTransport, TransportError, _reason
from robotest.drivers.usb_emulator import UsbControllerDevice
from robotest.drivers.usb_protocol import UsbCommand, encode_packet, scroll_payload


def test_accelerated_clock_runs_speed_times_faster() -> None:
    clock = AcceleratedClock(speed=50)
    start, real = clock.now(), time.monotonic()
    clock.sleep(1.0)
    elapsed_real = time.monotonic() - real
    assert clock.now() - start >= 1.0
    assert 0.015 <= elapsed_real < 0.5


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(10.0)
    assert clock.now() == 10.0
    clock.sleep(2.5)
    clock.advance(0.5)
    assert clock.now() == 13.0
    assert RealClock().speed == 1.0


def test_health_states_and_reasons() -> None:
    assert Health.from_notes(HealthNotes()).state == HealthState.READY
    worn = Health.from_notes(HealthNotes(warnings=["key a is worn"]))
    assert worn.state == HealthState.DEGRADED and str(worn) == "degraded: key a is worn"
    broken = Health.from_notes(HealthNotes(faults=["port gone"], warnings=["worn"]))
    assert broken.state == HealthState.FAULTED and broken.reasons == ("port gone", "worn")
    stopped = Health.from_notes(HealthNotes(faults=["port gone"]), stopped=True)
    assert stopped.state == HealthState.EMERGENCY_STOPPED


def test_serial_errors_say_how_to_fix_permissions_and_busy_ports() -> None:
    denied = serial.SerialException(errno.EACCES, "could not open port /dev/ttyUSB0")
    assert "usermod -aG dialout" in _reason(denied)
    busy = serial.SerialException(errno.EAGAIN, "Could not exclusively lock port")
    assert "another program has the port open" in _reason(busy)


def test_opening_a_missing_port_names_it() -> None:
    transport = SerialTransport("/dev/ttyROBOTEST_NONE")
    try:
        transport.open()
    except TransportError as exc:
        assert "/dev/ttyROBOTEST_NONE" in str(exc)
    else:  # pragma: no cover - the port cannot exist
        raise AssertionError("opened a port that does not exist")


@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(0, 3)), min_size=1, max_size=30))
def test_usb_device_acts_once_per_sequence_number_however_often_a_packet_is_resent(
    scrolls: list[tuple[int, int]],
) -> None:
    seen: list[int] = []
    device = UsbControllerDevice()
    device.listeners.scroll = seen.append
    for seq, (dy, resends) in enumerate(scrolls):
        packet = encode_packet(UsbCommand.SCROLL, seq, scroll_payload(dy))
        for _ in range(1 + resends):
            device.bulk_out(packet)
            assert device.bulk_in() is not None
    assert seen == [dy for dy, _ in scrolls]
