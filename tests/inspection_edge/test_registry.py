"""Registry and line commands: versions with metrics, comparison, promotion, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from edge_helpers import LINE, Plant, invoke, units
from typer.testing import CliRunner

from robotest.inspection.edge.gate import Picture, compare
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.updates import Updates
from robotest.inspection.registry import Registry, now


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_version_records_metrics_threshold_input_roi_and_data(
    home: Path, plant: Plant, runner: CliRunner
) -> None:
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


def test_versions_are_compared_and_one_picture_does_not_flip_the_gate(
    home: Path, plant: Plant, runner: CliRunner, tmp_path: Path
) -> None:
    weak = tmp_path / "weak"
    result = invoke(
        runner,
        "train",
        plant.train,
        "--out",
        weak,
        "--model",
        "mean",
        "--work-size",
        "64",
        "--min-area",
        "150",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    assert (
        invoke(runner, "models", "add", weak, "--holdout", plant.holdout, "--home", home).exit_code
        == 0
    )
    first, second = (
        v["name"]
        for v in json.loads(invoke(runner, "models", "list", "--home", home, "--json").output)
    )
    table = json.loads(
        invoke(runner, "models", "compare", first, second, "--home", home, "--json").output
    )
    f1 = next(row for row in table if row["metric"] == "f1")
    assert set(f1) == {"metric", first, second} and f1[second] != f1[first]
    # the two differ on a few of the 12 held-out pictures: within chance, both ways
    promoted = invoke(runner, "models", "promote", second, "--line", LINE, "--home", home)
    assert promoted.exit_code == 0, promoted.output
    assert promoted.output.startswith(
        "promoted: not worse than the running version beyond "
        "chance on 12 pictures (held-out 12 + reviewed 0)"
    )
    back = invoke(runner, "models", "promote", first, "--line", LINE, "--home", home)
    assert back.exit_code == 0 and back.output.startswith("promoted:"), back.output
    assert Registry(home).line(LINE).version == first


def test_a_version_worse_on_the_reviewed_units_is_refused_unless_forced(
    home: Path, plant: Plant, runner: CliRunner, tmp_path: Path
) -> None:
    strict = tmp_path / "strict"  # the same model with a threshold 20 times too low
    shutil.copytree(plant.model, strict)
    meta = json.loads((strict / "model.json").read_text())
    meta["threshold"] /= 20
    (strict / "model.json").write_text(json.dumps(meta))
    assert (
        invoke(
            runner, "models", "add", strict, "--holdout", plant.holdout, "--home", home
        ).exit_code
        == 0
    )
    service = EdgeService(home, LINE)
    for unit in units("ok", 10, 0, 0.0, seed=4):  # ten good units, reviewed: correct
        record, _ = service.inspect(unit.id, unit.data)
        assert record.verdict == "OK"
        service.units.review(LINE, unit.id, verdict="correct", attention="well", at=now())
    kept = [u for u in service.units.reviewed(LINE) if u.folder]
    name = json.loads(invoke(runner, "models", "list", "--home", home, "--json").output)[1]
    refused = invoke(runner, "models", "promote", name["name"], "--line", LINE, "--home", home)
    assert refused.exit_code == 1, refused.output
    assert refused.output.startswith(
        "rejected: worse than the running version beyond chance "
        f"on {12 + len(kept)} pictures (held-out 12 + reviewed "
        f"{len(kept)})"
    )
    assert "McNemar p = " in refused.output
    forced = invoke(
        runner, "models", "promote", name["name"], "--line", LINE, "--home", home, "--force"
    )
    assert forced.exit_code == 0 and forced.output.startswith(
        "FORCED: forced by the operator; the gate said rejected: "
    )
    assert Registry(home).line(LINE).version == name["name"]
    history = Updates(service.registry, service.units).history(LINE)
    assert [(u.promoted, u.forced) for u in history[:2]] == [(True, True), (False, False)]


def test_the_gate_refuses_only_a_candidate_worse_beyond_chance() -> None:
    pictures = [Picture(Path(f"{i}.png"), i % 2 == 0, "held-out") for i in range(20)]
    running = [True] * 20
    one_worse = [i != 3 for i in range(20)]
    assert compare(one_worse, running, pictures).promoted  # one picture: chance
    five_worse = [i >= 5 for i in range(20)]
    result = compare(five_worse, running, pictures)
    assert not result.promoted and (result.worse, result.better) == (5, 0)
    assert result.p_value == pytest.approx(0.5**5)
    mixed = [i not in (0, 1, 2, 3, 4) for i in range(20)]
    better = [i >= 3 for i in range(20)]  # the running one is wrong on 0-2 as well...
    assert compare(mixed, better, pictures).promoted  # ...so only 2 worse: chance


def test_line_settings_apply_to_the_running_model(home: Path, runner: CliRunner) -> None:
    good = units("s", 1, 0, 0.0, seed=1)[0]
    service = EdgeService(home, LINE)
    relaxed = service.inspect(good.id, good.data)[0]
    assert (
        invoke(
            runner, "line", "set", LINE, "--home", home, "--threshold", "2", "--roi", "8,8,112,112"
        ).exit_code
        == 0
    )
    strict = service.inspect("s-again", good.data)[0]  # picked up without a restart
    assert service.model.meta.roi == [8, 8, 112, 112]
    assert strict.score < relaxed.score
    shown = json.loads(invoke(runner, "line", "show", LINE, "--home", home).output)
    assert shown["threshold"] == 2.0 and shown["counts"] == {"OK": 2, "NG": 0}
    low, high = shown["band"]
    assert low < 1 < high and low == pytest.approx(1 / high, abs=1e-3)
    assert shown["calibration_units"] == 6 and shown["holdout_good_in_review"] <= 0.6


def test_review_and_update_commands(home: Path, runner: CliRunner) -> None:
    service = EdgeService(home, LINE)
    for unit in units("q", 6, 0, 0.08, seed=2):
        service.inspect(unit.id, unit.data)
    assert (
        invoke(runner, "update", "--line", LINE, "--home", home).output.strip() == "no update due"
    )
    queue = json.loads(invoke(runner, "review", "--line", LINE, "--home", home).output)
    assert queue and Path(queue[0]["heatmap"]).is_file()
    unit = queue[0]["unit"]
    one_line_error(
        invoke(runner, "review", unit, "--line", LINE, "--home", home, "--attention", "well"),
        "say whether the verdict was correct first",
    )
    one_line_error(
        invoke(runner, "review", unit, "--line", LINE, "--home", home, "--verdict", "maybe"),
        "must be one of correct, wrong",
    )
    done = invoke(
        runner,
        "review",
        unit,
        "--line",
        LINE,
        "--home",
        home,
        "--verdict",
        "wrong",
        "--attention",
        "wrong_place",
    )
    assert done.exit_code == 0 and "marked wrong, attention wrong_place" in done.output
    rest = [u["unit"] for u in queue[1:]]  # a bulk action: the others alike
    assert len(rest) >= 1
    bulk = invoke(
        runner,
        "review",
        *rest,
        "--line",
        LINE,
        "--home",
        home,
        "--verdict",
        "correct",
        "--attention",
        "well",
    )
    assert bulk.exit_code == 0 and len(bulk.output.splitlines()) == len(rest), bulk.output
    assert json.loads(invoke(runner, "review", "--line", LINE, "--home", home).output) == []
    unreviewed_ng = json.loads(
        invoke(runner, "review", "--ng", "--line", LINE, "--home", home).output
    )
    assert unreviewed_ng and all(
        u["verdict"] == "NG" and Path(u["heatmap"]).is_file() for u in unreviewed_ng
    )
    assert not {u["unit"] for u in unreviewed_ng} & {u["unit"] for u in queue}
    update = invoke(runner, "update", "--line", LINE, "--home", home, "--epochs", "2")
    assert update.exit_code == 0 and update.output.startswith("finetune ae-"), update.output


def test_mistakes_are_one_line_errors(home: Path, runner: CliRunner, tmp_path: Path) -> None:
    one_line_error(
        invoke(runner, "models", "promote", "nope", "--line", LINE, "--home", home),
        "no model version 'nope'",
    )
    one_line_error(invoke(runner, "line", "show", "L9", "--home", home), "no line 'L9'")
    one_line_error(
        invoke(runner, "line", "set", LINE, "--home", home, "--review-rate", "2"),
        "review_rate must be in [0, 1]",
    )
    one_line_error(
        invoke(runner, "token", "plc", "--role", "admin", "--line", LINE, "--home", home),
        "unknown role 'admin'",
    )
    one_line_error(
        invoke(runner, "token", "plc", "--role", "line", "--line", "L7", "--home", home),
        "no line 'L7'",
    )
    one_line_error(
        invoke(runner, "token", "nobody", "--revoke", "--home", home),
        "no live token named 'nobody'",
    )
    one_line_error(
        invoke(runner, "line", "set", LINE, "--home", home, "--roi", "1,2"), "ROI must be x,y,w,h"
    )
    one_line_error(
        invoke(runner, "models", "add", tmp_path / "none", "--holdout", tmp_path, "--home", home),
        "does not exist",
    )
    one_line_error(
        invoke(runner, "update", "--line", LINE, "--home", home, "--kind", "x"),
        "update kind must be due, finetune or retrain",
    )
    one_line_error(
        invoke(runner, "update", "--line", LINE, "--home", home, "--kind", "finetune"),
        "no corrected units to fine-tune on",
    )
    invoke(runner, "line", "set", "L2", "--home", home)
    one_line_error(
        invoke(runner, "serve", "--line", "L2", "--home", home), "runs no model version yet"
    )
    shutil.rmtree(home / "models")
    one_line_error(invoke(runner, "serve", "--line", LINE, "--home", home), "does not exist")
