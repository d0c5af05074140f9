"""Fixtures: a firmware emulator on a pseudo-terminal and the real driver opened on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from robotest.drivers.governor import Limits
from robotest.drivers.keyboard_emulator import KeyboardEmulator
from robotest.drivers.keyboard_firmware import Firmware
from robotest.drivers.keymap import default_keymap
from robotest.drivers.pneumatic_keyboard import PneumaticKeyboard

FAST_LIMITS = Limits(max_presses_per_second=1000, min_hold=0.005)


@pytest.fixture
def emulator() -> Iterator[KeyboardEmulator]:
    with KeyboardEmulator(Firmware(watchdog_ms=300)) as emu:
        yield emu


@pytest.fixture
def keyboard(emulator: KeyboardEmulator) -> Iterator[PneumaticKeyboard]:
    kb = PneumaticKeyboard.open(
        emulator.port,
        default_keymap(),
        limits=FAST_LIMITS,
        response_timeout=0.05,
        attempts=10,
        reconnect_timeout=1.0,
    )
    yield kb
    kb.session.close()
