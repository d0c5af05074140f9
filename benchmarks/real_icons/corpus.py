"""The real-icons corpus: theme icons at their own other sizes on photographs and desktop chrome.

Each screen (1920x1080 unless asked otherwise) is one icon family's desktop: a real
photograph as wallpaper (scikit-image's bundled photographs, Debian's desktop-base
wallpapers rendered with rsvg-convert), a top bar, a dock and a file-manager window
(drawn with DejaVu text), and ten icons of the family placed on all three, at 0.5x-2.0x
of the 48 px template (HiDPI 125/150/200% among them), each drawn from the theme's own
drawing made for another size. Icons are picked in pairs of look-alikes (names sharing
their first word: ``folder-music`` beside ``folder-videos``) and three absent icons of
the same family, look-alikes of those shown where the theme has them, are queried too.
Tiers: ``screen`` (lossless), ``degraded`` (blur, JPEG, gamma, colour cast) and
``camera`` (photographed by robotest's camera model under a sampled camera, calibrated
from that frame and rectified). The ground truth is where each icon was placed.

Everything comes from installed Debian and PyPI packages and a fixed seed: the same
command builds the same corpus. Screens are cached under ``--cache``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import themes  # noqa: E402

import robotest.sim.camera_model  # noqa: E402
import robotest.vision.calibration  # noqa: E402
import robotest.vision.images  # noqa: E402
import robotest.vision.lens  # noqa: E402
import robotest.vision.screen_edges  # noqa: E402
from robotest.sim.camera_model import CameraModel, CameraParams  # noqa: E402
from robotest.vision import Calibration  # noqa: E402
from robotest.vision.errors import CalibrationError, VisionInputError  # noqa: E402
from robotest.vision.icons import IconVersion  # noqa: E402

SIDES = (24, 30, 36, 40, 48, 56, 60, 64, 72, 84, 96)
"""Displayed sizes: 0.5x-2.0x of the 48 px template (60, 72, 96: HiDPI 125/150/200%)."""
SCALES = (0.5, 2.0)
"""The displayed sizes relative to the 48 px template: the scales a search must cover."""
VERSION_SIDES = (22, 96)
"""Nominal sizes of the drawings kept as versions of a multi-version template."""
TIERS = ("screen", "degraded", "camera")
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "immunohistochemistry",
    "hubble_deep_field",
    "retina",
    "colorwheel",
    "camera",
    "moon",
    "coins",
    "brick",
    "grass",
    "gravel",
)
WALLPAPERS = Path("/usr/share/desktop-base")
Box = tuple[int, int, int, int]
CAMERA_CODE = (
    robotest.sim.camera_model,
    robotest.vision.calibration,
    robotest.vision.screen_edges,
    robotest.vision.lens,
    robotest.vision.images,
)
"""The modules a camera case's rectified screen depends on (the photograph, its calibration)."""


def camera_code_digest() -> str:
    """A digest of :data:`CAMERA_CODE`'s sources: camera cases made by other code are stale."""
    digest = hashlib.sha256()
    for module in CAMERA_CODE:
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:16]


@dataclass
class Case:
    """One screen of the corpus and its queries."""

    family: str
    tier: str
    screen: np.ndarray | None
    """The rectified (camera) or shown screen, BGR; None when the camera frame did not calibrate."""
    icons: dict[str, Box] = field(default_factory=dict)
    """Shown icon name -> its true box."""
    absent: list[str] = field(default_factory=list)
    sides: dict[str, int] = field(default_factory=dict)
    calibration: dict[str, object] = field(default_factory=dict)


def backgrounds(size: tuple[int, int], cache: Path) -> list[np.ndarray]:
    """Real photographs and Debian wallpapers, each covering *size* (BGR)."""
    import skimage.data

    images = []
    for name in PHOTOS:
        pixels = getattr(skimage.data, name)()
        if pixels.ndim == 2:
            pixels = np.dstack([pixels] * 3)
        images.append(cv2.cvtColor(pixels[:, :, :3], cv2.COLOR_RGB2BGR))
    for svg in sorted(WALLPAPERS.glob("*-theme/wallpaper/contents/images/1920x1080.svg")):
        images.append(themes.render(svg, 0, cache, size)[:, :, :3])
    return [_cover(image, size) for image in images]


