"""Where the results database is: the same file from any folder.

``--db`` if given, else ``$RTEST_RESULTS_DB``, else ``results/results.db`` in the
suite's root. The suite's root is found by walking up from the suite (the paths given
to ``rtest run``; for the commands that take no suite, the current folder) to the
nearest folder that holds one of :data:`ROOT_MARKERS`: an ``.rtest`` marker (a file a
team may create at its suite's root; a station's synced copy has the folder), the root
of a git working copy, or a results database already made there. A suite with none of
them is its own root (the folder given). So ``rtest run bios.rtest`` from inside the
suite, ``rtest run scripts/`` from above it and ``rtest results`` from anywhere inside
it all find one database, and no ``results/`` folder appears where the command happened
to be typed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from robotest.runtime.store import ResultsDatabaseError
from robotest.settings import settings, variable

RESULTS_FOLDER = "results"
DATABASE_NAME = "results.db"
ROOT_MARKERS = (".rtest", ".git", f"{RESULTS_FOLDER}/{DATABASE_NAME}")
MAX_DEPTH = 64  # folders walked up at most (a bound on a pathological path)


def database_in(root: Path) -> Path:
    """The results database kept in the suite root `root`."""
    return root / RESULTS_FOLDER / DATABASE_NAME


def suite_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` (a file: its folder) holding a root
    marker; None when there is none. Symbolic links are kept as written (a synced
    copy's ``current`` link stays inside the station's folder)."""
    folder = Path(os.path.abspath(start))
    if not folder.is_dir():
        folder = folder.parent
    for candidate in [folder, *folder.parents][:MAX_DEPTH]:
        if any((candidate / marker).exists() for marker in ROOT_MARKERS):
            return candidate
    return None


def _top_folder(paths: Sequence[Path]) -> Path:
    """The folder holding every path given (a file's folder for a file)."""
    folders = [
        Path(os.path.abspath(p)) if Path(p).is_dir() else Path(os.path.abspath(p)).parent
        for p in paths
    ]
    return Path(os.path.commonpath(folders))


def root_of_suite(paths: Sequence[Path]) -> Path:
    """The root of the suite made of `paths` (see the module's docstring)."""
    top = _top_folder(paths)
    return suite_root(top) or top


def find_results_db(given: Path | None = None, paths: Sequence[Path] = ()) -> Path:
    """The results database: `given`, else ``$RTEST_RESULTS_DB``, else the one in the
    root of the suite `paths` (none given: the suite the current folder is in).

    ResultsDatabaseError (one line) when no suite is named and none is found.
    """
    if given is not None:
        return given
    configured = settings().results_db
    if configured is not None:
        return configured
    if paths:
        return database_in(root_of_suite(paths))
    root = suite_root(Path.cwd())
    if root is None:
        raise ResultsDatabaseError(
            f"no results database found: {Path.cwd()} is not inside a suite (no "
            f"{', '.join(ROOT_MARKERS)} here or above); give --db FILE or set "
            f"{variable('results_db')}"
        )
    return database_in(root)
