"""Background work on a durable queue: Django-Q2 on its ORM broker. The only module of the product
that imports ``django_q``.

The queue is a table of the site's own database (SQLite for ``make run``, PostgreSQL at scale),
so nothing else has to run. What the library gives: workers (``hireproof worker``, one Django-Q2
cluster each) that take a task under a lease and run it; a task whose worker was killed is given
to another once the lease (``HIREPROOF_TASK_LEASE_SECONDS``) ends; schedules whose due rows each
worker claims under a row lock in one transaction, so a periodic job runs once per due time
whatever the number of workers. What this module adds:

- ``background_task``: what makes a module-level function a task, with its retries. A task
  takes ids (whole numbers, short strings), never personal data: its arguments are stored in the
  queue's tables. Delivery is at least once, so a task is idempotent (an email is sent by its
  outbox row, which is marked sent: ``hireproof.platform.mail``).
- ``enqueue(task, *args)``: inside the caller's transaction, so the task is seen by the workers
  once the action commits, and never if it rolls back (a task is never lost between the commit
  and the enqueue). ``enqueue_at(when, ...)`` waits until ``when``; with a ``key`` only one such
  request stays pending, the earliest (a burst of requests is one task).
- Retries: a task that raises is tried again after a delay that doubles each time (from its
  ``first_delay``, with up to 25% of random jitter so failures do not retry in step), up to its
  ``tries``; the next try is a one-off schedule. A task that keeps failing is "failed for good":
  a ``TaskProblem`` row with its error, tries and last try, which the Background work page shows
  with a button to try it again (``retry_now``). The library only knows a fixed lease: every
  failure is acknowledged to it, and this module decides what follows.
- ``Periodic`` jobs, declared in one place (``hireproof.cli.worker.PERIODIC``) and created or
  updated at every start by ``install_schedules``; Django-Q2's periods are whole minutes.
- ``run_worker``: the cluster, plus this process's loop that claims due schedules twice a
  second (the library's own look is every 30 seconds) and writes the worker's heartbeat
  (``Worker``), which ``last_worker_seen`` reads.

With ``HIREPROOF_TASKS_SYNC`` (the tests) each task runs at once, in the process and the
transaction that enqueues it; ``enqueue_at`` for a later time stores the schedule, and
``run_due_schedules`` runs what is due.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import logging
import os
import secrets
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec, cast

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Max
from django.utils import timezone

from hireproof.platform.models import TaskProblem, Worker

logger = logging.getLogger(__name__)

P = ParamSpec("P")
Arg = int | str | float | bool | None

JITTER = 0.25  # each retry waits up to this share longer, at random
TICK_SECONDS = 0.5  # how often a worker claims due schedules
BEAT_SECONDS = 5.0  # how often a worker writes its heartbeat
STOP_MARGIN_SECONDS = 15  # beyond a task's timeout, before a stopping worker is killed
FORGET_WORKERS_AFTER = timedelta(days=1)  # heartbeats of workers gone this long are removed
TRY, JOB = "task_try", "task_job"  # the keyword arguments a retry carries
PERIODIC_PREFIX = "every "
SOON_PREFIX = "soon "
RETRY_PREFIX = "retry "
ERROR_LENGTH = 2000
_POLICY = "hireproof_retries"
# Any constant: it only has to be the same in every process that installs the schedules.
_POSTGRES_SCHEDULES_LOCK = 0x6869_7265_7363_6864  # "hireschd"


class NotATask(TypeError):
    """A callable given to the queue that ``background_task`` did not make a task."""


class TasksRunHere(RuntimeError):
    """A worker started while ``HIREPROOF_TASKS_SYNC`` runs every task where it is enqueued."""


@dataclass(frozen=True)
class Retries:
    """How a task is tried: ``tries`` in all, the second ``first_delay`` seconds after the
    first fails, each later one twice as long after (at most ``max_delay``), plus jitter."""

    label: str
    tries: int
    first_delay: float
    max_delay: float

    def delay(self, failed_try: int, draw: Callable[[], float] | None = None) -> float:
        """Seconds to wait after try number ``failed_try`` failed."""
        base = min(self.max_delay, self.first_delay * 2.0 ** (failed_try - 1))
        share = (draw or _draw)()
        return base * (1 + JITTER * share)


def _draw() -> float:
    return secrets.randbelow(1_000_000) / 1_000_000


def background_task(
    *, label: str, tries: int = 5, first_delay: float = 30.0, max_delay: float = 3600.0
) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Make a module-level function a background task: ``label`` says what it does (the
    Background work page shows it), the rest how it is retried (``Retries``)."""
    if tries < 1 or first_delay <= 0 or max_delay < first_delay:
        raise ValueError("a task has at least one try and a positive, growing delay")
    policy = Retries(label, tries, first_delay, max_delay)

    def decorate(func: Callable[P, None]) -> Callable[P, None]:
        if "." in func.__qualname__:
            raise NotATask(f"{func.__qualname__}: a background task is a module-level function")

        @functools.wraps(func)
        def run(*args: Any, **meta: Any) -> None:
            _run_try(func, policy, args, meta)

        setattr(run, _POLICY, policy)
        return cast(Callable[P, None], run)

    return decorate


