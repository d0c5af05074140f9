"""Shared test set-up: the compile cache lives in a temporary folder per session."""

from __future__ import annotations

import os
import tempfile

from hypothesis import settings

os.environ.setdefault("RTEST_CACHE_DIR", tempfile.mkdtemp(prefix="rtest-cache-"))

# In CI the property tests draw the same examples every run, so a verdict on a commit
# does not depend on luck; on a developer's machine they explore new ones each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_ignore_collect(collection_path, config):  # type: ignore[no-untyped-def]
    """`.rtest` files under tests/ are test data (golden files, scripts the tests run)."""
    return True if collection_path.suffix == ".rtest" else None
