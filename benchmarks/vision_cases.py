"""Labelled cases for the vision benchmark: generated screens, photographed by the sim camera.

Screens are drawn here (desktops with icons and dialogs, BIOS-style label/value tables,
terminal output; light and dark themes; look-alike distractor icons) with their ground
truth (icon boxes, strings), then photographed by :class:`robotest.sim.CameraModel`
under cameras drawn by :meth:`CameraParams.sample` (perspective, lens distortion,
exposure, vignetting, noise, blur, glare).
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from robotest.sim.icons import ICON_DIR, ICON_NAMES

SCREEN = (1920, 1080)
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
LIBERATION = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"

Box = tuple[int, int, int, int]


@dataclass
class Truth:
    """What a generated screen shows."""

    icons: dict[str, Box] = field(default_factory=dict)
    """Icon name -> box of its one instance (absent names are not in the dict)."""
    versions: dict[str, str] = field(default_factory=dict)
    """Icon name -> the version drawn."""
    rows: list[tuple[str, str]] = field(default_factory=list)
    """(anchor label, value right of it) for anchored reads."""
    below: list[tuple[str, str]] = field(default_factory=list)
    """(anchor line, the line below it) for anchored reads."""
    hidden: set[str] = field(default_factory=set)
    """Icons drawn but then (partly) covered by the dialog window: neither present nor absent."""


@functools.cache
def icon_versions(name: str) -> dict[str, np.ndarray]:
    """Three versions of a sim icon: v1, v2 (another theme) and v3 (v1 at 48 px, round alpha)."""
    v1 = cv2.imread(str(ICON_DIR / name / "v1.png"), cv2.IMREAD_COLOR)
    v2 = cv2.imread(str(ICON_DIR / name / "v2.png"), cv2.IMREAD_COLOR)
    small = cv2.resize(v1, (48, 48), interpolation=cv2.INTER_AREA)
    alpha = np.zeros((48, 48), np.uint8)
    cv2.circle(alpha, (24, 24), 23, 255, -1)
    v3 = np.dstack([small, alpha])
    return {"v1.png": v1, "v2.png": v2, "v3.png": v3}


def write_icon_folders(root: Path) -> dict[str, Path]:
    """The icon folders (three versions each) the benchmark queries."""
    folders = {}
    for name in ICON_NAMES:
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for version, image in icon_versions(name).items():
            cv2.imwrite(str(folder / version), image)
        folders[name] = folder
    return folders


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return _cached_font(path, size)


@functools.cache
def _cached_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _paste(canvas: np.ndarray, icon: np.ndarray, x: int, y: int, scale: float) -> Box:
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    icon = cv2.resize(icon, None, fx=scale, fy=scale, interpolation=interpolation)
    h, w = icon.shape[:2]
    target = canvas[y : y + h, x : x + w]
    if icon.shape[2] == 4:
        a = icon[:, :, 3:4].astype(np.float32) / 255
        target[:] = (a * icon[:, :, :3] + (1 - a) * target).astype(np.uint8)
    else:
        target[:] = icon
    return (x, y, w, h)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _look_alike(rng: np.random.Generator) -> np.ndarray:
    """A distractor: the top of one icon on the bottom of another (same style, not the icon)."""
    a, b = rng.choice(len(ICON_NAMES), 2, replace=False)
    first = icon_versions(ICON_NAMES[a])[str(rng.choice(["v1.png", "v2.png"]))]
    second = icon_versions(ICON_NAMES[b])[str(rng.choice(["v1.png", "v2.png"]))]
    mixed = second.copy()
    mixed[:32] = first[:32]
    return mixed


def desktop(rng: np.random.Generator, dark: bool) -> tuple[np.ndarray, Truth]:
    """A desktop: wallpaper, icons in a loose grid (some absent), look-alikes, a dialog, taskbar."""
    w, h = SCREEN
    top = np.array([70, 50, 40] if dark else [235, 205, 170], np.float32)
    bottom = np.array([30, 25, 20] if dark else [200, 160, 120], np.float32)
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    canvas = (top * (1 - ramp) + bottom * ramp).astype(np.uint8).repeat(w, axis=1)
    truth = Truth()
    cells = [(c, r) for c in range(10) for r in range(5)]
    order = rng.permutation(len(cells))
    slot = 0
    labels: list[tuple[int, int, str]] = []
    for name in ICON_NAMES:
        if rng.random() < 0.25:
            continue  # absent from this screen
        version = str(rng.choice(list(icon_versions(name))))
        scale = float(rng.uniform(0.75, 1.5))
        col, row = cells[order[slot]]
        slot += 1
        x = 40 + col * 180 + int(rng.integers(0, 40))
        y = 40 + row * 190 + int(rng.integers(0, 30))
        truth.icons[name] = _paste(canvas, icon_versions(name)[version], x, y, scale)
        truth.versions[name] = version
        labels.append((x, y + truth.icons[name][3] + 6, name.replace("_", " ").title()))
    for _ in range(3):
        col, row = cells[order[slot]]
        slot += 1
        x, y = 40 + col * 180 + int(rng.integers(0, 40)), 40 + row * 190 + int(rng.integers(0, 30))
        _paste(canvas, _look_alike(rng), x, y, float(rng.uniform(0.75, 1.5)))
    image = Image.fromarray(canvas[:, :, ::-1].copy())
    draw = ImageDraw.Draw(image)
    ink = (235, 235, 235) if dark else (20, 20, 20)
    for x, y, text in labels:
        draw.text((x, y), text, font=_font(SANS, 15), fill=ink)
    if rng.random() < 0.5:  # a dialog window
        dx, dy = int(rng.integers(900, 1300)), int(rng.integers(150, 600))
        truth.hidden = {n for n, box in truth.icons.items() if _overlaps(box, (dx, dy, 521, 221))}
        fill = (45, 45, 48) if dark else (245, 245, 245)
        draw.rectangle((dx, dy, dx + 520, dy + 220), fill=fill, outline=(120, 120, 120))
        draw.text((dx + 20, dy + 20), "Software Update", font=_font(SANS, 20), fill=ink)
        draw.text(
            (dx + 20, dy + 70), "A new version is ready to install.", font=_font(SANS, 16), fill=ink
        )
    draw.rectangle((0, h - 48, w, h), fill=(32, 32, 36) if dark else (225, 225, 230))
    draw.text((w - 120, h - 36), "14:05", font=_font(SANS, 16), fill=ink)
    return np.array(image)[:, :, ::-1].copy(), truth


_LABELS = [
    "BIOS Version",
    "Build Date",
    "Processor",
    "Memory Size",
    "Serial Number",
    "Asset Tag",
    "Boot Mode",
    "Secure Boot",
    "TPM State",
    "MAC Address",
    "System UUID",
    "EC Version",
    "Battery Health",
    "Storage",
    "Product Name",
    "Manufacturer",
]


def _value(rng: np.random.Generator, label: str) -> str:
    alnum = string.ascii_uppercase + string.digits
    choices = {
        "BIOS Version": lambda: (
            f"{rng.integers(1, 3)}.{rng.integers(0, 30):02d}.{rng.integers(0, 9)}"
        ),
        "Build Date": lambda: (
            f"{rng.integers(1, 13):02d}/{rng.integers(1, 29):02d}/20{rng.integers(20, 27)}"
        ),
        "Processor": lambda: (
            f"Intel Core i{rng.choice([5, 7, 9])}-{rng.integers(1100, 1400)}{rng.choice(['U', 'P', 'H'])}"  # noqa: E501
        ),
        "Memory Size": lambda: f"{rng.choice([8192, 16384, 32768])} MB",
        "Serial Number": lambda: "".join(rng.choice(list(alnum), 8)),
        "Asset Tag": lambda: f"QA-{rng.integers(1000, 9999)}",
        "Boot Mode": lambda: str(rng.choice(["UEFI", "Legacy"])),
        "Secure Boot": lambda: str(rng.choice(["Enabled", "Disabled"])),
        "TPM State": lambda: str(rng.choice(["Active", "Inactive"])),
        "MAC Address": lambda: ":".join(f"{v:02X}" for v in rng.integers(0, 256, 6)),
        "System UUID": lambda: "".join(rng.choice(list("0123456789ABCDEF"), 12)),
        "EC Version": lambda: f"{rng.integers(1, 9)}.{rng.integers(10, 99)}",
        "Battery Health": lambda: f"{rng.integers(80, 101)}%",
        "Storage": lambda: f"NVMe {rng.choice([256, 512, 1024])} GB",
        "Product Name": lambda: f"Laptop {rng.choice(['Pro', 'Air', 'X'])} {rng.integers(13, 17)}",
        "Manufacturer": lambda: str(rng.choice(["Contoso", "Fabrikam", "Northwind"])),
    }
    return choices[label]()


def bios(rng: np.random.Generator, theme: str) -> tuple[np.ndarray, Truth]:
    """A BIOS-style page: title bar, a label/value table and a help column."""
    w, h = SCREEN
    background, ink, value_ink = {
        "blue": ((170, 0, 0), (200, 200, 200), (255, 255, 255)),
        "light": ((235, 235, 235), (40, 40, 40), (0, 0, 120)),
        "dark": ((20, 20, 20), (190, 190, 190), (240, 240, 240)),
    }[theme]
    image = Image.new("RGB", SCREEN, background[::-1])
    draw = ImageDraw.Draw(image)
    size = int(rng.integers(16, 23))
    font = _font(MONO, size)
    draw.rectangle((0, 0, w, 60), fill=(ink[2], ink[1], ink[0]))
    draw.text((40, 16), "BIOS Setup Utility", font=_font(MONO, 24), fill=background[::-1])
    labels = rng.choice(_LABELS, 9, replace=False)
    truth = Truth()
    value_x = 120 + int(rng.integers(300, 420))
    for i, label in enumerate(labels):
        y = 120 + i * int(size * 2.2)
        value = _value(rng, str(label))
        draw.text((120, y), str(label), font=font, fill=ink[::-1])
        draw.text((value_x, y), value, font=font, fill=value_ink[::-1])
        truth.rows.append((str(label), value))
    draw.line((1350, 80, 1350, h - 80), fill=ink[::-1], width=2)
    for i, line in enumerate(["F1  Help", "F9  Defaults", "F10 Save and Exit", "Esc Exit"]):
        draw.text((1390, 120 + i * 40), line, font=_font(MONO, 18), fill=ink[::-1])
    return np.array(image)[:, :, ::-1].copy(), truth


def terminal(rng: np.random.Generator, dark: bool) -> tuple[np.ndarray, Truth]:
    """A terminal: key/value output lines and command lines with their output below."""
    background, ink = ((12, 12, 12), (210, 210, 210)) if dark else ((250, 250, 250), (25, 25, 25))
    image = Image.new("RGB", SCREEN, background)
    draw = ImageDraw.Draw(image)
    size = int(rng.integers(16, 21))
    font = _font(MONO, size)
    step = int(size * 1.6)
    truth = Truth()
    y = 30
    keys = ["Kernel", "Hostname", "Image", "Build", "Uptime", "Disk"]
    values = {
        "Kernel": lambda: (
            f"6.{rng.integers(1, 12)}.{rng.integers(0, 40)}-{rng.integers(10, 60)}-generic"
        ),
        "Hostname": lambda: f"qa-station-{rng.integers(1, 99):02d}",
        "Image": lambda: f"factory-{rng.integers(2024, 2027)}.{rng.integers(1, 12):02d}",
        "Build": lambda: f"{rng.integers(10000, 99999)}",
        "Uptime": lambda: f"{rng.integers(1, 59)} min",
        "Disk": lambda: f"{rng.integers(10, 95)}% used",
    }
    for key in rng.permutation(keys)[:4]:
        value = values[str(key)]()
        draw.text((20, y), f"{key}: {value}", font=font, fill=ink)
        truth.rows.append((f"{key}:", value))
        y += step
    for _ in range(3):
        command = str(rng.choice(["uname -r", "cat /etc/image", "df -h /", "hostname", "date"]))
        prompt = f"root@qa-{rng.integers(10, 99)}:~# {command}"
        output = f"{rng.choice(['ok', 'done', 'ready'])} {rng.integers(100, 999)} {rng.choice(['items', 'files', 'checks'])}"  # noqa: E501
        y += step // 2
        draw.text((20, y), prompt, font=font, fill=ink)
        draw.text((20, y + step), output, font=font, fill=ink)
        truth.below.append((prompt, output))
        y += 2 * step
    return np.array(image)[:, :, ::-1].copy(), truth
