"""Refuse a decompression bomb before expanding it.

A small compressed upload can expand to gigabytes. `check_expansion` reads only the
tar headers of the (decompressed) stream, in bounded memory, and refuses the archive at
the first member whose declared size is over the per-file limit, or as soon as the
declared sizes, or the decompressed bytes themselves, pass the total limit. Nothing is
kept: the caller reads the files only once the archive has passed.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zlib

from robotest.server.archive import Limits
from robotest.server.errors import ArchiveError

HEADER_ALLOWANCE = 1024
"""Bytes a tar member takes besides its contents, at most (header + padding)."""


class _Bounded(io.RawIOBase):
    """A read-only stream that raises ArchiveError once more than `limit` bytes are read."""

    def __init__(self, inner: io.BufferedIOBase, limit: int, message: str):
        self.inner, self.limit, self.message, self.count = inner, limit, message, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(min(len(buffer), 1024 * 1024))
        self.count += len(data)
        if self.count > self.limit:
            raise ArchiveError(self.message)
        buffer[: len(data)] = data
        return len(data)


def _decompressed(data: bytes) -> io.BufferedIOBase:
    raw = io.BytesIO(data)
    if data[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)
    if data[:3] == b"BZh":
        return bz2.BZ2File(raw)
    if data[:6] == b"\xfd7zXZ\x00":
        return lzma.LZMAFile(raw)
    return raw


def check_expansion(data: bytes, limits: Limits, total_option: str, file_option: str) -> None:
    """ArchiveError naming the limit (and the option that sets it) when the archive
    `data` would expand past `limits`."""
    total_message = (
        f"archive expands to more than the total limit of "
        f"{limits.max_total_size} bytes ({total_option})"
    )
    stream = _Bounded(
        _decompressed(data),
        limits.max_total_size + HEADER_ALLOWANCE * (limits.max_files + 2),
        total_message,
    )
    try:
        tar = tarfile.open(fileobj=io.BufferedReader(stream), mode="r|")  # noqa: SIM115
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise ArchiveError(f"not a tar archive ({exc})") from exc
    declared = count = 0
    try:
        with tar:
            for member in tar:
                count += 1
                if count > limits.max_files:
                    raise ArchiveError(f"archive has more than {limits.max_files} files")
                if member.size > limits.max_file_size:
                    raise ArchiveError(
                        f"{member.name[:200]}: {member.size} bytes is over the "
                        f"size limit of {limits.max_file_size} bytes "
                        f"({file_option})"
                    )
                declared += member.size
                if declared > limits.max_total_size:
                    raise ArchiveError(total_message)
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise ArchiveError(f"archive is damaged ({exc})") from exc
