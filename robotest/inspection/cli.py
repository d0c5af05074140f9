"""`rtest inspect train|predict|eval|explain`: the inspection plugin on the command line.

Bad input (a missing folder, an unreadable or wrong-sized image, an empty training set)
prints ``error: ...`` on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from robotest.errors import RobotestError
from robotest.image_decoding import MAX_MEGAPIXELS_HELP, set_max_megapixels
from robotest.inspection.edge.cli import register as register_production

app = typer.Typer(
    name="inspect",
    no_args_is_help=True,
    add_completion=False,
    help="Appearance inspection: train on normal images, find and judge defects.",
)

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_errors(command: F) -> F:
    """Turn the plugin's errors into ``error: ...`` and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RobotestError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except OSError as exc:
            typer.echo(f"error: {exc.filename or ''}: {exc.strerror or exc}".strip(), err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def options(
    max_megapixels: Annotated[
        float | None, typer.Option("--max-megapixels", min=0.001, help=MAX_MEGAPIXELS_HELP)
    ] = None,
) -> None:
    """Appearance inspection: train on normal images, find and judge defects."""
    set_max_megapixels(max_megapixels)  # every image read below, here or in the service


@app.command("train")
@_one_line_errors
def train_command(
    dataset: Annotated[Path, typer.Argument(help="Data set folder (MVTec AD layout).")],
    out: Annotated[Path, typer.Option("--out", help="Folder to save the model in.")],
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="knn (patch nearest neighbours, the default), ae (autoencoder), gmm "
            "(feature statistics), cnn (supervised), mean (baseline).",
        ),
    ] = "knn",
    epochs: Annotated[int | None, typer.Option(help="Training epochs (default per model).")] = None,
    work_size: Annotated[int, typer.Option(help="Side the ROI is resized to.")] = 128,
    roi: Annotated[
        str | None, typer.Option(help="x,y,w,h or 'auto' (overrides inspection.toml).")
    ] = None,
    augment: Annotated[
        bool | None, typer.Option("--augment/--no-augment", help="Force augmentation on or off.")
    ] = None,
    min_area: Annotated[int | None, typer.Option(help="Smallest defect in image pixels.")] = None,
    error: Annotated[str, typer.Option(help="Error map: squared, ssim or residual.")] = "squared",
    threads: Annotated[int | None, typer.Option(help="PyTorch threads (default 1).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    score_blur: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Sigma (working pixels) of the smoothed image score; 0: the map's "
            "maximum (default: working size / 16 for knn, 0 for the others).",
        ),
    ] = None,
    local_score: Annotated[
        bool | None,
        typer.Option(
            "--local-score/--no-local-score",
            help="Score an image by its smoothed map measured against the map's own "
            "neighbourhood, so a thin defect on calm surface outranks busy texture "
            "(default: on for knn); --no-local-score: the smoothed map's maximum.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Train a model on DATASET/train and save it with its threshold and versions."""
    from robotest.inspection.augment import Augmentation
    from robotest.inspection.dataset import open_dataset
    from robotest.inspection.training import TrainOptions, train

    data = open_dataset(dataset)
    augmentation = None
    if augment is not None:
        augmentation = data.settings.augmentation if augment else Augmentation.none()
        if augment and augmentation == Augmentation.none():
            augmentation = Augmentation()
    trained = train(
        data,
        TrainOptions(
            kind=model,
            epochs=epochs,
            work_size=work_size,
            roi=roi,
            augmentation=augmentation,
            min_area=min_area,
            error=error,
            threads=threads,
            seed=seed,
            progress=not quiet,
            score_blur=score_blur,
            score_local=local_score,
        ),
    )
    trained.save(out)
    meta = trained.meta
    typer.echo(
        f"saved {meta.kind} model {trained.version} to {out} "
        f"(threshold {meta.threshold:.6g}, input {meta.input_size[0]}x{meta.input_size[1]}, "
        f"ROI {meta.roi}, acceptance {meta.acceptance['kind']}, "
        f"{meta.train_seconds:.1f} s)"
    )


@app.command("predict")
@_one_line_errors
def predict_command(
    model_dir: Annotated[Path, typer.Argument(help="A model folder from `rtest inspect train`.")],
    images: Annotated[list[Path], typer.Argument(help="Images to judge.")],
    maps: Annotated[
        Path | None,
        typer.Option("--maps", help="Write an 8-bit PNG anomaly map per image under this folder."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    accept_threshold: Annotated[
        float | None, typer.Option(help="Override the acceptance SVM's decision threshold.")
    ] = None,
) -> None:
    """Judge images: score, pass/fail and boxes (x, y, w, h, score) per image."""
    from robotest.inspection.images import write_png
    from robotest.inspection.model import map_to_png
    from robotest.inspection.plugin import load

    model = load(model_dir)
    if accept_threshold is not None:
        model.acceptance.threshold = accept_threshold
    pixels = [model.read(path) for path in images]  # every image checked before any output
    analyses = model.analyse(pixels)
    verdicts = [model.judge(a, str(path)) for a, path in zip(analyses, images, strict=True)]
    if maps is not None:
        for path, analysis in zip(images, analyses, strict=True):
            write_png(map_path(maps, path, images), map_to_png(model.full_map(analysis)))
    if as_json:
        typer.echo(json.dumps([v.to_json() for v in verdicts]))
        return
    for v in verdicts:
        typer.echo(f"{v.image}: {v.verdict} score {v.score:.3f} ({'; '.join(v.reasons)})")


def map_path(folder: Path, image: Path, images: list[Path]) -> Path:
    """Where ``--maps`` puts *image*'s map: its path relative to the inputs' common parent
    folder, under *folder*, with the suffix ``.png``."""
    parents = [str(p.resolve().parent) for p in images]
    common = Path(os.path.commonpath(parents))
    return folder / image.resolve().relative_to(common).with_suffix(".png")


@app.command("eval")
@_one_line_errors
def eval_command(
    model_dir: Annotated[Path, typer.Argument(help="A model folder.")],
    dataset: Annotated[Path, typer.Argument(help="Data set with test/ and ground_truth/.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Image AUROC, pixel AUROC, box AP at IoU 0.5 and F1 of the verdicts on DATASET/test."""
    from robotest.inspection.dataset import open_dataset
    from robotest.inspection.evaluation import evaluate
    from robotest.inspection.plugin import load

    model = load(model_dir)
    figures = evaluate(model, open_dataset(dataset, need_train=False, need_test=True)).to_json()
    if as_json:
        typer.echo(json.dumps(figures))
        return
    for name, value in figures.items():
        typer.echo(f"{name:>12}: {'n/a' if value is None else value}")


@app.command("explain")
@_one_line_errors
def explain_command(
    model_dir: Annotated[Path, typer.Argument(help="A model folder.")],
    image: Annotated[Path, typer.Argument(help="The image to explain.")],
    out: Annotated[Path, typer.Option("--out", help="PNG to write the overlay to.")],
) -> None:
    """Write the image with the model's heat map and boxes over it (Grad-CAM for cnn)."""
    from robotest.inspection.plugin import explain, load

    verdict = explain(load(model_dir), image, out)
    typer.echo(f"wrote {out}: {verdict.verdict} score {verdict.score:.3f}")


register_production(app, _one_line_errors)


def main() -> None:  # pragma: no cover - `python -m robotest.inspection.cli`
    app(prog_name="rtest inspect")


if __name__ == "__main__":  # pragma: no cover
    main()
