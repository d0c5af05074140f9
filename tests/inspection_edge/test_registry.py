"""Registry and line commands: versions with metrics, comparison, promotion, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from edge_helpers import LINE, Plant, invoke, units
from typer.testing import CliRunner

from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.updates import gate
from robotest.inspection.registry import Registry


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_version_records_metrics_threshold_input_roi_and_data(home: Path, plant: Plant,
                                                                runner: CliRunner) -> None:
    listed = json.loads(invoke(runner, "models", "list", "--home", home, "--json").output)
    assert len(listed) == 1
    version = listed[0]
    model = json.loads((plant.model / "model.json").read_text())
    assert version["runs_on"] == LINE and version["origin"] == "train"
    assert version["threshold"] == pytest.approx(model["threshold"])
    assert version["input_size"] == [128, 128] and version["roi"] == [0, 0, 128, 128]
    assert version["data_version"] == model["data_version"] and version["train_images"] == 16
    assert version["metrics"]["images"] == 12 and version["metrics"]["defective"] == 6
    assert version["metrics"]["holdout"] == str(plant.holdout)
    assert Path(version["folder"]).is_relative_to(home / "models")


def test_versions_are_compared_and_a_worse_one_is_not_promoted(
        home: Path, plant: Plant, runner: CliRunner, tmp_path: Path) -> None:
    weak = tmp_path / "weak"
    result = invoke(runner, "train", plant.train, "--out", weak, "--model", "mean",
                    "--work-size", "64", "--min-area", "150", "--quiet")
    assert result.exit_code == 0, result.output
    assert invoke(runner, "models", "add", weak, "--holdout", plant.holdout,
                  "--home", home).exit_code == 0
    first, second = (v["name"] for v in json.loads(
        invoke(runner, "models", "list", "--home", home, "--json").output))
    table = json.loads(invoke(runner, "models", "compare", first, second, "--home", home,
                              "--json").output)
    f1 = next(row for row in table if row["metric"] == "f1")
    assert set(f1) == {"metric", first, second}
    assert f1[second] > f1[first]  # the mean-image baseline copes better with the drift
    promoted = invoke(runner, "models", "promote", second, "--line", LINE, "--home", home)
    assert promoted.exit_code == 0 and promoted.output.startswith("promoted:")
    assert Registry(home).line(LINE).version == second
    back = invoke(runner, "models", "promote", first, "--line", LINE, "--home", home)
    assert back.exit_code == 1 and back.output.startswith(
        f"rejected: f1 {f1[first]:.3f} on the held-out set is below the running version's "
        f"{f1[second]:.3f}")
    assert Registry(home).line(LINE).version == second
    forced = invoke(runner, "models", "promote", first, "--line", LINE, "--home", home,
                    "--force")
    assert forced.exit_code == 0 and Registry(home).line(LINE).version == first


def test_gate_needs_every_metric_at_least_as_good() -> None:
    assert gate({"f1": 0.9, "image_auroc": 1.0}, {"f1": 0.9, "image_auroc": 1.0})[0]
    ok, reason = gate({"f1": 0.95, "image_auroc": 0.97}, {"f1": 0.9, "image_auroc": 0.98})
    assert not ok and reason == ("rejected: image_auroc 0.970 on the held-out set is below "
                                 "the running version's 0.980")
    assert not gate({"f1": None, "image_auroc": 1.0}, {"f1": 0.5, "image_auroc": 1.0})[0]


def test_line_settings_apply_to_the_running_model(home: Path, runner: CliRunner) -> None:
    good = units("s", 1, 0, 0.0, seed=1)[0]
    service = EdgeService(home, LINE)
    relaxed = service.inspect(good.id, good.data)[0]
    assert invoke(runner, "line", "set", LINE, "--home", home, "--threshold", "2",
                  "--roi", "8,8,112,112").exit_code == 0
    strict = service.inspect("s-again", good.data)[0]  # picked up without a restart
    assert service.model.meta.roi == [8, 8, 112, 112]
    assert strict.score < relaxed.score
    shown = json.loads(invoke(runner, "line", "show", LINE, "--home", home).output)
    assert shown["threshold"] == 2.0 and shown["counts"] == {"OK": 2, "NG": 0}


def test_review_and_update_commands(home: Path, runner: CliRunner) -> None:
    service = EdgeService(home, LINE)
    for unit in units("q", 6, 0, 0.08, seed=2):
        service.inspect(unit.id, unit.data)
    assert invoke(runner, "update", "--line", LINE, "--home", home).output.strip() == \
        "no update due"
    queue = json.loads(invoke(runner, "review", "--line", LINE, "--home", home).output)
    assert queue and Path(queue[0]["heatmap"]).is_file()
    unit = queue[0]["unit"]
    one_line_error(invoke(runner, "review", unit, "--line", LINE, "--home", home,
                          "--attention", "well"), "say whether the verdict was correct first")
    one_line_error(invoke(runner, "review", unit, "--line", LINE, "--home", home,
                          "--verdict", "maybe"), "must be one of correct, wrong")
    done = invoke(runner, "review", unit, "--line", LINE, "--home", home, "--verdict", "wrong",
                  "--attention", "wrong_place")
    assert done.exit_code == 0 and "marked wrong, attention wrong_place" in done.output
    update = invoke(runner, "update", "--line", LINE, "--home", home, "--epochs", "2")
    assert update.exit_code == 0 and update.output.startswith("finetune ae-"), update.output


def test_mistakes_are_one_line_errors(home: Path, runner: CliRunner, tmp_path: Path) -> None:
    one_line_error(invoke(runner, "models", "promote", "nope", "--line", LINE, "--home", home),
                   "no model version 'nope'")
    one_line_error(invoke(runner, "line", "show", "L9", "--home", home), "no line 'L9'")
    one_line_error(invoke(runner, "line", "set", LINE, "--home", home, "--band", "2"),
                   "band must be in [0, 1)")
    one_line_error(invoke(runner, "line", "set", LINE, "--home", home, "--roi", "1,2"),
                   "ROI must be x,y,w,h")
    one_line_error(invoke(runner, "models", "add", tmp_path / "none", "--holdout", tmp_path,
                          "--home", home), "does not exist")
    one_line_error(invoke(runner, "update", "--line", LINE, "--home", home, "--kind", "x"),
                   "update kind must be due, finetune or retrain")
    one_line_error(invoke(runner, "update", "--line", LINE, "--home", home, "--kind",
                          "finetune"), "no corrected units to fine-tune on")
    invoke(runner, "line", "set", "L2", "--home", home)
    one_line_error(invoke(runner, "serve", "--line", "L2", "--home", home),
                   "runs no model version yet")
    shutil.rmtree(home / "models")
    one_line_error(invoke(runner, "serve", "--line", LINE, "--home", home), "does not exist")
