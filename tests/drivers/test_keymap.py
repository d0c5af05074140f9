"""Keymaps and the US-layout chord for a typed character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robotest.drivers import UnmappedKey, chord_for_character, default_keymap
from robotest.drivers.keymap import Keymap
from robotest.drivers.station_config import StationConfigError


def test_keys_are_physical_and_names_canonical() -> None:
    keymap = Keymap({"F2": 3, "a": 4, "escape": 5})
    assert keymap.actuator("f2") == keymap.actuator("F2") == 3
    assert keymap.actuator("A") == keymap.actuator("a") == 4
    assert keymap.actuator("Esc") == 5
    assert keymap.describe(3) == "key F2 (actuator 3)"
    with pytest.raises(UnmappedKey, match="'F3' has no actuator"):
        keymap.actuator("F3")
    with pytest.raises(StationConfigError, match="actuator indices are 0 to 127"):
        Keymap({"F2": 300})


@given(st.characters(min_codepoint=32, max_codepoint=126))
def test_every_printable_ascii_character_types_with_default_keymap_keys(char: str) -> None:
    chord = chord_for_character(char)
    assert 1 <= len(chord) <= 2
    default_keymap().actuators(chord)  # every key of the chord has an actuator


def test_chords_for_characters() -> None:
    assert chord_for_character("A") == ("Shift", "a")
    assert chord_for_character("!") == ("Shift", "1")
    assert chord_for_character("-") == ("-",)
    assert chord_for_character(" ") == ("Space",)
    with pytest.raises(UnmappedKey, match="cannot be typed"):
        chord_for_character("é")
