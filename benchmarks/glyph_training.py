"""Train the character classifier of ``robotest.vision.glyph_check`` (the screen fonts).

    python3 benchmarks/glyph_training.py --cameras 40 --screens 4 --consoles 4 --xterms 2 --jobs 2

Lines of random characters (hex numbers, serial numbers, versions, words, paths) are
drawn in the screen fonts (DejaVu Sans Mono, DejaVu Sans, Liberation Mono and Sans; the
serif fonts are kept out, to check that text in a font the model does not know is read
no worse: ``--held-out``), on light, dark and coloured themes at 14-24 px; and on Linux
text consoles in the PSF bitmap fonts of ``console-setup-linux`` whose faces are the
real-screens benchmark's *tune* fonts (VGA and Terminus regular, at all their sizes;
never its held-out Fixed, TerminusBold, TerminusBoldVGA and VGA14), half of them
emboldened as bold bitmap faces are drawn (every stroke one pixel wider to the right),
each console as the framebuffer shows it and photographed; and on xterms in the X
bitmap fonts of ``xfonts-base`` that are the benchmark's tune X fonts (6x13, 9x15 and
their bold faces, read from their PCF files; never its held-out 7x14, 8x13, 10x20),
plain and on highlighted bars, as framebuffers and photographed. Screens are photographed by
simulated cameras (``CameraParams.sample`` of seeds from 1000 on, none of the
benchmark's), calibrated and rectified as a station does. Each line is read as ``ocr``
reads a line; where Tesseract read as many characters as were drawn, every character's
window (cut where Tesseract placed it, exactly as at run time) is labelled with the
character drawn; some lines have nothing above the x-height (``-rw-r--r--``), whose
windows are as high as an ``x``. A small multilayer perceptron (PyTorch) is trained on
them and saved, as float16 NumPy arrays, to ``robotest/vision/models``,
with the counts of what Tesseract read where each character was drawn (``confusions``:
the second opinion weighs a digit Tesseract and the classifier disagree on by them).
"""

from __future__ import annotations

import argparse
import gzip
import os
import string
import sys
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE / "real_screens")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import vision_cases as cases  # noqa: E402
from bench_vision import levenshtein  # noqa: E402
from PIL import Image, ImageDraw, ImageFont, PcfFontFile  # noqa: E402
from psf import PsfFont, load_psf  # noqa: E402
from psf import render as render_psf  # noqa: E402

from robotest.sim import CameraModel, CameraParams  # noqa: E402
from robotest.vision import Calibration  # noqa: E402
from robotest.vision.glyph_check import MODEL_PATH, WINDOW, line_windows, recheck  # noqa: E402
from robotest.vision.images import to_grey  # noqa: E402
from robotest.vision.ocr_engine import (  # noqa: E402
    ink_image,
    line_text,
    origin,
    prepare,
    read_line,
)

