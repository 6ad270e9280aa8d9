"""``flush`` that can empty the append-only log tables too.

Django's ``flush`` (run by hand, and by transactional tests between tests) deletes every row of
every table; on SQLite the append-only triggers refuse that for the log tables. Emptying the
whole database is a deliberate act by someone who holds it, so this command lifts the triggers
for the flush and puts them back in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from hireproof.audit import triggers


class Command(DjangoFlush):
    """Django's flush, with the audit log's append-only triggers lifted while it runs."""

    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        table_names = connection.introspection.table_names()
        if "audit_logleaf" not in table_names:
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                for sql in triggers.drop_statements(connection.vendor):
                    cursor.execute(sql)
            super().handle(**options)
            with connection.cursor() as cursor:
                for sql in triggers.create_statements(connection.vendor):
                    cursor.execute(sql)
