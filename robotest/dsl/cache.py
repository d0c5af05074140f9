"""The compile cache: results keyed by the file's content hash and every input of the compiler.

A second `rtest check` of an unchanged tree reads one small entry per file instead of
compiling it; imports of `.rtest` modules load marshalled code objects. Set
``RTEST_CACHE_DIR`` to move the cache, or ``RTEST_NO_CACHE=1`` to bypass it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import CodeType

from robotest.dsl.compiler import compile_code, compile_source, runtime_names
from robotest.dsl.diagnostics import Diagnostic, RtestSyntaxError
from robotest.dsl.limits import SourceTooLarge, read_source
from robotest.dsl.names import undefined_names
from robotest.settings import settings


@functools.lru_cache(maxsize=1)
def compiler_version() -> str:
    """A hash of everything the compiler's output depends on; any change invalidates the cache.

    That is: every source of the `robotest.dsl` package (grammar included), the key names
    (`robotest/keys.py`), the table of statements (`robotest/language.py`), the runtime's
    public names (`robotest.runtime.api.__all__`, which decide what a bare name may be),
    and the Python that marshals the code objects.
    """
    return inputs_digest(compiler_inputs())


def inputs_digest(inputs: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(importlib.util.MAGIC_NUMBER)
    for name, content in inputs:
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:16]


def compiler_inputs() -> list[tuple[str, bytes]]:
    """Each input of the compiler as (name, content)."""
    from robotest.runtime import api

    package = resources.files("robotest.dsl")
    sources = sorted(
        (entry.name, entry.read_bytes())
        for entry in package.iterdir()
        if entry.name.endswith((".py", ".lark"))
    )
    package_root = resources.files("robotest")
    keys = package_root.joinpath("keys.py").read_bytes()
    table = package_root.joinpath("language.py").read_bytes()
    names = "\n".join(sorted(api.__all__)).encode()
    return [*sources, ("keys.py", keys), ("language.py", table), ("runtime.api.__all__", names)]


def cache_dir() -> Path:
    configured = settings().cache_dir
    if configured is not None:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "robotest" / "compile"


def enabled() -> bool:
    return not settings().no_cache


@dataclass(frozen=True)
class Entry:
    """What the cache keeps for one source: its errors, or its marshalled code.

    ``names_checked`` says whether *errors* include the undefined-name pass, which only
    `rtest check` runs (an entry written by an import is completed by the next check).
    """

    errors: tuple[tuple[int, int, str], ...]
    code: bytes | None
    names_checked: bool = False


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


def _compile(source: bytes, filename: str, check_names: bool) -> tuple[Entry, CodeType | None]:
    text = source.decode("utf-8")
    try:
        if not check_names:
            code = compile_code(text, filename)
            return Entry((), marshal.dumps(code)), code
        module = compile_source(text, filename)
    except RtestSyntaxError as error:
        errors = tuple((d.line, d.col, d.message) for d in error.diagnostics)
        return Entry(errors, None, names_checked=True), None
    undefined = tuple(
        (d.line, d.col, d.message) for d in undefined_names(module.tree, filename, runtime_names())
    )
    return Entry(undefined, marshal.dumps(module.code), names_checked=True), module.code


def _entry(
    source: bytes, filename: str, check_names: bool = False
) -> tuple[Entry, CodeType | None]:
    if not enabled():
        return _compile(source, filename, check_names)
    key = _key(source)
    entry = _read(key)
    if entry is not None and (entry.names_checked or not check_names):
        return entry, None
    entry, code = _compile(source, filename, check_names)
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
    entry, _ = _entry(source, filename, check_names=True)
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
    if entry.code is None:
        diagnostics = [Diagnostic(path, line, col, msg) for line, col, msg in entry.errors]
        raise RtestSyntaxError(diagnostics, source.decode("utf-8-sig", "replace"))
    if code is None:
        code = _with_filename(marshal.loads(entry.code), path)
    return code


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """The same code object reporting *filename* (one content may live in several files)."""
    if code.co_filename == filename:
        return code
    consts = tuple(
        _with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)
