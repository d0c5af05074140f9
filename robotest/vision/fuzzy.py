"""How far an OCR reading is from the expected text, knowing which mistakes OCR makes.

A plain edit distance would let "Mode" match "Node" or "1.07.3" match "1.07.4". Here a
substitution between glyphs OCR confuses (O/0, l/1/I, S/5, B/8, g/q, ~/- ...) costs little, any
other edit costs 1, and one digit read for another is never forgiven: versions and
serial numbers must match exactly.
"""

from __future__ import annotations

import math

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
_READ_FOR = {("H", "M")}
"""Capitals OCR reads for another, one way only, compared before case is folded (*read*,
*expected*): a bold bitmap ``M`` whose middle the bold's second stroke filled in. xterm
draws bold in a face with no bold variant by striking each glyph again a pixel right, and
``dialog`` draws its highlighted item's hot key bold: the X faces 6x13 bold, 7x13 bold and
Schumacher's clean 7x14 then show ``MAC Address`` on the bar with an ``M`` Tesseract
reads ``H`` at 93 (no ``M`` among its alternatives), and the label, three letters and
one slip, was not found. The cost: a capital ``H`` read matches an ``M`` expected
(``Hail`` on screen is found for ``Mail``); never the other way (``Mail`` on screen is
not ``Hail``), nor in lower case."""
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
    if abs(len(a) - len(b)) > limit:
        return float(abs(len(a) - len(b)))
    b_indels = [indel_cost(char) for char in b]
    previous = [0.0]
    for cost in b_indels:
        previous.append(previous[-1] + cost)
    wanted_b = list(zip(b, _cased(expected, b), strict=True))
    for char, capital in zip(a, _cased(read, a), strict=True):
        indel = indel_cost(char)
        current = [previous[0] + indel]
        # the expected capitals this one is read for (see _READ_FOR), if any
        stands_for = [want for got, want in _READ_FOR if read_for and got == capital]
        for j, (other, wanted) in enumerate(wanted_b, 1):
            cost = substitution_cost(char, other)
            if wanted in stands_for:
                cost = min(cost, CONFUSABLE_COST)
            current.append(
                min(
                    previous[j] + indel,
                    current[j - 1] + b_indels[j - 1],
                    previous[j - 1] + cost,
                )
            )
        if min(current) > limit:  # every alignment already costs more
            return min(current)
        previous = current
    return previous[-1]


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
    if len(got) != len(want):
        joined = "".join(want)
        allowed = tolerance(joined) / 2 + 1e-9
        return ocr_distance("".join(got), joined, allowed, read_for) <= allowed
    return all(
        word_distance(g, w, tolerance(w) + 1e-9, read_for) <= tolerance(w) + 1e-9
        for g, w in zip(got, want, strict=True)
    )
