"""A fleet task's cost on the record station: the CPU of the pytest child a worker forks
for a task (robotest.fleet.execution.run_cases), with and without the worker's preload of
the pytest plugins (robotest.fleet.preload), for a task of 1 case and one of --cases.

    nice -n 10 env PYTHONPATH=$PWD python3 benchmarks/fleet_task_cost.py --cases 200

Each measure runs in a fresh interpreter (so the preload of one does not help the other).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(cases: int, preload: bool, folder: Path) -> dict[str, float]:
    """One task of `cases` cases in this interpreter: wall and child CPU seconds."""
    sys.path.insert(0, str(ROOT))
    from robotest.fleet.execution import StationSetup, run_cases

    if preload:
        from robotest.fleet.preload import preload_pytest

        preload_pytest()
    else:  # what the worker imported before: pytest and the runtime's plugin only
        import pytest  # noqa: F401

        import robotest.runtime.pytest_plugin  # noqa: F401
    tree = folder / "tree"
    tree.mkdir()
    (tree / "m.rtest").write_text(
        f'"""Matrix."""\n\ntest "case {{i}}" for i in range({cases}):\n    press F2\n'
    )
    nodeids = [f"m.rtest::test_case[case {i}]" for i in range(cases)]
    station = StationSetup("record:cost", "cost", folder / "dest")
    station.dest.mkdir()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    finished = run_cases(station, tree, nodeids, None, "v", lambda batch: False)
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert len(finished) == cases and {c.status for c in finished} == {"passed"}
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall_s": round(wall, 2), "child_cpu_s": round(cpu, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("CASES", "PRELOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(measure(int(args.one[0]), args.one[1] == "1", Path(folder))))
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print("| task | preload | child CPU (s, median) | wall (s, median) |\n|---|---|---|---|")
    for cases in (1, args.cases):
        for preload in (False, True):
            runs = [
                json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--one", str(cases), str(int(preload))],
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                for _ in range(args.repeat)
            ]
            cpu = sorted(r["child_cpu_s"] for r in runs)[len(runs) // 2]
            wall = sorted(r["wall_s"] for r in runs)[len(runs) // 2]
            print(f"| {cases} cases | {'yes' if preload else 'no'} | {cpu} | {wall} |")


if __name__ == "__main__":
    main()
