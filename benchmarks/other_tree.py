"""Modules of another robotest tree (a snapshot, a git revision), loaded beside this one.

A benchmark's "before" column runs the code of another tree on the same material in the
same run. The other tree's modules are imported under their own names, with their whole
import chain at once (``robotest.vision`` imports lazily, and a search spread over several
modules must not pick up this tree's copy of one of them), kept by the caller, and then
taken out of ``sys.modules`` so that this tree's ``robotest`` stays the one imported by
name.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def tree_of(reference: str) -> Path:
    """The robotest tree named by *reference*: a folder holding one, else a git revision of
    this repository unpacked into a temporary folder."""
    path = Path(reference)
    if (path / "robotest").is_dir():
        return path
    folder = Path(tempfile.mkdtemp(prefix="robotest-reference-"))
    archive = folder / "tree.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", reference, "robotest"], cwd=ROOT, check=True, stdout=out)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


def import_from_tree(root: Path, *names: str) -> list[ModuleType]:
    """The modules *names* (dotted) as the robotest tree at *root* has them."""
    mine = {name: module for name, module in sys.modules.items() if name.startswith("robotest")}
    for name in mine:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        modules = [importlib.import_module(name) for name in names]
        for module in modules:
            if not str(Path(str(module.__file__)).resolve()).startswith(str(root.resolve())):
                raise SystemExit(f"{root}: no robotest tree there")
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.startswith("robotest")]:
            del sys.modules[name]
        sys.modules.update(mine)
    return modules
