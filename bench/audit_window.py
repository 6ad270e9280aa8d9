"""The audit log's unsigned window under a steady append load, on SQLite.

Until a checkpoint covers a leaf, whoever holds the database can rewrite it. This drives a
steady load (``--rate`` single-commit appends per second for ``--seconds``) through
``record_event``, samples the age of the oldest unsigned leaf every 50 ms from another
connection, and prints its median, 95th percentile and maximum in seconds::

    .venv/bin/python bench/audit_window.py [--rate 5] [--seconds 40] [--before DIR] [--summary FILE]

By default it measures the unsigned-window change on this code, before (signed at the append
every 100 events) and after (a ``hireproof worker`` process, as ``hireproof serve`` starts one:
every leaf within 5 s); with ``--before DIR`` (a checkout of the code before a change) it
measures that code and then this one, back to back, each with its own defaults.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

# bench/ is the script's folder, first on sys.path.
from before_after import (
    NO_CHECKPOINTER,
    in_fresh_data_folder,
    measured_code,
    prepare_database,
    print_result,
    run_measurements,
    save_summary,
    start_checkpointer_if_asked,
)

SAMPLE_EVERY = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=5.0, help="appends per second")
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the load runs")
    parser.add_argument("--before", type=Path, help="a checkout of the code before a change")
    parser.add_argument("--summary", type=Path, help="add the results to this JSON file")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(NO_CHECKPOINTER, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be more than 0")
    if args.measure:
        return in_fresh_data_folder(
            lambda: _run(args.rate, args.seconds, checkpointer=not args.no_checkpointer)
        )
    load = ["--rate", str(args.rate), "--seconds", str(args.seconds)]
    results = run_measurements("audit_window.py", args.before, load)
    save_summary(args.summary, "window", results)
    print(f"{'oldest unsigned leaf, s':<24}{'p50':>10}{'p95':>10}{'max':>10}")
    for label, result in results:
        side = label.split(" ", 1)[0]
        print(f"{side:<24}{result['p50']:>10.2f}{result['p95']:>10.2f}{result['max']:>10.2f}")
    return 0


def _run(rate: float, seconds: float, *, checkpointer: bool) -> int:
    import django
    from django.conf import settings

    django.setup()
    prepare_database()
    from hireproof.audit.models import Checkpoint, LogLeaf

    print(f"code: {measured_code()}")
    print(
        f"{rate:g} single-commit appends/s for {seconds:g} s;"
        f" HIREPROOF_CHECKPOINT_EVERY={settings.HIREPROOF_CHECKPOINT_EVERY},"
        f" HIREPROOF_CHECKPOINT_SECONDS={settings.HIREPROOF_CHECKPOINT_SECONDS},"
        f" {'a worker signs' if checkpointer else 'no worker: appends sign when due'}"
    )
    stop = start_checkpointer_if_asked(checkpointer)
    sampler = Sampler()
    sampler.start()
    try:
        appended = _steady_load(rate, seconds)
    finally:
        sampler.stop()
        stop()
    ages = sampler.ages
    p50, p95 = statistics.median(ages), statistics.quantiles(ages, n=20)[18]
    print(f"appended {appended} events; {len(ages)} samples of the oldest unsigned leaf's age")
    print(f"median {p50:.2f} s, p95 {p95:.2f} s, max {max(ages):.2f} s")
    print(f"log size {LogLeaf.objects.count()}, checkpoints {Checkpoint.objects.count()}")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    result = {"p50": p50, "p95": p95, "max": max(ages), "samples": len(ages)}
    print_result({**result, "appended": appended})
    return 0


def _steady_load(rate: float, seconds: float) -> int:
    """Append at ``rate`` events per second, each in its own transaction, for ``seconds``."""
    from django.db import transaction

    from hireproof.audit.log import record_event
    from hireproof.core.audit import EventType

    public = {"attempt": 1234, "item": "pandas-filter-sum", "count": 7}
    started = time.monotonic()
    count = 0
    while (due := started + count / rate) < started + seconds:
        time.sleep(max(0.0, due - time.monotonic()))
        with transaction.atomic():
            record_event(EventType.ANSWER_SAVED, actor="candidate", public=public)
        count += 1
    return count


class Sampler(threading.Thread):
    """Samples the oldest unsigned leaf's age from a connection of its own (committed state)."""

    def __init__(self) -> None:
        super().__init__(name="window-sampler", daemon=True)
        self.ages: list[float] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopped.wait(SAMPLE_EVERY):
                self.ages.append(_oldest_unsigned_age())
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def _oldest_unsigned_age() -> float:
    """Seconds since the oldest leaf no checkpoint covers was recorded (0 if none)."""
    from django.db import connection
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(size) FROM audit_checkpoint")
        signed = cursor.fetchone()[0] or 0
        cursor.execute('SELECT recorded_at FROM audit_logleaf WHERE "index" = %s', [signed])
        row = cursor.fetchone()
    if row is None:
        return 0.0
    value = row[0]
    recorded = value if isinstance(value, datetime) else parse_datetime(value)
    if recorded is None:
        raise ValueError(f"not a timestamp: {value!r}")
    if timezone.is_naive(recorded):
        recorded = timezone.make_aware(recorded, UTC)
    return max(0.0, (timezone.now() - recorded).total_seconds())


if __name__ == "__main__":
    raise SystemExit(main())
