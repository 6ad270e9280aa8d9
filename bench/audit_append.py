"""Append rate of the audit log on SQLite, through the real ``record_event`` path.

Runs with the project's settings in a temporary data folder (database and key files are
created there and removed at the end)::

    .venv/bin/python bench/audit_append.py [--events 5000]

Prints appends per second when every event commits on its own, and in batches of 100 per
transaction, with checkpoints signed at the configured cadence (every 100 events by default).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BATCH = 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000, help="events per measurement")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    os.environ["HIREPROOF_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hireproof.settings"
    for name in ("DATABASE_URL", "HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        return _run(args.events)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(events: int) -> int:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from hireproof.audit.models import Checkpoint, LogLeaf

    print(f"SQLite {_sqlite_version()}, WAL, synchronous=NORMAL; {events} events per run;")
    print(f"a checkpoint every {settings.HIREPROOF_CHECKPOINT_EVERY} events\n")
    single, single_cpu = _measure(events, per_commit=1)
    batched, batched_cpu = _measure(events, per_commit=BATCH)
    print(f"{'':<24}{'appends/s':>12}{'per CPU-second':>16}")
    print(f"{'one event per commit':<24}{single:>12,.0f}{single_cpu:>16,.0f}")
    print(f"{f'{BATCH} events per commit':<24}{batched:>12,.0f}{batched_cpu:>16,.0f}")
    print(f"\ntarget: >= 1,000 single-commit appends/s -> {single / 1000:.1f}x the target")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"log size {LogLeaf.objects.count()}, checkpoints {Checkpoint.objects.count()}")
    return 0


def _measure(events: int, *, per_commit: int) -> tuple[float, float]:
    """Appends per wall-clock second and per second of this process's CPU time (the second
    stays meaningful when other processes share the machine)."""
    from django.db import transaction

    from hireproof.audit.log import record_event
    from hireproof.core.audit.events import EventType

    public = {"attempt": 1234, "item": "pandas-filter-sum", "count": 7}
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(events // per_commit):
        with transaction.atomic():
            for _ in range(per_commit):
                record_event(EventType.ANSWER_SAVED, actor="candidate", public=public)
    done = events // per_commit * per_commit
    return done / (time.perf_counter() - started), done / (time.process_time() - cpu_started)


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


if __name__ == "__main__":
    raise SystemExit(main())
