"""Database triggers that keep the log tables append-only (SQLite and PostgreSQL).

They are a second line of defence: anyone holding the database can drop them, which is why the
log is verified by hashes and signatures, not trusted because of them. The migration that
installs them imports this module, so any change here needs a new migration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The tables of the first log (migration 0002), then the witnesses' cosignatures and the
# checkpoints a declared restore superseded (0005). Every one is append-only.
FIRST_TABLES = ("audit_logleaf", "audit_lognode", "audit_checkpoint", "audit_logkey")
LATER_TABLES = ("audit_cosignature", "audit_supersededcheckpoint")
APPEND_ONLY_TABLES = (*FIRST_TABLES, *LATER_TABLES)

# A key's history row may be changed only to retire it, once, leaving every other column as is.
_LOGKEY_RETIREMENT = (
    "OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL AND NEW.id = OLD.id"
    " AND NEW.key_id = OLD.key_id AND NEW.vkey = OLD.vkey"
    " AND NEW.first_leaf_index = OLD.first_leaf_index AND NEW.created_at = OLD.created_at"
)


def refusal_message(table: str, operation: str) -> str:
    """The error text a refused change raises: which table, which operation, and why."""
    return f"{table} is append-only: {operation} refused (the audit log is never rewritten)"


def _sqlite_create(table: str) -> list[str]:
    update_guard = f" WHEN NOT ({_LOGKEY_RETIREMENT})" if table == "audit_logkey" else ""
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}{update_guard}"
        f" BEGIN SELECT RAISE(ABORT, '{refusal_message(table, 'UPDATE')}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{refusal_message(table, 'DELETE')}'); END",
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


_POSTGRES_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (the audit log is never rewritten)',
        TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
""",
    # PL/pgSQL does not short-circuit, so the key table's exception gets its own function.
    f"""
CREATE OR REPLACE FUNCTION audit_logkey_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF {_LOGKEY_RETIREMENT} THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused (the audit log is never rewritten)',
        TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
""",
]


def _postgres_create(table: str) -> list[str]:
    # TRUNCATE is left to the owner on purpose: it needs table-level privileges that an
    # application role should not have, and Django's test flush relies on it.
    function = "audit_logkey_guard" if table == "audit_logkey" else "audit_refuse_change"
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()"
    ]


def _postgres_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]


def create_statements(vendor: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    """SQL that installs the append-only triggers of ``tables`` on ``vendor`` ("sqlite" or
    "postgresql")."""
    if vendor == "sqlite":
        return [sql for table in tables for sql in _sqlite_create(table)]
    if vendor == "postgresql":
        triggers = [sql for table in tables for sql in _postgres_create(table)]
        return [*_POSTGRES_FUNCTIONS, *triggers]
    raise NotImplementedError(
        f"append-only triggers are written for SQLite and PostgreSQL, not {vendor}"
    )


def drop_statements(vendor: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    """SQL that removes the append-only triggers of ``tables`` (migrating backwards, or a
    deliberate flush); the PostgreSQL functions go with the triggers of the first tables."""
    if vendor == "sqlite":
        return [sql for table in tables for sql in _sqlite_drop(table)]
    if vendor == "postgresql":
        drops = [sql for table in tables for sql in _postgres_drop(table)]
        if not set(FIRST_TABLES) <= set(tables):
            return drops
        functions = ("audit_refuse_change", "audit_logkey_guard")
        return [*drops, *(f"DROP FUNCTION IF EXISTS {name}()" for name in functions)]
    raise NotImplementedError(
        f"append-only triggers are written for SQLite and PostgreSQL, not {vendor}"
    )


def install(
    schema_editor: BaseDatabaseSchemaEditor, tables: tuple[str, ...] = FIRST_TABLES
) -> None:
    """Create the triggers of ``tables`` through a migration's ``schema_editor``."""
    for sql in create_statements(schema_editor.connection.vendor, tables):
        schema_editor.execute(sql, params=None)


def remove(schema_editor: BaseDatabaseSchemaEditor, tables: tuple[str, ...] = FIRST_TABLES) -> None:
    """Drop the triggers of ``tables`` through a migration's ``schema_editor``."""
    for sql in drop_statements(schema_editor.connection.vendor, tables):
        schema_editor.execute(sql, params=None)
