"""How many of a held-out font's glyphs the glyph classifier learned from another font.

    python3 benchmarks/real_screens/font_overlap.py

The real-screens benchmark reports its console and X-font figures on faces the
classifier (``benchmarks/glyph_training.py``) never trained on. Bitmap fonts are often
copies of one another under other names (the Linux console's ``Fixed`` faces come from
X's misc-fixed family), so a face held out by name may have been learned by its glyphs.
For each held-out face this prints, for every face the classifier learns, how many of
the 94 printable ASCII characters have the same ink (the bitmap cropped to its ink, so
that a glyph placed otherwise in a larger cell still counts); the consoles as the
training draws half of them, emboldened, count as faces of their own.
"""

from __future__ import annotations

import string
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent.parent)]

from glyph_training import (  # noqa: E402
    CONSOLE_FONTS,
    X_FONT_FOLDER,
    XTERM_FONTS,
    emboldened,
    load_pcf,
)
from psf import PsfFont, load_psf  # noqa: E402

HELD_OUT_CONSOLES = ("Fixed16", "Fixed18", "TerminusBold16", "VGA14")
"""The console faces of the benchmark's held-out split (``build.py``)."""
HELD_OUT_X = ("7x14", "8x13", "10x20")
"""The X fonts of the benchmark's held-out split."""
CHARACTERS = string.printable[:94]


def console(name: str) -> PsfFont:
    return load_psf(Path(f"/usr/share/consolefonts/Lat15-{name}.psf.gz"))


def x_font(name: str) -> PsfFont:
    return load_pcf(X_FONT_FOLDER / f"{name}-ISO8859-1.pcf.gz")


def ink(font: PsfFont, character: str) -> np.ndarray:
    """The glyph of *character* cropped to its ink."""
    glyph = np.asarray(font.glyphs[font.index[character]], bool)
    rows, columns = np.nonzero(glyph)
    if not rows.size:
        return glyph[:0, :0]
    return glyph[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def shared(held: PsfFont, learned: PsfFont) -> int:
    """How many printable ASCII characters both fonts draw with the same ink."""
    return sum(
        c in held.index and c in learned.index and np.array_equal(ink(held, c), ink(learned, c))
        for c in CHARACTERS
    )


def main() -> None:
    learned = {
        f"console {n.removeprefix('Lat15-')}": load_psf(Path(f"/usr/share/consolefonts/{n}.psf.gz"))
        for n in CONSOLE_FONTS
    }
    learned |= {f"{n} emboldened": emboldened(f) for n, f in list(learned.items())}
    learned |= {f"X {n}": x_font(n) for n in XTERM_FONTS}
    held = {f"console {n}": console(n) for n in HELD_OUT_CONSOLES}
    held |= {f"X {n}": x_font(n) for n in HELD_OUT_X}
    print(f"| held-out face | most glyphs shared with a learned face (of {len(CHARACTERS)}) |")
    print("|---|---|")
    for name, font in held.items():
        counts = sorted(((shared(font, f), n) for n, f in learned.items()), reverse=True)
        print(f"| {name} | " + ", ".join(f"{n} {c}" for c, n in counts[:3]) + " |")


if __name__ == "__main__":
    main()
