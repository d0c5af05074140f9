"""Reading images for inspection, with one-line errors for anything wrong with them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.image_decoding import ImageFileError, decode_image_file, read_image_file
from robotest.inspection.errors import InspectionError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


def read_image(
    path: str | Path, *, channels: int | None = None, size: tuple[int, int] | None = None
) -> np.ndarray:
    """Read *path* as float32 ``H x W x C`` in [0, 1].

    *channels* (1 or 3) converts colour to grey or grey to colour; *size* ``(w, h)``
    is the size the caller expects, and a different one is an error, not a resize.
    """
    file = Path(path)
    if not file.is_file():
        raise InspectionError(f"image {file} does not exist")
    try:
        raw = read_image_file(file, expected=size)
    except ImageFileError as exc:
        raise InspectionError(str(exc)) from None
    return _conform(raw, str(file), channels, size)


def decode_image(
    data: bytes,
    name: str,
    *,
    channels: int | None = None,
    size: tuple[int, int] | None = None,
    max_megapixels: float | None = None,
) -> np.ndarray:
    """:func:`read_image` for an image file's bytes (PNG, JPEG, BMP, TIFF) received as *name*.

    The size its header declares is checked (against *max_megapixels*, else
    ``RTEST_MAX_IMAGE_MEGAPIXELS``, and against *size*) before anything is decoded.
    """
    if not data:
        raise InspectionError(f"image {name} is empty")
    try:
        raw = decode_image_file(data, name, megapixels=max_megapixels, expected=size)
    except ImageFileError as exc:
        raise InspectionError(str(exc)) from None
    return _conform(raw, name, channels, size)


def _conform(
    raw: np.ndarray | None, file: str, channels: int | None, size: tuple[int, int] | None
) -> np.ndarray:
    if raw is None or raw.size == 0:
        raise InspectionError(f"image {file} is not a readable image file")
    image = _normalise_depth(raw, file)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.shape[2] == 4:
        image = image[:, :, :3]
    if channels == 1 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)[:, :, None]
    elif channels == 3 and image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    if size is not None and (image.shape[1], image.shape[0]) != tuple(size):
        raise InspectionError(
            f"image {file} is {image.shape[1]}x{image.shape[0]}, "
            f"the model expects {size[0]}x{size[1]}"
        )
    return np.ascontiguousarray(image, dtype=np.float32)


def _normalise_depth(raw: np.ndarray, file: str) -> np.ndarray:
    if raw.dtype == np.uint8:
        return raw.astype(np.float32) / 255.0
    if raw.dtype == np.uint16:
        return raw.astype(np.float32) / 65535.0
    if raw.dtype in (np.float32, np.float64):
        return raw.astype(np.float32)
    raise InspectionError(f"image {file} has an unsupported pixel type {raw.dtype}")


def image_channels(path: str | Path) -> int:
    """1 for a grey image, 3 for a colour one (alpha ignored)."""
    image = read_image(path)
    return 1 if image.shape[2] == 1 or _is_grey(image) else 3


def _is_grey(image: np.ndarray) -> bool:
    return bool(
        np.allclose(image[:, :, 0], image[:, :, 1]) and np.allclose(image[:, :, 1], image[:, :, 2])
    )


def list_images(folder: Path) -> list[Path]:
    """The image files directly in *folder*, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def write_png(path: Path, image: np.ndarray) -> None:
    """Write an 8-bit PNG, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), image):
        raise InspectionError(f"cannot write {path}")
