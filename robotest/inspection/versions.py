"""Where a model came from: the code's version and a fingerprint of its training data."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from pathlib import Path

import robotest


def code_version() -> str:
    """``robotest <version>`` plus the git commit of the checkout, when there is one."""
    version = f"robotest {robotest.__version__}"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(robotest.__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version} ({commit})" if commit else version


def data_version(files: Iterable[Path], root: Path) -> str:
    """SHA-256 over the training files' relative paths and bytes (first 16 hex digits)."""
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file.relative_to(root)).encode())
        digest.update(file.read_bytes())
    return "sha256:" + digest.hexdigest()[:16]
