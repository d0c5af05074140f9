"""A station's working copy of a channel, switched atomically from version to version.

The station side of the script server's sync (``rtest sync``, ``rtest run --sync``): it
reads the server's protocol (manifests, signatures, path rules in robotest.server) and
talks to it through robotest.server.client, but is no part of the server.

Layout under the destination directory:

    current -> .rtest/trees/<version>-<n>   the suite the station runs (a symlink)
    .rtest-version.json                     what the station runs, and its last sync status
    .rtest/objects/ab/<sha256>              every file, by hash (verified when downloaded
                                            and again each time it is used)
    .rtest/manifests/<version>.json         signed manifests of the versions kept
    .rtest/state.json                       the pinned public key, the last channel moves

A new version is built beside the old one and becomes live by renaming one symlink, so
`current` is always a complete, verified tree. Tree files are copies of the objects,
never hard links: an edit in the live tree cannot reach the object store. Every
manifest is checked against its signature each time it is read, and every path in it
against the rules the server publishes by (robotest.server.names). Status and state
files are written 0600, never through a link.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robotest.server.client import ServerClient
from robotest.server.clock import now_iso
from robotest.server.errors import ClientError, SignatureError, SyncError
from robotest.server.manifest import Manifest, sha256_hex
from robotest.server.names import check_channel, check_suite_paths
from robotest.server.objects import ObjectStore
from robotest.server.signing import channel_statement, parse_public_key, verify

VERSION_FILE = ".rtest-version.json"
FETCH_BATCH = 2000
Progress = Callable[[str], None]


@dataclass
class SyncResult:
    """What one sync did."""

    version: str
    previous: str | None
    changed: bool
    downloaded: int = 0
    downloaded_bytes: int = 0
    repaired: list[str] = field(default_factory=list)


@dataclass
class StationSync:
    """`rtest sync` for one destination directory."""

    client: ServerClient
    channel: str
    dest: Path
    public_key: str | None = None
    progress: Progress | None = None

    def __post_init__(self) -> None:
        try:
            check_channel(self.channel)
        except ValueError as exc:
            raise SyncError(str(exc)) from exc
        if self.dest.exists() and not self.dest.is_dir():
            raise SyncError(f"{self.dest} is not a folder")
        self.meta = self.dest / ".rtest"
        try:
            self.meta.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SyncError(f"cannot create {self.meta}: {exc.strerror}") from exc
        self._downloaded: list[str] = []
        self.objects = ObjectStore(self.meta / "objects")
        (self.meta / "manifests").mkdir(exist_ok=True)
        (self.meta / "trees").mkdir(exist_ok=True)

    # public ---------------------------------------------------------------

    def sync(self, verify_files: bool = False) -> SyncResult:
        """Bring `current` to the channel's version; on any failure keep the old one.

        Raises SyncError naming the reason and the version kept.
        """
        with self._locked():
            state = self._state()
            previous = self.current_version()
            self._downloaded = []
            try:
                result = self._sync(state, previous, verify_files)
                self._write_status(result.version, "ok", "")
            except (ClientError, SignatureError, SyncError, OSError, ValueError) as exc:
                reason = _one_line(exc)
                if isinstance(exc, OSError):
                    self._drop_downloads()  # a local failure (disk full): give the space back
                with contextlib.suppress(OSError):
                    self._write_status(previous, "stale", reason)
                with contextlib.suppress(ClientError):
                    self.client.report_sync(self.channel, previous, "failed", reason)
                kept = f"keeping version {previous[:12]}" if previous else "no version yet"
                raise SyncError(f"{reason}; {kept}") from exc
            with contextlib.suppress(ClientError):
                self.client.report_sync(self.channel, result.version, "ok", "")
            return result

    def current_version(self) -> str | None:
        """The version `current` points to (None before the first sync)."""
        try:
            target = os.readlink(self.dest / "current")
        except OSError:
            return None
        return Path(target).name.split("-")[0]

    def cleanup(self) -> None:
        """Drop trees, manifests and objects of versions other than current and the one before."""
        with self._locked():
            current = self.current_version()
            if current is None:
                return
            state = self._state()
            keep = {current, state.get("previous")} - {None}
            key = parse_public_key(state["public_key"])
            live = Path(os.readlink(self.dest / "current")).name
            for tree in (self.meta / "trees").iterdir():
                version = tree.name.split("-")[0]
                if tree.name != live and (version not in keep or version == current):
                    _remove_tree(tree)
            keep_hashes: set[str] = set()
            for manifest_file in (self.meta / "manifests").glob("*.json"):
                local = self._local_manifest(key, manifest_file.stem)
                if manifest_file.stem in keep and local is not None:
                    keep_hashes.update(e.sha256 for e in local.files)
                else:
                    manifest_file.unlink()
                    manifest_file.with_suffix(".sig").unlink(missing_ok=True)
            for bucket in self.objects.root.iterdir():
                for blob in bucket.iterdir():
                    if blob.name not in keep_hashes:
                        blob.unlink()

    # steps ----------------------------------------------------------------

    def _sync(self, state: dict[str, Any], previous: str | None, verify_files: bool) -> SyncResult:
        key = self._pinned_key(state)
        statement = self.client.channel(self.channel)
        self._step("channel")
        try:
            version, seq = str(statement["version"]), int(statement["seq"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError(f"server sent no channel statement for {self.channel!r}") from exc
        verify(
            key,
            channel_statement(self.channel, version, seq),
            statement.get("signature"),
            f"channel {self.channel!r} statement",
        )
        last_seq = int(state.get("seq", {}).get(self.channel, 0))
        if seq < last_seq:
            raise SyncError(
                f"server offered an older channel move (seq {seq} < {last_seq}); "
                "refusing a replayed version"
            )
        manifest = self._local_manifest(key, version) if version == previous else None
        if manifest is not None:
            damaged = self._damaged(manifest, verify_files)
            if not damaged:
                if seq != last_seq:
                    self._save_seq(state, seq)
                return SyncResult(version, previous, changed=False)
            result = self._install(key, version, previous, manifest)
            result.repaired = damaged
        else:
            result = self._install(key, version, previous, None)
            if version == previous:
                result.repaired = [f".rtest/manifests/{version}.json (failed verification)"]
        if previous != version:
            state["previous"] = previous
        self._save_seq(state, seq)
        return result

    def _install(
        self, key: Any, version: str, previous: str | None, manifest: Manifest | None
    ) -> SyncResult:
        if manifest is None:
            manifest = self._fetch_manifest(key, version)
        self._step("manifest")
        try:
            check_suite_paths(e.path for e in manifest.files)
        except ValueError as exc:
            raise SyncError(f"version {version[:12]} cannot be installed: {exc}") from exc
        wanted = sorted({e.sha256 for e in manifest.files})
        missing = [h for h in wanted if not self.objects.has(h)]
        count, size = self._download(missing)
        self._step("download")
        tree, (again, again_size) = self._build_tree(manifest, version)
        self._switch(tree)
        self._step("switch")
        return SyncResult(
            version,
            previous,
            changed=version != previous,
            downloaded=count + again,
            downloaded_bytes=size + again_size,
        )

    def _fetch_manifest(self, key: Any, version: str) -> Manifest:
        raw, signature = self.client.manifest(version)
        verify(key, raw, signature, f"version {version[:12]}")
        manifest = Manifest.from_document(json.loads(raw))
        if manifest.version != version:
            raise SyncError(
                f"manifest is for version {manifest.version[:12]}, the channel names {version[:12]}"
            )
        _atomic_write(self.meta / "manifests" / f"{version}.sig", (signature or "").encode())
        _atomic_write(self.meta / "manifests" / f"{version}.json", raw)
        return manifest

    def _download(self, missing: list[str]) -> tuple[int, int]:
        count = size = 0
        for start in range(0, len(missing), FETCH_BATCH):
            batch = missing[start : start + FETCH_BATCH]
            expected = iter(batch)
            for claimed, data in self.client.fetch(batch):
                digest = next(expected, None)
                actual = sha256_hex(data)
                if claimed != digest or actual != digest:
                    raise SyncError(f"corrupt download: object {digest} arrived with hash {actual}")
                self.objects.put(data, digest)
                self._downloaded.append(digest)
                count, size = count + 1, size + len(data)
            if next(expected, None) is not None:
                raise SyncError("download ended before every object arrived")
        return count, size

    def _build_tree(self, manifest: Manifest, version: str) -> tuple[Path, tuple[int, int]]:
        """A new tree of copies of the objects, each verified by hash as it is copied
        (a damaged object is downloaded again); the tree's path and what was downloaded."""
        trees = self.meta / "trees"
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=trees))
        base = str(tmp)
        made: set[str] = set()
        try:
            damaged = []
            for entry in manifest.files:
                parent, _, _ = entry.path.rpartition("/")
                if parent and parent not in made:
                    os.makedirs(f"{base}/{parent}", exist_ok=True)
                    made.add(parent)
                data = self._verified_object(entry.sha256)
                if data is None:
                    damaged.append(entry)
                else:
                    _write_new(f"{base}/{entry.path}", data, 0o644)
            downloaded = self._download(sorted({e.sha256 for e in damaged}))
            for entry in damaged:
                _write_new(f"{base}/{entry.path}", self.objects.read(entry.sha256), 0o644)
            marker = {
                "version": version,
                "channel": self.channel,
                "server": self.client.url,
                "synced_at": now_iso(),
            }
            _write_new(
                str(tmp / VERSION_FILE), (json.dumps(marker, indent=1) + "\n").encode(), 0o644
            )
            final = trees / f"{version}-{tmp.name.rsplit('-', 1)[-1]}"
            os.rename(tmp, final)
        except BaseException:
            _remove_tree(tmp)
            raise
        return final, downloaded

    def _verified_object(self, sha256: str) -> bytes | None:
        """The object's bytes, or None when it is missing or damaged (then removed).

        Tree files are copies, never hard links, so that no edit of the live tree can
        reach the object store; and an object is re-hashed each time it is used."""
        try:
            data = self.objects.read(sha256)
        except FileNotFoundError:
            return None
        if sha256_hex(data) != sha256:
            self.objects.remove(sha256)
            return None
        return data

    def _switch(self, tree: Path) -> None:
        link = self.dest / "current"
        tmp = self.dest / f".current-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(tree, self.dest), tmp)
        os.replace(tmp, link)

    def _damaged(self, manifest: Manifest, rehash: bool) -> list[str]:
        """Paths of `current` that differ from the manifest, and files not in it.

        The quick check compares sizes and directory entries; `rehash` also hashes
        every file (slower, catches same-size edits).
        """
        tree = self.dest / "current"
        base = str(tree)
        damaged: list[str] = []
        children: dict[str, set[str]] = {"": {VERSION_FILE}}
        for entry in manifest.files:
            path = f"{base}/{entry.path}"
            try:
                size = os.stat(path).st_size
            except OSError:
                damaged.append(entry.path)
                continue
            if size != entry.size or (rehash and _file_hash(path) != entry.sha256):
                damaged.append(entry.path)
            parent, _, name = entry.path.rpartition("/")
            while True:
                known = children.setdefault(parent, set())
                fresh = name not in known
                known.add(name)
                if not parent or not fresh:
                    break
                parent, _, name = parent.rpartition("/")
        for directory, names in children.items():
            try:
                entries = set(os.listdir(tree / directory))
            except OSError:
                entries = set()
            damaged.extend(
                f"{directory}/{extra}".lstrip("/") + " (not in the version)"
                for extra in sorted(entries - names)
            )
        return damaged

    # state ------------------------------------------------------------------

    def _pinned_key(self, state: dict[str, Any]) -> Any:
        pinned = state.get("public_key")
        given = self.public_key.strip() if self.public_key else None
        if given and pinned and given != pinned:
            raise SignatureError(
                f"the public key given differs from the one pinned in {self.meta / 'state.json'}"
            )
        key_text = given or pinned
        if not key_text:
            raise SignatureError("no server public key pinned: pass --public-key")
        key = parse_public_key(key_text)
        if not pinned:
            state["public_key"] = key_text
            _atomic_write(self.meta / "state.json", json.dumps(state).encode())
        return key

    def _save_seq(self, state: dict[str, Any], seq: int) -> None:
        state.setdefault("seq", {})[self.channel] = seq
        _atomic_write(self.meta / "state.json", json.dumps(state).encode())

    def _state(self) -> dict[str, Any]:
        return self._read_json(self.meta / "state.json")

    def _local_manifest(self, key: Any, version: str) -> Manifest | None:
        """The stored manifest of `version`, or None when it is missing or fails its
        signature (then it is fetched again from the server)."""
        folder = self.meta / "manifests"
        try:
            raw = (folder / f"{version}.json").read_bytes()
            signature = (folder / f"{version}.sig").read_text()
            verify(key, raw, signature, f"local manifest of {version[:12]}")
            doc = json.loads(raw)
            if doc.get("version") != version:
                return None
            return Manifest.from_document(doc, check_id=False)  # id signed by the server
        except (OSError, ValueError, KeyError, TypeError, SignatureError):
            return None

    def _drop_downloads(self) -> None:
        for digest in self._downloaded:
            self.objects.remove(digest)
        self._downloaded = []

    def _write_status(self, version: str | None, status: str, error: str) -> None:
        now = now_iso()
        synced_at = (
            now if status == "ok" else self._read_json(self.dest / VERSION_FILE).get("synced_at")
        )
        record = {
            "version": version,
            "channel": self.channel,
            "server": self.client.url,
            "status": status,
            "error": error,
            "synced_at": synced_at,
            "last_attempt_at": now,
        }
        _atomic_write(self.dest / VERSION_FILE, (json.dumps(record, indent=1) + "\n").encode())

    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        try:
            result: dict[str, Any] = json.loads(path.read_text())
            return result
        except (OSError, ValueError):
            return {}

    def _step(self, name: str) -> None:
        if self.progress is not None:
            self.progress(name)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.meta / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield


