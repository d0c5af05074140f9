"""How far an OCR reading is from the expected text, knowing which mistakes OCR makes.

A plain edit distance would let "Mode" match "Node" or "1.07.3" match "1.07.4". Here a
substitution between glyphs OCR confuses (O/0, l/1/I, S/5, B/8, g/q, ~/- ...) costs little, any
other edit costs 1, and one digit read for another is never forgiven: versions and
serial numbers must match exactly.
"""

from __future__ import annotations

import math
from functools import lru_cache

_CONFUSABLE_GROUPS = (
    "o0odq",
    "l1i|!j",
    "s5$",
    "b8",
    "z2",
    "g96q",
    "e c",
    "uv",
    "rn",
    "a@",
    "t+f",
    "7?",
    "~-",
)
_CONFUSABLE = {
    (a, b) for group in _CONFUSABLE_GROUPS for a in group for b in group if a != b and a != " " != b
}
_READ_FOR = {("H", "M"), ("n", "m"), ("v", "w"), ("u", "y"), ("W", "UU")}
"""Glyphs OCR reads for others, one way only, compared before case is folded (*read*,
*expected*): a slip ``find_text`` takes only where nothing matches without it (its
strict pass leaves them out, *read_for* False). Each is a bitmap face's glyph that
Tesseract reads as another letter with no trace of the right one among its alternatives:

- a bold bitmap ``M`` whose middle the bold's second stroke filled in, read ``H``. xterm
  draws bold in a face with no bold variant by striking each glyph again a pixel right,
  and ``dialog`` draws its highlighted item's hot key bold: the X faces 6x13 bold, 7x13
  bold and Schumacher's clean 7x14 then show ``MAC Address`` on the bar with an ``M``
  Tesseract reads ``H`` at 93, and the label was not found;
- a narrow ``m`` (X 7x13, 7x13 bold: three stems one pixel apart in seven) read ``n``,
  and its ``w`` read ``v``: ``Product Nane``, ``Firnvare``, ``Henory Size``, on the page
  read and on both second looks;
- ``y`` read ``u`` in the small faces (X 5x8, 6x10 through the camera): ``CPU Tupe``;
- two capital ``U`` a pixel apart (X 8x16, 6x13) read as one ``W``: ``UUID`` read ``WID``.

The cost: a read with the slip matches the expected text (``Nane`` on screen is found
for ``Name``, ``node`` for ``mode``, ``Hail`` for ``Mail``) where that text is nowhere
read without it; never the other way (``Mail`` on screen is not ``Hail``, ``mode`` is not
``node``), and never across case (``Node`` is not ``Mode``)."""
CONFUSABLE_COST = 0.3
DIGIT_SWAP_COST = 10.0


def normalise(text: str) -> str:
    """Case-folded, with runs of white space collapsed to one space."""
    return " ".join(text.casefold().split())


def edit_distance(a: str, b: str) -> int:
    """Plain Levenshtein distance: characters inserted, deleted or replaced, each costing 1.

    What a character error rate counts (benchmarks, tests); scripts match with
    :func:`ocr_distance`, which knows OCR's mistakes. Written here because the
    distance is a dozen lines and no dependency of the project has it.
    """
    row = list(range(len(b) + 1))
    for i, got in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, want in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (got != want))
    return row[-1]


def substitution_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if a.isdigit() and b.isdigit():
        return DIGIT_SWAP_COST  # before the confusables: 6 for 9 changes a version
    if (a, b) in _CONFUSABLE:
        return CONFUSABLE_COST
    return 1.0


def indel_cost(char: str) -> float:
    """A digit missing or added changes a number: never forgiven."""
    return DIGIT_SWAP_COST if char.isdigit() else 1.0


def ocr_distance(read: str, expected: str, limit: float = math.inf, read_for: bool = True) -> float:
    """Weighted edit distance from an OCR reading to the expected text (both normalised).

    *read_for* False leaves out the one-way capitals of ``_READ_FOR`` (a strict pass:
    ``find_text`` takes such a slip only where nothing matches without it).

    Past *limit* the exact figure is not worked out: a result above *limit* is only a
    lower bound (every insertion or deletion costs at least 1, so lengths further apart
    than *limit* never come closer). A whole-screen search compares every run of words
    on the screen with the phrase, and nearly all of them are far from it.
    """
    a, b = normalise(read), normalise(expected)
    least = _length_bound(read, a, b, read_for)
    if least > limit:
        return least
    b_indels = [indel_cost(char) for char in b]
    previous = [0.0]
    for cost in b_indels:
        previous.append(previous[-1] + cost)
    wanted = _cased(expected, b)
    for char, capital in zip(a, _cased(read, a), strict=True):
        indel = indel_cost(char)
        current = [previous[0] + indel]
        # the expected glyphs this one is read for (see _READ_FOR), if any
        stands_for = [want for got, want in _READ_FOR if read_for and got == capital]
        for j, other in enumerate(b, 1):
            cost = substitution_cost(char, other)
            if wanted[j - 1] in stands_for:
                cost = min(cost, CONFUSABLE_COST)
            best = min(
                previous[j] + indel, current[j - 1] + b_indels[j - 1], previous[j - 1] + cost
            )
            if j >= 2 and wanted[j - 2 : j] in stands_for:  # one glyph read for two
                best = min(best, previous[j - 2] + CONFUSABLE_COST)
            current.append(best)
        if min(current) > limit:  # every alignment already costs more
            return min(current)
        previous = current
    return previous[-1]


