"""A word read from the screen: what OCR (:mod:`.ocr_engine`) gives and what the second
opinion on its characters (:mod:`.glyph_check`) takes, in a module of its own so that
neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass

from robotest.vision.images import Region


@dataclass(frozen=True)
class Word:
    """One word read: its text, box in screen pixels and Tesseract's confidence (0..1)."""

    text: str
    box: Region
    conf: float
    centres: tuple[float, ...] = ()
    """Screen x of each character's centre, where Tesseract reported them."""
    choices: tuple[tuple[tuple[str, float], ...], ...] = ()
    """Each character's alternatives as Tesseract weighed them (see
    :attr:`.tesseract.RawWord.choices`), where it reported them."""

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "box": list(self.box), "conf": round(self.conf, 3)}
