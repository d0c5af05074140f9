"""A content-addressed file store: each blob lives at objects/ab/<sha256>.

Writes go to a temporary file and are renamed into place, so a blob is either
absent or complete; a blob's name is its hash, so it never changes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from robotest.server.manifest import sha256_hex


class ObjectStore:
    """Blobs by SHA-256 under one directory."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes, sha256: str | None = None, *, fsync: bool = False) -> str:
        """Store `data` (verified against `sha256` when given); returns its hash."""
        digest = sha256_hex(data)
        if sha256 is not None and digest != sha256:
            raise ValueError(f"content hashes to {digest}, expected {sha256}")
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)
