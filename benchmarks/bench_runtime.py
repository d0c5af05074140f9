"""Runtime overhead benchmark: what recording a step costs, device time excluded.

Run:  PYTHONPATH=$PWD python3 benchmarks/bench_runtime.py [--steps 300] [--rounds 15]

One compiled `.rtest` test of --steps robot statements runs on the recording runtime
(which does no device work, so every microsecond measured is the runtime's own):
- baseline: the statements straight on the RecordingRuntime;
- + step recorder: wrapped in the StepRecorder (location, timing, summary), no storage;
- + SQLite store: each step written to the results database, one WAL transaction each
  (what `rtest run` does: synchronous=NORMAL, safe against a killed process);
- the same with synchronous=FULL (an fsync per step, safe against power loss too);
- per case: opening and closing a case row (start_case + finish_case).
Rounds are interleaved so machine noise hits every variant alike; medians of per-step
time (CPU time, so the figures hold on a busy machine, and wall time beside them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from robotest.dsl import import_path
from robotest.runtime import RecordingRuntime, collect, run_case, use_runtime
from robotest.runtime.backend import Runtime
from robotest.runtime.results import CaseResult
from robotest.runtime.steps import StepRecorder
from robotest.runtime.store import ResultStore

STATEMENTS = [
    "press F2 times 3 every 10ms",
    'await_text "BIOS Setup" within 5s',
    'type_text "root\\n"',
    'click_icon "terminal" within 2s',
    'v = read_text right_of "Version"',
    'await_gone icon "spinner"',
]


def write_suite(folder: Path, steps: int) -> Path:
    body = "\n".join("    " + STATEMENTS[i % len(STATEMENTS)] for i in range(steps))
    path = folder / "bench_steps.rtest"
    path.write_text(f'test "steps":\n{body}\n')
    return path


def timed(action: Callable[[], None]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rtest-bench-runtime-"))
    os.environ.setdefault("RTEST_CACHE_DIR", str(work / "cache"))
    module = import_path(str(write_suite(work, args.steps)), "bench_steps")
    (case,) = collect(module)
    store = ResultStore(work / "results.db")
    run_id = store.create_run(station="record")
    durable = ResultStore(work / "durable.db")  # fsync on every commit (power-loss safe)
    durable.db.execute("PRAGMA synchronous=FULL")
    durable_run = durable.create_run(station="record")

    def run_on(runtime: Runtime) -> None:
        with use_runtime(runtime):
            run_case(module, case)

    def baseline() -> None:
        run_on(RecordingRuntime())

    def recorder_only() -> None:
        run_on(StepRecorder(RecordingRuntime(), sink=lambda step: None))

    def stored(target: ResultStore, target_run: int) -> Callable[[], None]:
        def run() -> None:
            result = CaseResult("n", "steps", "f", "record", started=time.time())
            case_id = target.start_case(target_run, result)
            run_on(
                StepRecorder(
                    RecordingRuntime(), sink=lambda s: target.add_step(case_id, s) and None
                )
            )
            target.finish_case(result)

        return run

    def case_rows() -> None:
        for _ in range(args.steps):
            result = CaseResult("n", "steps", "f", "record", started=time.time())
            store.start_case(run_id, result)
            store.finish_case(result)

    variants = {
        "baseline: RecordingRuntime alone": baseline,
        "+ step recorder (no storage)": recorder_only,
        "+ SQLite store, one transaction per step": stored(store, run_id),
        "+ SQLite store with synchronous=FULL (fsync per step)": stored(durable, durable_run),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    case_samples = []
    for action in variants.values():
        action()  # warm-up
    for _ in range(args.rounds):
        for name, action in variants.items():
            samples[name].append(timed(action))
        case_samples.append(timed(case_rows))

    def per_step(values: list[tuple[float, float]], index: int) -> float:
        return statistics.median(v[index] for v in values) / args.steps * 1000

    base_cpu = per_step(samples[next(iter(variants))], 0)
    print(
        f"{args.steps} steps x {args.rounds} rounds; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n"
    )
    print("| variant | median CPU ms/step | overhead vs baseline ms/step | median wall ms/step |")
    print("|---|---:|---:|---:|")
    for name, values in samples.items():
        cpu = per_step(values, 0)
        print(f"| {name} | {cpu:.3f} | {cpu - base_cpu:.3f} | {per_step(values, 1):.3f} |")
    print(
        f"| per case: case row opened and closed | {per_step(case_samples, 0):.3f} | - | "
        f"{per_step(case_samples, 1):.3f} |"
    )
    store.close()
    durable.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