FONTS = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf": 4,
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": 1,
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf": 1,
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf": 2,
}
HELD_OUT_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)
CONSOLE_FONTS = (
    "Lat15-VGA16",
    "Lat15-VGA8",
    "Lat15-VGA28x16",
    "Lat15-VGA32x16",
    "Lat15-Terminus12x6",
    "Lat15-Terminus14",
    "Lat15-Terminus16",
    "Lat15-Terminus18x10",
    "Lat15-Terminus20x10",
    "Lat15-Terminus22x11",
    "Lat15-Terminus24x12",
    "Lat15-Terminus28x14",
    "Lat15-Terminus32x16",
)
"""The Linux console's PSF fonts (``console-setup-linux``) the model learns: only the
faces of the real-screens benchmark's *tune* fonts (VGA, Terminus regular) at all their
sizes. Its held-out faces (Fixed, TerminusBold, VGA14) are never shown to the model, nor
TerminusBoldVGA (TerminusBold's glyphs in VGA cells)."""
BOLD_SHARE = 0.5
"""The share of consoles drawn in their font emboldened (:func:`emboldened`): heavy
console faces (TerminusBold, a BIOS's bold VGA) are the regular face with every stroke
a pixel wider, and the model learns them from the tune faces only."""
CONSOLE_COLOURS = ((0xAA, 0x00), (0xFF, 0x00), (0x00, 0xAA), (0x00, 0xC0), (0xFF, 0x40))
"""Console ink and background grey levels: the kernel's default grey on black, bright,
and reverse video (a highlighted row)."""
XTERM_FONTS = ("6x13", "6x13B", "9x15", "9x15B")
"""The X bitmap fonts (``xfonts-base``, PCF) the model learns, as xterm draws them: the
real-screens benchmark's *tune* X fonts (6x13, 9x15) and their bold faces, which xterm
takes for bold text (a title bar). Never its held-out 7x14, 8x13 or 10x20."""
X_FONT_FOLDER = Path("/usr/share/fonts/X11/misc")
XTERM_COLOURS = (
    ((0xFF, 0xFF, 0xFF), (0x00, 0x00, 0x00)),
    ((0x00, 0x00, 0x00), (0xC0, 0xC0, 0xC0)),
    ((0xFF, 0xFF, 0xFF), (0x30, 0x0A, 0x24)),
    ((0x00, 0xD0, 0x00), (0x00, 0x00, 0x00)),
    ((0x00, 0x00, 0x00), (0xFF, 0xFF, 0xFF)),
)
"""xterm's (ink, background) colours (RGB): the benchmark's four schemes, and black on
white (xterm's default)."""
XTERM_BARS = (((0xFF, 0xFF, 0xFF), (0x00, 0x00, 0xEE)), ((0x00, 0x00, 0x00), (0x00, 0xCD, 0xCD)))
"""Highlighted rows as setup menus and ``dialog`` draw them (ink, bar; RGB): white on
xterm's blue, black on its cyan; and reverse video (the scheme's colours swapped)."""
BAR_SHARE = 0.25
"""The share of an xterm screen's lines drawn on a highlighted bar."""
HIDDEN = (384, 192)
"""The perceptron's two hidden layers: 256 and 128 before the X fonts came in, which
then read the VGA16 console's ``]`` and digits less surely than without them (tune
split); the model stays about 0.6 MB in float16."""
CLASSES = string.digits + string.ascii_uppercase + string.ascii_lowercase + ".:-/%@~#$_()|,+?[]"


def random_text(rng: np.random.Generator) -> str:
    """A value as screens show them: hex, serials, versions, MACs, words, paths."""
    hexd, upper = "0123456789ABCDEF", string.ascii_uppercase + string.digits
    pick = lambda chars, n: "".join(rng.choice(list(chars), n))  # noqa: E731
    kind = int(rng.integers(0, 10))
    if kind == 0:
        return pick(hexd, int(rng.integers(8, 17)))
    if kind == 1:
        return ":".join(pick(hexd, 2) for _ in range(6))
    if kind == 2:
        return pick(upper, int(rng.integers(6, 13)))
    if kind == 3:
        return ".".join(str(int(rng.integers(0, 100))) for _ in range(int(rng.integers(2, 4))))
    if kind == 4:
        return "/".join(
            pick(string.ascii_lowercase + "_-", int(rng.integers(2, 7))) for _ in range(3)
        )
    if kind == 5:
        word = pick(string.ascii_letters, int(rng.integers(3, 8)))
        return f"{word} {pick(string.digits + 'i', int(rng.integers(2, 6)))}-{pick(upper, 4)}"
    if kind == 6:
        return " ".join(
            pick(string.ascii_lowercase, int(rng.integers(2, 9))) for _ in range(rng.integers(2, 5))
        )
    if kind == 7:
        mode = "".join(rng.choice(["r", "-"]) + rng.choice(["w", "-"]) + "-" for _ in range(3))
        return f"-{mode} {pick(string.digits, int(rng.integers(1, 6)))} [{pick('0123456789', 3)}]"
    if kind == 8:  # nothing above the x-height: every window is as high as an x
        short = "acemnorsuvwxz"
        if rng.random() < 0.5:
            mode = "".join(rng.choice(["r", "-"]) + rng.choice(["w", "-"]) + "-" for _ in range(3))
            return f"-{mode}"
        return " ".join(pick(short, int(rng.integers(2, 8))) for _ in range(rng.integers(1, 4)))
    return pick(CLASSES, int(rng.integers(5, 15)))


