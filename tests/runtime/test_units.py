"""The pieces on their own: outcome mapping, failure specs, store, CLI errors."""

from __future__ import annotations

import importlib.machinery
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robotest.errors import (
    CameraError,
    EmergencyStop,
    IconNotFound,
    ScriptError,
    StepFailed,
    StepTimeout,
)
from robotest.results.statuses import worst
from robotest.runtime.pytest_plugin import marker_name
from robotest.runtime.results import CaseResult, RunInfo, Step, status_of
from robotest.runtime.runner import exit_code
from robotest.runtime.session import (
    FailSpec,
    StationSpecError,
    make_runtime,
    read_image,
    station_name,
)
from robotest.runtime.steps import STATEMENTS
from robotest.runtime.store import ResultStore


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (None, "passed"),
        (AssertionError("x"), "failed"),
        (StepFailed("x"), "failed"),
        (IconNotFound("x"), "failed"),
        (StepTimeout("x"), "failed"),
        (ScriptError("x"), "error"),
        (ZeroDivisionError(), "error"),
        (KeyError("k"), "error"),
        (CameraError("x"), "station error"),
        (EmergencyStop("x"), "station error"),
        (KeyboardInterrupt(), "interrupted"),
    ],
)
def test_status_of(exc: BaseException | None, outcome: str) -> None:
    assert status_of(exc) == outcome


def test_worst_outcome_is_the_verdict() -> None:
    assert worst([]) == "passed"
    assert worst(["passed", "failed", "skipped"]) == "failed"
    assert worst(["failed", "station error", "error"]) == "failed"  # the image failed
    assert worst(["passed", "station error", "skipped"]) == "station error"
    assert worst(["station error", "error"]) == "error"


def test_fail_spec_parsing_and_errors() -> None:
    spec = FailSpec.parse("await_text:Welcome*2")
    assert (spec.statement, spec.target, spec.times) == ("await_text", "Welcome", 2)
    with pytest.raises(StationSpecError, match="'await_txt' is not a robot statement"):
        FailSpec.parse("await_txt:Welcome")
    with pytest.raises(StationSpecError, match="must be a number"):
        FailSpec.parse("press:F2*x")


def test_station_specs() -> None:
    assert station_name("record") == "record" and station_name("record:b") == "b"
    assert station_name("lab/station3.toml") == "station3"
    with pytest.raises(StationSpecError, match="no such station file"):
        make_runtime("lab/missing.toml")
    with pytest.raises(StationSpecError, match="expected 'sim'"):
        make_runtime("robot42")


def test_station_runtime_plugs_in_through_open_runtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import types

    from robotest.runtime import RecordingRuntime

    opened: list[tuple[str, dict[str, object]]] = []
    fake = types.ModuleType("robotest.runtime.station_runtime")
    fake.__spec__ = importlib.machinery.ModuleSpec(fake.__name__, None)

    def open_runtime(spec: str, options: dict[str, object]) -> RecordingRuntime:
        opened.append((spec, options))
        return RecordingRuntime()

    fake.open_runtime = open_runtime  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    assert isinstance(make_runtime("sim", {"config": {}}), RecordingRuntime)
    assert opened == [("sim", {"config": {}})]
    with pytest.raises(StationSpecError, match="no such station file"):
        make_runtime(str(tmp_path / "missing.toml"))


