"""Sessions a test leaves behind on a shared PostgreSQL database, and ending them."""

from __future__ import annotations

from django.db import connection


def end_leftover_transactions() -> list[str]:
    """PostgreSQL: end every other session on this database that is inside a transaction.

    Returns what each was doing (its state and last query). Once a test ends, its own
    connections are closed or idle; one still inside a transaction (a thread that never closed
    its connection) may hold locks, the writer's advisory lock among them, that no later test
    could take. Each is terminated, waiting up to 5 s for it to end.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, query FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend' AND xact_start IS NOT NULL"
        )
        found = cursor.fetchall()
        for pid, _, _ in found:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    return [f"{state}: {query}" for _, state, query in found]
