"""The compiler's bounds: linear time and memory, nesting depth, file size, chords, BOM.

Each of these once failed: 10,000 chord keys took 4.7 GB, 1,000 nested levels raised a
raw RecursionError, and a UTF-8 byte order mark was refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from robotest.dsl import check_source, compile_source
from robotest.dsl.limits import MAX_NESTING, MAX_SOURCE_BYTES
from robotest.keys import MAX_CHORD_KEYS

ROOT = Path(__file__).resolve().parents[2]

# Sources whose size grows with n: each must compile (or fail) in linear memory.
SHAPES = {
    "key list": "test 't':\n    press {}\n",  # n keys pressed one after another
    "chord": "test 't':\n    press {}\n",  # n keys in one chord: an error, found linearly
    "clauses": "test 't':\n    click_text 'OK'{}\n",
    "tags": "test 't' tags {}:\n    pass\n",
}
PARTS = {
    "key list": lambda n: ", ".join(["F1"] * n),
    "chord": lambda n: "+".join(["ctrl"] * n),
    "clauses": lambda n: " in (0, 0, 9, 9)" * n,
    "tags": lambda n: ", ".join(f"t{i}" for i in range(n)),
}

_PEAKS = """
import json, resource, sys, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB for the whole process
sys.path.insert(0, sys.argv[1])
from robotest.dsl import check_source
from tests.security.test_compiler_limits import source
peaks = {}
for n in (5_000, 10_000, 20_000):
    text = source(sys.argv[2], n)
    tracemalloc.start()
    errors = check_source(text, "big.rtest")
    peaks[n] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
print(json.dumps({"peaks": peaks, "errors": [e.message for e in errors]}))
"""


def source(shape: str, n: int) -> str:
    return SHAPES[shape].format(PARTS[shape](n))


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_long_lines_compile_in_linear_memory(shape: str) -> None:
    """20,000 keys, clauses or tags compile under 1 GiB, and doubling n about doubles memory."""
    result = subprocess.run(
        [sys.executable, "-c", _PEAKS, str(ROOT), shape],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout)
    peaks = {int(n): peak for n, peak in found["peaks"].items()}
    assert peaks[20_000] < 200e6, peaks
    for n in (5_000, 10_000):
        ratio = peaks[2 * n] / peaks[n]
        assert ratio < 3.0, f"memory x{ratio:.1f} when the input doubles ({peaks})"
    if shape == "chord":
        assert found["errors"] == [
            f"a chord has at most {MAX_CHORD_KEYS} keys pressed together (this one has 20000)"
        ]
    elif shape == "clauses":
        assert found["errors"] == ["'in' is given twice in one click_text"]
    else:
        assert found["errors"] == []


def test_chord_limit_is_located_at_the_first_key_too_many() -> None:
    keys = "+".join(["ctrl"] * MAX_CHORD_KEYS)
    assert check_source(f"test 't':\n    press {keys}\n") == []
    [error] = check_source(f"test 't':\n    press {keys}+alt\n", "c.rtest")
    assert (error.line, error.col) == (2, 11 + len(keys) + 1)
    assert f"at most {MAX_CHORD_KEYS} keys" in error.message


DEEP = 1_000
NESTED_SHAPES = {
    "sum": "x = " + "+".join(["1"] * DEEP) + "\n",
    "calls": "x = " + "f(" * 150 + ")" * 150 + "[0]" * DEEP + "\n",
    "elif chain": "if a:\n    pass\n" + "elif a:\n    pass\n" * DEEP,
    "lambdas": "x = " + "lambda: " * DEEP + "1\n",
    "subscripts": "x = a" + "[0]" * DEEP + "\n",
    "robot argument": "test 't':\n    type_text " + " + ".join(["'a'"] * DEEP) + "\n",
    "key expression": "test 't':\n    press (" + "+".join(["k"] * DEEP) + ")\n",
    "sub-script retries": "subscript s() retries (" + "+".join(["1"] * DEEP) + "):\n    pass\n",
    "beyond Python's parser": "x = " + "+".join(["1"] * 5 * DEEP) + "\n",
    "elifs beyond Python's parser": "if a:\n    pass\n" + "elif a:\n    pass\n" * 5 * DEEP,
    "no final newline": "x = " + "+".join(["1"] * 5 * DEEP),
}


@pytest.mark.parametrize("shape", sorted(NESTED_SHAPES))
def test_deep_nesting_is_a_located_error(shape: str) -> None:
    errors = check_source(NESTED_SHAPES[shape], "deep.rtest")
    assert len(errors) == 1, errors
    assert f"nested too deeply: more than {MAX_NESTING} levels" in errors[0].message
    lines = NESTED_SHAPES[shape].split("\n")
    assert 1 <= errors[0].line <= len(lines) and errors[0].col <= len(lines[errors[0].line - 1])
    if "elif" in shape:
        assert errors[0].line > MAX_NESTING  # at the elif where the chain gets too deep


def test_publish_refuses_deep_nesting_with_located_diagnostics() -> None:
    """The server's publish check gets diagnostics (a 4xx), not a RecursionError (a 500)."""
    from robotest.server.compile_check import check_suite
    from robotest.server.errors import CompileRefused

    with pytest.raises(CompileRefused) as refused:
        check_suite(
            {
                "deep.rtest": NESTED_SHAPES["no final newline"].encode(),
                "bom.rtest": b"\xef\xbb\xbftest 't':\n    press F2\n",
            }
        )
    assert refused.value.diagnostics == [
        {
            "file": "deep.rtest",
            "line": 1,
            "col": 1,
            "message": refused.value.diagnostics[0]["message"],
        }
    ]
    assert "nested too deeply" in str(refused.value.diagnostics[0]["message"])


