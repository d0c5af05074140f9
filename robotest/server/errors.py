"""Errors of the script server and of station sync, each with a one-line message."""

from __future__ import annotations

from robotest.errors import RobotestError


class ServerError(RobotestError):
    """Base of the script server's errors."""


class ArchiveError(ServerError):
    """A published archive is refused (path escapes the suite, too large, unknown type...)."""


class CompileRefused(ServerError):
    """A published suite does not compile; carries every diagnostic."""

    def __init__(self, diagnostics: list[dict[str, object]]):
        self.diagnostics = diagnostics
        first = diagnostics[0] if diagnostics else {}
        super().__init__(
            f"{len(diagnostics)} compile error(s), first: "
            f"{first.get('file')}:{first.get('line')}: {first.get('message')}"
        )


class SignatureError(ServerError):
    """A version or channel statement is unsigned or its signature does not verify."""


class SyncError(ServerError):
    """A station could not sync; its last good version stays in place."""


class ClientError(ServerError):
    """The server refused a request (bad token, bad archive...) or could not be reached."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code
        """The HTTP status of a refusal; None when the server was not reached."""