def retries_of(task: Callable[..., None]) -> Retries:
    """The retry policy of a background task; ``NotATask`` for any other callable."""
    policy = getattr(task, _POLICY, None)
    if not isinstance(policy, Retries):
        name = getattr(task, "__qualname__", repr(task))
        raise NotATask(f"{name} is not a background task: decorate it with background_task")
    return policy


def task_path(task: Callable[..., None]) -> str:
    """The module and name a worker finds ``task`` by (never written by hand)."""
    retries_of(task)
    return f"{task.__module__}.{task.__qualname__}"


def enqueue(task: Callable[..., None], *args: Arg) -> None:
    """Queue ``task(*args)``, inside the current transaction: workers see it once it commits.

    With ``HIREPROOF_TASKS_SYNC`` it runs here, now.
    """
    from django_q.tasks import async_task

    task_path(task)
    async_task(task, *_checked(args))


def enqueue_at(when: datetime, task: Callable[..., None], *args: Arg, key: str = "") -> None:
    """Queue ``task(*args)`` to run at ``when`` (a one-off schedule, in the current transaction).

    With a ``key``, one request under that key stays pending: a request for a later time than
    the pending one changes nothing, one for an earlier time moves it. With
    ``HIREPROOF_TASKS_SYNC`` a time already come runs the task here, now.
    """
    path = task_path(task)
    if runs_here() and when <= timezone.now():
        enqueue(task, *args)
        return
    name = f"{SOON_PREFIX}{key}" if key else None
    _schedule_once(name, path, _checked(args), {}, when, keep_one=bool(key))


def _checked(args: Sequence[Arg]) -> tuple[Arg, ...]:
    for arg in args:
        if not (arg is None or isinstance(arg, int | str | float | bool)):
            raise TypeError(f"a task takes ids (numbers and short strings), not {type(arg)}")
    return tuple(args)


def _schedule_once(
    name: str | None,
    path: str,
    args: tuple[Arg, ...],
    kwargs: dict[str, Arg],
    when: datetime,
    *,
    keep_one: bool,
) -> None:
    from django_q.models import Schedule

    with transaction.atomic():
        if keep_one:
            pending = Schedule.objects.filter(name=name)
            if pending.filter(next_run__gt=when).update(next_run=when) or pending.exists():
                return
        Schedule.objects.create(
            name=name,
            func=path,
            args=repr(args),
            kwargs=repr(kwargs) if kwargs else None,
            schedule_type=Schedule.ONCE,
            repeats=-1,  # a one-off schedule is removed once it has queued its task
            next_run=when,
        )


# --- running a try --------------------------------------------------------------------------


def _run_try(
    func: Callable[..., None], policy: Retries, args: tuple[Any, ...], meta: dict[str, Any]
) -> None:
    attempt = int(meta.pop(TRY, 1))
    named = JOB in meta  # a retry, or a periodic job (its problems share one row)
    job = str(meta.pop(JOB, "")) or uuid.uuid4().hex
    if meta:
        raise TypeError(f"a task takes no keyword arguments ({', '.join(sorted(meta))})")
    from django_q.exceptions import TimeoutException

    try:
        if connection.in_atomic_block:
            _run_in_savepoint(func, args)
        else:
            func(*args)
    except (Exception, TimeoutException) as error:
        _record_failure(func, policy, args, attempt, job, error)
        if isinstance(error, TimeoutException):
            raise  # the library replaces the worker process a timeout interrupted
        return
    if named:  # a retry, or a periodic run, succeeded: the problem is gone
        TaskProblem.objects.filter(job=job).delete()


