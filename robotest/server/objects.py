"""A content-addressed file store: each blob lives at objects/ab/<sha256>.

Writes go to a temporary file and are renamed into place, so a blob is either
absent or complete; a blob's name is its hash, so it never changes.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from robotest.server.manifest import sha256_hex


class ObjectStore:
    """Blobs by SHA-256 under one directory."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._root = str(root)
        self._buckets: set[str] = set()

    def path(self, sha256: str) -> Path:
        return Path(self.file(sha256))

    def file(self, sha256: str) -> str:
        """The blob's path as a string (cheaper than Path for tens of thousands of files)."""
        return f"{self._root}/{sha256[:2]}/{sha256}"

    def has(self, sha256: str) -> bool:
        return os.path.exists(self.file(sha256))

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store `data` (verified against `sha256` when given); returns its hash."""
        digest = sha256_hex(data)
        if sha256 is not None and digest != sha256:
            raise ValueError(f"content hashes to {digest}, expected {sha256}")
        target = self.file(digest)
        if os.path.exists(target):
            return digest
        bucket = digest[:2]
        if bucket not in self._buckets:
            os.makedirs(f"{self._root}/{bucket}", exist_ok=True)
            self._buckets.add(bucket)
        tmp = f"{self._root}/{bucket}/.{digest}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o444)
            try:
                os.write(fd, data) if len(data) < 1 << 20 else _write_all(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return digest

    def read(self, sha256: str) -> bytes:
        with open(self.file(sha256), "rb") as handle:
            return handle.read()

    def remove(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.file(sha256))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
