"""`rtest vision ...`: calibrate, locate, ocr and find-text on image files.

Each command prints one JSON object with ``--json`` (a stable contract other tools
read) or a short human summary otherwise. Exit status 0 when the command ran, found or
not; 2 with a one-line ``error: ...`` on bad input. Heavy imports (OpenCV, Tesseract)
happen inside the commands so that ``rtest --help`` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from robotest.image_decoding import MAX_MEGAPIXELS_HELP, set_max_megapixels

app = typer.Typer(
    name="vision",
    help="Screen calibration, icon localisation and OCR on camera frames or screen images.",
    no_args_is_help=True,
)


@app.callback()
def options(
    max_megapixels: Annotated[
        float | None, typer.Option("--max-megapixels", min=0.001, help=MAX_MEGAPIXELS_HELP)
    ] = None,
) -> None:
    """Screen calibration, icon localisation and OCR on camera frames or screen images."""
    set_max_megapixels(max_megapixels)


T = TypeVar("T")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]
RegionOption = Annotated[
    str | None, typer.Option("--region", help="Only this part of the screen: x,y,w,h (pixels).")
]
CalibrationOption = Annotated[
    Path | None,
    typer.Option(
        "--calibration", help="Calibration file: IMAGE is a camera frame to rectify first."
    ),
]
ScreenImage = Annotated[
    Path, typer.Argument(help="Screen image (or camera frame with --calibration).")
]


def _run(action: Callable[[], T]) -> T:
    """Run *action*; a user mistake becomes `error: ...` on stderr and exit status 2."""
    from robotest.vision.errors import CalibrationError, OcrError, VisionInputError

    try:
        return action()
    except (VisionInputError, CalibrationError, OcrError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _emit(result: dict[str, Any], as_json: bool, summary: str) -> None:
    typer.echo(json.dumps(result) if as_json else summary)


def _screen(image: Path, calibration: Path | None) -> Any:
    """The screen image: IMAGE itself, or IMAGE rectified with a stored calibration."""
    from robotest.vision import Calibration, load_image

    picture = load_image(image)
    if calibration is None:
        return picture
    return Calibration.load(calibration).rectify(picture)


@app.command("calibrate")
def calibrate(
    frame: Annotated[Path, typer.Argument(help="Camera frame showing the laptop screen.")],
    screen: Annotated[str, typer.Option("--screen", help="Screen resolution WxH.")] = "1920x1080",
    intrinsics: Annotated[
        Path | None, typer.Option("--intrinsics", help="Lens file from `rtest vision lens`.")
    ] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Write the calibration here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Find the screen's corners in FRAME and the homography to its pixel grid."""
    from robotest.vision import Calibration, Lens, load_image
    from robotest.vision.images import parse_size

    def action() -> Calibration:
        size = parse_size(screen)
        lens = Lens.load(intrinsics) if intrinsics else None
        result = Calibration.from_frame(load_image(frame), size, lens)
        if save is not None:
            result.save(save)
        return result

    result = _run(action)
    data = result.to_dict()
    contract = {k: data[k] for k in ("corners", "homography", "confidence")}
    corners = ", ".join(f"({x:.1f}, {y:.1f})" for x, y in result.corners)
    _emit(contract, as_json, f"screen corners {corners}; confidence {result.confidence:.2f}")


@app.command("lens")
def lens(
    images: Annotated[list[Path], typer.Argument(help="Camera frames of a chessboard.")],
    pattern: Annotated[str, typer.Option("--pattern", help="Inner corners CxR.")] = "9x6",
    save: Annotated[Path, typer.Option("--save", help="Write the lens file here.")] = Path(
        "lens.json"
    ),
    as_json: JsonFlag = False,
) -> None:
    """Camera intrinsics from chessboard views (standard OpenCV calibration)."""
    from robotest.vision import Lens, load_image

    def action() -> Lens:
        columns, rows = _pattern(pattern)
        result = Lens.from_chessboards([load_image(p) for p in images], (columns, rows))
        result.save(save)
        return result

    result = _run(action)
    _emit(
        result.to_dict(), as_json, f"lens saved to {save}; reprojection error {result.rms:.3f} px"
    )


def _pattern(text: str) -> tuple[int, int]:
    from robotest.vision.errors import VisionInputError

    try:
        columns, rows = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise VisionInputError(f"bad pattern {text!r}: expected COLUMNSxROWS, e.g. 9x6") from None
    if columns < 3 or rows < 3:
        raise VisionInputError(f"bad pattern {text!r}: at least 3x3 inner corners")
    return columns, rows


@app.command("locate")
def locate(
    image: ScreenImage,
    icon: Annotated[Path, typer.Argument(help="Icon PNG, or a folder of PNG versions.")],
    region: RegionOption = None,
    calibration: CalibrationOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Find ICON on the screen: best match with box, centre, score, scale and version."""
    from robotest.vision import Icon
    from robotest.vision import locate as locate_icon
    from robotest.vision.images import parse_region

    def action() -> Any:
        area = parse_region(region) if region else None
        return locate_icon(_screen(image, calibration), Icon.load(icon), area)

    match = _run(action)
    state = "found" if match.found else "not found; best candidate"
    summary = f"{state}: box {match.box}, score {match.score:.3f}, version {match.version}"
    _emit(match.to_dict(), as_json, summary)


@app.command("ocr")
def ocr(
    image: ScreenImage,
    region: RegionOption = None,
    calibration: CalibrationOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Read the text of the screen (or of a region) with word boxes and confidences."""
    from robotest.vision import ocr as read
    from robotest.vision.images import parse_region

    def action() -> Any:
        area = parse_region(region) if region else None
        return read(_screen(image, calibration), area)

    result = _run(action)
    _emit(result.to_dict(), as_json, result.text)


@app.command("find-text")
def find_text(
    image: ScreenImage,
    phrase: Annotated[str, typer.Argument(help="The text to find.")],
    calibration: CalibrationOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Find PHRASE on the screen, tolerating OCR's small slips but never another word."""
    from robotest.vision import find_text as search

    match = _run(lambda: search(_screen(image, calibration), phrase))
    summary = f"found {match.text!r} at {match.box}" if match.found else f"{phrase!r} not found"
    _emit(match.to_dict(), as_json, summary)
