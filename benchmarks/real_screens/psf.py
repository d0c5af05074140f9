"""Reading the Linux console's PSF bitmap fonts (the files ``console-setup`` ships).

No Python library reads PSF fonts (Pillow reads BDF and PCF, not PSF), so this small
reader follows the format kbd documents (``/usr/share/doc/kbd/font-formats``): PSF 1
(8 pixels wide, 256 or 512 glyphs) and PSF 2, each with its Unicode table.
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PSF1_MAGIC = b"\x36\x04"
PSF2_MAGIC = b"\x72\xb5\x4a\x86"


@dataclass(frozen=True)
class PsfFont:
    """Glyph bitmaps (N, height, width) of bool and the glyph of each character."""

    glyphs: np.ndarray
    index: dict[str, int]

    @property
    def cell(self) -> tuple[int, int]:
        """(width, height) of a character cell."""
        return int(self.glyphs.shape[2]), int(self.glyphs.shape[1])


def load_psf(path: Path) -> PsfFont:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if data[:2] == PSF1_MAGIC:
        mode, height = data[2], data[3]
        count = 512 if mode & 0x01 else 256
        width, start, row_bytes = 8, 4, 1
        table = data[start + count * height :] if mode & 0x06 else b""
        index = _psf1_table(table, count)
    elif data[:4] == PSF2_MAGIC:
        _, header, flags, count, size, height, width = struct.unpack("<7I", data[4:32])
        start, row_bytes = header, (width + 7) // 8
        table = data[start + count * size :] if flags & 1 else b""
        index = _psf2_table(table, count)
    else:
        raise ValueError(f"{path}: not a PSF font")
    raw = np.frombuffer(data, np.uint8, count * height * row_bytes, start)
    bits = np.unpackbits(raw.reshape(count, height, row_bytes), axis=2)[:, :, :width]
    if not index:
        index = {chr(i): i for i in range(32, 127)}
    return PsfFont(glyphs=bits.astype(bool), index=index)


def _psf1_table(table: bytes, count: int) -> dict[str, int]:
    index: dict[str, int] = {}
    values = struct.unpack(f"<{len(table) // 2}H", table[: len(table) // 2 * 2])
    glyph, sequence = 0, False
    for value in values:
        if glyph >= count:
            break
        if value == 0xFFFF:
            glyph, sequence = glyph + 1, False
        elif value == 0xFFFE:
            sequence = True
        elif not sequence:
            index.setdefault(chr(value), glyph)
    return index


def _psf2_table(table: bytes, count: int) -> dict[str, int]:
    index: dict[str, int] = {}
    for glyph, entry in enumerate(table.split(b"\xff")[:count]):
        for character in entry.split(b"\xfe")[0].decode("utf-8", "replace"):
            index.setdefault(character, glyph)
    return index


def render(font: PsfFont, lines: list[str], size: tuple[int, int], fg: int, bg: int) -> np.ndarray:
    """A console framebuffer (BGR) of *size* showing *lines* from its top left corner."""
    width, height = font.cell
    screen = np.full((size[1], size[0], 3), bg, np.uint8)
    for row, line in enumerate(lines):
        for column, character in enumerate(line):
            glyph = font.glyphs[font.index.get(character, font.index.get("?", 0))]
            y, x = row * height, column * width
            screen[y : y + height, x : x + width][glyph] = fg
    return screen
