"""Tolerant text comparison (properties) and the denoising routines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from robotest.vision import VisionInputError, average_frames, denoise, text_matches
from robotest.vision.fuzzy import edit_distance, ocr_distance

words = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-",
    min_size=1,
    max_size=12,
)


@given(st.lists(words, min_size=1, max_size=4))
def test_a_phrase_matches_itself_in_any_case(parts: list[str]) -> None:
    phrase = " ".join(parts)
    assert ocr_distance(phrase, phrase) == 0
    assert text_matches(phrase.upper(), phrase)


@given(words, st.integers(min_value=0, max_value=11), st.sampled_from("0123456789"))
def test_a_changed_digit_never_matches(word: str, index: int, digit: str) -> None:
    position = index % len(word)
    if not word[position].isdigit() or word[position] == digit:
        return
    changed = word[:position] + digit + word[position + 1 :]
    assert not text_matches(changed, word)


@given(words, words, st.floats(min_value=0.0, max_value=12.0))
def test_a_distance_past_its_limit_stays_past_it(read: str, expected: str, limit: float) -> None:
    # the search stops early past the limit, and never lands on the wrong side of it
    exact = ocr_distance(read, expected)
    bounded = ocr_distance(read, expected, limit)
    assert (bounded <= limit) == (exact <= limit)
    assert bounded == exact if exact <= limit else limit < bounded <= exact


@pytest.mark.parametrize(
    ("read", "expected", "same"),
    [
        ("B1OS Versi0n", "BIOS Version", True),  # confusable glyphs
        ("Setup Utllity", "Setup Utility", True),
        ("Version:", "Version", True),  # punctuation OCR attached
        ("Build", "Build:", True),  # a label's colon OCR missed
        ("5", "5.", False),  # other punctuation in the expected text is kept
        ("Boot Node", "Boot Mode", False),  # another word
        ("HAC Address", "MAC Address", True),  # a bold bitmap M, its middle filled in
        ("MAC Address", "HAC Address", False),  # never the other way
        ("hac address", "mac address", False),  # nor in lower case
        ("Disabled", "Enabled", False),
        ("Root", "Boot", False),
        ("1.07.4", "1.07.3", False),
        ("006", "009", False),  # 6 and 9 look alike, but a digit is never forgiven
        ("root@ga-51:-# hostname", "root@qa-51:~# hostname", True),  # a shell prompt
        ("root@ga-52:-# hostname", "root@qa-51:~# hostname", False),
        ("root@qa-51:~# hostnane", "root@qa-51:~# uname", False),
    ],
)
def test_ocr_slips_tolerated_other_words_not(read: str, expected: str, same: bool) -> None:
    assert text_matches(read, expected) is same


def test_averaging_frames_reduces_noise() -> None:
    rng = np.random.default_rng(0)
    clean = np.full((60, 80, 3), 120, np.uint8)
    frames = [
        np.clip(clean + rng.normal(0, 8, clean.shape), 0, 255).astype(np.uint8) for _ in range(4)
    ]
    single = np.std(frames[0].astype(float) - clean)
    averaged = np.std(average_frames(frames).astype(float) - clean)
    assert averaged < 0.6 * single
    filtered = np.std(denoise(frames, "median").astype(float) - clean)
    assert filtered < averaged
    assert np.array_equal(denoise(frames), average_frames(frames))  # auto: the average
    assert denoise(frames[0], "none").shape == clean.shape
    assert np.std(denoise(frames[0], "bilateral").astype(float) - clean) < single


def test_denoise_bad_input() -> None:
    with pytest.raises(VisionInputError, match="no frames"):
        average_frames([])
    with pytest.raises(VisionInputError, match="differ in size"):
        average_frames([np.zeros((4, 4), np.uint8), np.zeros((5, 4), np.uint8)])
    with pytest.raises(VisionInputError, match="bad filter"):
        denoise(np.zeros((4, 4), np.uint8), "gauss")  # type: ignore[arg-type]


def test_edit_distance_counts_each_inserted_deleted_or_replaced_character() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("7-6047", "?-6047") == 1


@given(st.text(max_size=12), st.text(max_size=12))
def test_edit_distance_is_a_symmetric_bound_by_the_longer_text(a: str, b: str) -> None:
    distance = edit_distance(a, b)
    assert distance == edit_distance(b, a)
    assert abs(len(a) - len(b)) <= distance <= max(len(a), len(b))
    assert (distance == 0) == (a == b)
