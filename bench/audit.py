"""Every audit-log figure the issue asks for, measured in one run::

    .venv/bin/python bench/audit.py

Runs, one after the other and each in its own process (each sets up its own temporary data
folder and settings):

1. ``audit_append.py``: appends/s on SQLite through ``record_event``, one event per commit and
   100 per commit (target: at least 1,000 single-commit appends/s);
2. ``audit_verify.py``: ``verify_bundle`` over a 1,000,000-leaf export, in seconds and leaves/s
   against the raw SHA-256 rate measured in the same process (target: under 5 s), and one
   inclusion proof at 1,000,000 leaves from memory (target: under 5 ms);
3. ``audit_proof.py``: one inclusion proof at 1,000,000 leaves read from the database's stored
   nodes, as ``hireproof audit prove`` and receipts do (target: under 5 ms).

The load average is printed first and last: figures taken on a busy machine are low.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPTS = ("audit_append.py", "audit_verify.py", "audit_proof.py")


def main() -> int:
    here = Path(__file__).resolve().parent
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        finished = subprocess.run([sys.executable, str(here / script)], check=False)
        if finished.returncode != 0:
            print(f"{script} failed with exit code {finished.returncode}")
            return finished.returncode
        print(flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
