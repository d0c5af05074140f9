"""Bearer tokens with roles: who may publish, who may sync, who may only read."""

from __future__ import annotations

import hashlib
import secrets

ROLES = ("publisher", "station", "reader")
READ = frozenset(ROLES)
PUBLISH = frozenset({"publisher"})
STATION = frozenset({"station"})


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)
