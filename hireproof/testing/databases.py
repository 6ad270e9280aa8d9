"""Pytest plugin: databases that other connections, threads or processes, share with a test.

- ``sqlite_file_db``: the default connection on a fresh, migrated SQLite file (no test
  transaction), for tests that copy, restore or hand-edit the database file;
- ``shared_db``: committed data every connection sees, on SQLite (that file) and PostgreSQL
  (the test database without its wrapping transaction).
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
    path.touch(mode=0o600)  # as the product creates it: only its owner may read it
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
def shared_db(transactional_db: None, request: pytest.FixtureRequest) -> Iterator[None]:
    """A database that several connections (threads) share with committed data.

    SQLite: a fresh file (``sqlite_file_db``); PostgreSQL: the test database without the
    wrapping test transaction, emptied after the test (``transactional_db``).

    ``transactional_db`` is a parameter, not asked for by name at run time: pytest-django
    decides from a test's declared fixtures whether to create the test database at all and
    whether to wrap the test in a transaction, which other connections could not see into
    (and whose advisory lock they would wait on forever).

    After the test, on PostgreSQL, any other session still inside a transaction (a thread of
    a failed test that never closed its connection) is ended and the test fails for it: left
    alone it would hold the writer's lock, and every later test would wait on it forever.
    """
    if connection.vendor == "sqlite":
        request.getfixturevalue("sqlite_file_db")
    yield
    if connection.vendor == "postgresql":
        from hireproof.audit.tests.sessions import end_leftover_transactions

        ended = end_leftover_transactions()
        if ended:
            pytest.fail(f"sessions left inside a transaction after the test, ended: {ended}")
