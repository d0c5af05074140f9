"""The real driver (pyserial on a pseudo-terminal) against the firmware emulator, with faults.

Each test checks the two safety promises: no key pressed twice for one press, none
left pressed afterwards.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from robotest.drivers.errors import (
    ActuatorStuck,
    ControllerSilent,
    LowPressure,
    PortGone,
    SafetyLimitError,
    UnmappedKey,
)
from robotest.drivers.governor import Limits
from robotest.drivers.keyboard_codec import Command
from robotest.drivers.keyboard_emulator import KeyboardEmulator
from robotest.drivers.keymap import default_keymap
from robotest.drivers.pneumatic_keyboard import PneumaticKeyboard

PRESS = int(Command.PRESS)
F2 = default_keymap().actuator("F2")


def presses(emulator: KeyboardEmulator) -> list[tuple[int, ...]]:
    with emulator.locked() as fw:
        return [chord for _, chord in fw.press_log]


def nothing_down(emulator: KeyboardEmulator) -> bool:
    with emulator.locked() as fw:
        return fw.down() == ()


def test_press_reaches_the_actuators_through_a_real_serial_device(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    events: list[tuple[int, bool]] = []
    emulator.firmware.on_actuator = lambda index, down: events.append((index, down))
    keyboard.press(("ctrl", "alt", "Delete"), hold=0.02)
    km = default_keymap()
    chord = km.actuators(("Ctrl", "Alt", "Delete"))
    assert presses(emulator) == [chord]
    assert sorted(i for i, down in events if down) == sorted(chord)
    assert sorted(i for i, down in events if not down) == sorted(chord)
    assert keyboard.port.endswith("ttyROBOKBD0")


@pytest.mark.parametrize(
    "kind, direction",
    [
        ("drop", "to_controller"),
        ("drop", "to_host"),
        ("corrupt", "to_controller"),
        ("corrupt", "to_host"),
        ("duplicate", "to_controller"),
        ("duplicate", "to_host"),
        ("delay", "to_controller"),
        ("delay", "to_host"),
    ],
)
def test_frame_faults_never_press_twice_nor_leave_a_key_down(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard, kind: str, direction: str
) -> None:
    emulator.inject(kind, direction, command=PRESS, delay=0.08)
    keyboard.press(("F2",), hold=0.02)
    keyboard.press(("Enter",), hold=0.02)  # the next press is not confused by late frames
    time.sleep(0.1)  # let any delayed frame arrive
    assert presses(emulator) == [(F2,), (default_keymap().actuator("Enter"),)]
    assert nothing_down(emulator)
    if kind != "duplicate" or direction != "to_host":
        assert keyboard.session.stats.resends + keyboard.session.stats.timeouts >= (
            0 if kind == "duplicate" else 1
        )


def test_garbage_on_the_line_is_skipped(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    emulator.send_raw(b"\x00\xa5\xff\x03garbage\xa5\x02")
    keyboard.press(("a",), hold=0.01)
    assert presses(emulator) == [(default_keymap().actuator("a"),)]


def test_random_faults_soak(emulator: KeyboardEmulator, keyboard: PneumaticKeyboard) -> None:
    rng = random.Random(7)
    keys = ["a", "b", "Enter", "F2", "Esc", "Space"]
    expected = []
    for _ in range(25):
        kind = rng.choice(["drop", "corrupt", "duplicate", "delay", None])
        if kind:
            emulator.inject(
                kind, rng.choice(["to_controller", "to_host"]), command=PRESS, delay=0.07
            )
        key = rng.choice(keys)
        keyboard.press((key,), hold=0.005)
        expected.append((default_keymap().actuator(key),))
    time.sleep(0.1)
    assert presses(emulator) == expected
    assert nothing_down(emulator)


def test_vanished_port_is_reopened_and_the_press_happens_once(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    emulator.unplug()
    threading.Timer(0.3, emulator.replug).start()
    keyboard.press(("F2",), hold=0.01)
    assert presses(emulator) == [(F2,)]
    assert keyboard.session.stats.reconnects >= 1
    assert "reconnected" in " ".join(keyboard.health().warnings)


def test_port_that_stays_gone_is_reported_with_its_name(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    emulator.unplug()
    with pytest.raises(PortGone, match=f"{emulator.port} vanished"):
        keyboard.press(("F2",), hold=0.01)
    assert keyboard.health().faults


def test_silent_controller_is_reported_with_the_port_name(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    emulator.inject("drop", "to_controller", count=100)
    with pytest.raises(ControllerSilent, match=emulator.port):
        keyboard.press(("F2",), hold=0.01)
    assert presses(emulator) == []


def test_opening_a_missing_port_names_it() -> None:
    with pytest.raises(PortGone, match="/dev/ttyNOPE9"):
        PneumaticKeyboard.open("/dev/ttyNOPE9", default_keymap())


def test_stuck_actuator_fails_the_press_with_the_key_name(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    emulator.make_stuck(F2)
    with pytest.raises(ActuatorStuck, match="key F2 \\(actuator .*\\) on .* is stuck down"):
        keyboard.press(("F2",), hold=0.01)
    with pytest.raises(ActuatorStuck, match="key F2"):
        keyboard.press(("F2",), hold=0.01)  # refused by the controller now
    assert presses(emulator) == [(F2,)]
    assert any("stuck" in fault for fault in keyboard.health().faults)


def test_low_supply_pressure_is_reported_and_nothing_is_pressed(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    emulator.set_pressure(250)
    with pytest.raises(LowPressure, match="250 kPa.*check the compressed-air supply"):
        keyboard.press(("F2",), hold=0.01)
    assert presses(emulator) == []
    assert any("pressure" in fault for fault in keyboard.health().faults)


def test_heartbeat_keeps_a_long_hold_alive_and_the_watchdog_releases_a_dead_host(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    keyboard.press(("Shift",), hold=0.5)  # longer than the 300 ms watchdog
    assert not keyboard.status().watchdog_tripped
    # now the host dies mid-press: no release, no heartbeat
    keyboard.session.request(Command.PRESS, bytes([0x10, 0x27, 1, F2]))  # 10 s hold
    keyboard.session.close()
    time.sleep(0.5)
    assert nothing_down(emulator)
    with emulator.locked() as fw:
        assert fw.status().watchdog_tripped


def test_close_releases_everything(emulator: KeyboardEmulator, keyboard: PneumaticKeyboard) -> None:
    keyboard.session.request(Command.PRESS, bytes([0x10, 0x27, 1, F2]))
    assert not nothing_down(emulator)
    keyboard.close()
    assert nothing_down(emulator)


def test_governor_refuses_what_the_limits_forbid(emulator: KeyboardEmulator) -> None:
    limits = Limits(max_chord=2, max_hold=1.0, max_presses_per_second=3)
    kb = PneumaticKeyboard.open(emulator.port, default_keymap(), limits=limits)
    try:
        with pytest.raises(SafetyLimitError, match="chord of 3 keys"):
            kb.press(("Ctrl", "Alt", "Delete"), hold=0.05)
        with pytest.raises(SafetyLimitError, match="hold time 2 s"):
            kb.press(("a",), hold=2.0)
        for _ in range(3):
            kb.press(("a",), hold=0.02)
        with pytest.raises(SafetyLimitError, match="rate limit"):
            kb.press(("a",), hold=0.02)
        with pytest.raises(UnmappedKey, match="F24"):
            kb.press(("F24",), hold=0.02)
        assert len(presses(emulator)) == 3
        assert kb.wear()["a"] == 3
    finally:
        kb.close()


def test_after_giving_up_on_a_vanished_port_the_driver_fails_fast(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    emulator.unplug()
    with pytest.raises(PortGone):
        keyboard.press(("F2",), hold=0.01)
    start = time.monotonic()
    with pytest.raises(PortGone, match="vanished"):
        keyboard.release_all()
    assert time.monotonic() - start < 0.5  # no second reconnect wait


def test_emergency_release_does_not_queue_behind_a_request_that_is_resending(
    emulator: KeyboardEmulator, keyboard: PneumaticKeyboard
) -> None:
    keyboard.session.request(Command.PRESS, bytes([0x10, 0x27, 1, F2]))  # 10 s hold
    emulator.inject("drop", "to_host", count=100, command=int(Command.STATUS))
    busy = threading.Thread(target=lambda: pytest.raises(ControllerSilent, keyboard.status))
    busy.start()
    time.sleep(0.05)  # the STATUS request now holds the session, resending
    start = time.monotonic()
    keyboard.session.send_now(Command.RELEASE_ALL)
    while not nothing_down(emulator):
        assert time.monotonic() - start < 0.1, "RELEASE_ALL waited for the busy request"
        time.sleep(0.002)
    busy.join()