@dataclass(frozen=True)
class SyncedVersion:
    """What `.rtest-version.json` says about a destination or a tree."""

    version: str | None
    channel: str | None
    status: str | None
    synced_at: str | None
    error: str | None


def read_synced_version(path: Path) -> SyncedVersion | None:
    """The suite version recorded at `path` or the closest parent holding `.rtest-version.json`.

    `rtest run` calls this with the script's directory to record the version it ran.
    """
    for folder in [path, *path.parents] if path.is_dir() else path.parents:
        marker = folder / VERSION_FILE
        if marker.is_file():
            data = StationSync._read_json(marker)
            return SyncedVersion(
                data.get("version"),
                data.get("channel"),
                data.get("status", "ok"),
                data.get("synced_at"),
                data.get("error"),
            )
    return None


def sync_before_run(
    server: str, channel: str, dest: Path, token: str | None, public_key: str | None = None
) -> tuple[SyncedVersion | None, str | None]:
    """Sync `dest` for `rtest run --sync`: the version to run, and a warning if the sync failed.

    A failed sync leaves the last good version in place; the run goes on with it and
    the warning says why it may be stale. (None, warning) means nothing was ever synced.
    """
    warning = None
    try:
        with ServerClient(server, token) as client:
            station = StationSync(client, channel, dest, public_key)
            station.sync()
            station.cleanup()
    except (SyncError, ClientError) as exc:
        warning = f"sync failed: {exc}"
    return read_synced_version(dest), warning


def _file_hash(path: str) -> str:
    with open(path, "rb") as handle:
        return sha256_hex(handle.read())


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` by a new 0600 file holding `data` (renamed into place: a link at
    `path` is replaced, never written through); the temporary file is removed on failure."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        _write_new(str(tmp), data, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_new(path: str, data: bytes, mode: int) -> None:
    """Create `path` (never an existing file, never through a link) holding `data`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _one_line(exc: BaseException) -> str:
    """The error as one line; a full disk is named as such."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"disk full ({exc.filename or 'station folder'})"
    return " ".join(str(exc).split()) or type(exc).__name__


def _remove_tree(tree: Path) -> None:
    shutil.rmtree(tree, ignore_errors=True)


__all__ = ["StationSync", "SyncResult", "SyncedVersion", "read_synced_version", "sync_before_run"]