def test_nesting_within_the_limit_compiles() -> None:
    chain = "+".join(["1"] * (MAX_NESTING - 10))
    module = compile_source(f"x = {chain}\n", "ok.rtest")
    namespace: dict[str, object] = {}
    exec(module.code, namespace)
    assert namespace["x"] == MAX_NESTING - 10
    assert module.python_source.endswith("+ 1")  # `rtest compile` can print it


@pytest.mark.parametrize("command", ["check", "compile"])
def test_cli_reports_deep_nesting_without_a_traceback(tmp_path: Path, command: str) -> None:
    script = tmp_path / "deep.rtest"
    script.write_text("test 't':\n    x = " + "-" * 3000 + "1\n")
    result = subprocess.run(
        [sys.executable, "-m", "robotest", command, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RTEST_NO_CACHE": "1"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert f"{script}:2:" in result.stdout and "nested too deeply" in result.stdout


def test_file_size_is_bounded(tmp_path: Path) -> None:
    big = "x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1)
    [error] = check_source(big, "big.rtest")
    assert f"at most {MAX_SOURCE_BYTES:,}" in error.message and error.line == 1
    path = tmp_path / "big.rtest"
    path.write_text(big)
    result = subprocess.run(
        [sys.executable, "-m", "robotest", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RTEST_NO_CACHE": "1"},
    )
    assert result.returncode == 1 and f"at most {MAX_SOURCE_BYTES:,}" in result.stdout


def test_a_utf8_bom_is_accepted_with_unchanged_locations(tmp_path: Path) -> None:
    body = "test 't':\n    press F2\n    x = 1 +\n"
    plain = check_source(body, "a.rtest")
    assert check_source("\ufeff" + body, "a.rtest") == plain
    assert (
        compile_source("\ufefftest 't':\n    press F2\n").python_source
        == compile_source("test 't':\n    press F2\n").python_source
    )
    path = tmp_path / "bom.rtest"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    result = subprocess.run(
        [sys.executable, "-m", "robotest", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RTEST_NO_CACHE": "1"},
    )
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:3:12: error: invalid syntax\n        x = 1 +\n")
    assert "U+FEFF" not in result.stdout
