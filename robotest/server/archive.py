"""Reading and writing the tar archives that carry suites and run results.

The server checks every member before it stores anything: a path that escapes the
suite (`..`, absolute), a link, a special file, a file over the size limit or of an
unknown type refuses the whole archive with a one-line error naming the file. The
archive as a whole must be intact: every header valid, every member's data complete,
and a proper end-of-archive marker with nothing but zero padding after it.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from robotest.server.errors import ArchiveError
from robotest.server.names import check_path_limits

SUITE_TYPES = frozenset(
    {
        ".rtest",
        ".py",  # scripts and sub-scripts
        ".png",
        ".jpg",
        ".jpeg",
        ".bmp",  # icons
        ".json",
        ".yaml",
        ".yml",
        ".toml",
        ".csv",
        ".txt",
        ".md",  # product specs, notes
    }
)
RESULT_TYPES = frozenset(
    {
        ".json",
        ".html",
        ".htm",
        ".css",
        ".xml",
        ".txt",
        ".log",
        ".csv",
        ".xlsx",
        ".png",
        ".jpg",
        ".jpeg",
        ".bmp",
    }
)
DEFAULT_MAX_FILE = 16 * 1024 * 1024
DEFAULT_MAX_TOTAL = 1024 * 1024 * 1024
BLOCK = tarfile.BLOCKSIZE
MAX_PADDING = 1024 * 1024  # zero padding accepted after the end marker (tar pads to records)


@dataclass(frozen=True)
class Limits:
    """What an archive may contain."""

    types: frozenset[str] = SUITE_TYPES
    max_file_size: int = DEFAULT_MAX_FILE
    max_total_size: int = DEFAULT_MAX_TOTAL
    max_files: int = 200_000


def check_path(name: str) -> str:
    """The member's path relative to the suite root; ArchiveError when it escapes it."""
    if not name or "\\" in name or "\x00" in name:
        raise ArchiveError(f"{name!r}: not a valid path")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"{name}: absolute paths are not allowed")
    parts = [p for p in PurePosixPath(name).parts if p != "."]
    if ".." in parts:
        raise ArchiveError(f"{name}: path escapes the suite ('..')")
    if not parts:
        raise ArchiveError(f"{name!r}: not a valid path")
    path = "/".join(parts)
    try:
        check_path_limits(path)
    except ValueError as exc:
        raise ArchiveError(str(exc)) from exc
    return path


def read_archive(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Every file of a tar (optionally compressed) archive, checked against `limits`."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 (closed below)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"not a tar archive ({exc})") from exc
    files: dict[str, bytes] = {}
    total = members = 0
    try:
        with tar:
            for member in tar:
                members += 1
                if members > limits.max_files:
                    raise ArchiveError(f"archive has more than {limits.max_files} entries")
                path = check_path(member.name)
                if member.isdir():
                    continue
                _check_member(member, path, limits)
                if path in files:
                    raise ArchiveError(f"{path}: appears twice in the archive")
                total += member.size
                if total > limits.max_total_size:
                    raise ArchiveError(
                        f"archive is over the total size limit of {limits.max_total_size} bytes"
                    )
                if len(files) >= limits.max_files:
                    raise ArchiveError(f"archive has more than {limits.max_files} files")
                handle = tar.extractfile(member)
                assert handle is not None  # regular file, checked above
                files[path] = handle.read()
                if len(files[path]) != member.size:
                    raise ArchiveError(f"{path}: archive is cut short in this file's data")
                _check_padding(tar, member, path)
            _check_end_of_archive(tar)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"archive is damaged ({exc})") from exc
    if not files:
        raise ArchiveError("archive contains no files")
    return files


def _check_padding(tar: tarfile.TarFile, member: tarfile.TarInfo, path: str) -> None:
    """ArchiveError unless the member's last block is padded with zeros, as every tar
    writer does: data there means the header declares a smaller size than was written."""
    assert tar.fileobj is not None
    padding = -member.size % BLOCK
    if padding:
        tar.fileobj.seek(member.offset_data + member.size)
        if tar.fileobj.read(padding).strip(b"\0"):
            raise ArchiveError(
                f"{path}: its header declares {member.size} bytes but more data follows"
            )


def _check_end_of_archive(tar: tarfile.TarFile) -> None:
    """ArchiveError unless two zero blocks, then only zero padding, follow the last member.

    `tarfile` stops at the first header it cannot read (bad checksum, a size that lies,
    garbage) as if the archive ended there, and accepts an archive cut short between
    members; it offers no strict mode, so this checks the bytes where its reading stopped.
    """
    fileobj = tar.fileobj
    assert fileobj is not None
    fileobj.seek(tar.offset)
    marker = fileobj.read(2 * BLOCK)
    if marker.strip(b"\0"):
        raise ArchiveError(
            f"archive is damaged at byte {tar.offset}: a header with a bad "
            "checksum, a member whose size is wrong, or garbage"
        )
    if len(marker) < 2 * BLOCK:
        raise ArchiveError(
            f"archive is cut short at byte {tar.offset + len(marker)} (no end-of-archive marker)"
        )
    padding = fileobj.read(MAX_PADDING + 1)
    if padding.strip(b"\0") or len(padding) > MAX_PADDING:
        raise ArchiveError(
            f"archive has trailing data after its end marker (byte {tar.offset + 2 * BLOCK})"
        )


def _check_member(member: tarfile.TarInfo, path: str, limits: Limits) -> None:
    if member.issym() or member.islnk():
        raise ArchiveError(f"{path}: links are not allowed (points to {member.linkname})")
    if not member.isfile():
        raise ArchiveError(f"{path}: not a regular file")
    suffix = PurePosixPath(path).suffix.lower()
    if suffix not in limits.types:
        allowed = " ".join(sorted(limits.types))
        raise ArchiveError(f"{path}: file type {suffix or '(none)'!r} is not allowed ({allowed})")
    if member.size > limits.max_file_size:
        raise ArchiveError(
            f"{path}: {member.size} bytes is over the size limit of {limits.max_file_size} bytes"
        )


def iter_tree(root: Path) -> Iterator[Path]:
    """Files and links under `root`, sorted, skipping hidden entries and __pycache__.

    A link to a folder is listed as a link (os.walk does not descend into it), so that
    it refuses the suite instead of silently leaving its files out.
    """
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        folder_links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted([*filenames, *folder_links]):
            if not name.startswith("."):
                yield Path(dirpath) / name


def check_no_links(root: Path) -> None:
    """ArchiveError naming the first link under `root` (to a file or a folder)."""
    for path in iter_tree(root):
        if path.is_symlink():
            raise ArchiveError(
                f"{path}: is a link; links are not allowed in a suite, nothing published"
            )


def pack_directory(root: Path) -> bytes:
    """A gzip tar of the suite under `root` (links kept as links: the server refuses them)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        for path in iter_tree(root):
            info = tarfile.TarInfo(path.relative_to(root).as_posix())
            st = path.lstat()
            info.mtime, info.mode = int(st.st_mtime), 0o644
            if path.is_symlink():
                info.type, info.linkname = tarfile.SYMTYPE, os.readlink(path)
                tar.addfile(info)
            elif path.is_file():
                info.size = st.st_size
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                info.type = tarfile.FIFOTYPE  # refused by the server, named in its error
                tar.addfile(info)
    return buffer.getvalue()


def pack_files(files: dict[str, bytes]) -> bytes:
    """A plain tar of in-memory files (results uploads and tests)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
