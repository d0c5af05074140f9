"""`rtest shell`: the `.rtest` language at a prompt, on any station.

Each entry (a line, or a block that ends with a blank line) compiles as `.rtest` source
in interactive mode, where robot statements may stand at the top level, and runs at
once against the station; names persist from one entry to the next. The value of a
statement that is an expression is shown, as Python's prompt shows it (a match as its
box and score, a read as its text). Errors print as `rtest check` and `rtest run`
print them; the entry is dropped and the session goes on.

Fed from a pipe or a file, the shell stops at the first entry that fails (the laptop is
then in a state the next statements were not written for), unless told to keep going.
"""

from __future__ import annotations

import ast
import itertools
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from robotest.dsl import RtestSyntaxError, compile_source, install_import_hook
from robotest.dsl.lexer import CLAUSE_WORDS, HEAD_WORDS
from robotest.keys import NAMED_KEYS
from robotest.results.statuses import PASSED
from robotest.runtime.backend import Match, Runtime, use_runtime
from robotest.runtime.results import describe, status_of


@dataclass
class EntryResult:
    """What one entry did: its status (``passed``, ``failed``, ``error``...) and message."""

    status: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == PASSED


@dataclass
class Shell:
    """Runs entries against *runtime*; *write* receives every line the user should see."""

    runtime: Runtime
    write: Callable[[str], None] = print
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__rtest_shell__"})
    entries: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    busy: threading.Lock = field(default_factory=threading.Lock)  # held while an entry runs

    def __post_init__(self) -> None:
        install_import_hook()

    def run(self, source: str) -> EntryResult:
        """Compile and run one entry; show its value or its error."""
        filename = f"<entry {next(self.entries)}>"
        try:
            module = compile_source(source, filename, interactive=True)
        except RtestSyntaxError as error:
            self.write(str(error))
            return EntryResult("error", str(error))
        code = compile(ast.Interactive(body=module.tree.body), filename, "single")
        previous = sys.displayhook
        sys.displayhook = self._display
        try:
            with self.busy, use_runtime(self.runtime):
                exec(code, self.namespace)
        except (Exception, KeyboardInterrupt) as error:
            outcome = status_of(error)
            message = describe(error)
            self.write(f"{outcome}: {message}")
            return EntryResult(outcome, message)
        finally:
            sys.displayhook = previous
        return EntryResult(PASSED)

    def _display(self, value: object) -> None:
        if value is not None:
            self.namespace["_"] = value
            self.write(show(value))


def show(value: object) -> str:
    """How the shell shows a statement's value."""
    if isinstance(value, Match):
        x, y, w, h = value.box
        what = f"{value.text!r} " if value.text is not None else ""
        version = f", version {value.version}" if value.version else ""
        return f"found {what}at x={x} y={y} w={w} h={h}, score {value.score:.2f}{version}"
    if isinstance(value, str):
        return value
    return repr(value)


def entries(lines: Iterable[str]) -> Iterator[str]:
    """Group input lines into entries: a line, or a block opened by a line ending in ':'
    (or continued with a backslash or an open bracket) up to the next blank line."""
    block: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if block:
            if line.strip():
                block.append(line)
                continue
            yield "\n".join(block) + "\n"
            block = []
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if opens_block(line):
            block = [line]
        else:
            yield line + "\n"
    if block:
        yield "\n".join(block) + "\n"


def opens_block(line: str) -> bool:
    """Whether *line* needs more lines: it ends in ':' or '\\', or leaves a bracket open."""
    code = line.rstrip()
    if "#" in code and "'" not in code and '"' not in code:
        code = code.split("#", 1)[0].rstrip()  # a comment (no string could hold the '#')
    depth = sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
    return code.endswith((":", "\\")) or depth > 0


def completion_words(extra: Iterable[str] = ()) -> list[str]:
    """Words the prompt completes: statements, clauses, key names, and *extra* (icons)."""
    return sorted(set(HEAD_WORDS) | set(CLAUSE_WORDS) | set(NAMED_KEYS) | set(extra))


def completer(words: list[str], namespace: dict[str, Any]) -> Callable[[str, int], str | None]:
    """A readline completer over *words* and the session's own names."""
    matches: list[str] = []

    def complete(text: str, state: int) -> str | None:
        nonlocal matches
        if state == 0:
            names = [n for n in namespace if not n.startswith("_")]
            matches = sorted({w for w in [*words, *names] if w.startswith(text)})
        return matches[state] if state < len(matches) else None

    return complete


def live_screen(shell: Shell) -> Callable[[], Any]:
    """The screen for the live view: a fresh look while the shell is idle, else the
    screen the running entry saw last (the station is not looked at from two threads)."""

    def screen() -> Any:
        if shell.busy.acquire(blocking=False):
            try:
                return shell.runtime.capture_screen()
            finally:
                shell.busy.release()
        return shell.runtime.last_screen()

    return screen
