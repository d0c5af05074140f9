"""`rtest check` and `rtest compile`: the language's sub-commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from robotest.dsl.diagnostics import Diagnostic
from robotest.dsl.limits import SourceTooLarge, read_source
from robotest.settings import variable


def rtest_files(paths: list[Path]) -> list[Path]:
    """The `.rtest` files named or found under folders, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.rtest") if p.is_file())
        elif path.exists():
            files.append(path)
        else:
            typer.echo(f"error: no such file or folder: {path}", err=True)
            raise typer.Exit(2)
    return files


def _print_human(diagnostics: list[Diagnostic], checked: int) -> None:
    sources: dict[str, str | None] = {}
    for diagnostic in diagnostics:
        if diagnostic.file not in sources:
            try:
                sources[diagnostic.file] = read_source(diagnostic.file).decode("utf-8-sig")
            except (OSError, UnicodeDecodeError, SourceTooLarge):
                sources[diagnostic.file] = None
        typer.echo(diagnostic.format(sources[diagnostic.file]))
    files_with_errors = len({d.file for d in diagnostics})
    summary = (
        f"{len(diagnostics)} error(s) in {files_with_errors} of {checked} file(s)"
        if diagnostics
        else f"{checked} file(s) compile cleanly"
    )
    typer.echo(summary, err=bool(diagnostics))


def register(app: typer.Typer) -> None:
    """Add the language's sub-commands to the `rtest` app."""

    @app.command("check")
    def check(
        paths: list[Path] = typer.Argument(..., help=".rtest files or folders to compile."),
        as_json: bool = typer.Option(False, "--json", help="Print errors as a JSON list."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Ignore the compile cache."),
        jobs: int = typer.Option(
            0, "--jobs", "-j", help="Worker processes for large trees (0: one per CPU)."
        ),
    ) -> None:
        """Compile .rtest files and folders; print every error; exit 1 if any."""
        from robotest.dsl.cache import check_files

        if no_cache:
            os.environ[variable("no_cache")] = "1"
        files = rtest_files(paths)
        diagnostics = check_files(files, jobs or os.cpu_count() or 1)
        if as_json:
            typer.echo(json.dumps([d.to_json() for d in diagnostics], indent=2))
        else:
            _print_human(diagnostics, len(files))
        raise typer.Exit(1 if diagnostics else 0)

    @app.command("compile")
    def compile_(
        path: Path = typer.Argument(..., help="The .rtest file to compile."),
    ) -> None:
        """Print the Python that a .rtest file compiles to."""
        from robotest.dsl.compiler import compile_source
        from robotest.dsl.diagnostics import RtestSyntaxError

        try:
            source = read_source(path).decode("utf-8")
        except (OSError, UnicodeDecodeError, SourceTooLarge) as error:
            typer.echo(f"error: cannot read {path}: {error}", err=True)
            raise typer.Exit(2) from None
        try:
            module = compile_source(source, str(path))
        except RtestSyntaxError as error:
            _print_human(error.diagnostics, 1)
            raise typer.Exit(1) from None
        sys.stdout.write(module.python_source + "\n")