def _cover(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    scale = max(w / image.shape[1], h / image.shape[0])
    big = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    y0, x0 = (big.shape[0] - h) // 2, (big.shape[1] - w) // 2
    return np.ascontiguousarray(big[y0 : y0 + h, x0 : x0 + w])


def look_alike_pairs(names: list[str], rng: np.random.Generator, pairs: int) -> list[list[str]]:
    """Groups of names sharing their first word (a theme's look-alikes), *pairs* of them."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.replace("_", "-").split("-")[0], []).append(name)
    big = [g for g in groups.values() if len(g) >= 3]
    rng.shuffle(big)
    return [list(rng.choice(g, size=3, replace=False)) for g in big[:pairs]]


def _slots(size: tuple[int, int], rng: np.random.Generator) -> list[tuple[str, int, int]]:
    """Places for icons: (where, x, y) on the dock, in the window's grid, on the wallpaper."""
    w, h = size
    dock = [("dock", w // 2 - 520 + 110 * i, h - 104) for i in range(10)]
    window = [("window", 560 + 150 * c, 180 + 150 * r) for r in range(4) for c in range(6)]
    wall = [("wallpaper", 40 + 130 * (i % 3), 80 + 140 * (i // 3)) for i in range(18)]
    slots = dock + window + wall
    rng.shuffle(slots)
    return slots


def chrome(background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A desktop over the photograph: top bar, dock, file-manager window (BGR)."""
    h, w = background.shape[:2]
    image = Image.fromarray(cv2.cvtColor(background, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image, "RGBA")
    font = ImageFont.truetype(SANS, 15)
    draw.rectangle((0, 0, w, 32), fill=(36, 36, 36, 255))
    draw.text((16, 8), "Activities", font=font, fill=(240, 240, 240))
    draw.text(
        (w // 2 - 40, 8),
        f"Thu {rng.integers(1, 28)} 1{rng.integers(0, 9)}:2{rng.integers(0, 9)}",
        font=font,
        fill=(240, 240, 240),
    )
    draw.rounded_rectangle((w // 2 - 540, h - 120, w // 2 + 560, h - 8), 18, fill=(20, 20, 20, 170))
    dark = bool(rng.integers(0, 2))
    body = (48, 48, 52) if dark else (250, 250, 250)
    side = (38, 38, 42) if dark else (235, 235, 238)
    ink = (230, 230, 230) if dark else (40, 40, 40)
    draw.rectangle((500, 90, 1500, 820), fill=(*body, 255), outline=(120, 120, 120))
    draw.rectangle((500, 90, 1500, 136), fill=(*side, 255))
    draw.text((520, 104), "Home  /  Pictures", font=font, fill=ink)
    draw.rectangle((500, 136, 540, 820), fill=(*side, 255))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR), ink


def label(screen: np.ndarray, text: str, x: int, y: int, ink: tuple[int, int, int]) -> None:
    image = Image.fromarray(cv2.cvtColor(screen, cv2.COLOR_BGR2RGB))
    ImageDraw.Draw(image).text((x, y), text[:14], font=ImageFont.truetype(SANS, 12), fill=ink)
    screen[:] = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def paste(screen: np.ndarray, icon: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend a BGRA icon onto *screen* at (x, y), cut at the screen's edge (the
    slots are laid out for 1920x1080: on an 800x600 screen some fall outside it)."""
    top, left = max(0, -y), max(0, -x)
    icon = icon[top : max(0, screen.shape[0] - y), left : max(0, screen.shape[1] - x)]
    x, y = x + left, y + top
    h, w = icon.shape[:2]
    alpha = icon[:, :, 3:4].astype(np.float32) / 255
    part = screen[y : y + h, x : x + w].astype(np.float32)
    blended = part * (1 - alpha) + icon[:, :, :3].astype(np.float32) * alpha
    screen[y : y + h, x : x + w] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def degrade(screen: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blur, gamma, colour cast and JPEG, each drawn at random."""
    sigma = float(rng.uniform(0.3, 1.1))
    out = cv2.GaussianBlur(screen, (0, 0), sigma)
    gamma = float(rng.uniform(0.75, 1.35))
    cast = rng.uniform(0.88, 1.12, size=3)
    lut = np.clip(255 * (np.arange(256) / 255) ** gamma, 0, 255)
    out = np.clip(lut[out] * cast, 0, 255).astype(np.uint8)
    quality = int(rng.integers(45, 85))
    ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def photographed(
    screen: np.ndarray, seed: int, size: tuple[int, int]
) -> tuple[np.ndarray | None, dict]:
    """The screen photographed by camera *seed*, calibrated from that frame and rectified."""
    frame, truth = photograph(screen, seed, size)
    try:
        calibration = Calibration.from_frame(frame, size)
    except CalibrationError as exc:
        return None, {"seed": seed, "error": str(exc)}
    error = float(np.linalg.norm(calibration.corners - truth, axis=1).mean())
    return calibration.rectify(frame), {"seed": seed, "corner_error": error}


def photograph(
    screen: np.ndarray, seed: int, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The frame of camera *seed* showing *screen*, and where the screen's corners are in it."""
    camera = CameraModel(seed=seed, params=CameraParams.sample(seed), screen_size=size)
    return camera.photograph(screen), camera.screen_corners


def build_case(
    index: int,
    family: themes.Family,
    names: list[str],
    walls: list[np.ndarray],
    size: tuple[int, int],
    cache: Path,
) -> Case:
    """Screen *index* of the corpus (its tier from the index), degraded or photographed."""
    screen, case, rng = shown_screen(index, family, names, walls, size, cache)
    if case.tier == "degraded":
        case.screen = degrade(screen, rng)
    elif case.tier == "camera":
        case.screen, case.calibration = photographed(screen, camera_seed(index), size)
    else:
        case.screen = screen
    return case


def camera_seed(index: int) -> int:
    return 200 + index


def shown_screen(
    index: int,
    family: themes.Family,
    names: list[str],
    walls: list[np.ndarray],
    size: tuple[int, int],
    cache: Path,
) -> tuple[np.ndarray, Case, np.random.Generator]:
    """The desktop of screen *index* as the laptop shows it, its case (no screen yet) and
    the generator drawn from."""
    rng = np.random.default_rng(1000 + index)
    tier = TIERS[index % len(TIERS)]
    groups = look_alike_pairs(names, rng, 5)
    shown = [g[i] for g in groups for i in (0, 1)]
    absent = [g[2] for g in groups[:3]]
    screen, ink = chrome(walls[int(rng.integers(len(walls)))], rng)
    case = Case(family.name, tier, None, absent=absent)
    for name, (where, x, y) in zip(shown, _slots(size, rng), strict=False):
        side = int(rng.choice(SIDES))
        drawing = themes.shown_drawing(family.drawings(name), side)
        icon = themes.render(drawing, side, cache)
        x, y = x + int(rng.integers(0, 12)), y + int(rng.integers(0, 12))
        if where == "dock":
            y = size[1] - 64 - side // 2
        paste(screen, icon, x, y)
        if where != "dock":
            label(screen, name, x, y + side + 4, ink if where == "window" else (255, 255, 255))
        case.icons[name] = (x, y, side, side)
        case.sides[name] = side
    return screen, case, rng


def template_folder(family: themes.Family, name: str, cache: Path) -> Path:
    """A one-version icon folder holding the family's 48 px drawing of *name*."""
    folder = cache / "templates" / family.name / name
    file = folder / "48.png"
    if not file.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        drawing = family.drawings(name)[themes.TEMPLATE_SIDE]
        cv2.imwrite(str(file), themes.render(drawing, themes.TEMPLATE_SIDE, cache / "svg"))
    return folder


def versions_folder(family: themes.Family, name: str, cache: Path) -> Path:
    """An icon folder holding every drawing the family has of *name*, each at its own size.

    What a QA engineer keeps when the theme ships hand-made sizes: one PNG per size (the
    48 px template among them; a scalable drawing rendered at 48 px where the theme has
    no 48 px one) from 22 to 96 px (the sizes screens show at 0.5x-2.0x of 48 px), every
    version searched and the best kept.
    """
    folder = cache / "versions" / family.name / name
    drawings = family.drawings(name)
    for size, drawing in sorted(drawings.items()):
        side = size or themes.TEMPLATE_SIDE
        file = folder / f"{side}.png"
        kept = VERSION_SIDES[0] <= side <= VERSION_SIDES[1]
        if not kept or size == 0 and themes.TEMPLATE_SIDE in drawings or file.is_file():
            continue
        pixels = themes.render(drawing, side, cache / "svg")
        try:
            IconVersion.from_image(file.name, pixels)
        except VisionInputError:  # a drawing robotest refuses (almost fully transparent)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(file), pixels)
    return folder


def corpus(per_family: int, size: tuple[int, int], cache: Path) -> list[Case]:
    """*per_family* screens of every installed family (cached on disk)."""
    families = themes.families()
    code = camera_code_digest()
    walls: list[np.ndarray] | None = None
    cases = []
    for f_index, family in enumerate(families):
        names = family.names()
        for i in range(per_family):
            index = f_index * 1000 + i
            file = cache / f"case-{size[0]}x{size[1]}-{family.name}-{i:03d}.npz"
            case = _cached(file, code)
            if case is None:
                if walls is None:
                    walls = backgrounds(size, cache / "svg")
                _save(build_case(index, family, names, walls, size, cache / "svg"), file, code)
                print(f"  corpus: {family.name} {i + 1}/{per_family}", file=sys.stderr)
                case = _cached(file, code)
                assert case is not None
            cases.append(case)
    return cases


def _save(case: Case, file: Path, code: str) -> None:
    """*case* written to *file*, a camera case with the digest of the code that made it."""
    meta = {
        k: getattr(case, k) for k in ("family", "tier", "icons", "absent", "sides", "calibration")
    }
    meta["camera_code"] = code if case.tier == "camera" else ""
    pixels = case.screen if case.screen is not None else np.zeros((0, 0, 3), np.uint8)
    file.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(file, screen=pixels, meta=json.dumps(meta))


def _cached(file: Path, code: str) -> Case | None:
    """The case cached in *file*; None where there is none, or it is a camera case
    photographed or calibrated by other code (*code*: :func:`camera_code_digest`)."""
    if not file.is_file():
        return None
    with np.load(file) as data:
        meta = json.loads(str(data["meta"]))
        if meta.pop("camera_code", "") != code and meta["tier"] == "camera":
            return None
        pixels = data["screen"]
    meta["icons"] = {k: tuple(v) for k, v in meta["icons"].items()}
    return Case(screen=pixels if pixels.size else None, **meta)
