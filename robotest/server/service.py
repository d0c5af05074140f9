"""The service's state: data directory, storage, object store, signing key and limits."""

from __future__ import annotations

import gzip
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from robotest.server.archive import RESULT_TYPES, Limits
from robotest.server.auth import ROLES, hash_token, new_token
from robotest.server.errors import ServerError
from robotest.server.objects import ObjectStore
from robotest.server.schemas import NAME_PATTERN
from robotest.server.signing import Signer, channel_statement, load_or_create_signer
from robotest.server.storage import SqlStorage, Storage, TokenRecord, database_url

RESULT_LIMITS = Limits(
    types=RESULT_TYPES,
    max_file_size=64 * 1024 * 1024,
    max_total_size=256 * 1024 * 1024,
    max_files=10_000,
)
"""Default limits of a results upload (`rtest server --max-result-file-size/--max-results-size`)."""


@dataclass
class ServerConfig:
    """How `rtest server` was started."""

    data_dir: Path
    database: str | None = None
    limits: Limits = field(default_factory=Limits)
    result_limits: Limits = RESULT_LIMITS

    @property
    def max_body(self) -> int:
        return self.limits.max_total_size + 64 * 1024 * 1024

    @property
    def max_results_body(self) -> int:
        """A results upload is compressed: it is never larger than what it expands to."""
        return self.result_limits.max_total_size + 1024 * 1024


@dataclass(frozen=True)
class CachedManifest:
    raw: bytes
    gzipped: bytes
    signature: str


class Service:
    """Everything the HTTP layer needs, opened once per server process."""

    def __init__(self, config: ServerConfig):
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.storage: Storage = SqlStorage(database_url(config.data_dir, config.database))
        self.objects = ObjectStore(config.data_dir / "objects")
        self.results = ObjectStore(config.data_dir / "results")
        self.signer: Signer = load_or_create_signer(config.data_dir)
        self._manifests: OrderedDict[str, CachedManifest] = OrderedDict()
        self._lock = threading.Lock()

    def sign_channel(self, channel: str, version: str, seq: int) -> str:
        return self.signer.sign(channel_statement(channel, version, seq))

    def token(self, token: str) -> TokenRecord | None:
        """The token's record, looked up on every request (never cached: a revoked token
        is refused at once)."""
        return self.storage.find_token(hash_token(token))

    def manifest(self, version_id: str) -> CachedManifest | None:
        """A version's signed manifest, kept in memory once read (versions never change)."""
        with self._lock:
            cached = self._manifests.get(version_id)
            if cached is not None:
                self._manifests.move_to_end(version_id)
                return cached
        record = self.storage.get_version(version_id)
        if record is None:
            return None
        cached = CachedManifest(
            record.manifest, gzip.compress(record.manifest, 1), record.signature
        )
        with self._lock:
            self._manifests[version_id] = cached
            while len(self._manifests) > 16:
                self._manifests.popitem(last=False)
        return cached


def create_token(config: ServerConfig, name: str, role: str) -> str:
    """Add a token with `role` for `name`; returns the token (shown once, stored hashed)."""
    if role not in ROLES:
        raise ServerError(f"unknown role {role!r} (choose from {', '.join(ROLES)})")
    if not re.match(NAME_PATTERN, name):
        raise ServerError(
            f"bad token name {name[:100]!r}: 1 to 100 letters, digits and "
            "'. _ @ -', starting with a letter or digit"
        )
    config.data_dir.mkdir(parents=True, exist_ok=True)
    storage = SqlStorage(database_url(config.data_dir, config.database))
    try:
        token = new_token()
        storage.add_token(hash_token(token), name, role)
        return token
    finally:
        storage.close()


def revoke_tokens(config: ServerConfig, name: str) -> int:
    """Delete every token of `name`; a running server refuses them from its next request."""
    storage = SqlStorage(database_url(config.data_dir, config.database))
    try:
        return storage.revoke_tokens(name)
    finally:
        storage.close()


def list_tokens(config: ServerConfig) -> list[tuple[str, str, str]]:
    """(name, role, created_at) of every token; the tokens themselves are not kept."""
    storage = SqlStorage(database_url(config.data_dir, config.database))
    try:
        return storage.list_tokens()
    finally:
        storage.close()
