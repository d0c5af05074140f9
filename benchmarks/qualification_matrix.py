"""The qualification suite's verdicts: false passes and false fails over faults x seeds.

Run:  python3 benchmarks/qualification_matrix.py [--seeds 20] [--fault-seeds 2] [--jobs 2]
                                                [--first-seed 0] [--only "golden,glare"]
                                                [--orders 3]

Runs the example suite (``scripts/``) with ``rtest run --station sim`` once per
scenario and camera seed, each run in its own process, and reads every case's verdict
from the run's results database:

- **golden**: the image as specified; every case must pass (a failure is a false fail);
- **product faults** (wrong BIOS version, missing device, wrong OS build, slow boot):
  the test that checks that property must fail with a message naming the expected and
  the shown value (else a false pass); a few other tests may fail with it where they
  check the same property again (the OS's own BIOS report, the reboot cycles' device
  checks); any other failure is a false fail;
- **nuisances** (an update popup at a random moment, dropped key presses, the new icon
  theme, a glare spot on the screen): every case must pass.

The first ``--orders`` golden runs run the cases in a random order (``rtest run --shuffle``
with the run's seed): a case that needs another case's leftovers fails there.

A station error (a driver or the camera at fault) and the cases it leaves unrun are
counted apart: they are verdicts on the robot, never on the image.

The simulated laptop runs a copy of ``scripts/image.toml`` with the scenario's
``[faults]``; the suite itself always expects ``scripts/image.toml``.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
SPEC = tomllib.loads((SCRIPTS / "image.toml").read_text())
WRONG_BIOS, WRONG_BUILD = "1.06.9", "26100.2200"
MISSING = "Goodix Fingerprint Reader"


@dataclass(frozen=True)
class Scenario:
    """What the laptop is given, and which tests must and may fail because of it."""

    name: str
    faults: dict[str, object] = field(default_factory=dict)
    camera: str = "nominal"
    must_fail: str = ""  # title pattern of the test that checks the faulty property
    names: tuple[str, ...] = ()  # what its message must name: expected and shown value
    may_fail: tuple[str, ...] = ()  # other tests that check the same property again

    @property
    def product_fault(self) -> bool:
        return bool(self.must_fail)


SCENARIOS = (
    Scenario("golden"),
    Scenario(
        "wrong BIOS version",
        {"bios_version": WRONG_BIOS},
        must_fail="Setup shows BIOS Version as specified",
        names=(SPEC["firmware"]["bios_version"], WRONG_BIOS),
        may_fail=("The OS reports the BIOS and EC versions", "Reboot cycle *"),
    ),
    Scenario(
        "missing device",
        {"missing_devices": [MISSING]},
        must_fail=f"* device {MISSING} is present",
        names=(MISSING,),
        may_fail=("lsdev lists every device", "Reboot cycle *"),
    ),
    Scenario(
        "wrong OS build",
        {"os_build": WRONG_BUILD},
        must_fail="About shows OS build *",
        names=(SPEC["os"]["build"], WRONG_BUILD),
        may_fail=("uname reports the kernel and build",),
    ),
    Scenario(
        "slow boot",
        {"slow_boot_factor": 4.0},
        must_fail="Boots to the login screen within the limit",
        names=(f"limit {SPEC['qualification']['boot_limit_seconds']} s",),
    ),
    Scenario("update popup", {"update_popup": True, "update_popup_window": [2.0, 60.0]}),
    Scenario("dropped keys", {"drop_key_probability": 0.05}),
    Scenario("new icon theme", {"icon_theme": "v2"}),
    Scenario("glare", camera="glare"),
)


@dataclass
class Outcome:
    """One run of the suite: its verdicts judged against the scenario."""

    scenario: Scenario
    seed: int
    seconds: float
    cases: dict[str, tuple[str, str]]  # title -> (status, message)
    shuffled: bool = False  # the cases ran in a random order
    false_pass: list[str] = field(default_factory=list)
    false_fail: list[str] = field(default_factory=list)
    station_errors: list[str] = field(default_factory=list)

    def judge(self) -> Outcome:
        """Fill in the false passes and false fails of this run."""
        s = self.scenario
        if not self.cases:
            self.false_fail.append("the run recorded no case")
        for title, (status, message) in self.cases.items():
            if status in ("station error", "skipped"):  # the robot's fault, never a verdict
                self.station_errors.append(f"{title}: {status} {message[:160]!r}")
            elif s.must_fail and fnmatch.fnmatch(title, s.must_fail):
                named = all(name in message for name in s.names)
                if status != "failed" or not named:
                    self.false_pass.append(f"{title}: {status} {message[:160]!r}")
            elif status != "passed" and not (
                status == "failed" and any(fnmatch.fnmatch(title, p) for p in s.may_fail)
            ):
                self.false_fail.append(f"{title}: {status} {message[:160]!r}")
        if s.must_fail and not any(fnmatch.fnmatch(t, s.must_fail) for t in self.cases):
            self.false_pass.append(f"no test matches {s.must_fail!r}")
        return self


def image_file(scenario: Scenario, folder: Path) -> Path:
    """scripts/image.toml with the scenario's faults, as the laptop's description."""
    lines = (SCRIPTS / "image.toml").read_text().splitlines()
    cut = lines.index("[faults]")
    faults = [f"{key} = {_toml(value)}" for key, value in scenario.faults.items()]
    path = folder / "image.toml"
    path.write_text("\n".join([*lines[:cut], "[faults]", *faults, ""]))
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def run_one(scenario: Scenario, seed: int, keep: Path | None, shuffle: bool = False) -> Outcome:
    """Run the suite once on the simulated station and judge its verdicts."""
    with tempfile.TemporaryDirectory(prefix="rtest-matrix-") as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "RTEST_SIM_SEED": str(seed),
            "RTEST_SIM_CAMERA": scenario.camera,
            "RTEST_CACHE_DIR": str(folder / "cache"),
        }
        command = [
            sys.executable,
            "-m",
            "robotest",
            "run",
            str(SCRIPTS),
            "--station",
            "sim",
            "--image",
            str(image_file(scenario, folder)),
            "--report",
            str(folder / "report"),
            "--db",
            str(folder / "results.db"),
        ]
        command += ["--shuffle", str(seed)] if shuffle else []
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        cases = _cases(folder / "results.db")
        if keep is not None:
            target = keep / f"{scenario.name.replace(' ', '-')}-seed{seed}"
            subprocess.run(["cp", "-r", str(folder / "report"), str(target)], check=False)
    outcome = Outcome(scenario, seed, seconds, cases, shuffle).judge()
    if not cases:
        outcome.false_fail.append(f"rtest run exited {done.returncode}: {done.stderr[-300:]}")
    return outcome


def _cases(db: Path) -> dict[str, tuple[str, str]]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT title, outcome, message FROM cases").fetchall()
    return {title: (outcome, message or "") for title, outcome, message in rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=20, help="camera seeds for the golden image")
    parser.add_argument("--fault-seeds", type=int, default=2, help="seeds per fault or nuisance")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds start here")
    parser.add_argument("--jobs", type=int, default=2, help="suite runs at once")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--keep-reports", type=Path, help="copy each run's reports here")
    parser.add_argument(
        "--orders", type=int, default=3, help="golden runs whose cases run in a random order"
    )
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",")]
    plan = [
        (s, args.first_seed + n, s.name == "golden" and n < args.orders)
        for s in chosen[::-1]  # the golden runs last
        for n in range(args.seeds if s.name == "golden" else args.fault_seeds)
    ]
    if args.keep_reports:
        args.keep_reports.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(
            pool.map(
                lambda job: _announce(run_one(job[0], job[1], args.keep_reports, job[2])), plan
            )
        )
    print_table(chosen, outcomes, time.perf_counter() - start, args.jobs)


def _announce(outcome: Outcome) -> Outcome:
    verdict = "ok" if not (outcome.false_pass or outcome.false_fail) else "WRONG"
    order = ", shuffled" if outcome.shuffled else ""
    print(
        f"{outcome.scenario.name:>20} seed {outcome.seed:>2}{order}: {verdict} "
        f"({len(outcome.cases)} cases, {outcome.seconds:.0f} s)",
        flush=True,
    )
    for line in outcome.false_pass:
        print(f"{'':>22}false pass: {line}", flush=True)
    for line in outcome.false_fail:
        print(f"{'':>22}false fail: {line}", flush=True)
    for line in outcome.station_errors[:1]:
        print(f"{'':>22}station error: {line}", flush=True)
    return outcome


def print_table(scenarios: list[Scenario], outcomes: list[Outcome], wall: float, jobs: int) -> None:
    """One row per scenario: runs, false passes, false fails, suite wall time."""
    print(
        "\n| scenario | kind | seeds | cases per run | false passes | false fails "
        "| runs with a station error | median suite wall time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scenario in scenarios:
        runs = [o for o in outcomes if o.scenario is scenario]
        if not runs:
            continue
        kind = (
            "product fault"
            if scenario.product_fault
            else "golden"
            if scenario.name == "golden"
            else "nuisance"
        )
        print(
            f"| {scenario.name} | {kind} | {len(runs)} | {len(runs[0].cases)} "
            f"| {sum(bool(o.false_pass) for o in runs)} "
            f"| {sum(bool(o.false_fail) for o in runs)} "
            f"| {sum(bool(o.station_errors) for o in runs)} "
            f"| {statistics.median(o.seconds for o in runs):.0f} s |"
        )
    print(
        f"\n{len(outcomes)} suite runs, {jobs} at a time, in {wall / 60:.1f} min; "
        "sim station in accelerated time (RTEST_SIM_SPEED default 8)."
    )


if __name__ == "__main__":
    main()
