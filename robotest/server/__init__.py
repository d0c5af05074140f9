"""The script server: publish suites, sync stations, collect results.

Server side: `create_app` / `serve` (FastAPI under uvicorn) over a data directory.
Client side: `ServerClient` (robotest.server.client). The station's working copy,
`StationSync` and `read_synced_version` (for `rtest run`), is robotest.station_sync: a
station needs the protocol (manifests, signatures, names), never the server itself.
"""

from robotest.server.errors import (
    ArchiveError,
    ClientError,
    CompileRefused,
    ServerError,
    SignatureError,
    SyncError,
)
from robotest.server.manifest import Diff, FileEntry, Manifest, diff

__all__ = [
    "ArchiveError",
    "ClientError",
    "CompileRefused",
    "Diff",
    "FileEntry",
    "Manifest",
    "ServerError",
    "SignatureError",
    "SyncError",
    "diff",
]
