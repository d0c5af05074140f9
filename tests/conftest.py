"""Shared test set-up: the compile cache lives in a temporary folder per session."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("RTEST_CACHE_DIR", tempfile.mkdtemp(prefix="rtest-cache-"))