def test_read_image_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[image\nname=")
    with pytest.raises(ScriptError, match=r"bad.toml: not a valid TOML product description"):
        read_image(bad)
    with pytest.raises(ScriptError, match="cannot read the product description"):
        read_image(tmp_path / "missing.toml")
    plain = tmp_path / "w11.toml"
    plain.write_text('name = "W11"\nversion = "1"\nserial = "S1"\n')
    info = read_image(plain)
    assert (info.name, info.version, info.serial) == ("W11", "1", "S1")


def _run(status: str, *outcomes: str) -> RunInfo:
    cases = [CaseResult(f"f::t{i}", "t", "f", "s", status=o) for i, o in enumerate(outcomes)]
    return RunInfo(1, "s", "", "", "", "", 0.0, 1.0, status, 1, "h", cases=cases)


def test_the_exit_code_is_the_stored_verdict() -> None:
    # a station error then a pass elsewhere: pytest saw a failure, the run passed
    assert exit_code(1, _run("passed", "passed", "skipped")) == 0
    assert exit_code(0, _run("failed", "failed")) == 1
    assert exit_code(1, _run("station error", "station error")) == 1
    assert exit_code(2, _run("interrupted", "interrupted")) == 2  # pytest's own statuses stay
    assert exit_code(4, _run("error")) == 4
    assert exit_code(5, _run("passed")) == 5


def test_store_round_trip_and_live_run_is_not_interrupted(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.db") as store:
        run_id = store.create_run(station="s", image="img", suite_version="v")
        case = CaseResult("f::t", "t", "f.rtest", "s", ["a"], {"n": 1}, time.time())
        case_id = store.start_case(run_id, case)
        store.add_step(
            case_id,
            Step(
                "press",
                "F2",
                "f.rtest",
                3,
                time.time(),
                0.01,
                screenshot=b"\x89PNG",
                group="g",
                attempt=2,
            ),
        )
        with ResultStore(tmp_path / "r.db") as other:  # this process is alive: not touched
            live = other.run(run_id)
            assert live is not None and live.status == "running"
            assert other.progress(run_id)["running"][0]["step"] == "press F2"
        case.status, case.duration = "failed", 0.5
        store.finish_case(case)
        assert store.finish_run(run_id) == "failed"
        run = store.run(run_id)
    assert run is not None
    step = run.cases[0].steps[0]
    assert (step.group, step.attempt, step.screenshot) == ("g", 2, b"\x89PNG")
    assert run.cases[0].params == {"n": 1} and run.cases[0].tags == ["a"]


def test_cli_errors_are_one_line(
    rtest: Callable[..., tuple[int, str]], tmp_path: Path, write_suite: Callable[..., Path]
) -> None:
    code, output = rtest("run", tmp_path / "nope", "--station", "record")
    assert code == 2 and "error: no such file or folder" in output
    code, output = rtest(
        "run", write_suite(), "--station", "lab/missing.toml", "--db", tmp_path / "r.db"
    )
    assert code == 2 and output.startswith("error: station 'lab/missing.toml'")
    code, output = rtest("run", write_suite(), "--station", "record", "--station", "record")
    assert code == 2 and "two stations share a name" in output
    broken = write_suite({"broken.rtest": 'test "x":\n    press F2 within 5s\n'})
    code, output = rtest(
        "run",
        broken / "broken.rtest",
        "--station",
        "record",
        "--db",
        tmp_path / "r.db",
        "--report",
        tmp_path / "rep",
    )
    # the broken file is one error case: "some case did not pass", and the run's status says so
    assert code == 1 and "broken.rtest:2:14: error: 'within' does not belong to press" in output
    with ResultStore(tmp_path / "r.db") as store:
        assert store.runs()[0].status == "error"
    code, output = rtest("results", "--db", tmp_path / "none.db")
    assert code == 2 and output.startswith("error: no results database")
    ResultStore(tmp_path / "r.db").close()
    code, output = rtest("report", "x", "--db", tmp_path / "r.db")
    assert code == 2 and "a run is a number or 'latest'" in output


@given(
    st.sampled_from(STATEMENTS),
    st.text(
        alphabet=st.characters(blacklist_characters=":*", blacklist_categories=("Cs",)), max_size=20
    ),
    st.none() | st.integers(min_value=0, max_value=999),
)
def test_fail_spec_round_trip(statement: str, target: str, times: int | None) -> None:
    text = statement + (f":{target}" if target else "") + ("" if times is None else f"*{times}")
    spec = FailSpec.parse(text)
    assert (spec.statement, spec.target or "", spec.times) == (statement, target, times)


@given(st.text(max_size=30))
def test_every_tag_becomes_a_valid_marker_name(tag: str) -> None:
    name = marker_name(tag)
    assert name.isidentifier() and name not in ("and", "or", "not")
    if tag.strip().isidentifier() and tag.strip() not in (
        "and",
        "or",
        "not",
        "True",
        "False",
        "None",
    ):
        assert name == tag.strip()
    assert marker_name("smoke test") == "smoke_test" and marker_name("3d") == "tag_3d"


def test_a_failure_names_the_test_line_and_the_chain_into_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from robotest.dsl import compile_code
    from robotest.runtime.results import describe

    library = tmp_path / "lib.rtest"
    library.write_text('def check(value):\n    assert value == 2, f"value is {value}"\n')
    test = tmp_path / "case.rtest"
    test.write_text("x = 1\ncheck(x)\n")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile_code(library.read_text(), str(library)), namespace)
    with pytest.raises(AssertionError) as caught:
        exec(compile_code(test.read_text(), str(test)), namespace)
    assert describe(caught.value) == "AssertionError: value is 1 (at case.rtest:2 > lib.rtest:2)"