def theme(rng: np.random.Generator) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Background and ink colours (RGB) with clear contrast, light or dark."""
    while True:
        background = tuple(int(v) for v in rng.integers(0, 256, 3))
        ink = tuple(int(v) for v in rng.integers(0, 256, 3))
        if abs(np.mean(background) - np.mean(ink)) > 110:
            return background, ink  # type: ignore[return-value]


def draw_screen(
    rng: np.random.Generator, fonts: list[str], weights: list[float]
) -> tuple[np.ndarray, list]:
    """A screen of random lines; each line's (box, text)."""
    background, ink = theme(rng)
    image = Image.new("RGB", cases.SCREEN, background)
    draw = ImageDraw.Draw(image)
    lines = []
    for column in range(3):
        y = 40
        while y < cases.SCREEN[1] - 60:
            font = ImageFont.truetype(str(rng.choice(fonts, p=weights)), int(rng.integers(14, 25)))
            text = random_text(rng)
            x = 60 + column * 620 + int(rng.integers(0, 40))
            left, top, right, bottom = draw.textbbox((x, y), text, font=font)
            if right < cases.SCREEN[0] - 40:
                draw.text((x, y), text, font=font, fill=ink)
                lines.append(((left, top, right - left, bottom - top), text))
            y += int(font.size * 2.2)
    return np.array(image)[:, :, ::-1].copy(), lines


def console_screen(rng: np.random.Generator, font: PsfFont) -> tuple[np.ndarray, list]:
    """A Linux text console (framebuffer) of random lines in a PSF *font*; each line's
    (box, text). Lines are set on the console's grid of cells, every other row empty."""
    width, height = font.cell
    columns, rows = cases.SCREEN[0] // width, cases.SCREEN[1] // height
    ink, background = CONSOLE_COLOURS[int(rng.integers(0, len(CONSOLE_COLOURS)))]
    texts, lines = [""] * rows, []
    for row in range(1, min(rows, 60) - 1, 2):
        text = random_text(rng)
        column = int(rng.integers(0, max(1, min(columns, 120) - len(text))))
        texts[row] = " " * column + text
        lines.append(((column * width, row * height, len(text) * width, height), text))
    return render_psf(font, texts, cases.SCREEN, ink, background), lines


def load_pcf(path: Path) -> PsfFont:
    """An X bitmap font (PCF, fixed width) as cell bitmaps of its ASCII characters."""
    with gzip.open(path) as stream:
        pcf = PcfFontFile.PcfFontFile(stream)
    drawn = [(code, g) for code, g in enumerate(pcf.glyph[:128]) if g is not None]
    width = drawn[0][1][0][0]
    ascent = max(-g[1][1] for _, g in drawn)
    height = ascent + max(g[1][3] for _, g in drawn)
    glyphs = np.zeros((128, height, width), bool)
    for code, (_, (x0, y0, _x1, _y1), source, image) in drawn:
        bitmap = np.array(image.crop(source), dtype=bool)
        top, left = ascent + y0, max(0, x0)
        rows, columns = min(bitmap.shape[0], height - top), min(bitmap.shape[1], width - left)
        glyphs[code, top : top + rows, left : left + columns] = bitmap[:rows, :columns]
    return PsfFont(glyphs=glyphs, index={chr(c): c for c in range(32, 127)})


