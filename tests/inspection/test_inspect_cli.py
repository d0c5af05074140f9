"""The contract of `rtest inspect train|predict|eval|explain`, including bad input."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from robotest.cli import app


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(app, ["inspect", *map(str, args)])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_train_saves_threshold_input_size_roi_and_versions(ae_model: Path) -> None:
    meta = json.loads((ae_model / "model.json").read_text())
    assert meta["kind"] == "ae"
    assert meta["threshold"] > 0
    assert meta["input_size"] == [128, 128]
    assert meta["roi"] == [0, 0, 128, 128]
    assert meta["code_version"].startswith("robotest ")
    assert meta["data_version"].startswith("sha256:")
    assert meta["acceptance"]["kind"] == "rule"
    assert meta["version"] and meta["format"] == 1
    assert (ae_model / "weights.pt").is_file()


def test_train_shows_progress_with_loss(
    runner: CliRunner, tiny_dataset: Path, tmp_path: Path
) -> None:
    result = invoke(
        runner,
        "train",
        tiny_dataset,
        "--out",
        tmp_path / "m",
        "--model",
        "mean",
        "--work-size",
        "64",
    )
    assert result.exit_code == 0, result.output
    assert "saved mean model" in result.stdout
    result = invoke(
        runner,
        "train",
        tiny_dataset,
        "--out",
        tmp_path / "m2",
        "--model",
        "ae",
        "--epochs",
        "1",
        "--work-size",
        "32",
    )
    assert result.exit_code == 0, result.output
    assert "loss" in result.stderr and "epoch 1/1" in result.stderr


def test_the_default_model_is_knn(runner: CliRunner, tiny_dataset: Path, tmp_path: Path) -> None:
    """The model measured on real surfaces is what a line engineer gets without choosing."""
    result = invoke(runner, "train", tiny_dataset, "--out", tmp_path / "m", "--work-size", "64")
    assert result.exit_code == 0, result.output
    assert "saved knn model" in result.stdout
    assert json.loads((tmp_path / "m" / "model.json").read_text())["kind"] == "knn"


def test_predict_json_shape_and_verdicts(
    runner: CliRunner, ae_model: Path, tiny_dataset: Path
) -> None:
    good = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    bad = sorted((tiny_dataset / "test" / "hole").glob("*.png"))
    result = invoke(runner, "predict", ae_model, *good, *bad, "--json")
    assert result.exit_code == 0, result.output
    answers = json.loads(result.stdout)
    assert [a["image"] for a in answers] == [str(p) for p in good + bad]
    for answer in answers:
        assert set(answer) == {"image", "score", "verdict", "boxes"}
        assert answer["verdict"] in ("pass", "fail")
        for box in answer["boxes"]:
            x, y, w, h, score = box
            assert all(isinstance(v, int) for v in (x, y, w, h)) and w > 0 and h > 0
            assert 0 <= x < 128 and 0 <= y < 128 and score > 1.0
    assert [a["verdict"] for a in answers[len(good) :]] == ["fail"] * len(bad)
    bad_scores = [a["score"] for a in answers[len(good) :]]
    assert min(bad_scores) > max(a["score"] for a in answers[: len(good)])


def test_predict_maps_mirror_the_inputs_relative_paths(
    runner: CliRunner, ae_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    good = tiny_dataset / "test" / "good" / "000.png"
    bad = tiny_dataset / "test" / "hole" / "001.png"
    maps = tmp_path / "maps"
    result = invoke(runner, "predict", ae_model, good, bad, "--maps", maps, "--json")
    assert result.exit_code == 0, result.output
    for rel in ("good/000.png", "hole/001.png"):
        image = cv2.imread(str(maps / rel), cv2.IMREAD_UNCHANGED)
        assert image is not None and image.dtype == np.uint8 and image.shape == (128, 128)
    hole_map = cv2.imread(str(maps / "hole/001.png"), cv2.IMREAD_UNCHANGED)
    assert hole_map.max() > 128  # above the threshold somewhere
    single = tmp_path / "single"
    assert invoke(runner, "predict", ae_model, bad, "--maps", single).exit_code == 0
    assert (single / "001.png").is_file()


def test_predict_bad_input_is_one_line(runner: CliRunner, ae_model: Path, tmp_path: Path) -> None:
    assert_one_line_error(
        invoke(runner, "predict", ae_model, tmp_path / "none.png", "--json"),
        "none.png",
        "does not exist",
    )
    small = tmp_path / "small.png"
    cv2.imwrite(str(small), np.zeros((64, 80), np.uint8))
    assert_one_line_error(
        invoke(runner, "predict", ae_model, small, "--json"), "is 80x64", "expects 128x128"
    )
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a picture")
    assert_one_line_error(invoke(runner, "predict", ae_model, junk), "junk.png", "not a readable")
    assert_one_line_error(
        invoke(runner, "predict", tmp_path / "nomodel", small), "model folder", "does not exist"
    )


def test_eval_json_figures(runner: CliRunner, ae_model: Path, tiny_dataset: Path) -> None:
    result = invoke(runner, "eval", ae_model, tiny_dataset, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert {"image_auroc", "pixel_auroc", "box_ap50", "f1"} <= set(figures)
    assert figures["images"] == 6 and figures["defective"] == 3
    assert figures["image_auroc"] == 1.0  # holes are obvious even after four epochs
    for key in ("pixel_auroc", "box_ap50", "f1"):
        assert 0.0 <= figures[key] <= 1.0


def test_eval_without_test_images_is_an_error(
    runner: CliRunner, ae_model: Path, dataset_copy: Path
) -> None:
    import shutil

    shutil.rmtree(dataset_copy / "test")
    assert_one_line_error(
        invoke(runner, "eval", ae_model, dataset_copy, "--json"), "no test images"
    )


def test_explain_writes_an_overlay_the_size_of_the_image(
    runner: CliRunner, ae_model: Path, cnn_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    image = tiny_dataset / "test" / "hole" / "000.png"
    for model in (ae_model, cnn_model):
        out = tmp_path / f"{model.name}.png"
        result = invoke(runner, "explain", model, image, "--out", out)
        assert result.exit_code == 0, result.output
        overlay = cv2.imread(str(out))
        assert overlay.shape == (128, 128, 3)
        grey = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
        assert not np.array_equal(overlay[:, :, 0], grey)  # coloured heat map drawn over it
    assert_one_line_error(
        invoke(runner, "explain", ae_model, tmp_path / "x.png", "--out", tmp_path / "o.png"),
        "does not exist",
    )


def test_cnn_needs_labelled_defects(
    runner: CliRunner, dataset_copy: Path, tmp_path: Path, train_with
) -> None:
    import shutil

    shutil.rmtree(dataset_copy / "train" / "hole")
    assert_one_line_error(
        train_with(runner, dataset_copy, tmp_path / "m", "--model", "cnn"),
        "labelled defective",
        "cnn",
    )


@pytest.mark.parametrize(
    "damage, message",
    [
        ("missing", "does not exist"),
        ("empty", "has no images"),
        ("no_train", "no train/good folder"),
        ("wrong_size", "expects 128x128"),
        ("unreadable", "not a readable image"),
        ("one_image", "at least 2"),
    ],
)
def test_train_bad_input_is_one_line(
    runner: CliRunner, dataset_copy: Path, tmp_path: Path, damage: str, message: str, train_with
) -> None:
    good = dataset_copy / "train" / "good"
    target = dataset_copy
    if damage == "missing":
        target = tmp_path / "nowhere"
    elif damage == "empty":
        for file in good.glob("*.png"):
            file.unlink()
    elif damage == "no_train":
        import shutil

        shutil.rmtree(dataset_copy / "train")
    elif damage == "wrong_size":
        cv2.imwrite(str(good / "999.png"), np.zeros((100, 128), np.uint8))
    elif damage == "unreadable":
        (good / "999.png").write_bytes(b"\x89PNG broken")
    elif damage == "one_image":
        for file in sorted(good.glob("*.png"))[1:]:
            file.unlink()
    out = tmp_path / "model"
    assert_one_line_error(train_with(runner, target, out, "--epochs", "1"), message)
    assert not (out / "model.json").exists()


def test_bad_options_are_one_line(
    runner: CliRunner, tiny_dataset: Path, tmp_path: Path, train_with
) -> None:
    assert_one_line_error(
        train_with(runner, tiny_dataset, tmp_path / "m", "--model", "svm"), "unknown model"
    )
    assert_one_line_error(train_with(runner, tiny_dataset, tmp_path / "m", "--roi", "1,2,3"), "ROI")
    assert_one_line_error(
        train_with(runner, tiny_dataset, tmp_path / "m", "--roi", "100,100,64,64"), "does not fit"
    )


def test_fixed_roi_limits_boxes_and_maps(
    runner: CliRunner, tiny_dataset: Path, tmp_path: Path, train_with
) -> None:
    model = tmp_path / "roi"
    result = train_with(runner, tiny_dataset, model, "--model", "mean", "--roi", "16,8,96,112")
    assert result.exit_code == 0, result.output
    assert json.loads((model / "model.json").read_text())["roi"] == [16, 8, 96, 112]
    images = sorted((tiny_dataset / "test").glob("*/*.png"))
    result = invoke(runner, "predict", model, *images, "--maps", tmp_path / "maps", "--json")
    assert result.exit_code == 0, result.output
    for answer in json.loads(result.stdout):
        for x, y, w, h, _ in answer["boxes"]:
            assert x >= 16 and x + w <= 112 and y >= 8 and y + h <= 120
    for file in (tmp_path / "maps").rglob("*.png"):
        heat = cv2.imread(str(file), cv2.IMREAD_UNCHANGED)
        assert heat[:, :16].max() == 0 and heat[:8, :].max() == 0  # outside the ROI


def test_acceptance_svm_from_judged_units(
    runner: CliRunner, dataset_copy: Path, tmp_path: Path, train_with
) -> None:
    import shutil

    for verdict, source in (("pass", "test/good"), ("fail", "test/hole")):
        shutil.copytree(dataset_copy / source, dataset_copy / "acceptance" / verdict)
    model = tmp_path / "svm"
    result = train_with(runner, dataset_copy, model, "--model", "mean")
    assert result.exit_code == 0, result.output
    assert json.loads((model / "model.json").read_text())["acceptance"]["kind"] == "svm"
    assert (model / "acceptance.joblib").is_file()
    bad = dataset_copy / "test" / "hole" / "000.png"
    result = invoke(runner, "predict", model, bad)
    assert result.exit_code == 0 and "acceptance SVM decision" in result.stdout
    assert ": fail " in result.stdout
    lenient = invoke(runner, "predict", model, bad, "--accept-threshold", "1000")
    assert ": pass " in lenient.stdout


def test_acceptance_needs_both_kinds_of_units(
    runner: CliRunner, dataset_copy: Path, tmp_path: Path, train_with
) -> None:
    import shutil

    shutil.copytree(dataset_copy / "test" / "good", dataset_copy / "acceptance" / "pass")
    assert_one_line_error(
        train_with(runner, dataset_copy, tmp_path / "m", "--model", "mean"), "both pass and fail"
    )
