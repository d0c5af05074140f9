"""The cases of a submitted run: the suite version's files laid out on the server, and
pytest's own collection (with `-k` and `-m`) run over them in a child process.

The server lists the cases itself, so that it can deal them out and know when every one
has a result. Collection runs in a child process: compiling and importing a suite's
`.rtest` files must not load user code into the server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from robotest.runtime.runner import plugin_args
from robotest.server.manifest import Manifest
from robotest.server.names import check_suite_paths
from robotest.server.objects import ObjectStore

COLLECT_TIMEOUT = 600.0
MAX_CASES = 1_000_000


class CollectionError(Exception):
    """The run's cases could not be listed (one line)."""


def suite_tree(manifest_json: bytes, objects: ObjectStore, root: Path) -> Path:
    """The version's files under root/<version>, written once (versions never change)."""
    manifest = Manifest.from_document(json.loads(manifest_json), check_id=False)
    tree = root / manifest.version
    if tree.is_dir():
        return tree
    check_suite_paths(e.path for e in manifest.files)
    building = root / f".{manifest.version}.{os.getpid()}"
    for entry in manifest.files:
        target = building / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(objects.read(entry.sha256))
    try:
        building.rename(tree)
    except OSError:  # another submit built it first
        if not tree.is_dir():
            raise
    return tree


def collect_cases(
    tree: Path, paths: list[str], keyword: str | None, markers: str | None
) -> list[str]:
    """The node ids (relative to `tree`) pytest selects from `paths` inside `tree`."""
    targets = []
    for path in paths or ["."]:
        target = (tree / path).resolve()
        if not target.is_relative_to(tree.resolve()) or not target.exists():
            raise CollectionError(f"no such file or folder in the suite version: {path}")
        targets.append(str(target))
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "--rootdir",
        str(tree),
        "-p",
        "no:cacheprovider",
        *plugin_args(),
        *targets,
        *(["-k", keyword] if keyword else []),
        *(["-m", markers] if markers else []),
    ]
    root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p),
    }
    try:
        done = subprocess.run(
            command,
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=COLLECT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CollectionError(f"listing the cases took over {COLLECT_TIMEOUT:g} s") from exc
    nodeids = [line for line in done.stdout.splitlines() if "::" in line]
    if done.returncode not in (0, 5):
        reason = (done.stdout + done.stderr).strip().splitlines()
        detail = next((line for line in reason if "rror" in line), reason[-1] if reason else "")
        raise CollectionError(f"the suite's cases cannot be listed: {detail}"[:500])
    if len(nodeids) > MAX_CASES:
        raise CollectionError(f"{len(nodeids)} cases: at most {MAX_CASES} per run")
    return nodeids