def _run_in_savepoint(func: Callable[..., None], args: tuple[Any, ...]) -> None:
    """Run at once inside the caller's transaction (``HIREPROOF_TASKS_SYNC``), as a worker would
    in its own: what the task wrote before it failed stays (a worker's writes commit as they
    go), except after a database error, which rolls back the task's writes so the caller's
    transaction stays usable."""
    savepoint = transaction.savepoint()
    try:
        func(*args)
    except DatabaseError:
        transaction.savepoint_rollback(savepoint)
        raise
    except BaseException:
        transaction.savepoint_commit(savepoint)
        raise
    transaction.savepoint_commit(savepoint)


def _record_failure(
    func: Callable[..., None],
    policy: Retries,
    args: tuple[Any, ...],
    attempt: int,
    job: str,
    error: BaseException,
) -> None:
    now = timezone.now()
    left = attempt < policy.tries
    next_at = now + timedelta(seconds=policy.delay(attempt)) if left else None
    path = f"{func.__module__}.{func.__qualname__}"
    with transaction.atomic():
        TaskProblem.objects.update_or_create(
            job=job,
            defaults={
                "task": path,
                "label": policy.label,
                "args": repr(tuple(args)),
                "tries": attempt,
                "max_tries": policy.tries,
                "error": describe(error),
                "last_tried_at": now,
                "next_try_at": next_at,
            },
            create_defaults={
                "task": path,
                "label": policy.label,
                "args": repr(tuple(args)),
                "tries": attempt,
                "max_tries": policy.tries,
                "error": describe(error),
                "first_failed_at": now,
                "last_tried_at": now,
                "next_try_at": next_at,
            },
        )
        if next_at is not None:
            name = f"{_retries_of_job(job)}{attempt + 1}"
            _schedule_once(
                name, path, tuple(args), {TRY: attempt + 1, JOB: job}, next_at, keep_one=True
            )
    if next_at is not None:
        logger.warning(
            "%s failed (try %d of %d, %s); trying again in %.0f s",
            policy.label,
            attempt,
            policy.tries,
            type(error).__name__,
            (next_at - now).total_seconds(),
        )
    else:
        logger.error(
            "%s failed for good after %d tries (%s): the Background work page lists it",
            policy.label,
            attempt,
            type(error).__name__,
        )


def _retries_of_job(job: str) -> str:
    """The start of the names of ``job``'s retry schedules (a schedule's name is short)."""
    return f"{RETRY_PREFIX}{hashlib.sha256(job.encode()).hexdigest()[:40]} "


def describe(error: BaseException) -> str:
    """An error as the Background work page shows it: its kind and message."""
    text = str(error).strip()
    return (f"{type(error).__name__}: {text}" if text else type(error).__name__)[:ERROR_LENGTH]


def retry_now(problem: TaskProblem) -> None:
    """Queue one more try of a task that failed, now, in place of any try still waiting (in the
    current transaction); if it fails again it is failed for good."""
    from django_q.models import Schedule
    from django_q.tasks import async_task

    args = ast.literal_eval(problem.args)
    Schedule.objects.filter(name__startswith=_retries_of_job(problem.job)).delete()
    TaskProblem.objects.filter(pk=problem.pk).update(next_try_at=timezone.now())
    # The library finds the function by the path this module stored for it.
    last = max(problem.tries, problem.max_tries) + 1
    async_task(problem.task, *args, **{TRY: last, JOB: problem.job})


# --- periodic jobs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periodic:
    """A background task that runs every ``minutes`` minutes."""

    task: Callable[..., None]
    minutes: int

    @property
    def name(self) -> str:
        """Its schedule's name: the task's path, after a prefix no other schedule has."""
        return f"{PERIODIC_PREFIX}{task_path(self.task)}"


