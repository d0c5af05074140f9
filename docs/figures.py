"""Draw the documentation's pictures of what the robot sees, from the benchmarks' real corpora.

    python3 benchmarks/real_screens/programs.py /tmp/real-programs-7   # real dialog screens
    python3 docs/figures.py reading /tmp/real-programs-7 docs/img/reading-a-real-menu.jpg

    python3 docs/figures.py icons /tmp/real-icons-6 docs/img/finding-real-icons.jpg  # a cache

    python3 benchmarks/real_surfaces/build_corpus.py --out /tmp/rs7          # real surfaces
    python3 docs/figures.py inspection /tmp/rs7 docs/img/inspecting-real-fabric.jpg

``reading``: a real ``dialog`` menu in an X bitmap font, photographed by the camera model and
rectified, as ``read_text`` sees it: the frame, the image Tesseract is given (every line's
text made dark on white, the highlighted row's included), and the words read, boxed on the
frame (green: read as shown; red: misread), with the value read beside the highlighted label.

``icons``: a camera-tier screen of the real-icons corpus (a theme's icons over a photograph,
each shown at another size than its 48 px template, drawn from the theme's own drawing for
that size): the camera's frame with the screen's outline as calibrated from it, the
rectified screen with each icon's answer boxed (green: found at its place; red: found
elsewhere or missed; the icons not shown, asked too, listed under it), and, per icon, the
drawing a QA engineer keeps beside what the search found.

``inspection``: the default model (``knn``) trained on a class's good pictures (``fabric``,
a class it was never tuned on), then a good unit and one of each kind of defect as
``rtest inspect explain`` shows them (the anomaly map over the picture, the boxes in red),
the drawn defect outlined in white, the verdict and score under each.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robotest.errors import TextNotFound  # noqa: E402
from robotest.vision import ocr, read_beside  # noqa: E402
from robotest.vision.ocr_engine import prepare  # noqa: E402

GREEN, RED, GREY = (40, 160, 40), (30, 30, 220), (235, 235, 235)


def _caption(image: np.ndarray, text: str) -> np.ndarray:
    """*image* with a light strip above it holding *text*."""
    strip = np.full((28, image.shape[1], 3), GREY, np.uint8)
    cv2.putText(strip, text, (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (20, 20, 20), 1, cv2.LINE_AA)
    return np.vstack([strip, image])


def _bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def _fit(image: np.ndarray, width: int) -> np.ndarray:
    height = round(image.shape[0] * width / image.shape[1])
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def reading(corpus: Path, out: Path, name: str) -> None:
    """The three panels of a real menu read through the camera (see the module's text)."""
    screen = next(s for s in json.loads((corpus / "truth.json").read_text()) if s["image"] == name)
    frame = cv2.imread(str(corpus / name))
    reads = screen["reads"]
    right = max(r["region"][0] + r["region"][2] for r in reads) + 24
    bottom = max(r["region"][1] + r["region"][3] for r in reads) + 24
    crop = np.ascontiguousarray(frame[:bottom, :right])
    prepared = prepare(frame, inner=(0, 0, right, bottom))
    words = [w for w in ocr(frame).words if w.box[0] < right and w.box[1] < bottom]
    truths = {w for r in reads for w in (r["truth"] + " " + r.get("label", "")).split()}
    boxed = crop.copy()
    for word in words:
        x, y, w, h = (round(v) for v in word.box)
        cv2.rectangle(boxed, (x, y), (x + w, y + h), GREEN if word.text in truths else RED, 1)
    highlighted = next(r for r in reads if r["category"] == "highlighted rows")
    try:
        value = repr(read_beside(frame, highlighted["label"], "right_of"))
    except TextNotFound:
        value = "the label not found"
    width = min(2 * crop.shape[1], 900)
    panels = [
        _caption(_fit(crop, width), f"1. the camera's frame, rectified ({name})"),
        _caption(
            _fit(_bgr(prepared.image), width),
            "2. what Tesseract is given: each line's text dark on white, bars included",
        ),
        _caption(
            _fit(boxed, width),
            f"3. words read (green: as shown, red: misread); right of "
            f"{highlighted['label']!r}: {value}",
        ),
    ]
    cv2.imwrite(str(out), np.vstack(panels), [cv2.IMWRITE_JPEG_QUALITY, 88])


def inspection(corpus: Path, out: Path, name: str) -> None:
    """A good unit and one unit of each defect kind, explained (see the module's text)."""
    import tempfile

    from robotest.inspection import TrainOptions, open_dataset, train
    from robotest.inspection.explain import explain

    root = corpus / name
    model = train(open_dataset(root), TrainOptions(progress=False, seed=0))
    tiles = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind in sorted(p.name for p in (root / "test").iterdir()):
            picture = sorted((root / "test" / kind).glob("*.png"))[1]
            shown = Path(scratch) / f"{kind}.png"
            verdict = explain(model, picture, shown)
            tile = cv2.resize(cv2.imread(str(shown)), (300, 300), interpolation=cv2.INTER_AREA)
            mask_path = root / "ground_truth" / kind / f"{picture.stem}_mask.png"
            if mask_path.is_file():
                mask = cv2.resize(cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE), (300, 300))
                outline, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
                cv2.drawContours(tile, outline, -1, (255, 255, 255), 1)
            tiles.append(_caption(tile, f"{kind}: {verdict.verdict}, {verdict.score:.2f}"))
    cv2.imwrite(str(out), np.hstack(tiles), [cv2.IMWRITE_JPEG_QUALITY, 88])


