"""Append rate of the audit log on SQLite, through the real ``record_event`` path, signing included.

Runs with the project's settings in a temporary data folder (database and key files are
created there and removed at the end)::

    .venv/bin/python bench/audit_append.py [--seconds 8] [--before DIR] [--summary FILE]

Measures appends per second when every event commits on its own, and in batches of 100 per
transaction, each for ``--seconds`` (longer than ``HIREPROOF_CHECKPOINT_SECONDS``, so checkpoints
are signed while it measures, and their cost is in the figure), and counts the checkpoints
signed meanwhile. By default it measures the unsigned-window change on this code, before
(signed at the append every 100 events) and after (a worker process signs, within 5 s), and
prints the ratio after / before; with ``--before DIR`` it measures that checkout, then this one.
"""

from __future__ import annotations

import argparse
import os
import time
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

BATCH = 100
MODES = {"single": 1, "batched": BATCH}
LABELS = {"single": "one event per commit", "batched": f"{BATCH} events per commit"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=8.0, help="how long each measurement appends"
    )
    parser.add_argument("--before", type=Path, help="a checkout of the code before a change")
    parser.add_argument("--summary", type=Path, help="add the results to this JSON file")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(NO_CHECKPOINTER, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seconds <= 0:
        parser.error("--seconds must be more than 0")
    if args.measure:
        return in_fresh_data_folder(lambda: _run(args.seconds, not args.no_checkpointer))
    results = run_measurements("audit_append.py", args.before, ["--seconds", str(args.seconds)])
    save_summary(args.summary, "append", results)
    (_, before), (_, after) = results
    print(f"{'after / before':<24}{'appends/s':>12}{'per CPU-second':>16}")
    for mode in MODES:
        wall = after[mode] / before[mode]
        cpu = after[f"{mode}_cpu"] / before[f"{mode}_cpu"]
        print(f"{LABELS[mode]:<24}{wall:>12.2f}{cpu:>16.2f}")
    return 0


def _run(seconds: float, checkpointer: bool) -> int:
    import django
    from django.conf import settings

    django.setup()
    prepare_database()
    from hireproof.audit.models import Checkpoint, LogLeaf

    print(f"code: {measured_code()}")
    print(f"SQLite {_sqlite_version()}, WAL, synchronous=NORMAL; {seconds:g} s per measurement;")
    print(
        f"HIREPROOF_CHECKPOINT_EVERY={settings.HIREPROOF_CHECKPOINT_EVERY},"
        f" HIREPROOF_CHECKPOINT_SECONDS={settings.HIREPROOF_CHECKPOINT_SECONDS},"
        f" {'a worker signs' if checkpointer else 'no worker: appends sign when due'}\n"
    )
    stop = start_checkpointer_if_asked(checkpointer)
    result: dict[str, float] = {}
    try:
        for mode, per_commit in MODES.items():
            signed_before = Checkpoint.objects.count()
            rate, cpu_rate, appended = _measure(seconds, per_commit=per_commit)
            signed = Checkpoint.objects.count() - signed_before
            result |= {mode: rate, f"{mode}_cpu": cpu_rate, f"{mode}_checkpoints": signed}
            result[f"{mode}_appended"] = appended
    finally:
        stop()
    print(f"{'':<24}{'appends/s':>12}{'per CPU-second':>16}{'checkpoints signed':>20}")
    for mode in MODES:
        print(
            f"{LABELS[mode]:<24}{result[mode]:>12,.0f}{result[f'{mode}_cpu']:>16,.0f}"
            f"{result[f'{mode}_checkpoints']:>20,.0f}"
        )
        if not result[f"{mode}_checkpoints"]:
            print(f"  WARNING: no checkpoint was signed while measuring {LABELS[mode]}")
    print(
        f"\ntarget: >= 1,000 single-commit appends/s -> {result['single'] / 1000:.1f}x the target"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"log size {LogLeaf.objects.count()}, checkpoints {Checkpoint.objects.count()}\n")
    print_result(result)
    return 0


def _measure(seconds: float, *, per_commit: int) -> tuple[float, float, int]:
    """Appends per wall-clock second and per second of this process's CPU time (the second
    stays meaningful when other processes share the machine; a worker signs in its own),
    appending for ``seconds``; and how many were appended."""
    from django.db import transaction

    from hireproof.audit.log import record_event
    from hireproof.core.audit import EventType

    public = {"attempt": 1234, "item": "pandas-filter-sum", "count": 7}
    started, cpu_started = time.perf_counter(), time.process_time()
    deadline = started + seconds
    done = 0
    while time.perf_counter() < deadline:
        with transaction.atomic():
            for _ in range(per_commit):
                record_event(EventType.ANSWER_SAVED, actor="candidate", public=public)
        done += per_commit
    return done / (time.perf_counter() - started), done / (time.process_time() - cpu_started), done


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


if __name__ == "__main__":
    raise SystemExit(main())
