"""The library's plain-Python helpers: text comparisons and reading the Terminal's lines."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from robotest.stdlib_subscripts.screens import contains_text, same_text
from robotest.stdlib_subscripts.terminal import output_of, typed
from stdlib_helpers import SPEC_FILE

from robotest.runtime import RecordingRuntime, use_runtime

PROMPT = "qa@qa-laptop:~$"


@pytest.fixture(autouse=True)
def spec_config() -> Iterator[None]:
    """The prompt comes from the image description (os.user, os.hostname) in `config`."""
    with use_runtime(RecordingRuntime(config={"product": tomllib.loads(SPEC_FILE.read_text())})):
        yield


def test_same_text_forgives_ocr_look_alikes_case_and_spaces() -> None:
    assert same_text("3F0A4A7F", "3FOA4A7F")
    assert same_text("TPM  2.0", "tpm 2.0")
    assert same_text("1.O7.3", "1.07.3")


def test_same_text_never_equates_another_digit_or_word() -> None:
    assert not same_text("1.06.9", "1.07.3")
    assert not same_text("8.78", "8.70")
    assert not same_text("Disabled", "Enabled")
    assert not same_text("16384 MB", "8192 MB")


@given(st.text(alphabet="0123456789.", min_size=1, max_size=12), st.data())
def test_a_changed_digit_is_always_a_difference(expected: str, data: st.DataObject) -> None:
    digits = [i for i, c in enumerate(expected) if c.isdigit()]
    if not digits:
        return
    at = data.draw(st.sampled_from(digits))
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != expected[at]]))
    assert not same_text(expected[:at] + other + expected[at + 1 :], expected)


def test_contains_text_ignores_spaces_ocr_splits() -> None:
    listed = "Network Intel Wi-Fi 6E AX211\nBiometric Goodix Finger print Reader"
    assert contains_text(listed, "Goodix Fingerprint Reader")
    assert not contains_text(listed, "Synaptics Precision Touchpad")


def test_a_typed_command_reads_back_with_or_without_the_cursor() -> None:
    assert typed([f"{PROMPT} lsdev"], "lsdev")
    assert typed([f"{PROMPT} lsdev §j"], "lsdev")
    assert typed(["qa@qa- laptop:~$ uname -a lj"], "uname -a")
    assert typed([f"{PROMPT} un ame -a"], "uname -a")  # OCR split a word: still the command


def test_a_command_short_of_a_key_does_not_read_back() -> None:
    assert not typed([f"{PROMPT} lsde §j"], "lsdev")
    assert not typed([f"{PROMPT} uname - lj"], "uname -a")
    assert not typed([f"{PROMPT} sdev"], "lsdev")
    assert not typed([f"{PROMPT} uname-a lj"], "uname -a")  # a dropped Space key
    assert not typed([f"{PROMPT} uname-a"], "uname -a")
    assert not typed([f"{PROMPT} unae -a cuname -a lj"], "uname -a")  # a stray key before
    assert not typed(["Network Intel Wi-Fi 6E AX211 lsdev"], "lsdev")  # no prompt
    assert not typed([], "lsdev")


def test_output_is_what_came_between_the_command_and_the_next_prompt() -> None:
    lines = [
        f"{PROMPT} echo old",
        "old",
        f"{PROMPT} bios-version",
        "BIOS Version: 1.07.3",
        "EC Version: 2.14",
        f"{PROMPT} lj",
    ]
    assert output_of(lines, "bios-version") == "BIOS Version: 1.07.3\nEC Version: 2.14"
    assert output_of([f"{PROMPT} clear", f"{PROMPT}"], "clear") == ""
