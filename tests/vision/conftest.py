"""Small generated images for the vision tests: screens with text, icons, camera-like frames."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def text_screen(
    lines: Iterable[tuple[int, int, str]],
    size: tuple[int, int] = (800, 300),
    background: tuple[int, int, int] = (240, 240, 240),
    ink: tuple[int, int, int] = (20, 20, 20),
    font_size: int = 18,
    font: str = SANS,
) -> np.ndarray:
    """A BGR screen with each (x, y, text) drawn in one font."""
    image = Image.new("RGB", size, background[::-1])
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(font, font_size)
    for x, y, text in lines:
        draw.text((x, y), text, font=face, fill=ink[::-1])
    return np.array(image)[:, :, ::-1].copy()


def icon_image(seed: int, size: int = 48, alpha: bool = False) -> np.ndarray:
    """A distinctive icon: a tile with random strokes and a disc (BGRA when *alpha*)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((size, size, 4), np.uint8)
    colour = tuple(int(v) for v in rng.integers(40, 220, 3))
    if alpha:
        cv2.circle(image, (size // 2, size // 2), size // 2 - 1, (*colour, 255), -1)
    else:
        image[:] = (*colour, 255)
    for _ in range(5):
        p = rng.integers(size // 6, size - size // 6, 4)
        stroke = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.line(image, (int(p[0]), int(p[1])), (int(p[2]), int(p[3])), (*stroke, 255), 3)
    cx, cy = (int(v) for v in rng.integers(size // 4, 3 * size // 4, 2))
    cv2.circle(image, (cx, cy), size // 8, (250, 250, 250, 255), -1)
    return image if alpha else image[:, :, :3].copy()


def paste(
    screen: np.ndarray, icon: np.ndarray, x: int, y: int, scale: float = 1.0
) -> tuple[int, int, int, int]:
    """Draw *icon* (BGR or BGRA) at (x, y), scaled; returns its box."""
    if scale != 1.0:
        icon = cv2.resize(icon, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = icon.shape[:2]
    target = screen[y : y + h, x : x + w]
    if icon.shape[2] == 4:
        a = icon[:, :, 3:4].astype(np.float32) / 255
        target[:] = (a * icon[:, :, :3] + (1 - a) * target).astype(np.uint8)
    else:
        target[:] = icon
    return (x, y, w, h)


def photograph(
    screen: np.ndarray,
    corners: np.ndarray,
    frame_size: tuple[int, int],
    noise: float = 2.0,
    surround: int = 12,
    seed: int = 0,
) -> np.ndarray:
    """*screen* warped so its outer corners land on *corners* (TL, TR, BR, BL), plus noise."""
    h, w = screen.shape[:2]
    outline = np.float32([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    matrix = cv2.getPerspectiveTransform(outline, corners.astype(np.float32))
    frame = cv2.warpPerspective(
        screen,
        matrix,
        frame_size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(surround, surround, surround),
    )
    rng = np.random.default_rng(seed)
    return np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)
