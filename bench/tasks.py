"""How long a task waits between its enqueue and its start on an idle worker, on SQLite.

Starts a real ``hireproof worker`` on a fresh data folder (as ``hireproof serve`` starts one),
then queues one task at a time, ``--count`` times, ``--every`` seconds apart (the worker is
idle when each arrives), and prints the wait's median, 95th percentile and maximum in
milliseconds, next to ``HIREPROOF_TASK_POLL_SECONDS`` (how often an idle worker looks)::

    .venv/bin/python bench/tasks.py [--count 40] [--every 0.5]

Also times a one-off schedule due now (what a signature request is): from its due time to the
task's start, which adds the worker's look at the schedules (twice a second).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

# bench/ is the script's folder, first on sys.path.
from before_after import in_fresh_data_folder, prepare_database, start_checkpointer_if_asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40, help="tasks queued, one at a time")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between two tasks")
    args = parser.parse_args()
    if args.count < 2 or args.every <= 0:
        parser.error("--count must be at least 2 and --every more than 0")
    return in_fresh_data_folder(lambda: _run(args.count, args.every))


def _run(count: int, every: float) -> int:
    import django

    django.setup()
    prepare_database()
    from django.conf import settings
    from django.utils import timezone

    from hireproof.platform.tasks import enqueue, enqueue_at
    from hireproof.testing.tasks import note_run

    stop = start_checkpointer_if_asked(True)  # the worker
    folder = Path(tempfile.mkdtemp(prefix="hireproof-bench-tasks-"))
    queued: list[float] = []
    due: list[float] = []
    try:
        for number in range(count):
            time.sleep(every)
            log = str(folder / f"queued-{number}.log")
            queued.append(time.time())
            enqueue(note_run, log)
        for number in range(count // 4):
            time.sleep(every)
            log = str(folder / f"due-{number}.log")
            due.append(time.time())
            enqueue_at(timezone.now(), note_run, log, key=f"bench {number}")
        started = _started(folder, "queued", count) + _started(folder, "due", count // 4)
    finally:
        stop()
    waits = [(start - at) * 1000 for at, start in zip(queued + due, started, strict=True)]
    queue_waits, schedule_waits = waits[:count], waits[count:]
    print(
        f"idle worker, {settings.Q_CLUSTER['workers']} processes,"
        f" HIREPROOF_TASK_POLL_SECONDS={settings.Q_CLUSTER['poll']}"
    )
    for label, values in (
        (f"enqueue to start, {count} tasks", queue_waits),
        (f"due schedule to start, {len(schedule_waits)} tasks", schedule_waits),
    ):
        p95 = statistics.quantiles(values, n=20, method="inclusive")[18]
        print(
            f"{label:<40} p50 {statistics.median(values):7.0f} ms   p95 {p95:7.0f} ms"
            f"   max {max(values):7.0f} ms"
        )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


def _started(folder: Path, prefix: str, count: int) -> list[float]:
    """When each task of ``prefix`` started, as it noted it (waits up to 60 s for them)."""
    from hireproof.testing.tasks import notes

    deadline = time.monotonic() + 60
    found: list[float] = []
    for number in range(count):
        path = folder / f"{prefix}-{number}.log"
        while not path.exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"task {prefix} {number} did not run within 60 s")
            time.sleep(0.05)
        found.append(notes(path)[0][2])
    return found


if __name__ == "__main__":
    raise SystemExit(main())
