"""Sending runs to the script server, and keeping them until it has them.

A run to upload is first written into the pending folder (the exact archive that will be
sent, and the server's URL beside it), then sent; only the server's acceptance removes
it. So a server that is down, a network cut, or a station killed during the upload loses
nothing: the next `rtest run --upload` or `rtest upload --pending` sends it again. A run
the server already has (409: an earlier try reached it but its answer was lost) is
done too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from robotest.server.archive import pack_files

PENDING_FOLDER = "pending-uploads"
ARCHIVE_SUFFIX = ".tar"
ALREADY_THERE = 409
UPLOAD_TIMEOUT = 600.0
"""Seconds the server may take to store a big run (100,000 cases: see docs/benchmarks.md)."""
CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class PendingUpload:
    """A run waiting for the server: its archive and where it goes."""

    archive: Path
    url: str

    @property
    def name(self) -> str:
        """``station/run_id``, as the server stores it."""
        return f"{self.archive.parent.name}/{self.archive.stem}"


@dataclass(frozen=True)
class UploadResult:
    """What happened to one pending run: sent (or already there), or why not."""

    upload: PendingUpload
    error: str = ""

    @property
    def done(self) -> bool:
        return not self.error


def pending_folder(database: Path) -> Path:
    """Where a results database keeps the runs it has not uploaded yet."""
    return database.parent / PENDING_FOLDER


def keep(
    pending: Path, station: str, run_id: str, url: str, files: dict[str, Path]
) -> PendingUpload:
    """Put the run (*files*: archive name -> file) into *pending*, to be sent to *url*."""
    folder = pending / station
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"{run_id}{ARCHIVE_SUFFIX}"
    _write_atomically(archive.with_suffix(".json"), json.dumps({"url": url}).encode())
    _write_atomically(
        archive, pack_files({name: path.read_bytes() for name, path in sorted(files.items())})
    )
    return PendingUpload(archive, url)


def pending(folder: Path) -> list[PendingUpload]:
    """The runs waiting in *folder*, oldest first."""
    if not folder.is_dir():
        return []
    archives = sorted(folder.glob(f"*/*{ARCHIVE_SUFFIX}"), key=lambda p: p.stat().st_mtime)
    return [PendingUpload(archive, _url(archive)) for archive in archives]


def send(
    uploads: list[PendingUpload], token: str | None, url: str | None = None
) -> list[UploadResult]:
    """Send each run (to *url*, else where it was going); a sent run leaves the folder."""
    import httpx

    from robotest.server.client import ServerClient
    from robotest.server.errors import ClientError

    results = []
    unreachable: dict[str, str] = {}  # a server not reached is not tried again this time
    for upload in uploads:
        target = url or upload.url
        if target in unreachable:
            results.append(UploadResult(upload, unreachable[target]))
            continue
        try:
            timeout = httpx.Timeout(UPLOAD_TIMEOUT, connect=CONNECT_TIMEOUT)
            with ServerClient(target, token, timeout) as client:
                client.upload_run_archive(upload.archive.read_bytes())
        except ClientError as exc:
            if exc.status_code is None:
                unreachable[target] = str(exc)
            if exc.status_code != ALREADY_THERE:
                results.append(UploadResult(upload, str(exc)))
                continue
        except OSError as exc:
            results.append(UploadResult(upload, f"cannot read {upload.archive}: {exc}"))
            continue
        _forget(upload)
        results.append(UploadResult(PendingUpload(upload.archive, target)))
    return results


def _url(archive: Path) -> str:
    try:
        return str(json.loads(archive.with_suffix(".json").read_text())["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _forget(upload: PendingUpload) -> None:
    for path in (upload.archive, upload.archive.with_suffix(".json")):
        path.unlink(missing_ok=True)
    if upload.archive.parent.is_dir() and not any(upload.archive.parent.iterdir()):
        upload.archive.parent.rmdir()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write *path* whole or not at all (a kill while writing leaves no half archive)."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
