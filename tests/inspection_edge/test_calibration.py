"""What a score means: the service gives the score `predict` prints, the review band is set
from the held-out good units' scores, and fresh good units rarely go to review."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from edge_helpers import LINE, PRODUCT, SIZE, Plant, invoke, png, units
from typer.testing import CliRunner

from robotest.inspection.edge.calibration import Calibration
from robotest.inspection.edge.service import EdgeService


def test_the_band_holds_at_most_the_review_rate_of_the_good_units() -> None:
    scores = Calibration(tuple(sorted([0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 1.02, 1.2, 2.0])))
    # k = floor(0.2 * 11) = 2: the 2nd nearest to the threshold (|log|) is the band's edge
    low, high = scores.band(0.2)
    assert (low, high) == pytest.approx((0.97, 1 / 0.97))
    assert scores.review_share(0.2) == 0.1  # 1.02 inside, 0.97 on the edge
    assert scores.band(0.05) == (1.0, 1.0)  # floor(0.05 * 11) = 0: too few to promise 5 %
    assert scores.too_few(0.05) == (
        "10 held-out good unit(s) cannot promise a review rate of 0.05: no unit goes to "
        "review; put at least 19 good units in test/good"
    )
    assert scores.too_few(0.1) is None
    assert scores.band(0.1) == pytest.approx((1 / 1.02, 1.02))
    for rate in np.linspace(0, 1, 21):
        assert scores.review_share(float(rate)) <= rate + 1e-9
    assert scores.good_quantile(0.85) == 0.4 and scores.good_quantile(3.0) == 1.0
    assert Calibration(()).band(0.5) == (1.0, 1.0)  # no held-out good units: no band
    assert math.isclose(low * high, 1.0)


def test_the_service_gives_the_score_predict_prints_for_the_same_picture(
    home: Path, plant: Plant, runner: CliRunner, tmp_path: Path
) -> None:
    service = EdgeService(home, LINE)
    pictures = units("p", 3, 1, 0.08, seed=7)
    paths = []
    for unit in pictures:
        path = tmp_path / f"{unit.id}.png"
        path.write_bytes(unit.data)
        paths.append(path)
    result = invoke(runner, "predict", plant.model, *paths, "--json")
    assert result.exit_code == 0, result.output
    predicted = json.loads(result.output)
    for unit, shown in zip(pictures, predicted, strict=True):
        record, _ = service.inspect(unit.id, unit.data)
        assert record.score == pytest.approx(shown["score"], abs=1e-4), unit.id
        assert (record.verdict == "NG") == (shown["verdict"] == "fail")
        assert record.boxes == shown["boxes"]


def test_at_most_a_tenth_of_fresh_good_units_go_to_review(
    tmp_path: Path, plant: Plant, runner: CliRunner
) -> None:
    """A line calibrated on 20 held-out good units at the default review rate (0.05),
    then 40 good units it has never seen, from the same production."""
    holdout = tmp_path / "holdout"
    rng = np.random.default_rng(21)
    for folder, count in (("test/good", 20), ("test/hole", 4)):
        (holdout / folder).mkdir(parents=True)
        for i in range(count):
            texture = PRODUCT.texture(rng, SIZE)
            image = PRODUCT.defect(rng, texture)[0] if folder == "test/hole" else texture
            cv2.imwrite(
                str(holdout / folder / f"{i:03d}.png"),
                np.clip(image * 255, 0, 255).astype(np.uint8),
            )
    home = tmp_path / "edge"
    assert (
        invoke(runner, "models", "add", plant.model, "--holdout", holdout, "--home", home).exit_code
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
            "--holdout",
            holdout,
            "--train",
            plant.train,
        ).exit_code
        == 0
    )
    name = json.loads(invoke(runner, "models", "list", "--home", home, "--json").output)[0]
    assert (
        invoke(runner, "models", "promote", name["name"], "--line", LINE, "--home", home).exit_code
        == 0
    )
    service = EdgeService(home, LINE)
    assert service.line.review_rate == 0.05 and service.calibration.units == 20
    fresh = [png(PRODUCT.texture(rng, SIZE)) for _ in range(40)]
    records = [service.inspect(f"g-{i:03d}", data)[0] for i, data in enumerate(fresh)]
    reviewed = sum(r.uncertain for r in records)
    assert reviewed <= 4, [round(r.decision or 0, 3) for r in records]
    assert all(0 <= (r.good_quantile or 0) <= 1 for r in records)
