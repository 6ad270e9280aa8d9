"""The unsigned window: the checkpointer thread, checkpoints on commit, and what they call."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from hireproof.audit import checkpointer, keys
from hireproof.audit.checkpoints import (
    checkpoint_covering,
    sign_checkpoint_if_due,
    unsigned_window,
)
from hireproof.audit.log import CHECKPOINT_ON_COMMIT, record_event
from hireproof.audit.models import Checkpoint, LogLeaf
from hireproof.audit.store import _POSTGRES_WRITER_LOCK
from hireproof.audit.tests.factories import record, record_many
from hireproof.audit.tests.sessions import end_leftover_transactions
from hireproof.cli.serve import start_background_jobs
from hireproof.core.audit import EventType, generate_signing_key
from hireproof.core.errors import AuditError

START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def five_seconds(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 5


@pytest.fixture
def running(shared_db: None) -> Iterator[checkpointer.Checkpointer]:
    """This process's checkpointer thread, on a database it shares with the test.

    Stopped after the test; if it does not end within 30 s it is waiting on a lock a session
    of the test left held: those sessions are ended (PostgreSQL) and the test fails, rather
    than hanging the run.
    """
    thread = checkpointer.start_checkpointer()
    try:
        yield thread
    finally:
        thread.stopped = True
        thread.wakeup.set()
        thread.join(timeout=30)
        stuck = thread.is_alive()
        if stuck and connection.vendor == "postgresql":
            end_leftover_transactions()
        checkpointer.stop_checkpointer()
    assert not stuck, "the checkpointer did not stop within 30 s: it waited on a lock"


def signed_sizes() -> list[int]:
    return list(Checkpoint.objects.order_by("size", "id").values_list("size", flat=True))


def wait_for_checkpoint(size: int, within: float) -> float:
    """Seconds until a checkpoint covers ``size`` leaves; fails after ``within`` seconds."""
    started = time.monotonic()
    while not Checkpoint.objects.filter(size__gte=size).exists():
        assert time.monotonic() - started < within, f"no checkpoint of {size} in {within} s"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.django_db
def signed_by_the_thread(message: str, caplog: pytest.LogCaptureFixture) -> bool:
    """Whether the checkpointer thread logs ``message`` within a second."""
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        if any(
            r.getMessage() == message and r.threadName == checkpointer.THREAD_NAME
            for r in caplog.records
        ):
            return True
        time.sleep(0.02)
    return False


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
def test_nothing_is_signed_when_every_leaf_is_covered(five_seconds: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        record_many(1)
        clock.shift(timedelta(hours=1))
        assert sign_checkpoint_if_due() is None
        assert sign_checkpoint_if_due(urgent=True) is None
        assert checkpointer.look_once(urgent=True) == checkpointer.look_interval()
    assert signed_sizes() == [2]


@pytest.mark.django_db
def test_an_empty_log_has_nothing_to_sign() -> None:
    assert sign_checkpoint_if_due(urgent=True) is None
    assert checkpointer.look_once() == checkpointer.look_interval()
    assert signed_sizes() == []


@pytest.mark.django_db
def test_a_look_waits_for_most_of_the_period_then_signs_everything_at_once(
    five_seconds: None,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        record_many(1)
        record_many(3)
        assert checkpointer.look_once() == checkpointer.look_interval() == 1.0
        clock.shift(timedelta(seconds=3.5))
        record_many(2)
        assert checkpointer.look_once() == pytest.approx(0.5)  # signs at 4 s of the 5
        assert signed_sizes() == [2]
        clock.shift(timedelta(seconds=0.5))
        assert checkpointer.look_once() == 0.0
    assert signed_sizes() == [2, 7]


@pytest.mark.django_db
def test_an_urgent_look_signs_at_once(five_seconds: None) -> None:
    with time_machine.travel(START, tick=False):
        record_many(3)
        assert checkpointer.look_once(urgent=True) == 0.0
    assert signed_sizes() == [2, 4]


def test_the_checkpointer_signs_once_enough_events_wait(
    running: checkpointer.Checkpointer, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 4
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    record_many(2)
    time.sleep(1.2)  # at least one look
    assert signed_sizes() == []
    record_many(1)
    wait_for_checkpoint(4, within=3)
    assert signed_sizes() == [4]


def test_a_short_period_is_looked_at_more_often(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_SECONDS = 1
    assert checkpointer.look_interval() == pytest.approx(0.2)
    settings.HIREPROOF_CHECKPOINT_SECONDS = 300
    assert checkpointer.look_interval() == 1.0


def test_while_the_checkpointer_runs_appends_do_not_sign_and_it_signs_within_the_period(
    running: checkpointer.Checkpointer, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 2
    with caplog.at_level(logging.INFO, logger="hireproof.audit.checkpointer"):
        with transaction.atomic():
            for number in range(5):
                record_event(EventType.ANSWER_SAVED, actor="candidate", public={"n": number})
            assert signed_sizes() == []  # an append never signs: the thread does
        oldest = LogLeaf.objects.get(index=0).recorded_at
        wait_for_checkpoint(6, within=5)
        signed = Checkpoint.objects.get(size=6)
        assert 1.0 <= (signed.signed_at - oldest).total_seconds() <= 2.0  # batched, in time
        assert signed_by_the_thread("signed a checkpoint over 6 leaves", caplog)


def test_an_event_a_decision_depends_on_wakes_the_checkpointer_as_it_commits(
    running: checkpointer.Checkpointer, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    record_many(2)
    assert signed_sizes() == []  # an hour's window: nothing signed yet
    with caplog.at_level(logging.INFO, logger="hireproof.audit.checkpointer"):
        with transaction.atomic():
            record_event(EventType.DECISION_RECORDED, actor="staff:1", public={"outcome": "hire"})
            time.sleep(0.3)  # not before the action commits
            assert signed_sizes() == []
        assert wait_for_checkpoint(4, within=5) < 2
        assert signed_by_the_thread("signed a checkpoint over 4 leaves", caplog)
    assert signed_sizes() == [4]


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


def test_without_a_checkpointer_such_an_event_is_signed_once_its_action_commits(
    shared_db: None, settings: Any
) -> None:
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


def test_a_failed_signature_is_logged_and_the_checkpointer_goes_on(
    running: checkpointer.Checkpointer,
    key_files: Path,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    record_many(1)
    (key_files / "audit-signing.key").write_bytes(generate_signing_key())
    keys.forget_cached_keys()
    with caplog.at_level(logging.ERROR, logger="hireproof.audit.checkpointer"):
        with transaction.atomic():
            record_event(EventType.DECISION_RECORDED, actor="staff:1")
        looks = running.looks
        deadline = time.monotonic() + 5
        while running.looks < looks + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert running.is_alive()
    assert running.looks >= looks + 2
    assert signed_sizes() == []
    assert "signing a checkpoint failed; the next look runs as usual" in caplog.text
    assert "is not the log's current key" in caplog.text


def test_one_checkpointer_per_process_and_stopping_ends_it(shared_db: None) -> None:
    thread = checkpointer.start_checkpointer()
    try:
        assert checkpointer.start_checkpointer() is thread
        assert checkpointer.running_checkpointer() is thread
        assert thread.name == "hireproof-audit-checkpointer"
        assert thread.daemon
    finally:
        checkpointer.stop_checkpointer()
    assert not thread.is_alive()
    assert checkpointer.running_checkpointer() is None
    checkpointer.stop_checkpointer()  # stopping none is fine


def test_serving_starts_the_checkpointer_but_no_thread_inside_tests() -> None:
    start_background_jobs()
    assert checkpointer.running_checkpointer() is None


def test_the_server_start_hook_starts_the_checkpointer_when_serving(
    shared_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    checkpointer.start_checkpointer_at_server_start()
    try:
        assert checkpointer.running_checkpointer() is not None
    finally:
        checkpointer.stop_checkpointer()


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
