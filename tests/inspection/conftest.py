"""Fixtures: a tiny generated data set (128x128 textures with holes) and models trained on it.

Training is kept tiny (a few epochs at a 64-pixel working size); the models are trained
once per session through the command line, which is itself under test.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from robotest.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "inspection_data", ROOT / "benchmarks" / "inspection_data.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["inspection_data"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    return _generator()


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory, generator: ModuleType) -> Path:
    """class04 (weave texture, dark holes): 10 normal training images, 3 + 3 test images,
    2 labelled defective training images for the CNN."""
    root = tmp_path_factory.mktemp("data")
    hole_class = generator.CLASSES[3]
    return generator.write_class(
        root, hole_class, size=128, train=10, test_good=3, test_bad=3, train_bad=2, seed=3
    )


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    return CliRunner()


def train_cli(runner: CliRunner, dataset: Path, out: Path, *extra: str):
    return runner.invoke(
        app,
        [
            "inspect",
            "train",
            str(dataset),
            "--out",
            str(out),
            "--work-size",
            "64",
            "--quiet",
            *extra,
        ],
    )


@pytest.fixture(scope="session")
def train_with():
    """`rtest inspect train DATASET --out OUT --work-size 64 --quiet *extra` as a function."""
    return train_cli


@pytest.fixture(scope="session")
def ae_model(
    tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path, runner: CliRunner
) -> Path:
    """An autoencoder trained through `rtest inspect train` (min area 150 px: a hole is ~450)."""
    out = tmp_path_factory.mktemp("models") / "ae"
    result = train_cli(
        runner, tiny_dataset, out, "--model", "ae", "--epochs", "4", "--min-area", "150"
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def cnn_model(
    tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path, runner: CliRunner
) -> Path:
    out = tmp_path_factory.mktemp("models") / "cnn"
    result = train_cli(runner, tiny_dataset, out, "--model", "cnn", "--epochs", "3")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def dataset_copy(tmp_path: Path, tiny_dataset: Path) -> Path:
    """A private copy of the tiny data set that a test may damage."""
    return Path(shutil.copytree(tiny_dataset, tmp_path / "copy"))


@pytest.fixture(scope="session")
def trained_kind(
    tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path, runner: CliRunner, train_with
) -> Callable[[str], Path]:
    """Trains a model of one kind on the tiny data set (minimum area 150); its folder."""

    def train(kind: str) -> Path:
        out = tmp_path_factory.mktemp("models") / kind
        result = train_with(runner, tiny_dataset, out, "--model", kind, "--min-area", "150")
        assert result.exit_code == 0, result.output
        return out

    return train


@pytest.fixture(scope="session")
def knn_model(trained_kind: Callable[[str], Path]) -> Path:
    return trained_kind("knn")


@pytest.fixture(scope="session")
def knn_smoothed_model(
    tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path, runner: CliRunner
) -> Path:
    """A ``knn`` model scored by its smoothed map's maximum (``--no-local-score``), as
    every ``knn`` model was before the local score became the default."""
    out = tmp_path_factory.mktemp("models") / "knn-smoothed"
    extra = ("--model", "knn", "--min-area", "150", "--no-local-score")
    result = train_cli(runner, tiny_dataset, out, *extra)
    assert result.exit_code == 0, result.output
    return out
