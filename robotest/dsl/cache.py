"""The compile cache: results keyed by the file's content hash and the compiler version.

A second `rtest check` of an unchanged tree reads one small entry per file instead of
compiling it; imports of `.rtest` modules load marshalled code objects. Set
``RTEST_CACHE_DIR`` to move the cache, or ``RTEST_NO_CACHE=1`` to bypass it.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import CodeType

from robotest.dsl.compiler import compile_code
from robotest.dsl.diagnostics import Diagnostic, RtestSyntaxError
from robotest.dsl.limits import SourceTooLarge, read_source

_COMPILER_FILES = ("robot.lark", "lexer.py", "parser.py", "scanner.py", "codegen.py",
                   "compiler.py", "model.py", "durations.py", "limits.py")


@functools.lru_cache(maxsize=1)
def compiler_version() -> str:
    """A hash of the compiler's own sources: any change to it invalidates the cache."""
    digest = hashlib.sha256()
    package = resources.files("robotest.dsl")
    for name in _COMPILER_FILES:
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    configured = os.environ.get("RTEST_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "robotest" / "compile"


def enabled() -> bool:
    return os.environ.get("RTEST_NO_CACHE", "") in ("", "0")


@dataclass(frozen=True)
class Entry:
    """What the cache keeps for one source: its errors, or its marshalled code."""

    errors: tuple[tuple[int, int, str], ...]
    code: bytes | None


def _key(source: bytes) -> str:
    return hashlib.sha256(compiler_version().encode() + b"\0" + source).hexdigest()


def _path(key: str) -> Path:
    return cache_dir() / key[:2] / key[2:]


def _read(key: str) -> Entry | None:
    try:
        with open(_path(key), "rb") as handle:
            entry = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        return None
    return entry if isinstance(entry, Entry) else None


def _write(key: str, entry: Entry) -> None:
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written is only slower


def _compile(source: bytes, filename: str) -> tuple[Entry, CodeType | None]:
    text = source.decode("utf-8")
    try:
        code = compile_code(text, filename)
    except RtestSyntaxError as error:
        errors = tuple((d.line, d.col, d.message) for d in error.diagnostics)
        return Entry(errors, None), None
    return Entry((), marshal.dumps(code)), code


def _entry(source: bytes, filename: str) -> tuple[Entry, CodeType | None]:
    if not enabled():
        return _compile(source, filename)
    key = _key(source)
    entry = _read(key)
    if entry is not None:
        return entry, None
    entry, code = _compile(source, filename)
    _write(key, entry)
    return entry, code


def check_file(path: str | os.PathLike[str]) -> list[Diagnostic]:
    """Errors of one `.rtest` file, from the cache when its content was seen before."""
    filename = os.fspath(path)
    try:
        source = read_source(filename)
        source.decode("utf-8")
    except SourceTooLarge as error:
        return [Diagnostic(filename, 1, 1, str(error))]
    except OSError as error:
        return [Diagnostic(filename, 1, 1, f"cannot read file: {error.strerror}")]
    except UnicodeDecodeError as error:
        return [Diagnostic(filename, 1, 1, f"not UTF-8 text: {error.reason} at byte {error.start}")]
    entry, _ = _entry(source, filename)
    return [Diagnostic(filename, line, col, message) for line, col, message in entry.errors]


PARALLEL_FROM = 200  # files; below this, starting workers costs more than it saves


def check_files(paths: Sequence[str | os.PathLike[str]], jobs: int = 1) -> list[Diagnostic]:
    """Errors of many files, in order; large trees are split across *jobs* processes."""
    if jobs <= 1 or len(paths) < PARALLEL_FROM:
        return [d for path in paths for d in check_file(path)]
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(16, len(paths) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(check_file, paths, chunksize=chunk)
        return [d for found in results for d in found]


def load_code(path: str) -> CodeType:
    """The code object of a `.rtest` file (compiled or cached); RtestSyntaxError if it fails."""
    try:
        source = read_source(path)
    except SourceTooLarge as error:
        raise RtestSyntaxError([Diagnostic(path, 1, 1, str(error))]) from None
    entry, code = _entry(source, path)
    if entry.errors:
        diagnostics = [Diagnostic(path, line, col, msg) for line, col, msg in entry.errors]
        raise RtestSyntaxError(diagnostics, source.decode("utf-8-sig", "replace"))
    if code is None:
        assert entry.code is not None
        code = _with_filename(marshal.loads(entry.code), path)
    return code


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """The same code object reporting *filename* (one content may live in several files)."""
    if code.co_filename == filename:
        return code
    consts = tuple(_with_filename(c, filename) if isinstance(c, CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)
