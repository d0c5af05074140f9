"""Extra tuning screens for the real programs: ``dialog``/``whiptail`` menus in fonts of
no face of either split of ``programs.py`` (its tune and held-out fonts).

    python3 benchmarks/real_screens/extra_tune.py /tmp/real-programs-extra     # ~6 min
    python3 benchmarks/real_screens/extra_tune.py /tmp/hl38-extra --more      # MORE_FONTS
    python3 benchmarks/real_screens/extra_tune.py /tmp/mac40-tune --labels "MAC Address" \\
        --fonts x-clean-7x14,x-clean-8x13,...   # every label highlighted, framebuffer only
    nice -n 10 python3 benchmarks/real_screens/score.py /tmp/real-programs-extra \\
        /tmp/robotest-main --split tune

The tune split of ``programs.py`` has three fonts (x-6x13, x-9x15, DejaVu 13), whose
highlighted rows main already read at 0.91% CER while the held-out fonts read at 23.5%:
nothing there to tune on. These screens are the same programs, items and layout (another
seed) in other X and TTF fonts, every screen in the ``tune`` split. An X font this
machine has no alias for falls back to xterm's ``fixed`` (6x13): ``x-9x18`` did.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import programs  # noqa: E402
from build import save  # noqa: E402
from content import LABELS  # noqa: E402

EXTRA_FONTS = {  # name: (xterm arguments, split): no face of build.XTERM_FONTS
    "x-7x13": (["-fn", "7x13"], "tune"),
    "x-6x10": (["-fn", "6x10"], "tune"),
    "x-8x16": (["-fn", "8x16"], "tune"),
    "x-9x18": (["-fn", "9x18"], "tune"),
    "x-12x24": (["-fn", "12x24"], "tune"),
    "ttf-dejavu-11": (["-fa", "DejaVu Sans Mono", "-fs", "11"], "tune"),
    "ttf-dejavu-15": (["-fa", "DejaVu Sans Mono", "-fs", "15"], "tune"),
}
# a second set (``--more``): more X bitmap faces of neither split, small and bold ones and
# the Schumacher "clean" faces, whose cells are those of the held-out 7x14 and 8x13
CLEAN = "-schumacher-clean-medium-r-normal--{}-{}-75-75-c-{}-iso646.1991-irv"
MORE_FONTS = {
    "x-5x8": (["-fn", "5x8"], "tune"),
    "x-6x9": (["-fn", "6x9"], "tune"),
    "x-6x12": (["-fn", "6x12"], "tune"),
    "x-6x13bold": (["-fn", "6x13bold"], "tune"),
    "x-7x13bold": (["-fn", "7x13bold"], "tune"),
    "x-9x15bold": (["-fn", "9x15bold"], "tune"),
    "x-clean-7x14": (["-fn", CLEAN.format(14, 140, 70)], "tune"),
    "x-clean-8x13": (["-fn", CLEAN.format(13, 130, 80)], "tune"),
}


def every_label(always: str) -> Iterator[list[str | None]]:
    """For each (font, widget) in turn: *always* and the next of the other labels, so
    that over the fonts every label is highlighted in every widget in some screen."""
    others = [label for label in LABELS if label != always]
    for turn in itertools.count():
        yield [always, others[turn % len(others)]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--more", action="store_true", help="the second set of faces (MORE_FONTS)")
    parser.add_argument(
        "--labels",
        metavar="LABEL",
        help="the faces of both sets (or --fonts), two screens per widget: LABEL highlighted"
        " and each other label in turn (framebuffer only, another seed)",
    )
    parser.add_argument("--fonts", help="comma-separated faces of either set (with --labels)")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    programs.XTERM_FONTS = MORE_FONTS if args.more else EXTRA_FONTS
    seed, highlights = (38 if args.more else 35), None
    if args.labels:
        faces = EXTRA_FONTS | MORE_FONTS
        names = args.fonts.split(",") if args.fonts else list(faces)
        programs.XTERM_FONTS = {name: faces[name] for name in names}
        seed, highlights = 40, every_label(args.labels)
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as temp:
        scenes = programs.menu_scenes(rng, Path(temp), highlights)
    save(scenes, args.folder, camera=highlights is None)


if __name__ == "__main__":
    main()