def xterm_screen(rng: np.random.Generator, font: PsfFont) -> tuple[np.ndarray, list]:
    """An xterm (BGR framebuffer) of random lines in the X bitmap *font*; each line's (box,
    text). Lines are set on the terminal's grid, touching (as command output) or every
    other row; some on a highlighted bar a few cells wider than the text."""
    width, height = font.cell
    columns, rows = cases.SCREEN[0] // width, cases.SCREEN[1] // height
    ink, background = XTERM_COLOURS[int(rng.integers(0, len(XTERM_COLOURS)))]
    screen = np.empty((cases.SCREEN[1], cases.SCREEN[0], 3), np.uint8)
    screen[:] = background[::-1]
    step = 1 if rng.random() < 0.5 else 2
    lines = []
    for row in range(1, min(rows, 80) - 1, step):
        text = random_text(rng)
        column = int(rng.integers(2, max(3, min(columns, 120) - len(text) - 2)))
        colour = ink
        if rng.random() < BAR_SHARE:
            choice = int(rng.integers(0, len(XTERM_BARS) + 1))
            colour, fill = XTERM_BARS[choice] if choice < len(XTERM_BARS) else (background, ink)
            pad = int(rng.integers(0, 3)) * width
            y, x0, x1 = row * height, column * width - pad, (column + len(text)) * width + pad
            screen[y : y + height, x0:x1] = fill[::-1]
        for index, character in enumerate(text):
            glyph = font.glyphs[font.index.get(character, font.index["?"])]
            y, x = row * height, (column + index) * width
            screen[y : y + height, x : x + width][glyph] = colour[::-1]
        lines.append(((column * width, row * height, len(text) * width, height), text))
    return screen, lines


def emboldened(font: PsfFont) -> PsfFont:
    """*font* drawn bold as bitmap faces are: each stroke one pixel wider to the right
    (within the cell)."""
    glyphs = font.glyphs.copy()
    glyphs[:, :, 1:] |= font.glyphs[:, :, :-1]
    return replace(font, glyphs=glyphs)


def photographed(seed: int, screens: int, fonts: list[str], weights: list[float]):
    """(rectified grey screen, its lines) for *screens* screens seen by camera *seed*."""
    rng = np.random.default_rng([seed, 7])
    camera = CameraModel(seed=seed, params=CameraParams.sample(seed))
    calibration = Calibration.from_frame(
        camera.photograph(cases.bios(rng, "blue")[0]), cases.SCREEN
    )
    total = sum(weights)
    for _ in range(screens):
        screen, lines = draw_screen(rng, fonts, [w / total for w in weights])
        yield to_grey(calibration.rectify(camera.photograph(screen))), lines


def both_views(seed: int, drawn: Iterator[tuple[np.ndarray, list]]):
    """(grey screen, its lines): each screen *drawn* as the framebuffer shows it and as
    camera *seed* photographs it (calibrated once, on a bright screen)."""
    camera = CameraModel(seed=seed, params=CameraParams.sample(seed))
    calibration = Calibration.from_frame(
        camera.photograph(np.full((*cases.SCREEN[::-1], 3), 235, np.uint8)), cases.SCREEN
    )
    for screen, lines in drawn:
        yield to_grey(screen), lines
        yield to_grey(calibration.rectify(camera.photograph(screen))), lines


def consoles(seed: int, screens: int):
    """(grey screen, its lines): *screens* consoles in the PSF fonts, each as the
    framebuffer shows it and as camera *seed* photographs it."""
    rng = np.random.default_rng([seed, 11])
    return both_views(seed, (_console(rng) for _ in range(screens)))


def _console(rng: np.random.Generator) -> tuple[np.ndarray, list]:
    """One console in a PSF font drawn at random, emboldened a share of the time."""
    name = CONSOLE_FONTS[int(rng.integers(0, len(CONSOLE_FONTS)))]
    font = load_psf(Path(f"/usr/share/consolefonts/{name}.psf.gz"))
    return console_screen(rng, emboldened(font) if rng.random() < BOLD_SHARE else font)


def xterms(seed: int, screens: int):
    """(grey screen, its lines): *screens* xterms in the X bitmap fonts, each as the
    framebuffer shows it and as camera *seed* photographs it."""
    rng = np.random.default_rng([seed, 13])
    return both_views(seed, (_xterm(rng) for _ in range(screens)))


