"""Who may do what on a line's edge service: tokens with roles, stored hashed.

* ``line``: the line's equipment, which posts units (HTTP or TCP);
* ``reviewer``: the console and the review queue;
* ``engineer``: all a reviewer may, plus updates and promotion.

A token belongs to one line (``*``: every line of the registry) and is shown once when
it is made (``rtest inspect token NAME --role ROLE --line L1``); only its SHA-256 is
stored, as the script server does (``robotest.server.auth``). Revoking a name ends its
tokens at the next request.
"""

from __future__ import annotations

from dataclasses import dataclass

from robotest.inspection.errors import InspectionError
from robotest.inspection.registry import Registry, now
from robotest.server.auth import hash_token, new_token

ROLES = ("line", "reviewer", "engineer")
POST_UNITS = frozenset({"line"})
READ = frozenset({"line", "reviewer", "engineer"})
REVIEW = frozenset({"reviewer", "engineer"})
ENGINEER = frozenset({"engineer"})
ALL_LINES = "*"

SCHEMA = """
CREATE TABLE IF NOT EXISTS edge_tokens (
    hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, line TEXT NOT NULL,
    created_at TEXT NOT NULL, revoked_at TEXT);
"""


@dataclass(frozen=True)
class Holder:
    """Who a valid token belongs to."""

    name: str
    role: str
    line: str


class Tokens:
    """The ``edge_tokens`` table of a registry."""

    def __init__(self, registry: Registry):
        self.registry = registry
        registry.conn.executescript(SCHEMA)

    def create(self, name: str, role: str, line: str) -> str:
        """A new token for *name*; returned once, stored hashed."""
        if role not in ROLES:
            raise InspectionError(f"unknown role {role!r} (choose from {', '.join(ROLES)})")
        if not name.strip():
            raise InspectionError("a token needs a name (who or what holds it)")
        if line != ALL_LINES:
            self.registry.line(line)
        token = new_token()
        self.registry.conn.execute(
            "INSERT INTO edge_tokens VALUES (?,?,?,?,?,NULL)",
            (hash_token(token), name, role, line, now()),
        )
        return token

    def revoke(self, name: str) -> int:
        """End every token of *name*; return how many were live."""
        cur = self.registry.conn.execute(
            "UPDATE edge_tokens SET revoked_at=? WHERE name=? AND revoked_at IS NULL", (now(), name)
        )
        if cur.rowcount == 0:
            raise InspectionError(f"no live token named {name!r}")
        return int(cur.rowcount)

    def holder(self, token: str | None, line: str) -> Holder | None:
        """The holder of *token* if it is live and valid on *line*."""
        if not token:
            return None
        row = self.registry.conn.execute(
            "SELECT name, role, line FROM edge_tokens WHERE hash=? AND revoked_at IS NULL",
            (hash_token(token),),
        ).fetchone()
        if row is None or row["line"] not in (line, ALL_LINES):
            return None
        return Holder(row["name"], row["role"], row["line"])

    def listing(self) -> list[dict[str, str | None]]:
        rows = self.registry.conn.execute(
            "SELECT name, role, line, created_at, revoked_at FROM edge_tokens ORDER BY created_at"
        )
        return [dict(r) for r in rows]
