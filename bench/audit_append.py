"""Append rate of the audit log on SQLite, through the real ``record_event`` path.

Runs with the project's settings in a temporary data folder (database and key files are
created there and removed at the end), with the checkpointer thread running as in ``hireproof
serve``::

    .venv/bin/python bench/audit_append.py [--events 5000] [--before DIR]

Prints appends per second when every event commits on its own, and in batches of 100 per
transaction, with checkpoints signed as the code measured signs them. With ``--before DIR`` (a
checkout of the code before a change) it measures that code and then this one, back to back,
and prints the ratio after / before.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

# bench/ is the script's folder, first on sys.path.
from before_after import in_fresh_data_folder, measured_code, print_result, run_measurements

BATCH = 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000, help="events per measurement")
    parser.add_argument("--before", type=Path, help="a checkout of the code before a change")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return in_fresh_data_folder(lambda: _run(args.events))
    results = run_measurements("audit_append.py", args.before, ["--events", str(args.events)])
    if len(results) == 2:
        (_, before), (_, after) = results
        print(f"{'after / before':<24}{'appends/s':>12}{'per CPU-second':>16}")
        for mode in ("single", "batched"):
            label = "one event per commit" if mode == "single" else f"{BATCH} events per commit"
            wall = after[mode] / before[mode]
            cpu = after[f"{mode}_cpu"] / before[f"{mode}_cpu"]
            print(f"{label:<24}{wall:>12.2f}{cpu:>16.2f}")
    return 0


def _run(events: int) -> int:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from hireproof.audit.checkpointer import start_checkpointer, stop_checkpointer
    from hireproof.audit.models import Checkpoint, LogLeaf

    print(f"code: {measured_code()}")
    print(f"SQLite {_sqlite_version()}, WAL, synchronous=NORMAL; {events} events per run;")
    print(
        f"HIREPROOF_CHECKPOINT_EVERY={settings.HIREPROOF_CHECKPOINT_EVERY},"
        f" HIREPROOF_CHECKPOINT_SECONDS={settings.HIREPROOF_CHECKPOINT_SECONDS},"
        " checkpointer thread running\n"
    )
    start_checkpointer()
    try:
        single, single_cpu = _measure(events, per_commit=1)
        batched, batched_cpu = _measure(events, per_commit=BATCH)
    finally:
        stop_checkpointer()
    print(f"{'':<24}{'appends/s':>12}{'per CPU-second':>16}")
    print(f"{'one event per commit':<24}{single:>12,.0f}{single_cpu:>16,.0f}")
    print(f"{f'{BATCH} events per commit':<24}{batched:>12,.0f}{batched_cpu:>16,.0f}")
    print(f"\ntarget: >= 1,000 single-commit appends/s -> {single / 1000:.1f}x the target")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"log size {LogLeaf.objects.count()}, checkpoints {Checkpoint.objects.count()}\n")
    print_result(
        {"single": single, "single_cpu": single_cpu, "batched": batched, "batched_cpu": batched_cpu}
    )
    return 0


def _measure(events: int, *, per_commit: int) -> tuple[float, float]:
    """Appends per wall-clock second and per second of this process's CPU time (the second
    stays meaningful when other processes share the machine; it counts the checkpointer's)."""
    from django.db import transaction

    from hireproof.audit.log import record_event
    from hireproof.core.audit import EventType

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
