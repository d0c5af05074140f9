"""Publishing a suite: check the archive, compile it, store it, move the channel."""

from __future__ import annotations

import json
from dataclasses import dataclass

from robotest.server.archive import read_archive
from robotest.server.clock import now_iso
from robotest.server.compile_check import check_suite
from robotest.server.errors import ArchiveError
from robotest.server.manifest import FileEntry, Manifest, diff
from robotest.server.names import check_suite_paths
from robotest.server.service import Service
from robotest.server.storage import ChannelRecord, VersionRecord


@dataclass(frozen=True)
class Published:
    """The outcome of a publish."""

    manifest: Manifest
    channel: ChannelRecord
    changes: dict[str, list[str]]


def publish_archive(service: Service, data: bytes, channel: str, publisher: str) -> Published:
    """Store the archive as a version and move `channel` to it.

    Nothing becomes visible before the database transaction commits: blobs are written
    first (content-addressed, harmless if orphaned), then the version row and the channel
    move are committed together.
    """
    files = read_archive(data, service.config.limits)
    try:
        check_suite_paths(files)  # what every station must be able to install
    except ValueError as exc:
        raise ArchiveError(str(exc)) from exc
    check_suite(files)
    entries = []
    for path, content in files.items():
        digest = service.objects.put(content)
        entries.append(FileEntry(path, digest, len(content)))
    manifest = Manifest.from_entries(entries)
    previous = service.storage.get_channel(channel)
    raw = manifest.to_bytes()
    record = VersionRecord(
        id=manifest.version,
        created_at=now_iso(),
        publisher=publisher,
        file_count=len(manifest.files),
        total_size=manifest.total_size,
        manifest=raw,
        signature=service.signer.sign(raw),
    )
    moved = service.storage.publish(record, channel, publisher, service.sign_channel)
    service.manifest(manifest.version)  # warm the cache before stations ask for it
    changes = {"added": [e.path for e in manifest.files], "removed": [], "changed": []}
    if previous is not None:
        old = service.manifest(previous.version_id)
        if old is not None:
            changes = diff(Manifest.from_document(json.loads(old.raw)), manifest).as_dict()
    return Published(manifest, moved, changes)
