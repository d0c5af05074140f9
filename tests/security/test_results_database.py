"""`--db` naming a folder or a file that is not SQLite is a one-line error naming it.

Both were tracebacks from sqlite3 once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from robotest.runtime.store import ResultsDatabaseError, ResultStore

ROOT = Path(__file__).resolve().parents[2]


def _bad_databases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    return {
        "folder": (folder, f"results database {folder} is a folder, not a file"),
        "text": (
            text,
            f"{text} is not a robotest results database (SQLite: file is not a database)",
        ),
    }


@pytest.mark.parametrize("kind", ["folder", "text"])
@pytest.mark.parametrize("command", ["run", "results", "report"])
def test_cli_names_the_bad_database(tmp_path: Path, kind: str, command: str) -> None:
    path, message = _bad_databases(tmp_path)[kind]
    before = path.read_bytes() if path.is_file() else None
    suite = tmp_path / "a.rtest"
    suite.write_text("test 'a':\n    pass\n")
    args = {
        "run": ["run", str(suite), "--station", "record"],
        "results": ["results"],
        "report": ["report", "1"],
    }[command]
    result = subprocess.run(
        [sys.executable, "-m", "robotest", *args, "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {message}"
    assert "Traceback" not in result.stdout
    if before is not None:
        assert path.read_bytes() == before  # nothing written into someone else's file


def test_the_store_raises_one_error_type(tmp_path: Path) -> None:
    for path, message in _bad_databases(tmp_path).values():
        with pytest.raises(ResultsDatabaseError) as caught:
            ResultStore(path)
        assert str(caught.value) == message
