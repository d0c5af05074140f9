"""`rtest forecast ...`: each command's contract, and one-line errors with exit 2 on bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from robotest.cli import app

runner = CliRunner()


def rtest(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["forecast", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def assert_user_error(code: int, err: str, *pieces: str) -> None:
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for piece in pieces:
        assert piece in err


def test_backtest_json_has_every_model_horizon_and_commodity(
    history_csv: Path, tmp_path: Path
) -> None:
    code, out, _ = rtest(
        "backtest",
        history_csv,
        "--models",
        "customer,snaive,arima",
        "--horizon",
        "3",
        "--origins",
        "2",
        "--json",
        "--plots",
        tmp_path / "plots",
    )
    assert code == 0
    report = json.loads(out)
    assert {(r["model"], r["policy"]) for r in report["summary"]} == {
        ("customer", "updated"),
        ("snaive", "updated"),
        ("arima", "updated"),
    }
    assert {r["horizon"] for r in report["by_horizon"]} == {1, 2, 3}
    assert len(report["by_commodity"]) == 3 * 4
    assert set(report["summary"][0]) >= {"mae", "rmse", "wape", "smape", "mase"}
    pngs = sorted(p.name for p in (tmp_path / "plots").iterdir())
    assert "summary.png" in pngs and len(pngs) == 5
    assert (tmp_path / "plots" / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_table_by_default(history_csv: Path) -> None:
    code, out, _ = rtest(
        "backtest", history_csv, "--models", "customer", "--origins", "2", "--policy", "both"
    )
    assert code == 0 and "customer" in out and "wape" in out and "never" in out


@pytest.mark.parametrize(
    ("args", "pieces"),
    [
        (["--models", "lstm,prophet"], ["unknown model 'prophet'"]),
        (["--origins", "500"], ["too few for 500 origins"]),
        (["--policy", "sometimes"], ["unknown policy 'sometimes'"]),
        (["--freq", "fortnightly"], ["unknown frequency 'fortnightly'"]),
    ],
)
def test_backtest_bad_options(history_csv: Path, args: list[str], pieces: list[str]) -> None:
    assert_user_error(*rtest("backtest", history_csv, *args)[::2], *pieces)


def test_backtest_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("unique_id,ds,y,customer_forecast\nA,2024-01-01,3,1\nA,2024-01-08,-1,1\n")
    assert_user_error(*rtest("backtest", bad)[::2], "bad.csv line 3: negative y -1")
    assert_user_error(*rtest("backtest", tmp_path / "none.csv")[::2], "none.csv: no such file")


def test_fit_then_predict_csv_and_json(history_csv: Path, future_csv: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    code, out, _ = rtest("fit", history_csv, "--out", model, "--model", "arimax")
    assert code == 0 and (model / "meta.json").is_file() and (model / "arimax.json").is_file()
    code, out, _ = rtest("predict", model, "--future", future_csv, "--csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    future = pd.read_csv(future_csv)
    assert list(table.columns) == ["unique_id", "ds", "forecast"]
    assert table[["unique_id", "ds"]].equals(future[["unique_id", "ds"]])
    assert (table["forecast"] >= 0).all()
    code, out, _ = rtest("predict", model, "--future", future_csv, "--json")
    assert code == 0 and [r["forecast"] for r in json.loads(out)] == table["forecast"].tolist()


def test_predict_with_new_history_moves_the_origin(history_csv: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    assert rtest("fit", history_csv, "--out", model, "--model", "snaive")[0] == 0
    history = pd.read_csv(history_csv)
    last = pd.to_datetime(history["ds"]).max()
    week = lambda k: (last + pd.Timedelta(weeks=k)).strftime("%Y-%m-%d")  # noqa: E731
    new = tmp_path / "new.csv"
    new.write_text(f"unique_id,ds,y,customer_forecast\nFG-0000,{week(1)},0,5\n")
    future = tmp_path / "future.csv"
    future.write_text(f"unique_id,ds,customer_forecast\nFG-0000,{week(2)},5\n")
    code, out, err = rtest("predict", model, "--future", future, "--history", new, "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["ds"] == week(2)
    # without the new week, week 2 would be two steps ahead and need week 1's customer forecast
    assert_user_error(
        *rtest("predict", model, "--future", future)[::2], f"no customer_forecast for {week(1)}"
    )


def test_predict_bad_input(history_csv: Path, future_csv: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    assert rtest("fit", history_csv, "--out", model, "--model", "customer")[0] == 0
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("unique_id,ds,customer_forecast\nNOPE,2030-01-07,3\n")
    assert_user_error(
        *rtest("predict", model, "--future", unknown)[::2],
        "unknown.csv line 2: unknown unique_id 'NOPE'",
    )
    past = tmp_path / "past.csv"
    past.write_text("unique_id,ds,customer_forecast\nFG-0000,2020-01-06,3\n")
    assert_user_error(
        *rtest("predict", model, "--future", past)[::2],
        "past.csv line 2: ds 2020-01-06 is not after the last history period",
    )
    assert_user_error(
        *rtest("predict", tmp_path, "--future", future_csv)[::2], "not a model directory"
    )
    assert_user_error(
        *rtest("predict", model, "--future", future_csv, "--json", "--csv")[::2],
        "choose one of --json and --csv",
    )


def test_parts_turns_predictions_into_part_demand(tmp_path: Path) -> None:
    pred = tmp_path / "pred.csv"
    pred.write_text(
        "unique_id,ds,forecast\nFG1,2024-01-01,10\nFG2,2024-01-01,4\nFG1,2024-01-08,1\n"
    )
    bom = tmp_path / "bom.csv"
    bom.write_text("finished_good,part,quantity_per_unit\nFG1,screw,4\nFG1,panel,1\nFG2,screw,2\n")
    code, out, _ = rtest("parts", pred, bom, "--json")
    assert code == 0
    assert json.loads(out) == [
        {"part": "panel", "ds": "2024-01-01", "demand": 10.0},
        {"part": "panel", "ds": "2024-01-08", "demand": 1.0},
        {"part": "screw", "ds": "2024-01-01", "demand": 48.0},
        {"part": "screw", "ds": "2024-01-08", "demand": 4.0},
    ]
    code, out, _ = rtest("parts", pred, bom)
    assert code == 0 and out.splitlines()[0] == "part,ds,demand"


@pytest.mark.parametrize(
    ("bom_text", "piece"),
    [
        ("finished_good,part\nFG1,screw\n", "missing column(s) quantity_per_unit"),
        (
            "finished_good,part,quantity_per_unit\nFG1,screw,-2\n",
            "line 2: quantity_per_unit must be positive",
        ),
        (
            "finished_good,part,quantity_per_unit\nFG1,screw,2\nFG1,screw,3\n",
            "line 3: part 'screw' listed twice for finished good 'FG1'",
        ),
        (
            "finished_good,part,quantity_per_unit\nFG9,screw,2\n",
            "line 2: finished good 'FG1' is not in",
        ),
    ],
)
def test_parts_bad_bill_of_materials(tmp_path: Path, bom_text: str, piece: str) -> None:
    pred = tmp_path / "pred.csv"
    pred.write_text("unique_id,ds,forecast\nFG1,2024-01-01,10\n")
    bom = tmp_path / "bom.csv"
    bom.write_text(bom_text)
    assert_user_error(*rtest("parts", pred, bom)[::2], piece)


def test_serve_needs_a_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RTEST_FORECAST_TOKEN", raising=False)
    assert_user_error(*rtest("serve", "--data-dir", tmp_path)[::2], "no token")


def test_backtest_prints_a_table_per_model_and_plots_a_chosen_series(
    history_csv: Path, tmp_path: Path
) -> None:
    png = tmp_path / "fg1.png"
    code, out, err = rtest(
        "backtest",
        history_csv,
        "--models",
        "auto,autotheta,customer",
        "--candidates",
        "autotheta,seasonal_naive,customer",
        "--horizon",
        "3",
        "--origins",
        "2",
        "--plot",
        "FG-0001",
        "--plot-file",
        png,
    )
    assert code == 0, err
    rows = {line.split("│")[1].strip() for line in out.splitlines() if line.count("│") > 8}
    assert {"auto", "autotheta", "customer"} <= rows
    assert "4 commodities (W-MON), 2 origins" in " ".join(out.split())
    assert f"plot of FG-0001: {png}" in " ".join(out.split())
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_plot_of_an_unknown_series_is_a_user_error(history_csv: Path) -> None:
    assert_user_error(
        *rtest("backtest", history_csv, "--models", "customer", "--plot", "NOPE")[::2],
        "no commodity 'NOPE' to plot",
    )


def test_gapped_file_is_refused_then_filled_on_request(tmp_path: Path) -> None:
    rows = ["unique_id,ds,y,customer_forecast"]
    rows += [f"A,{2000 + k}-01-01,{10 + k % 3},{12 + k % 3}" for k in range(30) if k != 20]
    gapped = tmp_path / "gapped.csv"
    gapped.write_text("\n".join(rows) + "\n")
    assert_user_error(
        *rtest("backtest", gapped, "--models", "customer", "--horizon", "2")[::2],
        "'A' has a gap: no row for 2020-01-01 (YS-JAN",
    )
    code, out, err = rtest(
        "backtest", gapped, "--models", "customer", "--horizon", "2", "--fill", "zero", "--json"
    )
    assert code == 0, err and json.loads(out)["freq"] == "YS-JAN"


def test_fit_auto_then_predict_monthly(tmp_path: Path) -> None:
    months = pd.date_range("2020-01-31", periods=40, freq="ME").strftime("%Y-%m-%d")
    history = tmp_path / "monthly.csv"
    history.write_text(
        "unique_id,ds,y,customer_forecast\n"
        + "".join(
            f"{u},{d},{10 + k % 12 + i},{12 + k % 12}\n"
            for i, u in enumerate("AB")
            for k, d in enumerate(months)
        )
    )
    future = tmp_path / "future.csv"
    future.write_text("unique_id,ds,customer_forecast\nA,2023-05-31,15\nB,2023-05-31,15\n")
    model = tmp_path / "auto"
    code, out, err = rtest("fit", history, "--out", model, "--model", "auto")
    assert code == 0, err
    assert (model / "choice.json").is_file() and json.loads((model / "meta.json").read_text())[
        "freq"
    ] == "ME"
    code, out, err = rtest("predict", model, "--future", future, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["ds"] for r in rows] == ["2023-05-31", "2023-05-31"]
    assert all(r["forecast"] >= 0 for r in rows)


def test_fit_auto_with_the_cheap_candidates_uses_only_those(
    history_csv: Path, tmp_path: Path
) -> None:
    model = tmp_path / "cheap"
    cheap = "seasonal_naive,croston,customer"
    code, _, err = rtest(
        "fit", history_csv, "--out", model, "--model", "auto", "--candidates", cheap, "--jobs", "1"
    )
    assert code == 0, err
    state = json.loads((model / "choice.json").read_text())
    assert state["config"]["candidates"] == cheap.split(",")
    used = {name for weights in state["weights"].values() for name in weights}
    assert used and used <= {*cheap.split(","), "autotheta"}  # autotheta: the short fallback
    code, _, err = rtest(
        "fit", history_csv, "--out", tmp_path / "x", "--model", "auto", "--candidates", "prophet"
    )
    assert_user_error(code, err, "unknown candidate 'prophet'")


def test_fit_auto_on_a_large_panel_uses_the_scale_candidates_and_says_so(
    tmp_path: Path,
) -> None:
    from robotest.forecast.models import SCALE_CANDIDATES, SCALE_FROM

    months = pd.date_range("2020-01-01", periods=24, freq="MS").strftime("%Y-%m-%d")
    ids = [f"P{i:05d}" for i in range(SCALE_FROM)]
    frame = pd.DataFrame(
        {
            "unique_id": [u for u in ids for _ in months],
            "ds": list(months) * len(ids),
            "y": [10 + (k % 12) + i % 7 for i in range(len(ids)) for k in range(len(months))],
        }
    )
    frame["customer_forecast"] = frame["y"] + 3
    history = tmp_path / "parts.csv"
    frame.to_csv(history, index=False)
    code, _, err = rtest("fit", history, "--out", tmp_path / "big", "--model", "auto")
    assert code == 0, err
    assert f"note: {SCALE_FROM} commodities" in err and ",".join(SCALE_CANDIDATES) in err
    state = json.loads((tmp_path / "big" / "choice.json").read_text())
    assert state["config"]["candidates"] == list(SCALE_CANDIDATES)
    named = "seasonal_naive,customer"
    code, _, err = rtest(
        "fit", history, "--out", tmp_path / "named", "--model", "auto", "--candidates", named
    )
    assert code == 0, err
    assert "note:" not in err
    state = json.loads((tmp_path / "named" / "choice.json").read_text())
    assert state["config"]["candidates"] == named.split(",")
