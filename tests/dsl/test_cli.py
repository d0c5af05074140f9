"""`rtest check` and `rtest compile` as a user runs them, and the compile cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from robotest.cli import app
from robotest.dsl import cache

GOOD = 'test "ok":\n    press F2\n    await_text "BIOS Setup" within 60s\n'
BAD = 'test "bad":\n    press F2 within 5s\n    wait 5\n'


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "good.rtest").write_text(GOOD)
    (tmp_path / "sub" / "bad.rtest").write_text(BAD)
    (tmp_path / "notes.txt").write_text("not a script")
    return tmp_path


def test_check_reports_every_error_with_location_and_caret(suite: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(suite)])
    assert result.exit_code == 1
    bad = suite / "sub" / "bad.rtest"
    assert f"{bad}:2:14: error: 'within' does not belong to press" in result.output
    assert "        press F2 within 5s\n                 ^" in result.output
    assert f"{bad}:3:10: error: '5' is not a duration" in result.output
    assert "2 error(s) in 1 of 2 file(s)" in result.output


def test_check_json_lists_file_line_col_message(suite: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--json", str(suite)])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)
    assert [(e["line"], e["col"]) for e in errors] == [(2, 14), (3, 10)]
    assert set(errors[0]) == {"file", "line", "col", "message"}


def test_check_clean_tree_exits_0(tmp_path: Path) -> None:
    (tmp_path / "good.rtest").write_text(GOOD)
    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert "1 file(s) compile cleanly" in result.output


def test_check_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: no such file or folder: {tmp_path / 'nope'}"


def test_check_reports_unreadable_bytes_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "latin.rtest").write_bytes(b'test "caf\xe9":\n    pass\n')
    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.output
    assert "Traceback" not in result.output


def test_compile_prints_generated_python(suite: Path) -> None:
    result = CliRunner().invoke(app, ["compile", str(suite / "good.rtest")])
    assert result.exit_code == 0
    assert "@__rtest__.test('ok')" in result.stdout
    assert "__rtest__.await_text('BIOS Setup', within=60.0)" in result.stdout
    compile(result.stdout, "generated.py", "exec")  # the printed source is valid Python


def test_compile_of_a_bad_file_prints_errors(suite: Path) -> None:
    result = CliRunner().invoke(app, ["compile", str(suite / "sub" / "bad.rtest")])
    assert result.exit_code == 1
    assert ":2:14: error:" in result.output


def test_warm_check_uses_the_cache_and_not_the_compiler(
    suite: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RTEST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    first = CliRunner().invoke(app, ["check", "--json", str(suite)])

    def no_compiling(*args: object) -> None:
        raise AssertionError("compiled although the cache has this content")

    monkeypatch.setattr(cache, "compile_code", no_compiling)
    monkeypatch.setattr(cache, "compile_source", no_compiling)
    second = CliRunner().invoke(app, ["check", "--json", str(suite)])
    assert second.exit_code == first.exit_code == 1
    assert json.loads(second.stdout) == json.loads(first.stdout)
    (suite / "good.rtest").write_text(GOOD + "# changed\n")
    with pytest.raises(AssertionError, match="compiled although"):
        CliRunner().invoke(app, ["check", str(suite)], catch_exceptions=False)


def test_cached_code_reports_the_importing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RTEST_CACHE_DIR", str(tmp_path / "cache"))
    source = "subscript f():\n    press F2\n"
    (tmp_path / "a.rtest").write_text(source)
    (tmp_path / "b.rtest").write_text(source)
    cache.load_code(str(tmp_path / "a.rtest"))
    code = cache.load_code(str(tmp_path / "b.rtest"))  # same content: from the cache
    nested = [c for c in code.co_consts if hasattr(c, "co_filename")]
    assert code.co_filename == str(tmp_path / "b.rtest")
    assert nested and all(c.co_filename == str(tmp_path / "b.rtest") for c in nested)


def test_rtest_console_command_runs(tmp_path: Path) -> None:
    (tmp_path / "good.rtest").write_text(GOOD)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(
        [sys.executable, "-m", "robotest", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_parallel_check_reports_the_same_errors_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RTEST_NO_CACHE", "1")
    paths = []
    for n in range(cache.PARALLEL_FROM + 10):
        path = tmp_path / f"f{n:04d}.rtest"
        path.write_text(BAD if n % 50 == 7 else GOOD)
        paths.append(path)
    serial = cache.check_files(paths, jobs=1)
    parallel = cache.check_files(paths, jobs=2)
    assert parallel == serial
    assert [d.file for d in serial][::2] == [
        str(p)
        for p in paths
        if p.name.endswith(("0007.rtest", "0057.rtest", "0107.rtest", "0157.rtest", "0207.rtest"))
    ]


def test_the_cache_key_covers_every_input_of_the_compiler() -> None:
    inputs = cache.compiler_inputs()
    names = {name for name, _ in inputs}
    dsl = Path(cache.__file__).parent
    assert {p.name for p in dsl.iterdir() if p.suffix in (".py", ".lark")} <= names
    assert {"keys.py", "language.py", "runtime.api.__all__"} <= names
    base = cache.inputs_digest(inputs)
    for i, (name, content) in enumerate(inputs):
        changed = [*inputs[:i], (name, content + b" "), *inputs[i + 1 :]]
        assert cache.inputs_digest(changed) != base, name


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"rtest {version('robotest')}\n"
