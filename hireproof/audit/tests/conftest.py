"""Fixtures of the audit app's tests: private key files per test, and the environment of a
``hireproof`` subprocess (the database fixtures are ``hireproof.testing.databases``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hireproof.audit import keys


@pytest.fixture(autouse=True)
def key_files(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Every test gets its own signing key and KEK files, created on first use."""
    key_dir = tmp_path / "keys"
    settings.HIREPROOF_AUDIT_SIGNING_KEY = key_dir / "audit-signing.key"
    settings.HIREPROOF_KEK = key_dir / "kek.key"
    keys.forget_cached_keys()
    yield key_dir
    keys.forget_cached_keys()


@pytest.fixture
def subprocess_env(tmp_path: Path, settings: Any) -> dict[str, str]:
    """Environment for a ``hireproof`` subprocess sharing this test's data folder and keys.

    No ``DATABASE_URL``: the subprocess opens the SQLite file in the data folder.
    """
    inherited = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    return {
        **inherited,
        "HIREPROOF_DATA_DIR": str(tmp_path),
        "HIREPROOF_AUDIT_SIGNING_KEY": str(settings.HIREPROOF_AUDIT_SIGNING_KEY),
        "HIREPROOF_KEK": str(settings.HIREPROOF_KEK),
        "HIREPROOF_LOG_ORIGIN": settings.HIREPROOF_LOG_ORIGIN,
    }