def _length_bound(read: str, a: str, b: str, read_for: bool) -> float:
    """The least distance that the lengths of *a* (*read* normalised) and *b* allow: one
    insertion or deletion a character, less for each glyph of *read* that may stand for
    two (``W`` for ``UU``, with *read_for*: the cost of a slip)."""
    apart = abs(len(a) - len(b))
    if not read_for or len(a) >= len(b):
        return float(apart)
    cased = _cased(read, a)
    merged = min(apart, sum(cased.count(got) for got, want in _READ_FOR if len(want) > 1))
    if merged == 0:
        return float(apart)
    return apart - merged + merged * CONFUSABLE_COST - 1e-9  # below the sum, rounded either way


def _cased(text: str, folded: str) -> str:
    """*text* as :func:`normalise` made it *folded*, with its case kept (where folding kept
    its length; else *folded*: no capital is then told)."""
    spaced = " ".join(text.split())
    return spaced if len(spaced) == len(folded) else folded


def tolerance(expected: str) -> float:
    """Largest distance still counted as the expected word.

    Short words (up to 4 characters) allow one confusable glyph, so "Boot" never matches
    "Root"; longer ones one slip of any kind, and very long ones one per 8 characters.
    """
    length = len(normalise(expected))
    if length <= 4:
        return CONFUSABLE_COST
    return max(1.0, length / 8.0)


_ATTACHED = ":;,.'\"~$#>%"
"""Punctuation that stands against a word on screen: a label's colon, a quote, the end of
a shell prompt (``qa@qa-laptop:~$``, ``root@qa:~#``)."""


def word_distance(
    read: str, expected: str, limit: float = math.inf, read_for: bool = True
) -> float:
    """:func:`ocr_distance`, ignoring punctuation attached around the word (``Version:``,
    a prompt's ``:~$``) and a label's colon that OCR missed (``Build:`` read as ``Build``);
    above *limit*, a lower bound."""
    reads = (read, read.strip(_ATTACHED))
    expectations = (expected, expected.rstrip(":") or expected)
    return min(ocr_distance(a, b, limit, read_for) for a in reads for b in expectations)


def matches(read: str, expected: str, read_for: bool = True) -> bool:
    """True when every word of *read* is the matching word of *expected* up to OCR's slips
    (*read_for* False: without the one-way capitals of ``_READ_FOR``)."""
    got, want = read.split(), expected.split()  # the case kept for _READ_FOR
    read_for = read_for and _may_slip(read)
    if len(got) != len(want):
        return _joined_matches("".join(got), "".join(want), read_for)
    return all(_word_matches(g, w, read_for) for g, w in zip(got, want, strict=True))


_SLIPPED = frozenset(got for got, _ in _READ_FOR)


def _may_slip(read: str) -> bool:
    """Whether *read* holds a glyph of ``_READ_FOR`` read for another, in its case or
    folded (:func:`ocr_distance` looks at it folded where folding changed its length):
    where none, the slips change no distance, and a read is compared once for both of
    ``find_text``'s passes."""
    return any(got in read or got in read.casefold() for got in _SLIPPED)


@lru_cache(maxsize=1 << 16)
def _joined_matches(read: str, expected: str, read_for: bool) -> bool:
    """Whether *read* is *expected* (both with their spaces taken out: a run of one word
    more or fewer than the phrase) within half its tolerance, remembered as
    :func:`_word_matches` is."""
    allowed = tolerance(expected) / 2 + 1e-9
    return ocr_distance(read, expected, allowed, read_for) <= allowed


@lru_cache(maxsize=1 << 16)
def _word_matches(read: str, expected: str, read_for: bool) -> bool:
    """Whether the word *read* is the word *expected* up to OCR's slips (see :func:`matches`),
    remembered: a search of a page compares each word read with the phrase's words once
    for every run of words holding it (a run of one word fewer to one more than the
    phrase, strictly then with the slips), the same pair up to six times; a page's
    search for a phrase not on it spent 60 ms comparing."""
    allowed = tolerance(expected) + 1e-9
    return word_distance(read, expected, allowed, read_for) <= allowed
