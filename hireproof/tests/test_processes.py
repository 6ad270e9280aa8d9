"""Many processes, one truth: real ``hireproof`` processes sharing one database (SQLite here,
PostgreSQL in the ``pytest-postgres`` pass).

- Several processes append to the audit log at once while a worker signs checkpoints: the log
  exports and verifies, with no gap and no fork.
- A periodic job due once runs once, whichever of two workers claims it.
- A task running when its worker is killed with ``kill -9`` runs again, to completion, on
  another worker once its lease ends.
- A task that keeps failing is tried again after growing delays, then shown to administrators.

Every process is started in a group of its own and killed by its PID when the test ends.
"""

from __future__ import annotations

import html
import itertools
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from django_q.models import OrmQ, Schedule

from hireproof.accounts.roles import Role
from hireproof.audit import keys
from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.models import Checkpoint, LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.platform.models import TaskProblem
from hireproof.platform.tasks import Periodic, enqueue, install_schedules, queued_for_workers
from hireproof.testing.personas import make_staff, signed_in_client
from hireproof.testing.processes import Processes, wait_until
from hireproof.testing.tasks import (
    FAILING_FIRST_DELAY,
    FAILING_TRIES,
    keeps_failing,
    long_task,
    note_periodic_run,
    notes,
)

WRITERS = 4
EVENTS_EACH = 200
APPEND = """
from django.db import transaction
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
for number in range({events}):
    with transaction.atomic():
        record_event(
            EventType.STAFF_SIGNED_IN,
            actor="staff:{writer}",
            public={{"writer": {writer}, "number": number}},
        )
print("appended", {events})
"""
HIREPROOF = str(Path(sys.executable).with_name("hireproof"))


def hireproof(processes: Processes, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HIREPROOF, *args], env=processes.env, capture_output=True, text=True, timeout=300
    )


def test_processes_appending_at_once_make_one_log_without_gaps_or_forks(
    processes: Processes, tmp_path: Path
) -> None:
    vkey = current_vkey()  # the key files exist before any process needs them
    keys.kek_bytes()
    worker = processes.worker()  # signs checkpoints while the writers append
    writers = [
        processes.python(APPEND.format(writer=writer, events=EVENTS_EACH))
        for writer in range(WRITERS)
    ]
    for process in writers:
        assert process.wait(timeout=600) == 0, processes.output(process)
    leaves = [parse_leaf(bytes(data)) for data in LogLeaf.objects.values_list("data", flat=True)]
    assert [leaf.index for leaf in leaves] == list(range(1 + WRITERS * EVENTS_EACH))
    for writer in range(WRITERS):  # each process's events, in its order
        mine = [leaf.public["number"] for leaf in leaves[1:] if leaf.public["writer"] == writer]
        assert mine == list(range(EVENTS_EACH))
    wait_until(  # the worker signs the whole log within its window, whoever wrote the leaves
        lambda: Checkpoint.objects.filter(size=1 + WRITERS * EVENTS_EACH).exists(),
        60,
        lambda: f"no checkpoint over the whole log: {list(Checkpoint.objects.values('size'))}",
    )
    assert processes.stop(worker) == 0  # no checkpoint signed between the export and the count
    bundle = tmp_path / "audit.bundle"
    exported = hireproof(processes, "audit", "export", "--out", str(bundle))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    verified = hireproof(processes, "audit", "verify", str(bundle), "--vkey", vkey)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith(f"bundle: {1 + WRITERS * EVENTS_EACH} leaves of log")
    signed = Checkpoint.objects.count()
    assert f"checkpoints: {signed} of {signed} verified, latest signs 801 leaves" in verified.stdout
    assert verified.stdout.endswith("result: OK\n")


def test_a_periodic_job_runs_once_per_due_time_across_two_workers(processes: Processes) -> None:
    runs = Path(processes.env["HIREPROOF_DATA_DIR"]) / "periodic-runs.log"
    processes.worker()
    processes.worker()
    job = Periodic(note_periodic_run, minutes=1)
    for due_time in range(1, 4):
        # A due time has come (in a minute's time it would come by itself): both workers
        # look twice a second, and one claims it.
        install_schedules((job,))
        Schedule.objects.filter(name=job.name).update(next_run=timezone.now())
        wait_until(
            lambda: len(notes(runs)) >= due_time,  # noqa: B023 - called in this iteration only
            30,
            lambda: f"the job did not run for due time {due_time}: {notes(runs)}",  # noqa: B023
        )
        [schedule] = Schedule.objects.filter(name=job.name)
        assert schedule.next_run > timezone.now() + timedelta(seconds=50)  # the next, claimed
    wait_until(lambda: not OrmQ.objects.exists(), 30, lambda: "tasks left in the queue")
    time.sleep(1.5)  # three more looks of each worker: no second claim of any due time
    assert [what for what, _, _ in notes(runs)] == ["ran"] * 3


def test_a_task_whose_worker_is_killed_runs_again_to_completion_on_another(
    processes: Processes, tmp_path: Path
) -> None:
    short_lease = {"HIREPROOF_TASK_TIMEOUT_SECONDS": "4", "HIREPROOF_TASK_LEASE_SECONDS": "5"}
    log = tmp_path / "long-task.log"
    first = processes.worker(short_lease)
    with queued_for_workers():
        enqueue(long_task, str(log))
    wait_until(lambda: len(notes(log)) == 1, 30, lambda: processes.output(first))
    [(started, killed_pid, _)] = notes(log)
    assert started == "started"
    processes.kill(first)  # kill -9: the worker and its processes, mid-task
    second = processes.worker(short_lease)
    wait_until(
        lambda: len(notes(log)) == 2, 30, lambda: f"{notes(log)}\n{processes.output(second)}"
    )
    finished, finished_pid, _ = notes(log)[1]
    assert finished == "finished"
    assert finished_pid != killed_pid
    wait_until(lambda: not OrmQ.objects.exists(), 30, lambda: "the task is still queued")
    assert not TaskProblem.objects.exists()


def test_retries_wait_longer_each_time_then_the_task_shows_as_failed_for_good(
    processes: Processes, tmp_path: Path
) -> None:
    log = tmp_path / "failing.log"
    processes.worker()
    with queued_for_workers():
        enqueue(keeps_failing, str(log))
    wait_until(
        lambda: TaskProblem.objects.filter(next_try_at__isnull=True).exists(),
        90,
        lambda: f"not failed for good yet: {notes(log)}",
    )
    tries = [at for _, _, at in notes(log)]
    assert len(tries) == FAILING_TRIES
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    for number, gap in enumerate(gaps):  # 2 s, then 4, then 8 (plus jitter and the pick-up)
        assert gap >= FAILING_FIRST_DELAY * 2**number, gaps
    assert gaps[-1] > gaps[0], gaps  # they grow (whatever the pick-up on a busy machine)
    administrator = make_staff("Ada Admin", "ada.admin@example.org", Role.ADMINISTRATOR)
    page = html.unescape(signed_in_client(administrator).get("/background/").content.decode())
    failed = page.split("<h2>Failed for good</h2>", 1)[1].split("<h2>", 1)[0]
    assert "A task that keeps failing" in failed
    assert "RuntimeError: this task always fails" in failed
    assert f"<td>{FAILING_TRIES}</td>" in failed
    assert "Retry now" in failed
