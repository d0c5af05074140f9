"""Decoding image files with their declared size checked first: no decompression bombs.

A 389 KB PNG can declare 20000 x 20000 pixels, which OpenCV decodes to 1.2 GB (and a
float copy to 4.8 GB) before any caller sees its size. Every image file robotest reads
from a user, a camera or a line (inspection, the edge service, the vision commands) is
decoded here: Pillow reads only the header, the declared size is checked against the
limit, and only then does OpenCV decode the same bytes.

The limit is in megapixels: ``RTEST_MAX_IMAGE_MEGAPIXELS`` (or a command's
``--max-megapixels``), 50 by default, which holds what inspection and lab cameras
give (45-48 megapixel sensors, 8000 x 6000) and bounds a decoded colour image to about
150 MB (600 MB as float32).
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from robotest.errors import RobotestError

if TYPE_CHECKING:
    import numpy as np

# OpenCV and Pillow are imported by the functions that use them: command lines import
# this module for their options, and `rtest --help` must stay fast.
IMREAD_UNCHANGED = -1  # cv2.IMREAD_UNCHANGED

DEFAULT_MAX_MEGAPIXELS = 50.0
MAX_MEGAPIXELS_ENV = "RTEST_MAX_IMAGE_MEGAPIXELS"
FORMATS = ("PNG", "JPEG", "BMP", "TIFF")
# An image within the limit is at most this many bytes a pixel (4 channels of 32 bits,
# uncompressed) plus its metadata: a larger file is refused before it is read.
_BYTES_PER_PIXEL = 16
_METADATA_BYTES = 1 << 20


class ImageFileError(RobotestError, ValueError):
    """An image file that is too large or not an image; the message names the file."""


class ImageTooLarge(ImageFileError):
    """An image that declares more pixels than the limit; the message names the limit."""


def max_megapixels(option: float | None = None) -> float:
    """The limit: *option* if given, else ``RTEST_MAX_IMAGE_MEGAPIXELS``, else 50."""
    if option is not None:
        return _positive(option, "--max-megapixels")
    configured = os.environ.get(MAX_MEGAPIXELS_ENV, "").strip()
    if not configured:
        return DEFAULT_MAX_MEGAPIXELS
    try:
        value = float(configured)
    except ValueError:
        raise ImageFileError(
            f"{MAX_MEGAPIXELS_ENV} must be a number of megapixels, got {configured!r}"
        ) from None
    return _positive(value, MAX_MEGAPIXELS_ENV)


def set_max_megapixels(value: float | None) -> None:
    """A command's ``--max-megapixels``: the limit of this process and its children."""
    if value is not None:
        os.environ[MAX_MEGAPIXELS_ENV] = repr(_positive(value, "--max-megapixels"))


MAX_MEGAPIXELS_HELP = (
    f"Largest image accepted, in megapixels, checked from the file's header "
    f"before it is decoded (default ${MAX_MEGAPIXELS_ENV}, else "
    f"{DEFAULT_MAX_MEGAPIXELS:g})."
)


def _positive(value: float, name: str) -> float:
    if not value > 0:
        raise ImageFileError(f"{name} must be a positive number of megapixels, got {value}")
    return float(value)


def declared_size(
    data: bytes | BinaryIO, name: str, megapixels: float | None = None
) -> tuple[int, int]:
    """``(width, height)`` from the header of *data* (an image file's bytes, or the file
    open at its start), within the limit; decodes no pixel and reads little more than
    the header."""
    from PIL import Image, UnidentifiedImageError

    limit = max_megapixels(megapixels)
    if isinstance(data, bytes):
        if not data:
            raise ImageFileError(f"image {name} is empty")
        data = io.BytesIO(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(data, formats=FORMATS) as header:
                width, height = header.size
        except Image.DecompressionBombError:  # over twice Pillow's own limit
            pillow = 2 * (Image.MAX_IMAGE_PIXELS or 0)
            raise ImageTooLarge(
                f"image {name} declares more than {pillow / 1e6:.0f} "
                f"megapixels, over the limit of {limit:g} megapixels"
                f"{_HOW_TO_RAISE}"
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ImageFileError(
                f"image {name} is not a readable image file ({', '.join(FORMATS)})"
            ) from None
    if width * height > limit * 1e6:
        raise ImageTooLarge(
            f"image {name} is {width}x{height} "
            f"({width * height / 1e6:.1f} megapixels), over the limit of "
            f"{limit:g} megapixels{_HOW_TO_RAISE}"
        )
    return width, height


_HOW_TO_RAISE = f" (set {MAX_MEGAPIXELS_ENV} or --max-megapixels for larger images)"


def decode_image_file(
    data: bytes,
    name: str,
    flags: int = IMREAD_UNCHANGED,
    megapixels: float | None = None,
    expected: tuple[int, int] | None = None,
) -> np.ndarray:
    """OpenCV's decoding of *data* (an image file's bytes), after the header's check.

    *expected* ``(width, height)``: any other declared size is refused before decoding.
    """
    import cv2
    import numpy as np

    width, height = declared_size(data, name, megapixels)
    if expected is not None and (width, height) != tuple(expected):
        raise ImageFileError(
            f"image {name} is {width}x{height}, the model expects {expected[0]}x{expected[1]}"
        )
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None or image.size == 0:
        raise ImageFileError(f"image {name} is not a readable image file")
    return image


def read_image_file(
    path: str | Path,
    flags: int = IMREAD_UNCHANGED,
    megapixels: float | None = None,
    expected: tuple[int, int] | None = None,
) -> np.ndarray:
    """:func:`decode_image_file` of the file at *path*: its header is checked first,
    then the file is read whole, once (no larger than an image within the limit)."""
    file = Path(path)
    limit = max_megapixels(megapixels)
    most = int(limit * 1e6) * _BYTES_PER_PIXEL + _METADATA_BYTES
    try:
        with file.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                raise ImageFileError(f"image {file} is empty")
            declared_size(handle, str(file), limit)
            handle.seek(0)
            data = handle.read(most + 1)
    except OSError as exc:
        raise ImageFileError(f"image {file} cannot be read: {exc.strerror or exc}") from None
    if len(data) > most:
        raise ImageTooLarge(
            f"image {file} is over {most:,} bytes, more than an image of "
            f"{limit:g} megapixels takes{_HOW_TO_RAISE}"
        )
    return decode_image_file(data, str(file), flags, limit, expected)
