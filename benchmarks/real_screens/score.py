"""Score text reads on the real-screens corpus: raw Tesseract, main, this tree, one run.

    python3 benchmarks/real_screens/build.py /tmp/real-screens
    mkdir /tmp/robotest-main && git archive main robotest | tar -x -C /tmp/robotest-main
    nice -n 10 python3 benchmarks/real_screens/score.py /tmp/real-screens /tmp/robotest-main

Three readers on the same screens, each in its own process:

- ``raw``: Tesseract as a user would call it on the text's own region (the grey crop,
  ``--psm 7``, through pytesseract), given where the text is;
- ``before``: robotest from another tree (``main``), as scripts read: the value right of
  its label (``read_beside``), or a line region (``ocr(..., layout="line")``);
- ``after``: the same calls on this tree.

Character error rate (edit distance / characters) per category, source (framebuffer,
camera) and split (tune, held-out), and the digits read as another digit. A robotest read
that reports a character in doubt (``OcrResult.doubtful``: a digit the two readers could
not settle) is counted apart: right reads and wrong reads reported in doubt, and the digit
swaps among them (a tree that reports no doubts never does).

With ``--find``, robotest's readers also look for each read's phrase as ``await_text`` and
an anchor do (``find_text``): the label of a value read beside it, the whole text of a line
read. A phrase counts as found when its box lies on the read's row (and, for a line, inside
its region); the table compares highlighted labels and title-bar titles with plain ones.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
HERE = Path(__file__).resolve().parent

CATEGORIES = (
    "values beside labels",
    "terminal lines",
    "highlighted rows",
    "title bars",
    "bitmap consoles",
)


def spaced(text: str) -> str:
    """*text* with runs of spaces as one: a terminal pads columns with spaces, which
    no reader (nor a test) counts."""
    return " ".join(text.split())


def digit_swaps(truth: str, read: str) -> int:
    """Digits of *truth* read as another digit (aligned replacements)."""
    swaps = 0
    matcher = difflib.SequenceMatcher(None, truth, read, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            swaps += sum(
                a.isdigit() and b.isdigit() and a != b
                for a, b in zip(truth[i1:i2], read[j1:j2], strict=True)
            )
    return swaps


def padded(region: list[int], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x, y, w, h = region
    pad = max(2, h // 4)
    x0, y0 = max(0, x - pad), max(0, y - pad // 2)
    x1, y1 = min(shape[1], x + w + pad), min(shape[0], y + h + pad // 2)
    return (x0, y0, x1 - x0, y1 - y0)


def on_its_row(box: list[int], read: dict) -> bool:
    """Whether a found phrase's *box* is where *read*'s phrase is: on the read's row, and
    inside its region for a line read (a beside read's label is left of its region)."""
    x, y, w, h = read["region"]
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    if not y - h / 2 <= cy <= y + 1.5 * h:
        return False
    return read["kind"] == "beside" or x - h <= cx <= x + w + h


def worker(reader: str, root: str, corpus: str, wanted: str) -> None:
    """Every read of the corpus by *reader* on the screens and categories in *wanted*
    (JSON: split, categories, whether to find each phrase; the others are answered
    empty); one JSON line per screen: ``[text, seconds, found, doubt]`` a read."""
    split, categories, find = json.loads(wanted)
    if reader != "raw":
        sys.path.insert(0, root)
    import cv2

    cv2.setNumThreads(1)

    def cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    for screen in json.loads((Path(corpus) / "truth.json").read_text()):
        results: list[list[object]] = []
        if split != "all" and screen["split"] != split:
            print(json.dumps(results), flush=True)
            continue
        image = cv2.imread(str(Path(corpus) / screen["image"]))
        if reader != "raw":
            from robotest.vision import text_search

            text_search._cache.clear()
        for read in screen["reads"]:
            if read["category"] not in categories:
                results.append(["", 0.0, None, None])
                continue
            region = padded(read["region"], image.shape)
            result: object = None
            start = cpu()
            try:
                if reader == "raw":
                    import pytesseract

                    x, y, w, h = region
                    grey = cv2.cvtColor(image[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY)
                    text = pytesseract.image_to_string(grey, config="--psm 7").strip()
                else:
                    result = _robotest_read(image, read, region)
                    text = str(getattr(result, "text", result))
            except Exception:  # noqa: BLE001 - an anchor not found is a failed read
                text = ""
            seconds = cpu() - start
            doubt = None if reader == "raw" else bool(text and _doubtful(result))
            found = None
            if find and reader != "raw":
                from robotest.vision import find_text

                phrase = read["label"] if read["kind"] == "beside" else read["truth"]
                match = find_text(image, phrase)
                found = match.box is not None and on_its_row(list(match.box), read)
            results.append([text, seconds, found, doubt])
        print(json.dumps(results), flush=True)


def _robotest_read(image: object, read: dict, region: list[int]) -> object:
    """The tree's read of *read*: an ``OcrResult``, or the text alone from a tree older
    than ``text_search.beside`` (which reports no doubts)."""
    from robotest.vision import ocr, read_beside, text_search

    if read["kind"] != "beside":
        return ocr(image, region, layout="line")
    if hasattr(text_search, "beside"):
        return text_search.beside(image, read["label"], "right_of")
    return read_beside(image, read["label"], "right_of")


def _doubtful(result: object) -> bool:
    """Whether a line read reported a character in doubt (a tree that reports no doubts
    never does)."""
    return bool(getattr(result, "doubtful", False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("before", help="a folder holding the other version's robotest package")
    parser.add_argument("--after", default=str(HERE.parents[1]))
    parser.add_argument("--split", default="held-out", choices=("tune", "held-out", "all"))
    parser.add_argument(
        "--readers", default="raw,before,after", help="which readers, comma-separated"
    )
    parser.add_argument(
        "--categories",
        default=",".join(CATEGORIES),
        help="which categories, comma-separated (to iterate faster on a few)",
    )
    parser.add_argument(
        "--find",
        action="store_true",
        help="also look for each read's label or line as await_text does (find_text)",
    )
    args = parser.parse_args()
    # imported here, not at the top: a worker imports ``robotest`` from its reader's
    # tree, and one imported before it (this file's tree) was read by every reader
    sys.path.insert(0, str(HERE.parents[1]))
    from robotest.vision.fuzzy import edit_distance as levenshtein

    screens = json.loads((args.corpus / "truth.json").read_text())
    chosen = args.readers.split(",")
    categories = [c.strip() for c in args.categories.split(",")]
    unknown = sorted(set(chosen) - {"raw", "before", "after"}) + sorted(
        set(categories) - set(CATEGORIES)
    )
    if unknown:
        parser.error(f"unknown reader or category: {', '.join(unknown)}")
    roots = {"raw": "", "before": args.before, "after": args.after}
    readers = {name: roots[name] for name in chosen}
    wanted = json.dumps([args.split, categories, args.find])
    answers = {}
    for name, root in readers.items():
        out = subprocess.run(
            [sys.executable, __file__, "--worker", name, root, str(args.corpus), wanted],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        answers[name] = [json.loads(line) for line in out.splitlines()]
    table: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    times: dict[str, list[float]] = defaultdict(list)
    found: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    misreads = []
    doubts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # right, wrong, their swaps
    for index, screen in enumerate(screens):
        if args.split != "all" and screen["split"] != args.split:
            continue
        source = "camera" if screen["source"].startswith("camera") else "framebuffer"
        for number, read in enumerate(screen["reads"]):
            if read["category"] not in categories:
                continue
            for name in readers:
                text, seconds, seen, doubt = answers[name][index][number]
                if seen is not None:
                    tally = found[(name, read["category"], read["kind"], source)]
                    tally[0] += bool(seen)
                    tally[1] += 1
                text, truth = spaced(text), spaced(read["truth"])
                cell = table[(name, read["category"], source)]
                cell[0] += levenshtein(text, truth)
                cell[1] += len(truth)
                cell[2] += digit_swaps(truth, text)
                cell[3] += 1
                doubts[name][0] += bool(doubt) and text == truth
                doubts[name][1] += bool(doubt) and text != truth
                doubts[name][2] += digit_swaps(truth, text) if doubt else 0
                times[name].append(seconds)
                if name == "after" and text != truth:
                    swapped = digit_swaps(truth, text)
                    misreads.append(
                        f"- {screen['image']} {read['category']}: {truth!r} read {text!r}"
                        + (f" ({swapped} digit swaps)" if swapped else "")
                        + (" (reported in doubt)" if doubt else "")
                    )
    print(f"split: {args.split}\n")
    titles = {"raw": "raw Tesseract", "before": "before (main)", "after": "after"}
    print(f"| category | source | {' | '.join(titles[name] for name in readers)} |")
    print("|---|---|" + "---|" * len(readers))
    for category in CATEGORIES:
        for source in ("framebuffer", "camera"):
            cells = []
            for name in readers:
                errors, chars, swaps, count = table[(name, category, source)]
                if not chars:
                    cells.append("-")
                    continue
                cells.append(f"{100 * errors / chars:.2f}% ({errors}/{chars}, {swaps} digit swaps)")
            if any(c != "-" for c in cells):
                print(f"| {category} | {source} | {' | '.join(cells)} |")
    swaps = {
        name: sum(cell[2] for (reader, _, _), cell in table.items() if reader == name)
        for name in readers
    }
    print("\ndigit swaps in all: " + ", ".join(f"{titles[n]} {swaps[n]}" for n in readers))
    print(
        "reads reported in doubt (right / wrong, their digit swaps): "
        + ", ".join(
            f"{titles[n]} {doubts[n][0]} / {doubts[n][1]} ({doubts[n][2]})"
            for n in readers
            if n != "raw"
        )
    )
    for name, values in times.items():
        values.sort()
        print(
            f"\n{name}: median read {1000 * values[len(values) // 2]:.0f} ms CPU "
            f"over {len(values)} reads",
            end="",
        )
    if found:
        print_found(found, [name for name in readers if name != "raw"], titles)
    print(f"\n\nload average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("\n".join(misreads))


def print_found(
    found: dict[tuple[str, str, str, str], list[int]], names: list[str], titles: dict[str, str]
) -> None:
    """The phrases found on their row, per category, kind of read and source."""
    print("\n\nphrases found on their row (find_text, as await_text and anchors look):\n")
    print(f"| category | phrase | source | {' | '.join(titles[name] for name in names)} |")
    print("|---|---|---|" + "---|" * len(names))
    for category in CATEGORIES:
        for kind, phrase in (("beside", "label"), ("line", "line")):
            for source in ("framebuffer", "camera"):
                counts = [found.get((name, category, kind, source)) for name in names]
                if any(counts):
                    cells = [f"{c[0]}/{c[1]}" if c else "-" for c in counts]
                    print(f"| {category} | {phrase} | {source} | {' | '.join(cells)} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        main()
