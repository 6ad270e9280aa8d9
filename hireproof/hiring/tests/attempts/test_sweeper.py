"""The sweeper thread that auto-submits attempts left open, started by ``hireproof serve``."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

import pytest

from hireproof.cli.serve import start_background_jobs
from hireproof.hiring import sweeper


class Recorder:
    """Stands in for ``do_auto_submit_overdue``: the thread's timing is under test here."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[datetime | None] = []
        self.three = threading.Event()
        self.fail = fail

    def __call__(self, now: datetime | None = None) -> list[Any]:
        self.calls.append(now)
        if len(self.calls) >= 3:
            self.three.set()
        if self.fail:
            raise RuntimeError("database is locked")
        return []


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(sweeper, "do_auto_submit_overdue", recorder)
    return recorder


def test_the_sweeper_sweeps_at_once_then_every_interval_until_stopped(recorder: Recorder) -> None:
    running = sweeper.start_sweeper(interval=0.01)
    try:
        assert sweeper.start_sweeper(interval=0.01) is running  # one per process
        assert recorder.three.wait(5)
    finally:
        sweeper.stop_sweeper()
    assert not running.is_alive()
    assert recorder.calls[:3] == [None, None, None]


def test_a_failed_sweep_is_logged_and_the_sweeper_goes_on(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.fail = True
    with caplog.at_level(logging.ERROR, logger="hireproof.hiring.sweeper"):
        assert sweeper.sweep_once() == 0
        running = sweeper.start_sweeper(interval=0.01)
        try:
            assert recorder.three.wait(5)
        finally:
            sweeper.stop_sweeper()
    assert not running.is_alive()
    assert "the attempt sweep failed; the next one runs as usual" in caplog.text


def test_serving_starts_the_sweeper_but_no_thread_inside_tests(
    recorder: Recorder,
) -> None:
    start_background_jobs()
    assert sweeper.JOB.running is None
    assert recorder.calls == []


def test_the_server_start_hook_starts_the_sweeper_when_serving(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    sweeper.start_sweeper_at_server_start()
    try:
        assert sweeper.JOB.running is not None
        assert sweeper.JOB.running.interval == 30.0
        assert recorder.three.wait(0.5) is False  # one sweep at start, the next in 30 s
        assert recorder.calls == [None]
    finally:
        sweeper.stop_sweeper()
