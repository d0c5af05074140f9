"""The script server: publish suites, sync stations, collect results.

Server side: `create_app` / `serve` (FastAPI under uvicorn) over a data directory.
Station side: `ServerClient`, `StationSync` and `read_synced_version` (for `rtest run`).
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
    "ArchiveError", "ClientError", "CompileRefused", "Diff", "FileEntry", "Manifest",
    "ServerError", "SignatureError", "SyncError", "diff",
]
