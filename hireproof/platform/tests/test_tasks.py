"""The task queue in one process: enqueueing, retries with a growing delay, tasks that fail for
good, one-off and periodic schedules. (Real workers: ``hireproof/tests/test_workers.py``.)

Tests run each task at once where it is queued (``HIREPROOF_TASKS_SYNC``); a schedule waits
until ``run_due_schedules`` finds it due, as a worker's loop would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from hireproof.audit.models import LogLeaf
from hireproof.audit.tests.factories import record_many
from hireproof.cli.worker import periodic_jobs
from hireproof.platform.models import TaskProblem
from hireproof.platform.tasks import (
    JITTER,
    PERIODIC_PREFIX,
    SOON_PREFIX,
    NotATask,
    Periodic,
    Retries,
    background_task,
    enqueue,
    enqueue_at,
    install_schedules,
    overview,
    queued_for_workers,
    retries_of,
    run_due_schedules,
    task_path,
)
from hireproof.testing.tasks import (
    FAILING_FIRST_DELAY,
    FAILING_TRIES,
    fails_twice,
    keeps_failing,
    note_periodic_run,
    note_run,
    notes,
    periodic_failure,
    periodic_notes,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """The file the test tasks note their runs in."""
    return tmp_path / "runs.log"


def runs(path: Path) -> list[str]:
    return [what for what, _, _ in notes(path)]


def schedules(prefix: str = "") -> list[Any]:
    return list(Schedule.objects.filter(name__startswith=prefix).order_by("next_run", "id"))


def test_a_task_runs_where_it_is_queued_in_the_tests(log: Path) -> None:
    enqueue(note_run, str(log))
    assert runs(log) == ["ran"]
    assert not OrmQ.objects.exists()


def test_only_a_background_task_with_ids_for_arguments_is_queued(log: Path) -> None:
    def plain(path: str) -> None:
        pass

    with pytest.raises(NotATask, match="plain is not a background task"):
        enqueue(plain, str(log))
    with pytest.raises(TypeError, match="a task takes ids"):
        enqueue(note_run, log)  # type: ignore[arg-type]  # a Path, on purpose
    with pytest.raises(NotATask, match="a background task is a module-level function"):
        background_task(label="nested")(plain)
    assert task_path(note_run) == "hireproof.testing.tasks.note_run"
    assert runs(log) == []


def test_a_queued_task_waits_in_the_database_for_a_worker(log: Path) -> None:
    with queued_for_workers(), transaction.atomic():
        enqueue(note_run, str(log))
        assert OrmQ.objects.count() == 1  # inside the action's transaction: seen once it commits
    assert overview().waiting == 1
    assert runs(log) == []


def test_a_task_queued_by_an_action_that_rolls_back_is_never_seen(log: Path) -> None:
    def action() -> None:
        with transaction.atomic():
            enqueue(note_run, str(log))
            raise RuntimeError("the action fails")

    with queued_for_workers(), pytest.raises(RuntimeError):
        action()
    assert not OrmQ.objects.exists()


def test_each_retry_waits_twice_as_long_as_the_one_before_with_jitter_and_a_cap() -> None:
    policy = Retries("x", tries=9, first_delay=10.0, max_delay=100.0)
    assert [policy.delay(n, lambda: 0.0) for n in range(1, 7)] == [10, 20, 40, 80, 100, 100]
    assert [policy.delay(n, lambda: 1.0) for n in (1, 2)] == [10 * (1 + JITTER), 20 * (1 + JITTER)]
    assert 10 <= policy.delay(1) <= 12.5


def test_a_failed_task_is_tried_again_later_and_the_problem_goes_when_a_try_succeeds(
    log: Path,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        enqueue(fails_twice, str(log))
        problem = TaskProblem.objects.get()
        assert (problem.tries, problem.max_tries, problem.label) == (
            1,
            3,
            "A task that fails twice",
        )
        assert problem.error == "RuntimeError: failure number 1"
        assert problem.args == repr((str(log),))
        assert problem.next_try_at is not None
        first_wait = (problem.next_try_at - START).total_seconds()
        assert 30 <= first_wait <= 30 * (1 + JITTER)
        [retry] = schedules("retry ")
        assert retry.next_run == problem.next_try_at
        clock.shift(timedelta(seconds=first_wait - 1))
        run_due_schedules()
        assert runs(log) == ["tried"]  # not due yet
        clock.shift(timedelta(seconds=2))
        run_due_schedules()
        problem.refresh_from_db()
        assert (problem.tries, problem.error) == (2, "RuntimeError: failure number 2")
        assert problem.next_try_at is not None
        second_wait = (problem.next_try_at - timezone.now()).total_seconds()
        assert 60 <= second_wait <= 60 * (1 + JITTER)  # twice as long
        clock.shift(timedelta(seconds=second_wait + 1))
        run_due_schedules()
    assert runs(log) == ["tried", "tried", "done"]
    assert not TaskProblem.objects.exists()
    assert schedules("retry ") == []


def test_a_task_that_keeps_failing_is_failed_for_good_after_its_last_try(log: Path) -> None:
    with time_machine.travel(START, tick=False) as clock:
        enqueue(keeps_failing, str(log))
        for _ in range(FAILING_TRIES + 2):
            clock.shift(timedelta(minutes=5))
            run_due_schedules()
    assert runs(log) == ["tried"] * FAILING_TRIES
    problem = TaskProblem.objects.get()
    assert problem.failed_for_good
    assert (problem.tries, problem.max_tries) == (FAILING_TRIES, FAILING_TRIES)
    assert problem.error == "RuntimeError: this task always fails"
    assert problem.last_tried_at > problem.first_failed_at
    assert overview().failed_for_good == [problem]
    assert schedules("retry ") == []
    assert retries_of(keeps_failing).first_delay == FAILING_FIRST_DELAY


def test_a_task_failing_inside_an_action_leaves_the_action_whole(log: Path) -> None:
    def breaks() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    with transaction.atomic():
        record_many(1)
        with pytest.raises(DatabaseError):
            _in_savepoint(breaks)
        record_many(1)  # the transaction is still usable
    assert LogLeaf.objects.count() == 3


def _in_savepoint(func: Any) -> None:
    from hireproof.platform.tasks import _run_in_savepoint

    _run_in_savepoint(func, ())


def test_a_request_under_a_key_stays_one_and_the_earliest_wins(log: Path) -> None:
    with time_machine.travel(START, tick=False):
        later, sooner = START + timedelta(seconds=30), START + timedelta(seconds=10)
        enqueue_at(later, note_run, str(log), key="note")
        enqueue_at(START + timedelta(minutes=5), note_run, str(log), key="note")
        assert [s.next_run for s in schedules(SOON_PREFIX)] == [later]
        enqueue_at(sooner, note_run, str(log), key="note")
        assert [s.next_run for s in schedules(SOON_PREFIX)] == [sooner]
        enqueue_at(START - timedelta(seconds=1), note_run, str(log))  # come already: runs here
        assert runs(log) == ["ran"]
    with time_machine.travel(sooner + timedelta(seconds=1), tick=False):
        run_due_schedules()
    assert runs(log) == ["ran", "ran"]
    assert schedules(SOON_PREFIX) == []  # a one-off schedule goes once it has run


def test_the_periodic_schedules_are_installed_once_and_kept_as_declared(log: Path) -> None:
    jobs = periodic_jobs()
    install_schedules(jobs)
    install_schedules(jobs)  # every start installs them again: nothing doubles
    installed = schedules(PERIODIC_PREFIX)
    assert [(s.name, s.minutes, s.schedule_type) for s in installed] == [
        (job.name, job.minutes, Schedule.MINUTES) for job in jobs
    ]
    assert {s.func for s in installed} == {
        "hireproof.hiring.sweeper.sweep_overdue",
        "hireproof.audit.checkpointer.sign_overdue",
        "hireproof.audit.scrub.finish_scrub",
    }
    sweep = installed[0]
    Schedule.objects.create(name=sweep.name, func=sweep.func, schedule_type=Schedule.MINUTES)
    changed = (Periodic(jobs[0].task, minutes=5), Periodic(note_run, minutes=2))
    install_schedules(changed)  # one period changed, two jobs gone, one new, a double removed
    assert [(s.func, s.minutes) for s in schedules(PERIODIC_PREFIX)] == [
        ("hireproof.hiring.sweeper.sweep_overdue", 5),
        ("hireproof.testing.tasks.note_run", 2),
    ]


def test_a_periodic_job_runs_once_per_due_time_and_its_failures_share_one_row() -> None:
    periodic_notes().unlink(missing_ok=True)
    with time_machine.travel(START, tick=False) as clock:
        install_schedules((Periodic(note_periodic_run, 1), Periodic(periodic_failure, 1)))
        clock.shift(timedelta(seconds=1))
        run_due_schedules()
        run_due_schedules()  # claimed: the next run is a minute later
        clock.shift(timedelta(seconds=58))
        run_due_schedules()
        clock.shift(timedelta(seconds=2))
        run_due_schedules()
        problem = TaskProblem.objects.get()  # one row for the job, whatever its runs
        assert problem.job == f"{PERIODIC_PREFIX}hireproof.testing.tasks.periodic_failure"
        assert (problem.tries, problem.failed_for_good) == (1, True)
        assert problem.last_tried_at == START + timedelta(minutes=1, seconds=1)
    assert sorted(runs(periodic_notes())) == ["ran", "ran", "tried", "tried"]
    with pytest.raises(ValueError, match="declared twice"):
        install_schedules((Periodic(note_periodic_run, 1), Periodic(note_periodic_run, 2)))
