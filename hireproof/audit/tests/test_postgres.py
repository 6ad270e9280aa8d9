"""The same audit tests on PostgreSQL, when ``TEST_DATABASE_URL`` names one.

Runs this test folder again in a subprocess with ``DATABASE_URL`` set to it (pytest-django
creates and drops its own ``test_...`` database there). Tests that edit a SQLite file skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection


def test_the_audit_tests_pass_on_postgresql() -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip(
            "TEST_DATABASE_URL is not set: the PostgreSQL run of the audit tests is skipped"
        )
    if connection.vendor == "postgresql":
        pytest.skip("this run already uses PostgreSQL")
    folder = Path(__file__).resolve().parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
