"""A line running a ``knn`` model: units are judged, reviewed, and a fine-tune refits a
``knn`` model from the training set and the corrected units through the retraining gate."""

from __future__ import annotations

import json
from pathlib import Path

from edge_helpers import LINE, Plant, invoke, units
from typer.testing import CliRunner

from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.updates import UpdateOptions, Updates
from robotest.inspection.model import load_model
from robotest.inspection.registry import now


def test_a_knn_line_judges_reviews_and_refits(
    tmp_path: Path, plant: Plant, runner: CliRunner
) -> None:
    model, home = tmp_path / "knn", tmp_path / "edge"
    trained = invoke(
        runner,
        "train",
        plant.train,
        "--out",
        model,
        "--model",
        "knn",
        "--work-size",
        "64",
        "--min-area",
        "150",
        "--quiet",
    )
    assert trained.exit_code == 0, trained.output
    assert (
        invoke(runner, "models", "add", model, "--holdout", plant.holdout, "--home", home).exit_code
        == 0
    )
    assert (
        invoke(
            runner,
            "line",
            "set",
            LINE,
            "--home",
            home,
            "--train",
            plant.train,
            "--holdout",
            plant.holdout,
            "--review-rate",
            "0.6",
        ).exit_code
        == 0
    )
    version = json.loads(invoke(runner, "models", "list", "--home", home, "--json").output)[0]
    assert version["name"].startswith("knn-")
    assert (
        invoke(
            runner, "models", "promote", version["name"], "--line", LINE, "--home", home
        ).exit_code
        == 0
    )

    service = EdgeService(home, LINE)
    judged = [service.inspect(u.id, u.data)[0] for u in units("k", 4, 2, 0.0, seed=5)]
    assert {r.verdict for r in judged} <= {"OK", "NG"} and any(r.verdict == "NG" for r in judged)
    wrong = next(r for r in judged if r.folder is not None)
    service.units.review(LINE, wrong.unit, verdict="wrong", attention="well", at=now())

    updates = Updates(service.registry, service.units, UpdateOptions())
    assert updates.due(LINE) == "finetune"
    update = invoke(runner, "update", "--line", LINE, "--home", home, "--kind", "finetune")
    assert update.exit_code == 0 and update.output.startswith("finetune knn-"), update.output
    refitted = service.registry.version(update.output.split()[1].rstrip(":"))
    assert load_model(refitted.folder).meta.kind == "knn"
