"""find_text's slip pass knows the letters small bitmap faces are read as: a narrow ``m``
read ``n``, ``w`` read ``v``, ``y`` read ``u``, two capital ``U`` a pixel apart read ``W``;
one way only, and only where nothing matches without the slip."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import text_search
from robotest.vision.fuzzy import matches, ocr_distance
from robotest.vision.ocr_engine import OcrResult
from robotest.vision.text_search import find_text, read_beside
from robotest.vision.words import Word

_DATA = Path(__file__).parent / "data"


def _crop(name: str) -> np.ndarray:
    image = cv2.imread(str(_DATA / name))
    assert image is not None
    return image


def test_a_label_in_x_7x13_whose_m_is_read_n_is_found() -> None:
    # real dialog screens (tune split, X 7x13): every read has ``Firnvare`` and
    # ``Product Nane``, and the value beside each was read as nothing (TextNotFound)
    menu = _crop("dialog_menu_7x13_firmware.png")
    assert read_beside(menu, "Firmware", "right_of") == "54.75"
    checklist = _crop("dialog_checklist_7x13_product_name.png")
    assert read_beside(checklist, "Product Name", "right_of") == "HP6KORB-2786"
    for phrase in ("Hardware", "Model Name", "Memory Size"):  # not on these screens
        assert not find_text(menu, phrase).found
        assert not find_text(checklist, phrase).found


@pytest.mark.parametrize(
    ("read", "expected", "same"),
    [
        ("Product Nane", "Product Name", True),  # a narrow m read n
        ("Firnvare", "Firmware", True),  # and its w read v
        ("CPU Tupe", "CPU Type", True),  # y read u
        ("WID", "UUID", True),  # two U a pixel apart read as one W
        ("Product Name", "Product Nane", False),  # never the other way
        ("node", "mode", True),  # the cost: lower case n read for m
        ("mode", "node", False),
        ("Node", "Mode", False),  # never across case
        ("UUID", "WID", False),
        ("WD", "UUID", False),  # one slip, not a slip and a letter lost
        ("wID", "UUID", False),
    ],
)
def test_the_slips_go_one_way(read: str, expected: str, same: bool) -> None:
    assert matches(read, expected) is same
    assert not matches(read, expected, read_for=False) or read == expected


def test_a_glyph_read_for_two_keeps_the_distance_s_bound() -> None:
    # the length shortcut may not cut off ``W`` read for ``UU``: the bounded figure
    # lands on the same side of its limit as the whole one
    for limit in (0.0, 0.29, 0.3, 0.31, 1.0):
        exact = ocr_distance("WID", "UUID")
        bounded = ocr_distance("WID", "UUID", limit)
        assert (bounded <= limit) == (exact <= limit)
    assert ocr_distance("WID", "UUID") == pytest.approx(0.3)
    assert ocr_distance("WID", "UUID", read_for=False) == 2.0


def test_the_slip_is_taken_only_where_nothing_reads_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = np.full((100, 400, 3), 230, np.uint8)
    slipped = Word("WID", (10, 41, 30, 13), 0.9)
    exact = Word("UUID", (10, 61, 32, 13), 0.9)
    page = OcrResult(text="WID\nUUID", words=(slipped, exact), lines=((slipped,), (exact,)))
    monkeypatch.setattr(text_search, "screen_text", lambda screen, region=None: page)
    match = find_text(screen, "UUID")
    assert match.found and match.box == exact.box
    alone = OcrResult(text="WID", words=(slipped,), lines=((slipped,),))
    monkeypatch.setattr(text_search, "screen_text", lambda screen, region=None: alone)
    monkeypatch.setattr(text_search, "ocr", lambda screen, region=None, layout="auto": alone)
    match = find_text(screen, "UUID")
    assert match.found and match.box == slipped.box
