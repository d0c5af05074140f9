"""The import hook: ``import boot`` finds ``boot.rtest`` next to ``.py`` modules.

`.rtest` modules import each other, and the bundled library
(``robotest.stdlib_subscripts.<module>``), with ordinary Python imports.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import CodeType, ModuleType

SUFFIX = ".rtest"


class RtestLoader(importlib.abc.Loader):
    """Compiles a `.rtest` file (through the compile cache) and executes it."""

    def __init__(self, path: str):
        self.path = path

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def get_code(self, fullname: str) -> CodeType:
        from robotest.dsl.cache import load_code

        return load_code(self.path)

    def exec_module(self, module: ModuleType) -> None:
        code = self.get_code(module.__name__)
        exec(code, module.__dict__)

    def get_source(self, fullname: str) -> str:
        with open(self.path, encoding="utf-8") as handle:
            return handle.read()


class RtestFinder(importlib.abc.MetaPathFinder):
    """Finds ``<name>.rtest`` on sys.path and in packages' ``__path__``."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        name = fullname.rpartition(".")[2]
        for entry in path if path is not None else sys.path:
            candidate = os.path.join(entry or ".", name + SUFFIX)
            if os.path.isfile(candidate):
                return importlib.util.spec_from_file_location(
                    fullname, candidate, loader=RtestLoader(candidate)
                )
        return None


def install_import_hook() -> None:
    """Let Python import `.rtest` modules (idempotent)."""
    if not any(isinstance(finder, RtestFinder) for finder in sys.meta_path):
        sys.meta_path.append(RtestFinder())


def import_path(path: str, module_name: str | None = None) -> ModuleType:
    """Import one `.rtest` file by path, as the runner does for a suite's files."""
    path = os.path.abspath(path)
    name = module_name or os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path, loader=RtestLoader(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
