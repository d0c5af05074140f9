"""Compile errors as QA engineers see them: ``file:line:col: error: message``."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from robotest.errors import ScriptError


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One error at a 1-based line and column of a `.rtest` file."""

    file: str
    line: int
    col: int
    message: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def format(self, source: str | None = None) -> str:
        """The gcc-style line, then the source line and a caret under the column."""
        head = f"{self.file}:{self.line}:{self.col}: error: {self.message}"
        if source is None:
            return head
        lines = source.splitlines()
        if not 1 <= self.line <= len(lines):
            return head
        text = lines[self.line - 1].rstrip()
        caret = "".join(c if c == "\t" else " " for c in text[: self.col - 1]) + "^"
        return f"{head}\n    {text}\n    {caret}"


class RtestSyntaxError(ScriptError):
    """A `.rtest` file does not compile; carries every error found in it."""

    def __init__(self, diagnostics: list[Diagnostic], source: str | None = None):
        self.diagnostics = sorted(diagnostics)
        self.source = source
        super().__init__("\n".join(d.format(source) for d in self.diagnostics))

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]
