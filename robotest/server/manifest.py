"""A suite version's manifest: every file's path, SHA-256 and size, in canonical form.

The version id is the SHA-256 of the canonical file list, so the same content always
gives the same id and a version can never change once published.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, NamedTuple

FORMAT = 1


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys and no spaces: the bytes that are hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class FileEntry(NamedTuple):
    """One file of a suite version (a tuple: tens of thousands are built per sync)."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """The files of one suite version, sorted by path."""

    files: tuple[FileEntry, ...]

    @staticmethod
    def from_entries(entries: list[FileEntry]) -> Manifest:
        return Manifest(tuple(sorted(entries)))

    @property
    def version(self) -> str:
        """Content address of the version: SHA-256 of the canonical file list."""
        return sha256_hex(canonical_json(self._file_list()))

    def _file_list(self) -> list[list[Any]]:
        return [list(e) for e in self.files]

    def document(self) -> dict[str, Any]:
        """The document the server signs and stations verify."""
        return {"format": FORMAT, "version": self.version, "files": self._file_list()}

    def to_bytes(self) -> bytes:
        return canonical_json(self.document())

    @staticmethod
    def from_document(doc: dict[str, Any], check_id: bool = True) -> Manifest:
        """Parse a manifest document; ValueError when its id does not match its files.

        `check_id=False` skips recomputing the id, for manifests this station already
        verified when it downloaded them.
        """
        if doc.get("format") != FORMAT:
            raise ValueError(f"unknown manifest format {doc.get('format')!r}")
        manifest = Manifest.from_entries([FileEntry(p, h, s) for p, h, s in doc["files"]])
        if check_id and manifest.version != doc.get("version"):
            raise ValueError("manifest version id does not match its files")
        return manifest

    def by_path(self) -> dict[str, FileEntry]:
        return {e.path: e for e in self.files}

    @property
    def total_size(self) -> int:
        return sum(e.size for e in self.files)


@dataclass(frozen=True)
class Diff:
    """What changed from one version to another."""

    added: list[str]
    removed: list[str]
    changed: list[str]

    def as_dict(self) -> dict[str, list[str]]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


def diff(old: Manifest, new: Manifest) -> Diff:
    """Paths added, removed and changed between `old` and `new`."""
    a, b = old.by_path(), new.by_path()
    return Diff(
        added=sorted(set(b) - set(a)),
        removed=sorted(set(a) - set(b)),
        changed=sorted(p for p in set(a) & set(b) if a[p].sha256 != b[p].sha256),
    )