def install_schedules(jobs: Sequence[Periodic]) -> None:
    """Make the stored periodic schedules exactly ``jobs``: create the missing, update a changed
    period, remove any no longer declared. Idempotent, and safe when several processes start
    at once (they take turns under a lock)."""
    from django_q.models import Schedule

    wanted = {job.name: job for job in jobs}
    if len(wanted) != len(jobs):
        raise ValueError("a periodic task is declared twice")
    now = timezone.now()
    with transaction.atomic():
        _lock_schedules()
        kept: set[str] = set()
        for row in Schedule.objects.filter(name__startswith=PERIODIC_PREFIX).order_by("id"):
            job = wanted.get(row.name)
            if job is None or row.name in kept:
                row.delete()
                continue
            kept.add(row.name)
            changes = {
                "func": task_path(job.task),
                "kwargs": repr({JOB: job.name}),
                "schedule_type": Schedule.MINUTES,
                "minutes": job.minutes,
                "repeats": -1,
            }
            if any(getattr(row, field) != value for field, value in changes.items()):
                Schedule.objects.filter(pk=row.pk).update(**changes)
        for name, job in wanted.items():
            if name not in kept:
                Schedule.objects.create(
                    name=name,
                    func=task_path(job.task),
                    kwargs=repr({JOB: job.name}),
                    schedule_type=Schedule.MINUTES,
                    minutes=job.minutes,
                    repeats=-1,
                    next_run=now,
                )


def _lock_schedules() -> None:
    # SQLite: the transaction began IMMEDIATE (settings) and holds the write lock already.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_SCHEDULES_LOCK])


def run_due_schedules() -> None:
    """Queue the task of every schedule that is due: the library's scheduler, which claims each
    due row under a row lock in one transaction (SQLite: under the database's write lock), so
    of several workers looking at once, one queues it. Looks first without a transaction."""
    from django_q.models import Schedule
    from django_q.scheduler import scheduler

    if Schedule.objects.exclude(repeats=0).filter(next_run__lt=timezone.now()).exists():
        scheduler()


# --- workers --------------------------------------------------------------------------------------


def run_worker(
    *, parent_pid: int | None = None, started: Callable[[], None] = lambda: None
) -> None:
    """Run a worker until SIGTERM or Ctrl-C (or until process ``parent_pid`` is gone): the
    library's cluster (``HIREPROOF_TASK_WORKERS`` processes), and this process's loop that
    claims due schedules and writes the heartbeat. ``started`` is called once it runs."""
    if runs_here():
        raise TasksRunHere(
            "HIREPROOF_TASKS_SYNC is on: every task runs in the process that queues it, so a"
            " worker would have nothing to do. Unset it to run workers"
        )
    from django_q.cluster import Cluster

    asked: list[int] = []  # the stop signals received

    def take_note(number: int, frame: object) -> None:
        asked.append(number)

    # SIGTERM and Ctrl-C ask the loop below to stop the cluster (the library's own handlers
    # stop it inside the signal handler, where waiting on a cluster process that the same
    # signal killed can block for ever). The handler only takes note: nothing it could wait on.
    stop_signals = (signal.SIGTERM, signal.SIGINT)
    for signum in stop_signals:
        signal.signal(signum, take_note)
    # The cluster forks its processes: none may share this process's database connections.
    connections.close_all()
    cluster = Cluster()
    for signum in stop_signals:  # the cluster set its own
        signal.signal(signum, take_note)
    cluster.start()
    me = _report_started()
    started()
    beaten = time.monotonic()
    try:
        while not asked and cluster.sentinel.is_alive():
            if parent_pid is not None and os.getppid() != parent_pid:
                logger.warning("the process that started this worker is gone: stopping")
                break
            _tick()
            if time.monotonic() - beaten >= BEAT_SECONDS:
                _beat(me)
                beaten = time.monotonic()
            time.sleep(TICK_SECONDS)
    finally:
        _stop_cluster(cluster)
        with contextlib.suppress(DatabaseError):
            Worker.objects.filter(pk=me.pk).delete()
        connections.close_all()


def _stop_cluster(cluster: Any) -> None:
    """Stop the cluster gracefully (its running tasks finish); if it has not stopped once a
    task's timeout has passed, kill its processes."""
    stopper = threading.Thread(target=cluster.stop, name="stop-cluster", daemon=True)
    stopper.start()
    stopper.join(timeout=settings.HIREPROOF_TASK_TIMEOUT_SECONDS + STOP_MARGIN_SECONDS)
    if not stopper.is_alive():
        return
    logger.error("the worker's processes did not stop in time: killing them")
    if os.getpgrp() == os.getpid():  # the usual case: the worker leads its process group
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(cluster.sentinel.pid, signal.SIGKILL)


