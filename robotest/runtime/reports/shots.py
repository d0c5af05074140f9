"""Screenshots of a report: each distinct frame stored once, shown as a small thumbnail.

Beside the report (the default), a frame is two files named by its content's hash in
``shots/``: the full-size frame and a thumbnail, both JPEG (a camera frame's sensor noise
makes a lossless PNG of the screen 2.5 MB, a JPEG of quality 75 a thirtieth of it); the
same frame seen by several steps (a retry, a filmstrip, a failed ``assert``) is written
once.
Self-contained, the HTML holds each distinct frame once, as a JPEG ``data:`` URI in a
table that a few lines of script hand to the images that show it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from robotest.image_decoding import ImageFileError, decode_image_file

FOLDER = "shots"
THUMB_WIDTH = 480  # pixels
THUMB_QUALITY = 70
FULL_QUALITY = 75  # JPEG quality of the full-size frames beside the report
INLINE_QUALITY = 60  # and inside a self-contained one (a typical failed suite < 5 MB)


@dataclass(frozen=True)
class Shot:
    """Where a report finds a frame: its thumbnail's source and the full-size link."""

    key: str
    thumb: str
    full: str


class Shots(Protocol):
    """Stores a report's frames and says where each one is."""

    def add(self, png: bytes) -> Shot | None: ...

    def script(self) -> str: ...


def _key(png: bytes) -> str:
    return hashlib.sha256(png).hexdigest()[:16]


def _decode(png: bytes) -> np.ndarray | None:
    try:
        return decode_image_file(png, "screenshot", cv2.IMREAD_COLOR)
    except ImageFileError:
        return None  # a damaged image is left out of the report, not fatal to it


def _jpeg(image: np.ndarray, width: int | None, quality: int) -> bytes:
    if width is not None and image.shape[1] > width:
        height = max(1, round(image.shape[0] * width / image.shape[1]))
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV encodes any 8-bit BGR image
        raise ValueError("cannot encode a JPEG")
    return buffer.tobytes()


@dataclass
class FolderShots:
    """Frames as files in ``FOLDER`` beside the report (paths relative to it)."""

    report_folder: Path
    written: dict[str, Shot] = field(default_factory=dict)

    def add(self, png: bytes) -> Shot | None:
        key = _key(png)
        if key in self.written:
            return self.written[key]
        image = _decode(png)
        if image is None:
            return None
        folder = self.report_folder / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{key}.jpg").write_bytes(_jpeg(image, None, FULL_QUALITY))
        (folder / f"{key}.thumb.jpg").write_bytes(_jpeg(image, THUMB_WIDTH, THUMB_QUALITY))
        shot = Shot(key, f"{FOLDER}/{key}.thumb.jpg", f"{FOLDER}/{key}.jpg")
        self.written[key] = shot
        return shot

    def script(self) -> str:
        return ""


@dataclass
class InlineShots:
    """Frames inside the HTML, each once: a JPEG data URI in a table the page reads."""

    uris: dict[str, str] = field(default_factory=dict)

    def add(self, png: bytes) -> Shot | None:
        key = _key(png)
        if key not in self.uris:
            image = _decode(png)
            if image is None:
                return None
            data = base64.b64encode(_jpeg(image, None, INLINE_QUALITY)).decode("ascii")
            self.uris[key] = f"data:image/jpeg;base64,{data}"
        return Shot(key, "", "")

    def script(self) -> str:
        """The table of frames and the script that gives each image its source."""
        import json

        table = json.dumps(self.uris).replace("</", "<\\/")
        return (
            f"<script>var SHOTS={table};"
            "document.querySelectorAll('[data-shot]').forEach(function(el){"
            "var uri=SHOTS[el.dataset.shot];"
            "if(el.tagName==='IMG'){el.src=uri;}else{el.href=uri;}});</script>"
        )
