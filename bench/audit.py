"""Every audit-log figure, measured in one run (what ``make bench`` runs)::

    .venv/bin/python bench/audit.py

Runs, one after the other and each in its own process (each sets up its own temporary data
folder and settings):

1. ``audit_window.py``: the unsigned window (the age of the oldest leaf no checkpoint covers,
   p50, p95 and max in seconds) under 5 single-commit appends/s, before the window change (a
   checkpoint signed at the append every 100 events) and after it (a ``hireproof worker``
   process signs every leaf within 5 s);
2. ``audit_append.py``: appends/s on SQLite through ``record_event``, one event per commit and
   100 per commit, before and after the same change, each measured long enough that
   checkpoints are signed while it runs (target: at least 1,000 single-commit appends/s);
3. ``audit_verify.py``: ``verify_bundle`` over a 1,000,000-leaf export, in seconds and leaves/s
   against the raw SHA-256 rate measured in the same process (target: under 5 s), and one
   inclusion proof at 1,000,000 leaves from memory (target: under 5 ms);
4. ``audit_proof.py``: one inclusion proof at 1,000,000 leaves read from the database's stored
   nodes, as ``hireproof audit prove`` and receipts do (target: under 5 ms).

Then it prints the window change's figures side by side. The load average is printed first and
last: figures taken on a busy machine are low.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SUMMARISED = ("audit_window.py", "audit_append.py")
SCRIPTS = (*SUMMARISED, "audit_verify.py", "audit_proof.py")


def main() -> int:
    here = Path(__file__).resolve().parent
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    with tempfile.TemporaryDirectory(prefix="hireproof-bench-summary-") as folder:
        summary = Path(folder) / "summary.json"
        for script in SCRIPTS:
            print(f"== {script}", flush=True)
            extra = ["--summary", str(summary)] if script in SUMMARISED else []
            finished = subprocess.run([sys.executable, str(here / script), *extra], check=False)
            if finished.returncode != 0:
                print(f"{script} failed with exit code {finished.returncode}")
                return finished.returncode
            print(flush=True)
        print_window_change(json.loads(summary.read_text()))
    print(f"\nload average at end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


def print_window_change(summary: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
    """The unsigned window and the append rates, before and after, from this run."""
    (before_label, window_before), (after_label, window_after) = summary["window"]
    (_, append_before), (_, append_after) = summary["append"]
    print("== the unsigned-window change, measured in this run")
    print(f"  before: {before_label.split(' ', 1)[1][1:-1]}")
    print(f"  after:  {after_label.split(' ', 1)[1][1:-1]}\n")
    print(f"{'':<34}{'before':>20}{'after':>20}")
    for name in ("p50", "p95", "max"):
        row = f"unsigned window, s ({name})"
        print(f"{row:<34}{window_before[name]:>20.2f}{window_after[name]:>20.2f}")
    for mode, words in (("single", "1 event per commit"), ("batched", "100 events per commit")):
        cells = [
            f"{side[mode]:,.0f} ({side[f'{mode}_checkpoints']:,} ckpt)"
            for side in (append_before, append_after)
        ]
        print(f"{f'appends/s, {words}':<34}{cells[0]:>20}{cells[1]:>20}")
    print("\n(ckpt: checkpoints signed while the appends were measured)")


if __name__ == "__main__":
    sys.exit(main())