def _tick() -> None:
    try:
        run_due_schedules()
    except DatabaseError:
        logger.exception("looking for due schedules failed; the next look runs as usual")
        connection.close()


def _report_started() -> Worker:
    now = timezone.now()
    Worker.objects.filter(seen_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return Worker.objects.create(
        host=socket.gethostname()[:255], pid=os.getpid(), started_at=now, seen_at=now
    )


def _beat(me: Worker) -> None:
    try:
        Worker.objects.filter(pk=me.pk).update(seen_at=timezone.now())
    except DatabaseError:
        logger.exception("the worker's heartbeat could not be written; trying again")
        connection.close()


def last_worker_seen() -> datetime | None:
    """When a worker last reported it was running (None: no worker ever did)."""
    seen: datetime | None = Worker.objects.aggregate(seen=Max("seen_at"))["seen"]
    return seen


# --- what the Background work page shows -------------------------------------------------------


@dataclass(frozen=True)
class ScheduledTask:
    """A schedule as the page lists it."""

    name: str
    task: str
    every_minutes: int | None  # None: once
    next_run: datetime | None


@dataclass(frozen=True)
class Overview:
    """The queue as it stands: workers, waiting and running tasks, schedules, problems."""

    workers: list[Worker]
    waiting: int
    taken: int
    schedules: list[ScheduledTask]
    problems: list[TaskProblem]

    @property
    def failed_for_good(self) -> list[TaskProblem]:
        """The tasks that ran out of tries."""
        return [problem for problem in self.problems if problem.failed_for_good]

    @property
    def retrying(self) -> list[TaskProblem]:
        """The tasks that failed and wait for their next try."""
        return [problem for problem in self.problems if not problem.failed_for_good]


def overview() -> Overview:
    """Everything the Background work page shows, in a fixed number of queries."""
    from django_q.models import OrmQ, Schedule

    now = timezone.now()
    queued = OrmQ.objects.all()
    schedules = [
        ScheduledTask(
            name=row.name or "",
            task=row.func,
            every_minutes=row.minutes if row.schedule_type == Schedule.MINUTES else None,
            next_run=row.next_run,
        )
        for row in Schedule.objects.exclude(repeats=0).order_by("next_run", "id")
    ]
    return Overview(
        workers=list(Worker.objects.filter(seen_at__gte=now - FORGET_WORKERS_AFTER)),
        waiting=queued.filter(lock__lte=now).count(),
        taken=queued.filter(lock__gt=now).count(),
        schedules=schedules,
        problems=list(TaskProblem.objects.all()),
    )


def stalled_work(now: datetime, limit_seconds: float) -> str | None:
    """Why the background work is not being done, or None when it is: a task has waited more
    than ``limit_seconds`` while no worker wrote its heartbeat in the last ``3 * BEAT_SECONDS``.

    Nothing waiting, or a live worker (busy with a long queue, say), is not stalled; where tasks
    run where they are queued there is no worker to see."""
    from django_q.models import OrmQ

    if runs_here():
        return None
    oldest = OrmQ.objects.filter(lock__lte=now).order_by("lock").values_list("lock", flat=True)
    first = oldest.first()
    if first is None or (now - first).total_seconds() <= limit_seconds:
        return None
    if Worker.objects.filter(seen_at__gte=now - timedelta(seconds=3 * BEAT_SECONDS)).exists():
        return None
    seen = Worker.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    last = (
        "no worker was ever seen"
        if seen is None
        else f"the last worker was seen at {seen:%Y-%m-%d %H:%M:%S} UTC"
    )
    return (
        f"a background task has waited {(now - first).total_seconds():.0f} s (more than"
        f" {limit_seconds:.0f} s) and {last}: is `hireproof worker` running?"
    )


@contextlib.contextmanager
def queued_for_workers() -> Iterator[None]:
    """Queue tasks for real workers even where ``HIREPROOF_TASKS_SYNC`` runs them at once (the
    tests that start ``hireproof worker`` processes)."""
    from django_q.conf import Conf

    saved, Conf.SYNC = Conf.SYNC, False
    try:
        yield
    finally:
        Conf.SYNC = saved


def runs_here() -> bool:
    """Whether tasks run where they are queued (``HIREPROOF_TASKS_SYNC``), not on workers."""
    from django_q.conf import Conf

    return bool(Conf.SYNC)
