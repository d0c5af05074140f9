"""Compiling a published suite with the language's own compiler before it is stored."""

from __future__ import annotations

from typing import Any

from robotest.server.errors import CompileRefused


def check_suite(files: dict[str, bytes]) -> None:
    """Compile every `.rtest` file; CompileRefused with every diagnostic when any fails."""
    from robotest.dsl import check_source

    diagnostics: list[dict[str, Any]] = []
    for path in sorted(files):
        if not path.endswith(".rtest"):
            continue
        try:
            source = files[path].decode("utf-8")
        except UnicodeDecodeError as exc:
            diagnostics.append(
                {
                    "file": path,
                    "line": 1,
                    "col": 1,
                    "message": f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                }
            )
            continue
        for diag in check_source(source, path):
            diagnostics.append(
                {
                    "file": path,
                    "line": int(diag.line),
                    "col": int(diag.col),
                    "message": str(diag.message),
                }
            )
    if diagnostics:
        raise CompileRefused(diagnostics)
