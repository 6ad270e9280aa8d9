"""A database that several connections (threads) share with committed data.

Most tests run inside one transaction that is rolled back at the end, which no second
connection can see. A test of concurrent writers (threads, each with its own connection) asks
for ``shared_db`` instead: on SQLite a fresh migrated file (``sqlite_file_db``), on PostgreSQL
the test database without the wrapping transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture
def sqlite_file_db(tmp_path: Path, django_db_blocker: Any) -> Iterator[Path]:
    """Point the default connection at a fresh, migrated SQLite FILE (no test transaction).

    Tests that copy, restore or hand-edit the database file need a file, not the in-memory test
    database; everything they write goes to ``tmp_path`` and vanishes with it.
    """
    if connection.in_atomic_block:
        raise RuntimeError("sqlite_file_db replaces the test database: drop the django_db mark")
    if connection.vendor != "sqlite":
        pytest.skip("edits a SQLite database file; this run uses " + connection.vendor)
    path = tmp_path / "hireproof.sqlite3"
    with django_db_blocker.unblock():
        saved_connection, saved_name = connection.connection, connection.settings_dict["NAME"]
        # The in-memory test database ignores close(); detach it instead and reattach after.
        connection.connection = None
        connection.settings_dict["NAME"] = str(path)
        try:
            call_command("migrate", verbosity=0)
            yield path
        finally:
            connection.close()
            connection.settings_dict["NAME"] = saved_name
            connection.connection = saved_connection


@pytest.fixture
def shared_db(request: pytest.FixtureRequest, transactional_db: None) -> None:
    """A database that several connections (threads) share with committed data.

    SQLite: a fresh file (``sqlite_file_db``); PostgreSQL: the test database without the
    wrapping test transaction (``transactional_db``, asked for by name here, so that
    pytest-django sees it before it sets the test's database up).
    """
    if connection.vendor == "sqlite":
        request.getfixturevalue("sqlite_file_db")
