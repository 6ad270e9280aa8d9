"""The unsigned window: the signing tasks, checkpoints on commit, and what they call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone
from django_q.models import Schedule

from hireproof.audit import checkpointer, keys
from hireproof.audit.checkpoints import (
    checkpoint_covering,
    sign_checkpoint_if_due,
    unsigned_window,
)
from hireproof.audit.log import CHECKPOINT_ON_COMMIT, record_event
from hireproof.audit.models import Checkpoint
from hireproof.audit.store import _POSTGRES_WRITER_LOCK
from hireproof.audit.tests.factories import record, record_many
from hireproof.core.audit import EventType, generate_signing_key
from hireproof.core.errors import AuditError
from hireproof.platform.models import TaskProblem
from hireproof.platform.tasks import SOON_PREFIX, overview, queued_for_workers, run_due_schedules
from hireproof.testing.databases import end_leftover_transactions

START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
REQUEST = SOON_PREFIX + checkpointer.SIGNATURE_KEY


@pytest.fixture
def five_seconds(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 5


def signed_sizes() -> list[int]:
    return list(Checkpoint.objects.order_by("size", "id").values_list("size", flat=True))


def requested_at() -> list[datetime | None]:
    """When the pending signature requests are due (one at most)."""
    return [schedule.next_run for schedule in overview().schedules if schedule.name == REQUEST]


@pytest.mark.django_db
def test_the_window_is_measured_from_the_oldest_unsigned_leaf(five_seconds: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        assert unsigned_window().unsigned == 0
        record_many(1)  # the first append signs size 2
        clock.shift(timedelta(seconds=2))
        record_many(2)
        clock.shift(timedelta(seconds=1))
        window = unsigned_window()
        assert (window.signed_size, window.size, window.unsigned) == (2, 4, 2)
        assert window.oldest_at == START + timedelta(seconds=2)
        assert window.age() == 1.0
        clock.shift(timedelta(seconds=4, microseconds=-1))
        assert sign_checkpoint_if_due() is None  # 4.999999 s
        clock.shift(timedelta(microseconds=1))
        signed = sign_checkpoint_if_due()
    assert signed is not None
    assert signed_sizes() == [2, 4]
    assert unsigned_window().oldest_at is None


@pytest.mark.django_db
def test_the_log_s_first_leaves_are_signed_at_once(five_seconds: None) -> None:
    record_many(1)  # log.created and the event: nothing was signed yet
    assert signed_sizes() == [2]
    assert requested_at() == []


@pytest.mark.django_db
def test_the_leaf_that_opens_the_window_asks_for_a_signature_before_the_period_ends(
    five_seconds: None,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        record_many(1)
        clock.shift(timedelta(seconds=1))
        record_many(1)  # leaf 2 opens the window: signed by 1 + (5 - 2) s
        clock.shift(timedelta(seconds=1))
        record_many(40)  # a burst: still one request, at the same time
        due = START + timedelta(seconds=1 + 5 - checkpointer.margin())
        assert checkpointer.margin() == 2.0
        assert requested_at() == [due]
        clock.move_to(due)
        run_due_schedules()
        assert signed_sizes() == [2]  # due, not past: a worker takes it at its next look
        clock.shift(timedelta(milliseconds=1))
        run_due_schedules()
        assert signed_sizes() == [2, 43]  # every leaf that waited, in one signature
        assert requested_at() == []
        record_many(1)  # opens the next window
        assert requested_at() == [timezone.now() + timedelta(seconds=3)]


@pytest.mark.django_db
def test_an_earlier_request_moves_the_pending_one_and_a_later_one_does_not(
    five_seconds: None,
) -> None:
    with time_machine.travel(START, tick=False):
        record_many(2)  # the second leaf asks for a signature 3 s on
        with queued_for_workers():  # so the request waits for a worker, even when due
            checkpointer.request_signature(START + timedelta(seconds=30))
            assert requested_at() == [START + timedelta(seconds=3)]
            checkpointer.request_checkpoint()  # an event a decision depends on: now
            assert requested_at() == [START]
        assert Schedule.objects.filter(name=REQUEST).count() == 1


@pytest.mark.django_db
def test_the_leaf_that_fills_a_batch_is_signed_at_once(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 4
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    record_many(1)
    record_many(3)
    assert signed_sizes() == [2]
    record_many(1)  # four wait
    assert signed_sizes() == [2, 6]


def test_the_events_that_ask_for_a_checkpoint_are_those_a_candidate_or_decision_depends_on() -> (
    None
):
    assert {str(kind) for kind in CHECKPOINT_ON_COMMIT} == {
        "attempt.submitted",
        "attempt.auto_submitted",
        "attempt.scored",
        "cli.scored",
        "interview.scorecard_submitted",
        "interview.scorecard_amended",
        "recommendation.computed",
        "decision.recorded",
        "subject.erased",
    }


def test_such_an_event_is_signed_once_its_action_commits(shared_db: None, settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    record_many(2)
    with transaction.atomic():
        record_event(EventType.ATTEMPT_SUBMITTED, actor="candidate", public={"attempt_id": 1})
        record_event(EventType.ATTEMPT_SCORED, actor="candidate", public={"attempt_id": 1})
        assert signed_sizes() == [2]
    assert signed_sizes() == [2, 5]  # one checkpoint for the action's two events
    record_many(1)
    assert signed_sizes() == [2, 5]  # other events wait for the period


# Without the test's transaction: as on a worker, the library's scheduler closes the
# connections it finds outside autocommit (on PostgreSQL, the test's own).
@pytest.mark.django_db(transaction=True)
def test_on_a_worker_the_request_is_a_task_in_the_queue(five_seconds: None) -> None:
    with queued_for_workers():
        record_many(1)  # due now: queued for a worker, not signed here
        assert signed_sizes() == []
        assert len(requested_at()) == 1
        with time_machine.travel(timezone.now() + timedelta(seconds=1), tick=False):
            run_due_schedules()  # a worker's look: the task goes to the queue
            assert requested_at() == []
            assert overview().waiting == 1
    assert signed_sizes() == []


@pytest.mark.django_db
def test_the_periodic_safety_net_signs_an_overdue_window_or_asks_again(
    five_seconds: None,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        record_many(1)
        clock.shift(timedelta(seconds=1))
        record_many(2)
        Schedule.objects.filter(name=REQUEST).delete()  # a request lost with its process
        checkpointer.sign_overdue()
        assert requested_at() == [START + timedelta(seconds=4)]  # asked again
        Schedule.objects.filter(name=REQUEST).delete()
        clock.shift(timedelta(seconds=3))
        checkpointer.sign_overdue()
        assert signed_sizes() == [2, 4]
        checkpointer.sign_overdue()  # nothing waits
        assert signed_sizes() == [2, 4]


@pytest.mark.django_db
def test_a_signature_that_fails_is_tried_again_later_and_listed(
    five_seconds: None, key_files: Path
) -> None:
    record_many(1)
    (key_files / "audit-signing.key").write_bytes(generate_signing_key())
    keys.forget_cached_keys()
    record_many(1)
    checkpointer.sign_checkpoint()
    assert signed_sizes() == [2]
    problem = TaskProblem.objects.get()
    assert problem.label == "Sign a checkpoint of the audit log"
    assert "is not the log's current key" in problem.error
    assert (problem.tries, problem.max_tries, problem.failed_for_good) == (1, 4, False)


@pytest.mark.django_db
def test_checkpoint_covering_returns_the_smallest_checkpoint_holding_the_leaf(
    five_seconds: None,
) -> None:
    record_many(3)  # signs size 2
    first = Checkpoint.objects.get()
    assert checkpoint_covering(0) == first
    assert checkpoint_covering(1) == first
    signed = checkpoint_covering(2)  # none covers leaf 2: signed now, over the whole log
    assert signed.size == 4
    record_many(2)
    assert checkpoint_covering(3) == signed
    assert checkpoint_covering(5).size == 6
    assert signed_sizes() == [2, 4, 6]


@pytest.mark.django_db
def test_checkpoint_covering_refuses_a_leaf_the_log_does_not_hold() -> None:
    with pytest.raises(AuditError, match="the log has no leaf 0"):
        checkpoint_covering(0)
    record_many(1)
    with pytest.raises(AuditError, match=r"the log has no leaf 2 \(it holds 2 leaves, from 0\)"):
        checkpoint_covering(2)
    with pytest.raises(AuditError, match="leaf index -1 is not a whole number"):
        checkpoint_covering(-1)
    assert signed_sizes() == [2]


def test_concurrent_callers_of_checkpoint_covering_share_one_checkpoint(
    shared_db: None, settings: Any
) -> None:
    import threading

    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    record_many(4)
    found: list[int] = []

    def cover() -> None:
        try:
            found.append(checkpoint_covering(3).size)
        finally:
            connection.close()

    threads = [threading.Thread(target=cover) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [5, 5, 5, 5]
    assert signed_sizes() == [2, 5]
    assert record(EventType.STAFF_SIGNED_IN).index == 5


def test_a_session_a_test_leaves_inside_a_transaction_is_ended_so_no_later_test_waits(
    shared_db: None,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite: every test has a database file of its own, which no later test opens")
    import psycopg

    # What a thread of a failed test leaves: its connection inside a transaction that holds
    # the writer's lock (psycopg opens the transaction with the first statement).
    stray = psycopg.connect(**connection.get_connection_params())
    try:
        stray.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_WRITER_LOCK])
        ended = end_leftover_transactions()
        assert ended == [
            f"idle in transaction: SELECT pg_advisory_xact_lock({_POSTGRES_WRITER_LOCK})"
        ]
        assert end_leftover_transactions() == []
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")  # fail, never hang, if it were still held
        try:
            assert record(EventType.STAFF_SIGNED_IN).index == 1  # after log.created
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        stray.close()
