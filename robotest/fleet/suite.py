"""A worker's working copy at the exact suite version a run was submitted with.

The same signed sync as `rtest sync` (robotest.station_sync): the manifest of the version
is checked against the pinned server key, every file against its hash, and `current`
switched atomically. Only the target differs: the run's version rather than the
channel's latest, so that every station of a run runs the same suite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robotest.server.client import ServerClient
from robotest.station_sync import StationSync, SyncResult


class VersionSync(StationSync):
    """`StationSync` that installs one given version."""

    def __init__(
        self,
        client: ServerClient,
        channel: str,
        dest: Path,
        version: str,
        public_key: str | None = None,
    ):
        super().__init__(client, channel, dest, public_key)
        self.version = version

    def _sync(self, state: dict[str, Any], previous: str | None, verify_files: bool) -> SyncResult:
        key = self._pinned_key(state)
        manifest = self._local_manifest(key, self.version) if self.version == previous else None
        if manifest is not None and not self._damaged(manifest, verify_files):
            return SyncResult(self.version, previous, changed=False)
        result = self._install(key, self.version, previous, manifest)
        if previous != self.version:
            state["previous"] = previous
            self._save_seq(state, int(state.get("seq", {}).get(self.channel, 0)))
        return result


def sync_version(
    client: ServerClient, channel: str, dest: Path, version: str, public_key: str | None
) -> Path:
    """The tree of `version` under `dest` (SyncError when it cannot be had)."""
    station = VersionSync(client, channel, dest, version, public_key)
    station.sync()
    return dest / "current"
