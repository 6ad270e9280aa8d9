"""The log tables refuse UPDATE and DELETE at the database level."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from hireproof.audit.models import (
    Checkpoint,
    Cosignature,
    LogKey,
    LogLeaf,
    LogNode,
    SupersededCheckpoint,
)
from hireproof.audit.tests.factories import record_many

pytestmark = pytest.mark.django_db


def _run(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture
def populated_log() -> None:
    record_many(4)  # genesis + 4 events: leaves, level-1 and level-2 nodes, a checkpoint, a key


@pytest.mark.parametrize(
    ("table", "assignment"),
    [
        ("audit_logleaf", "event_type = 'attempt.scored'"),
        ("audit_lognode", "level = 99"),
        ("audit_checkpoint", "size = 99"),
        ("audit_logkey", "vkey = 'someone-else+00000000+AA=='"),
    ],
)
def test_it_refuses_to_update_a_log_table(populated_log: None, table: str, assignment: str) -> None:
    with pytest.raises(DatabaseError, match=f"{table} is append-only: UPDATE refused"):
        _run(f"UPDATE {table} SET {assignment}")  # noqa: S608 (fixed test values)


@pytest.mark.parametrize(
    "table", ["audit_logleaf", "audit_lognode", "audit_checkpoint", "audit_logkey"]
)
def test_it_refuses_to_delete_from_a_log_table(populated_log: None, table: str) -> None:
    with pytest.raises(DatabaseError, match=f"{table} is append-only: DELETE refused"):
        _run(f"DELETE FROM {table}")  # noqa: S608 (fixed test values)


def test_the_orm_cannot_edit_a_leaf_either(populated_log: None) -> None:
    leaf = LogLeaf.objects.get(index=1)
    leaf.event_type = "decision.recorded"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        leaf.save()
    assert LogLeaf.objects.get(index=1).event_type == "staff.signed_in"


def test_a_key_may_be_retired_once_and_nothing_else(populated_log: None) -> None:
    key = LogKey.objects.get()
    LogKey.objects.filter(pk=key.pk).update(retired_at=timezone.now())
    with (
        pytest.raises(DatabaseError, match="audit_logkey is append-only: UPDATE refused"),
        transaction.atomic(),
    ):
        LogKey.objects.filter(pk=key.pk).update(retired_at=timezone.now())


def test_flush_empties_the_log_and_puts_the_triggers_back(populated_log: None) -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert (LogLeaf.objects.count(), LogNode.objects.count(), Checkpoint.objects.count()) == (
        0,
        0,
        0,
    )
    record_many(2)
    with pytest.raises(DatabaseError, match="audit_logleaf is append-only: DELETE refused"):
        _run("DELETE FROM audit_logleaf")


@pytest.fixture
def later_rows(populated_log: None) -> None:
    """A cosignature and a superseded checkpoint: the tables made append-only after the first."""
    checkpoint = Checkpoint.objects.order_by("id").first()
    assert checkpoint is not None
    Cosignature.objects.create(
        checkpoint=checkpoint, witness_name="w.example/1", key_id="abcd1234", timestamp=1, line="x"
    )
    SupersededCheckpoint.objects.create(
        restored_leaf=9, size=3, root=bytes(32), note="n", signed_at=timezone.now(), key_id="k"
    )


@pytest.mark.parametrize(
    ("table", "assignment"),
    [("audit_cosignature", "timestamp = 2"), ("audit_supersededcheckpoint", "size = 2")],
)
def test_the_later_log_tables_refuse_update_and_delete(
    later_rows: None, table: str, assignment: str
) -> None:
    with pytest.raises(DatabaseError, match=f"{table} is append-only: UPDATE refused"):
        _run(f"UPDATE {table} SET {assignment}")  # noqa: S608 (fixed test values)
    with pytest.raises(DatabaseError, match=f"{table} is append-only: DELETE refused"):
        _run(f"DELETE FROM {table}")  # noqa: S608 (fixed test values)
