"""Shared test set-up: the compile cache lives in a temporary folder per session."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("RTEST_CACHE_DIR", tempfile.mkdtemp(prefix="rtest-cache-"))


def pytest_ignore_collect(collection_path, config):  # type: ignore[no-untyped-def]
    """`.rtest` files under tests/ are test data (golden files, scripts the tests run)."""
    return True if collection_path.suffix == ".rtest" else None