def icons(cache: Path, out: Path, family_name: str, number: int) -> None:
    """A real theme's icons found through the camera (see the module's text)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "real_icons"))
    import corpus  # the benchmark's corpus builder
    import themes

    from robotest.vision import Calibration, Icon, images, locate
    from robotest.vision.match_parameters import DEFAULT

    families = themes.families()
    family = next(f for f in families if f.name == family_name)
    index = families.index(family) * 1000 + number
    size = (1920, 1080)
    walls = corpus.backgrounds(size, cache / "svg")
    shown, case, _ = corpus.shown_screen(index, family, family.names(), walls, size, cache / "svg")
    if case.tier != "camera":
        raise SystemExit(
            f"{family_name} screen {number} is a {case.tier}-tier screen: pick another"
        )
    frame, _ = corpus.photograph(shown, corpus.camera_seed(index), size)
    calibration = Calibration.from_frame(frame, size)
    screen = calibration.rectify(frame)
    seen = frame.copy()
    cv2.polylines(seen, [calibration.corners.astype(np.int32)], True, GREEN, 5)
    boxed, pairs = screen.copy(), []
    params = DEFAULT.override(scales=corpus.SCALES)
    for name, truth in case.icons.items():
        icon = Icon.load(corpus.versions_folder(family, name, cache))
        match = locate(screen, icon, params=params)
        right = match.found and match.box is not None and images.iou(match.box, truth) >= 0.5
        x, y, w, h = match.box or truth
        cv2.rectangle(boxed, (x, y), (x + w, y + h), GREEN if right else RED, 3)
        drawing = cv2.imread(str(corpus.template_folder(family, name, cache) / "48.png"))
        found = screen[y : y + h, x : x + w]
        pair = np.hstack([_fit(drawing, 96), np.full((96, 8, 3), 255, np.uint8), _fit(found, 96)])
        pairs.append(_caption(pair, f"{case.sides[name]} px: {'found' if right else 'MISSED'}"))
    for name in case.absent:
        match = locate(
            screen, Icon.load(corpus.versions_folder(family, name, cache)), params=params
        )
        pairs.append(
            _caption(
                np.full((96, 200, 3), 255, np.uint8),
                f"absent: {'FOUND' if match.found else 'not found'}",
            )
        )
    tiles = [_fit(p, 200) if p.shape[1] != 200 else p for p in pairs]
    tiles += [np.full_like(tiles[0], 255)] * (-len(tiles) % 8)
    strip = np.vstack([np.hstack(tiles[i : i + 8]) for i in range(0, len(tiles), 8)])
    top = np.hstack(
        [
            _caption(_fit(seen, round(540 * seen.shape[1] / seen.shape[0])), "the camera's frame"),
            _caption(
                _fit(boxed, 960),
                "rectified; green: found at its place; red: where a missed icon scored best",
            ),
        ]
    )
    strip = _caption(
        _fit(strip, top.shape[1]),
        "each icon's 48 px drawing beside the place found, at the size shown",
    )
    cv2.imwrite(str(out), np.vstack([top, strip]), [cv2.IMWRITE_JPEG_QUALITY, 85])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figure", choices=("reading", "inspection", "icons"))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--screen", default="dialog-menu-ttf-dejavu-16-camera.png")
    parser.add_argument("--surface", default="fabric", help="the class shown by inspection")
    parser.add_argument("--family", default="papirus", help="the icon theme shown by icons")
    parser.add_argument("--number", type=int, default=4, help="its camera-tier screen's number")
    args = parser.parse_args()
    if args.figure == "reading":
        if not (args.corpus / "truth.json").is_file():
            parser.error(f"{args.corpus} holds no truth.json: build the corpus first")
        reading(args.corpus, args.out, args.screen)
    elif args.figure == "icons":
        icons(args.corpus, args.out, args.family, args.number)
    else:
        if not (args.corpus / args.surface / "train").is_dir():
            parser.error(f"{args.corpus / args.surface} is no class folder: build the corpus")
        inspection(args.corpus, args.out, args.surface)


if __name__ == "__main__":
    main()
