"""The shortcuts of a search for a phrase that is not on screen give what the long way
gives: each pair of words compared once for both passes of ``find_text`` (the slips of
``_READ_FOR`` change nothing where a read has none of their glyphs), near misses told
by difflib's bounds before its exact comparison, and runs of text far apart told by
their gap before the line tests. (The page's preparation, whose sampling for noise and
list boxes' ends were made cheaper too, is checked against the long way in
``test_page_preparation_speed``.)"""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from robotest.vision import text_lines
from robotest.vision.fuzzy import matches as fuzzy_matches
from robotest.vision.fuzzy import ocr_distance, tolerance, word_distance
from robotest.vision.images import Region, union
from robotest.vision.text_search import _ALIKE, _near_misses, _windows
from robotest.vision.words import Word

_GLYPHS = "WUunmvwyMHNaeo0l1I:-"
reads = st.lists(st.text(alphabet=_GLYPHS, min_size=1, max_size=8), min_size=1, max_size=4)


def _matches_long_way(read: str, expected: str, read_for: bool) -> bool:
    """``fuzzy.matches`` as it was before its comparisons were remembered."""
    got, want = read.split(), expected.split()
    if len(got) != len(want):
        joined = "".join(want)
        allowed = tolerance(joined) / 2 + 1e-9
        return ocr_distance("".join(got), joined, allowed, read_for) <= allowed
    return all(
        word_distance(g, w, tolerance(w) + 1e-9, read_for) <= tolerance(w) + 1e-9
        for g, w in zip(got, want, strict=True)
    )


@settings(max_examples=400)
@given(reads, reads, st.booleans())
def test_matching_remembered_is_matching_the_long_way(
    read: list[str], expected: list[str], read_for: bool
) -> None:
    got, want = " ".join(read), " ".join(expected)
    long_way = _matches_long_way(got, want, read_for)
    assert fuzzy_matches(got, want, read_for) == long_way
    assert fuzzy_matches(got, want, read_for) == long_way  # asked again: remembered


def test_a_read_without_a_slipping_glyph_matches_alike_in_both_passes() -> None:
    # ``Nane`` holds ``n`` (read for ``m``): only the pass with the slips finds ``Name``
    assert fuzzy_matches("Product Nane", "Product Name", True)
    assert not fuzzy_matches("Product Nane", "Product Name", False)
    # ``Mode`` holds no glyph read for another: the two passes agree, and ``Node`` is
    # never ``Mode`` (a capital is not folded into the slip)
    for read_for in (False, True):
        assert fuzzy_matches("Boot Mode", "Boot Mode", read_for)
        assert not fuzzy_matches("Boot Mode", "Boot Node", read_for)


def _near_misses_long_way(lines: tuple[tuple[Word, ...], ...], phrase: str) -> list[Region]:
    """``text_search._near_misses`` comparing each run of words exactly."""
    near = []
    for window, read in _windows(lines, phrase):
        a, b = read.lower(), phrase.lower()
        shared = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
            0, len(a), 0, len(b)
        )
        alike = SequenceMatcher(None, a, b, autojunk=False).ratio()
        if shared.size >= max(4, len(phrase) // 2) or (len(phrase) >= 4 and alike >= _ALIKE):
            near.append((-max(shared.size, alike * len(phrase)), union([w.box for w in window])))
    return [box for _, box in sorted(near, key=lambda item: item[0])]


def test_near_misses_are_those_of_the_exact_comparison() -> None:
    rng = np.random.default_rng(3)
    letters = list("abcdefmnoprstuvwxyzFM01:-")
    found = 0
    for _ in range(400):
        phrase = " ".join(
            "".join(rng.choice(letters, int(rng.integers(1, 9)))) for _ in range(rng.integers(1, 4))
        )
        lines = []
        for row in range(4):
            words = []
            for column in range(int(rng.integers(1, 7))):
                text = "".join(rng.choice(letters, int(rng.integers(1, 9))))
                if rng.random() < 0.3:  # a piece of the phrase, one letter changed
                    text = str(rng.choice(phrase.split()))[:-1] + str(rng.choice(["a", "b"]))
                words.append(Word(text=text, box=(50 * column, 20 * row, 40, 12), conf=0.9))
            lines.append(tuple(words))
        near = _near_misses(tuple(lines), phrase)
        assert near == _near_misses_long_way(tuple(lines), phrase)
        found += len(near)
    assert found > 100  # near misses were there to find


def _joined_long_way(runs: list[Region], tallest: float) -> list[Region]:
    """``text_lines._joined`` with every pair put through both tests."""
    joined: list[Region] = []
    for run in runs:
        for index, other in enumerate(joined):
            beside = text_lines._column_beside(run, other, tallest)
            if not beside and text_lines._side_by_side(other, run):
                joined[index] = union((other, run))
                break
        else:
            joined.append(run)
    return sorted(joined, key=lambda r: (r[1], r[0]))


def test_runs_far_apart_are_told_by_their_gap_as_by_the_line_tests() -> None:
    rng = np.random.default_rng(8)
    for _ in range(200):
        runs: list[Region] = []
        for _ in range(int(rng.integers(1, 60))):
            h = int(rng.integers(4, 40))
            runs.append(
                (int(rng.integers(0, 600)), int(rng.integers(0, 400)), int(rng.integers(1, 90)), h)
            )
        runs.sort(key=lambda r: (r[0], r[1]))
        tallest = float(rng.integers(8, 30))
        assert text_lines._joined(runs, tallest) == _joined_long_way(runs, tallest)
