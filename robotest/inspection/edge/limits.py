"""What every transport of the edge service accepts: unit ids and image sizes."""

from __future__ import annotations

UNIT_ID_PATTERN = r"[A-Za-z0-9._:-]{1,64}"
UNIT_ID_RULE = "1 to 64 characters from A-Z a-z 0-9 . _ : -"
MAX_IMAGE_BYTES = 16 * 1024 * 1024