def _xterm(rng: np.random.Generator) -> tuple[np.ndarray, list]:
    """One xterm in an X bitmap font drawn at random."""
    name = XTERM_FONTS[int(rng.integers(0, len(XTERM_FONTS)))]
    return xterm_screen(rng, load_pcf(X_FONT_FOLDER / f"{name}-ISO8859-1.pcf.gz"))


def camera_samples(task: tuple[int, int, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows, labels (the characters drawn) and Tesseract's characters there, from
    *screens* screens of *kind* (``screens`` of the TrueType fonts, ``consoles``,
    ``xterms``) photographed by camera *seed* (the bitmap ones also as framebuffers)."""
    seed, screens, kind = task
    windows, labels, said = [], [], []
    if kind == "consoles":
        screens_seen = consoles(seed, screens)
    elif kind == "xterms":
        screens_seen = xterms(seed, screens)
    else:
        screens_seen = photographed(seed, screens, list(FONTS), list(FONTS.values()))
    for grey, lines in screens_seen:
        for box, text in lines:
            found = line_samples(grey, box, text)
            if found is not None:
                windows.append(found[0])
                labels.extend(found[1])
                said.extend(found[2])
    if not windows:
        empty = np.zeros(0, np.int64)
        return np.zeros((0, WINDOW[0] * WINDOW[1]), np.float32), empty, empty
    return np.concatenate(windows), np.array(labels, dtype=np.int64), np.array(said, np.int64)


def read_drawn(grey: np.ndarray, box: tuple[int, int, int, int]):
    """Prepared image, area and Tesseract's words for the line drawn at *box* (as ``ocr``)."""
    x, y, w, h = box
    pad = max(2, h // 3)
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(grey.shape[1], x + w + pad), min(grey.shape[0], y + h + pad)
    area = (x0, y0, x1 - x0, y1 - y0)
    crop = grey[area[1] : area[1] + area[3], area[0] : area[0] + area[2]]
    prepared = prepare(crop)
    return prepared, area, read_line(crop, area, prepared)


def line_samples(grey: np.ndarray, box: tuple[int, int, int, int], text: str):
    """The windows of one line, the characters drawn there and the ones Tesseract read
    (class indices, -1 for a character outside CLASSES), when Tesseract read as many."""
    prepared, area, words = read_drawn(grey, box)
    drawn = text.replace(" ", "")
    if not words or sum(len(w.text) for w in words) != len(drawn):
        return None
    glyphs = line_windows(ink_image(prepared), prepared.scale, origin(prepared, area), words, area)
    starts = np.cumsum([0] + [len(w.text) for w in words])
    labels = [CLASSES.find(drawn[starts[wi] + ci]) for wi, ci in glyphs.places]
    said = [CLASSES.find(words[wi].text[ci]) for wi, ci in glyphs.places]
    keep = [i for i, label in enumerate(labels) if label >= 0]
    return glyphs.windows[keep], [labels[i] for i in keep], [said[i] for i in keep]


def confusions(labels: np.ndarray, said: np.ndarray) -> np.ndarray:
    """How often Tesseract read each class (columns) where each class (rows) was drawn,
    on the training lines: what the second opinion weighs a disagreement with."""
    counts = np.zeros((len(CLASSES), len(CLASSES)), np.int32)
    known = said >= 0
    np.add.at(counts, (labels[known], said[known]), 1)
    return counts


def train(
    windows: np.ndarray, labels: np.ndarray, epochs: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """A 2-hidden-layer perceptron, trained with Adam; its weights and biases."""
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(2)
    size = windows.shape[1]
    net = torch.nn.Sequential(
        torch.nn.Linear(size, HIDDEN[0]),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(HIDDEN[0], HIDDEN[1]),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(HIDDEN[1], len(CLASSES)),
    )
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-5)
    x, y = torch.from_numpy(windows), torch.from_numpy(labels)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(x))
        for start in range(0, len(x), 256):
            batch = order[start : start + 256]
            optimiser.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
        if epoch % 10 == 9:
            print(f"epoch {epoch + 1}: loss {loss.item():.3f}", flush=True)
    net.eval()
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    return [(m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy()) for m in linears]


def check(task: tuple[int, bool]) -> tuple[int, int, int, list[tuple[str, str, str]]]:
    """Errors without and with the second opinion, characters, and the lines it changed."""
    seed, known = task
    fonts = list(FONTS) if known else list(HELD_OUT_FONTS)
    weights = list(FONTS.values()) if known else [1.0] * len(fonts)
    without = with_ = chars = 0
    changed = []
    for grey, lines in photographed(seed, 1, fonts, weights):
        for box, text in lines:
            prepared, area, words = read_drawn(grey, box)
            second = recheck(
                ink_image(prepared), prepared.scale, origin(prepared, area), words, area
            )
            before, after = line_text(words), line_text(second)
            without += levenshtein(before, text)
            with_ += levenshtein(after, text)
            chars += len(text)
            if before != after:
                changed.append((text, before, after))
    return without, with_, chars, changed


def report_check(cameras: int, jobs: int) -> None:
    """CER of line reads without and with the second opinion, on fresh cameras."""
    seeds = range(5000, 5000 + cameras)
    for known, name in ((True, "training fonts"), (False, "held-out serif fonts")):
        with Pool(jobs) as pool:
            parts = pool.map(check, [(s, known) for s in seeds])
        without, with_, chars = (sum(p[i] for p in parts) for i in range(3))
        changes = [c for p in parts for c in p[3]]
        worse = sum(levenshtein(a, t) > levenshtein(b, t) for t, b, a in changes)
        print(
            f"| {name} | {chars} | {100 * without / chars:.2f}% | {100 * with_ / chars:.2f}% | "
            f"{len(changes)} ({worse} worse) |"
        )


def samples(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows, labels and Tesseract's reads of the training screens; kept in (and taken
    from) ``--samples`` where given, windows as bytes, for another training run."""
    if args.samples and args.samples.exists():
        kept = np.load(args.samples)
        return kept["windows"].astype(np.float32) / 255, kept["labels"], kept["said"]
    seeds = range(1000, 1000 + args.cameras)
    with Pool(args.jobs) as pool:
        tasks = [(s, args.screens, "screens") for s in seeds]
        tasks += [(s, args.consoles, "consoles") for s in seeds if args.consoles]
        tasks += [(s, args.xterms, "xterms") for s in seeds if args.xterms]
        parts = pool.map(camera_samples, tasks)
    windows = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    said = np.concatenate([p[2] for p in parts])
    if args.samples:
        quantised = np.round(np.clip(windows, 0, 1) * 255).astype(np.uint8)
        np.savez(args.samples, windows=quantised, labels=labels, said=said)
    return windows, labels, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=40)
    parser.add_argument("--screens", type=int, default=4, help="screens per camera")
    parser.add_argument(
        "--consoles", type=int, default=2, help="console screens per camera (PSF fonts)"
    )
    parser.add_argument(
        "--xterms", type=int, default=2, help="xterm screens per camera (X bitmap fonts)"
    )
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--samples", type=Path, help="an .npz to keep the training windows in (or take them from)"
    )
    parser.add_argument(
        "--check", type=int, metavar="CAMERAS", help="only measure the shipped model on new cameras"
    )
    args = parser.parse_args()
    cv2.setNumThreads(1)
    if args.check:
        print("| fonts | characters | CER, Tesseract | CER, with second opinion | lines changed |")
        print("|---|---|---|---|---|")
        report_check(args.check, args.jobs)
        return
    windows, labels, said = samples(args)
    print(f"{len(labels)} character windows from {args.cameras} cameras", flush=True)
    layers = train(windows, labels, args.epochs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"w{i}": w.astype(np.float16) for i, (w, _) in enumerate(layers)}
    arrays |= {f"b{i}": b.astype(np.float16) for i, (_, b) in enumerate(layers)}
    arrays |= {"confusions": confusions(labels, said)}
    np.savez_compressed(args.out, classes=np.array(CLASSES), **arrays)
    print(f"saved {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
