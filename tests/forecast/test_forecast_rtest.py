"""An `.rtest` script calls the forecast plugin: backtest, fit, predict, part demand."""

from __future__ import annotations

from pathlib import Path

from robotest.dsl import import_path
from robotest.runtime import RecordingRuntime, collect, run_case, use_runtime

SCRIPTS = Path(__file__).parent / "scripts"


def test_script_runs_the_plugin_end_to_end() -> None:
    module = import_path(str(SCRIPTS / "forecast_demand.rtest"), "forecast_demand_rtest")
    (case,) = collect(module)
    runtime = RecordingRuntime(config={"forecast_data": str(SCRIPTS / "data")})
    with use_runtime(runtime):
        run_case(module, case)
    logged = [c.args["message"] for c in runtime.calls if c.name == "log"]
    assert len(logged) == 1 and '"part"' in logged[0]
