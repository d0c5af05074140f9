"""`rtest shell`: statements from a pipe on the simulated laptop and the record station."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from robotest.runtime.session import make_runtime
from robotest.runtime.shell import Shell, entries, show

REPO = Path(__file__).resolve().parents[2]
ENTER_SETUP = [
    "press Power",
    'await_text "Press F2" within 2min',
    "press F2 times 5 every 300ms",
    'await_text "BIOS Setup Utility" within 60s',
]


def _shell(lines: list[str], *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robotest", "shell", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


def test_a_piped_session_on_the_sim_reads_the_ec_version() -> None:
    done = _shell(
        [
            *ENTER_SETUP,
            'version = read_text right_of "EC Version"',
            "print(version)",
            'read_text right_of "EC Version"',
        ],
        "--station",
        "sim",
        "--image",
        "scripts/image.toml",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2:] == ["2.14", "2.14"]  # print(), then the statement's own value
    assert lines[0].startswith("found 'Press F2' at x=")


def test_a_failing_statement_stops_the_pipe_and_exits_1() -> None:
    done = _shell(
        [*ENTER_SETUP[:2], 'await_text "No such text" within 2s', 'print("after")'],
        "--station",
        "sim",
        "--image",
        "scripts/image.toml",
    )
    assert done.returncode == 1
    assert "failed: TextNotFound" in done.stdout
    assert "after" not in done.stdout


def test_keep_going_runs_the_rest_and_still_exits_1() -> None:
    done = _shell(
        ["x = 1", 'assert x == 2, "x is not 2"', 'print("after")'],
        "--station",
        "record",
        "--keep-going",
    )
    assert done.returncode == 1
    assert "failed: AssertionError: x is not 2\n" in done.stdout
    assert done.stdout.rstrip().endswith("after")


def test_a_syntax_error_is_located_and_exits_2() -> None:
    done = _shell(["press F2 within 5s"], "--station", "record")
    assert done.returncode == 2
    assert "error: 'within' does not belong to press" in done.stdout
    assert "^" in done.stdout


def test_a_missing_image_file_is_a_one_line_error(tmp_path: Path) -> None:
    done = _shell(["press F2"], "--station", "record", "--image", str(tmp_path / "none.toml"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "none.toml" in done.stderr


def test_blocks_subscripts_and_names_persist_between_entries() -> None:
    out: list[str] = []
    shell = Shell(
        make_runtime("record", {"config": {"product": {"os": {"user": "qa"}}}}), write=out.append
    )
    source = (
        "subscript open_setup(key=F2):\n    press (key) times 2\n\n"
        "open_setup()\n"
        "for n in range(2):\n    press Enter\n\n"
        "config.product.os.user\n"
        'await_text "Main" within 5s\n'
    )
    results = [shell.run(entry) for entry in entries(source.splitlines(keepends=True))]
    assert all(r.ok for r in results), out
    assert out == ["qa", "found 'Main' at x=0 y=0 w=10 h=10, score 1.00"]
    calls = [c.name for c in shell.runtime.calls]  # type: ignore[attr-defined]
    assert calls == ["press", "press", "press", "await_text"]


@pytest.mark.parametrize(
    ("lines", "grouped"),
    [
        (["press F2", "", "# a comment", "wait 1s"], ["press F2\n", "wait 1s\n"]),
        (
            ["for i in range(2):", "    press F2", "", "wait 1s"],
            ["for i in range(2):\n    press F2\n", "wait 1s\n"],
        ),
        (["x = [1,", "  2]", ""], ["x = [1,\n  2]\n"]),
        (["if True:", "    wait 1s"], ["if True:\n    wait 1s\n"]),
    ],
)
def test_entries_group_blocks_until_a_blank_line(lines: list[str], grouped: list[str]) -> None:
    assert list(entries(f"{line}\n" for line in lines)) == grouped


def test_values_show_as_a_user_reads_them() -> None:
    from robotest.runtime.backend import Match

    assert show(Match((1, 2, 3, 4), score=0.875, version="2")) == (
        "found at x=1 y=2 w=3 h=4, score 0.88, version 2"
    )
    assert show("2.14") == "2.14"
    assert show([1, 2]) == "[1, 2]"
