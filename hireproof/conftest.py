"""Shared pytest setup: every test run keeps its data (database, keys) in a temporary folder."""

from __future__ import annotations

import os
import tempfile

# Set before Django reads its settings, so no test touches a real data folder.
os.environ.setdefault("HIREPROOF_DATA_DIR", tempfile.mkdtemp(prefix="hireproof-test-"))
