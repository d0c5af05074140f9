"""Compiled modules drive the runtime interface: exact calls, order, lines and blocks."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from types import ModuleType

import pytest

from robotest.errors import ScriptError, StepTimeout, TextNotFound
from robotest.runtime import RecordingRuntime, collect, run_case

Loader = Callable[..., ModuleType]


def _run_all(module: ModuleType) -> None:
    for case in collect(module):
        run_case(module, case)


def test_statements_become_runtime_calls_in_order(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    module = load_rtest("""
        test "calls":
            press F2 times 3 every 500ms
            press ctrl+alt+Delete, Down
            type_text "root\\n" every 50ms
            m = click_icon "terminal" within 30s double
            await_text "Welcome" in (0, 0, 100, 50) within 2min
            await_gone icon "spinner"
            v = read_text right_of "BIOS Version"
            click (960, 540) button right
            wait 1.5s
            screenshot "done"
    """)
    _run_all(module)
    calls = [(c.name, c.args, c.line) for c in runtime.calls]
    assert calls == [
        ("press", {"specs": [("F2",)], "times": 3, "every": 0.5, "hold": None}, 3),
        (
            "press",
            {
                "specs": [("Ctrl", "Alt", "Delete"), ("Down",)],
                "times": 1,
                "every": None,
                "hold": None,
            },
            4,
        ),
        ("type_text", {"text": "root\n", "every": 0.05}, 5),
        (
            "click_icon",
            {
                "target": "terminal",
                "region": None,
                "within": 30.0,
                "button": "left",
                "double": True,
            },
            6,
        ),
        ("await_text", {"text": "Welcome", "region": (0, 0, 100, 50), "within": 120.0}, 7),
        (
            "await_gone",
            {"target": runtime.calls[5].args["target"], "region": None, "within": None},
            8,
        ),
        ("read_text", {"anchor": "BIOS Version", "side": "right_of", "region": None}, 9),
        ("click", {"point": (960, 540), "button": "right", "double": False}, 10),
        ("wait", {"seconds": 1.5}, 11),
        ("screenshot", {"name": "done"}, 12),
    ]
    assert runtime.calls[5].args["target"].name == "spinner"
    assert all(c.file.endswith(".rtest") for c in runtime.calls)


def test_robot_words_stay_python_names(load_rtest: Loader, runtime: RecordingRuntime) -> None:
    module = load_rtest("""
        press = 2
        wait = [press]
        test "python":
            total = press + wait[0]
            log(f"total={total}")
            if exists_text("Updates", within=5):
                click_text "Later"
    """)
    _run_all(module)
    assert [(c.name, c.args) for c in runtime.calls] == [
        ("log", {"message": "total=4"}),
        ("exists_text", {"text": "Updates", "region": None, "within": 5.0}),
    ]


def test_parametrised_titles_are_the_cross_product(load_rtest: Loader) -> None:
    module = load_rtest("""
        SKUS = ["A1", "B2"]
        test "Boot {sku} in {lang}" tags boot, smoke for sku in SKUS for lang in ("en", "de"):
            log(sku + lang)
        test "Pair {name}" for name, value in [("x", 1), ("y", 2)]:
            assert value
    """)
    cases = collect(module)
    assert [c.title for c in cases] == [
        "Boot A1 in en",
        "Boot A1 in de",
        "Boot B2 in en",
        "Boot B2 in de",
        "Pair x",
        "Pair y",
    ]
    assert cases[0].tags == ("boot", "smoke")
    assert cases[3].params == {"sku": "B2", "lang": "de"}
    assert cases[5].params == {"name": "y", "value": 2}


def test_duplicate_titles_after_parametrisation_name_the_line(load_rtest: Loader) -> None:
    module = load_rtest("""
        test "Boot {sku}" for sku in list("aa"):
            pass
    """)  # a literal matrix is found by the compiler already (test_static_matrix.py)
    with pytest.raises(ScriptError, match=r"\.rtest:2: duplicate test title 'Boot a'"):
        collect(module)


def test_setup_and_teardown_wrap_every_test_even_a_failing_one(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    module = load_rtest("""
        setup:
            log("setup")
        teardown:
            log("teardown")
        test "one":
            log("one")
        test "two":
            log("two")
            assert False, "two fails"
    """)
    one, two = collect(module)
    run_case(module, one)
    with pytest.raises(AssertionError, match="two fails"):
        run_case(module, two)
    messages = [c.args["message"] for c in runtime.calls]
    assert messages == ["setup", "one", "teardown", "setup", "two", "teardown"]


def test_subscript_retries_then_succeeds(load_rtest: Loader, runtime: RecordingRuntime) -> None:
    failures = iter([TextNotFound("not yet"), TextNotFound("still not")])

    def flaky(call: object) -> None:
        error = next(failures, None)
        if error:
            raise error

    runtime.responses["await_text"] = flaky
    module = load_rtest("""
        subscript enter_setup(key=F2) retries 2:
            press (key)
            await_text "BIOS Setup Utility"
        test "setup":
            enter_setup()
    """)
    _run_all(module)
    assert runtime.events == [
        "enter enter_setup#1",
        "press",
        "await_text",
        "exit enter_setup#1",
        "enter enter_setup#2",
        "press",
        "await_text",
        "exit enter_setup#2",
        "enter enter_setup#3",
        "press",
        "await_text",
        "exit enter_setup#3",
    ]
    assert runtime.calls[0].args["specs"] == [("F2",)]


def test_subscript_gives_up_after_its_retries(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    def never(call: object) -> None:
        raise TextNotFound("BIOS Setup Utility is not on screen")

    runtime.responses["await_text"] = never
    module = load_rtest("""
        subscript enter_setup() retries 1:
            await_text "BIOS Setup Utility"
        test "setup":
            enter_setup()
    """)
    with pytest.raises(TextNotFound):
        _run_all(module)
    assert runtime.events.count("await_text") == 2


def test_script_errors_are_not_retried(load_rtest: Loader, runtime: RecordingRuntime) -> None:
    module = load_rtest("""
        subscript broken() retries 3:
            log("try")
            {}["missing"]
        test "broken":
            broken()
    """)
    with pytest.raises(KeyError):
        _run_all(module)
    assert [c.name for c in runtime.calls] == ["log"]


def test_subscript_timeout_stops_its_steps(load_rtest: Loader, runtime: RecordingRuntime) -> None:
    module = load_rtest("""
        subscript slow() timeout 5s:
            wait 3s
            wait 3s
            press F2
        test "slow":
            slow()
    """)
    with pytest.raises(StepTimeout, match="sub-script slow"):
        _run_all(module)
    assert [c.name for c in runtime.calls] == ["wait", "wait"]


def test_test_timeout_applies_but_teardown_still_runs(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    module = load_rtest("""
        teardown:
            press Esc
        test "slow" timeout 1min:
            wait 2min
            press F2
    """)
    with pytest.raises(StepTimeout, match="test 'slow'"):
        _run_all(module)
    assert [c.name for c in runtime.calls] == ["wait", "press"]
    assert runtime.calls[-1].args["specs"] == [("Esc",)]


def test_failing_assert_points_at_the_rtest_line(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    module = load_rtest(
        """
        test "version":
            version = read_text right_of "BIOS Version"

            assert version == "1.07", f"BIOS version is {version!r}"
    """,
        name="version_check",
    )
    (case,) = collect(module)
    with pytest.raises(AssertionError) as info:
        run_case(module, case)
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.filename.endswith("version_check.rtest")
    assert frame.lineno == 5
    assert frame.line == 'assert version == "1.07", f"BIOS version is {version!r}"'


def test_step_failure_traceback_points_at_the_statement(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    def missing(call: object) -> None:
        raise TextNotFound("'Welcome' not on screen")

    runtime.responses["await_text"] = missing
    module = load_rtest(
        """
        subscript login():
            press Enter
            await_text "Welcome" within 2s

        test "login":
            log("start")
            login()
    """,
        name="login_check",
    )
    with pytest.raises(TextNotFound) as info:
        _run_all(module)
    frames = [
        f
        for f in traceback.extract_tb(info.value.__traceback__)
        if f.filename.endswith("login_check.rtest")
    ]
    assert [(f.name, f.lineno) for f in frames] == [("test_login", 8), ("login", 4)]
    assert frames[-1].colno == 4  # the statement's own column
    assert frames[-1].line == 'await_text "Welcome" within 2s'


def test_rtest_modules_import_each_other(
    load_rtest: Loader, runtime: RecordingRuntime, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.syspath_prepend(str(tmp_path))
    load_rtest(
        """
        subscript boot_to_bios(key=F2):
            press Power
            press (key)
    """,
        name="lib_power_x",
    )
    sys.modules.pop("lib_power_x", None)
    module = load_rtest("""
        from lib_power_x import boot_to_bios
        test "bios":
            boot_to_bios(key="F12")
    """)
    _run_all(module)
    assert [c.args["specs"] for c in runtime.calls] == [[("Power",)], [("F12",)]]


def test_config_and_log_are_available(load_rtest: Loader, runtime: RecordingRuntime) -> None:
    module = load_rtest("""
        test "config":
            log(config.product.bios_version)
            log(config["product"]["bios_version"])
    """)
    _run_all(module)
    assert [c.args["message"] for c in runtime.calls] == ["1.07", "1.07"]


def test_station_time_measures_on_the_runtime_clock(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    module = load_rtest("""
        test "boot time":
            start = station_time()
            wait 2.5s
            log(station_time() - start)
    """)
    _run_all(module)
    assert [c.args for c in runtime.calls] == [{"seconds": 2.5}, {"message": "2.5"}]


def test_variable_key_specs_are_checked_when_pressed(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    module = load_rtest("""
        KEY = "ctrl+shift+Esc"
        BAD = "ctrl+nokey"
        test "keys":
            press KEY
            press BAD
    """)
    with pytest.raises(ScriptError, match="unknown key 'nokey'"):
        _run_all(module)
    assert runtime.calls[0].args["specs"] == [("Ctrl", "Shift", "Esc")]
