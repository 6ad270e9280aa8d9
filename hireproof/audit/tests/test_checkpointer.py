"""Time-based checkpoints for a quiet log: the checkpointer thread and what it calls."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from hireproof.audit import checkpointer
from hireproof.audit.checkpoints import sign_checkpoint_if_due
from hireproof.audit.models import Checkpoint
from hireproof.audit.tests.factories import record_many
from hireproof.cli.serve import start_background_jobs

START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def every_five_minutes(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 300


def signed_sizes() -> list[int]:
    return list(Checkpoint.objects.order_by("size", "id").values_list("size", flat=True))


@pytest.mark.django_db
def test_a_quiet_logs_newest_events_are_signed_once_the_period_has_passed(
    every_five_minutes: None,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        record_many(3)  # the first append signs size 2; leaves 2 and 3 wait
        clock.shift(timedelta(seconds=299))
        assert sign_checkpoint_if_due() is None
        clock.shift(timedelta(seconds=1))
        signed = sign_checkpoint_if_due()
    assert signed is not None
    assert signed_sizes() == [2, 4]
    assert signed.signed_at == START + timedelta(seconds=300)


@pytest.mark.django_db
def test_nothing_is_signed_when_every_leaf_is_covered(every_five_minutes: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        record_many(1)
        clock.shift(timedelta(hours=1))
        assert sign_checkpoint_if_due() is None
    assert signed_sizes() == [2]


@pytest.mark.django_db
def test_an_empty_log_has_nothing_to_sign() -> None:
    assert sign_checkpoint_if_due() is None
    assert signed_sizes() == []


@pytest.mark.django_db
def test_sign_once_returns_the_size_it_signed(every_five_minutes: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        record_many(3)
        clock.shift(timedelta(minutes=5))
        assert checkpointer.sign_once() == 4
        assert checkpointer.sign_once() is None


class Recorder:
    """Stands in for ``sign_checkpoint_if_due``: the thread's timing is under test here."""

    def __init__(self) -> None:
        self.calls = 0
        self.three = threading.Event()
        self.fail = False

    def __call__(self) -> None:
        self.calls += 1
        if self.calls >= 3:
            self.three.set()
        if self.fail:
            raise RuntimeError("database is locked")


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(checkpointer, "sign_checkpoint_if_due", recorder)
    return recorder


def test_a_failed_attempt_is_logged_and_the_checkpointer_goes_on(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.fail = True
    with caplog.at_level(logging.ERROR, logger="hireproof.audit.checkpointer"):
        assert checkpointer.sign_once() is None
        running = checkpointer.start_checkpointer(interval=0.01)
        try:
            assert checkpointer.start_checkpointer(interval=0.01) is running  # one per process
            assert recorder.three.wait(5)
        finally:
            checkpointer.stop_checkpointer()
    assert not running.is_alive()
    assert "signing a due checkpoint failed; the next attempt runs as usual" in caplog.text


def test_serving_starts_the_checkpointer_but_no_thread_inside_tests(
    recorder: Recorder,
) -> None:
    start_background_jobs()
    assert checkpointer.JOB.running is None
    assert recorder.calls == 0


def test_the_server_start_hook_starts_the_checkpointer_when_serving(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_SECONDS = 300
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    checkpointer.start_checkpointer_at_server_start()
    try:
        assert checkpointer.JOB.running is not None
        assert checkpointer.JOB.running.interval == 10.0  # at most 10 s late
        assert recorder.three.wait(0.3) is False  # one look at start, the next in 10 s
        assert recorder.calls == 1
    finally:
        checkpointer.stop_checkpointer()


def test_a_short_period_is_looked_at_as_often_as_it_asks(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_SECONDS = 2
    assert checkpointer.default_interval() == 2.0
