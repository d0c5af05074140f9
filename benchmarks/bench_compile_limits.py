"""How the compiler's time and memory grow with one long robot line (issue 17).

Run:  PYTHONPATH=$PWD python3 benchmarks/bench_compile_limits.py [--sizes 5000 10000 20000]

For each shape (a key list, a chord, a run of clauses, test tags, many robot lines) it
compiles a source of n items and prints the time and the peak of Python's allocations
(tracemalloc); doubling n should double both. The sources are generated: this measures
how the compiler scales on adversarial input, not how fast it is on real suites
(`bench_compile.py` does that).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

from robotest.dsl import check_source, scanner
from robotest.dsl import parser as robot_parser

SHAPES: dict[str, Callable[[int], str]] = {
    "key list (press F1, F1, ...)": lambda n: "test 't':\n    press " + ", ".join(["F1"] * n),
    "chord (press ctrl+ctrl+..., refused)": lambda n: (
        "test 't':\n    press " + "+".join(["ctrl"] * n)
    ),
    "clauses (click_text 'OK' in (...) in (...)...)": lambda n: (
        "test 't':\n    click_text 'OK'" + " in (0, 0, 9, 9)" * n
    ),
    "tags (test 't' tags t0, t1, ...)": lambda n: (
        "test 't' tags " + ", ".join(f"t{i}" for i in range(n)) + ":\n    pass"
    ),
    "robot lines (n x 2 statements)": lambda n: (
        "test 't':\n" + "    press F1\n    click_text 'x' within 2s\n" * n
    ),
}


def measure(source: str) -> tuple[float, float, str]:
    robot_parser._SHAPES.clear()  # cold: nothing seen before
    scanner._PARSES.clear()
    tracemalloc.start()
    start = time.perf_counter()
    errors = check_source(source + "\n", "long.rtest")
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 1e6, errors[0].message if errors else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    args = parser.parse_args()
    check_source("test 't':\n    press F1\n")  # the grammar is built once, not timed
    print("| shape | " + " | ".join(f"n = {n:,}" for n in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for name, make in SHAPES.items():
        cells = []
        for n in args.sizes:
            elapsed, peak, _ = measure(make(n))
            cells.append(f"{elapsed:.2f} s, {peak:.1f} MB")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
