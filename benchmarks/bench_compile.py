"""Compile benchmark: the .rtest compiler against CPython's compile(), and the cache.

Run:  python3 benchmarks/bench_compile.py [--files 2000] [--repeat 3]

On one generated corpus it measures, in one run:
- cold compile: robotest's compile of every file to a code object (cache off, what an
  import or `rtest check` does) vs CPython's ``compile()`` of the same files' generated
  Python (what `rtest compile` prints) to a code object; and robotest's compile that
  also hands over the ``ast.Module`` (``compile_source``);
- `rtest check` of the whole corpus with an empty cache (cold) and again (warm);
- with --check-dir DIR (e.g. scripts/): the command ``rtest check DIR`` as a user runs
  it, a new process each time (start-up and imports included), with an empty compile
  cache and again with a warm one.
Times are medians over --repeat rounds; ratios are what the targets are about: a cold
compile at most 2x the AST floor, a warm check at least 20x faster than a cold one.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from rtest_corpus import write_corpus  # noqa: E402

from robotest.dsl import cache, compile_code, compile_source, scanner  # noqa: E402
from robotest.dsl import parser as robot_parser  # noqa: E402


def _median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_command(folder: Path, repeat: int, work: Path) -> None:
    """Time ``rtest check FOLDER`` as a user runs it: cold (empty cache), then warm."""
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "robotest", "check", str(folder)]
    cold, warm = [], []
    for round_ in range(repeat):
        env = {**os.environ, "PYTHONPATH": str(root), "RTEST_CACHE_DIR": str(work / f"cli{round_}")}
        env.pop("RTEST_NO_CACHE", None)
        for times in (cold, warm):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    files = sorted(folder.rglob("*.rtest"))
    lines = sum(path.read_text().count("\n") for path in files)
    print(f"`rtest check {folder}`: {len(files)} files, {lines} lines, median of {repeat} runs")
    print("| measure | time |")
    print("|---|---|")
    print(f"| `rtest check`, empty cache (a new process) | {statistics.median(cold):.3f} s |")
    print(f"| `rtest check`, warm cache (a new process) | {statistics.median(warm):.3f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check-dir", type=Path, help="also time `rtest check DIR`")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rtest-bench-"))
    paths = write_corpus(work / "corpus", args.files)
    sources = [(str(p), p.read_text()) for p in paths]
    generated = [(name, compile_source(text, name).python_source) for name, text in sources]
    lines = sum(text.count("\n") for _, text in sources)

    def robotest_compile() -> None:
        scanner._PARSES.clear()  # cold: no line or shape seen before this run
        robot_parser._SHAPES.clear()
        for name, text in sources:
            compile_code(text, name)

    def robotest_compile_tree() -> None:
        scanner._PARSES.clear()
        robot_parser._SHAPES.clear()
        for name, text in sources:
            compile_source(text, name)

    def cpython_compile() -> None:
        for name, text in generated:
            compile(text, name, "exec", dont_inherit=True)

    def ast_floor() -> None:
        """What any compiler that must hand over an ``ast.Module`` pays at the least."""
        gc.disable()
        for name, text in generated:
            compile(ast.parse(text, name), name, "exec", dont_inherit=True)
        gc.enable()

    # interleave the three so that machine noise hits them alike
    ours, trees, theirs, floors = [], [], [], []
    for _ in range(args.repeat):
        ours.append(_median_time(robotest_compile, 1))
        theirs.append(_median_time(cpython_compile, 1))
        floors.append(_median_time(ast_floor, 1))
        trees.append(_median_time(robotest_compile_tree, 1))
    cold_ours, cold_cpython = statistics.median(ours), statistics.median(theirs)
    floor, cold_tree = statistics.median(floors), statistics.median(trees)

    def check_all() -> None:
        scanner._PARSES.clear()
        robot_parser._SHAPES.clear()
        for path in paths:
            cache.check_file(path)

    cold_checks, warm_checks = [], []
    for round_ in range(args.repeat):
        os.environ["RTEST_CACHE_DIR"] = str(work / f"cache{round_}")
        cold_checks.append(_median_time(check_all, 1))
        warm_checks.append(_median_time(check_all, 1))
    cold_check, warm_check = statistics.median(cold_checks), statistics.median(warm_checks)

    print(f"corpus: {len(paths)} files, {lines} lines, median of {args.repeat} rounds")
    print("| measure | time | per file | ratio |")
    print("|---|---|---|---|")
    print(
        f"| CPython compile() of the generated Python | {cold_cpython:.2f} s | "
        f"{cold_cpython / len(paths) * 1e3:.2f} ms | 1.00x |"
    )
    print(
        f"| floor: ast.parse + compile(AST) of the same Python | {floor:.2f} s | "
        f"{floor / len(paths) * 1e3:.2f} ms | {floor / cold_cpython:.2f}x CPython |"
    )
    print(
        f"| robotest cold compile (to code, as compile()) | {cold_ours:.2f} s | "
        f"{cold_ours / len(paths) * 1e3:.2f} ms | {cold_ours / cold_cpython:.2f}x CPython, "
        f"**{cold_ours / floor:.2f}x the floor** (target <= 2x the floor) |"
    )
    print(
        f"| robotest cold compile, also handing over the ast.Module | {cold_tree:.2f} s | "
        f"{cold_tree / len(paths) * 1e3:.2f} ms | {cold_tree / cold_cpython:.2f}x CPython, "
        f"{cold_tree / floor:.2f}x the floor |"
    )
    print(
        f"| `rtest check`, empty cache | {cold_check:.2f} s | "
        f"{cold_check / len(paths) * 1e3:.2f} ms | |"
    )
    print(
        f"| `rtest check`, warm cache | {warm_check:.3f} s | "
        f"{warm_check / len(paths) * 1e3:.3f} ms | **{cold_check / warm_check:.0f}x faster "
        "than cold** (target >= 20x) |"
    )
    if args.check_dir is not None:
        check_command(args.check_dir, args.repeat, work)


if __name__ == "__main__":
    main()
