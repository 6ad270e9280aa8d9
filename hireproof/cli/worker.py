"""``hireproof worker``: run the background tasks until SIGTERM or Ctrl-C.

A worker is a Django-Q2 cluster (``HIREPROOF_TASK_WORKERS`` processes running tasks) on the
site's database. On start it makes the same file checks as every command that opens the
database, and creates or updates the periodic schedules declared here (``periodic_jobs``: the one
place they are declared; ``hireproof serve`` installs them too). ``hireproof serve`` starts one
worker itself on SQLite (``make run``); with PostgreSQL, run as many as needed, on any machine
that reaches the database: each due periodic job still runs once, and a task whose worker was
killed runs again on another.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from hireproof.cli.django_setup import with_django

if TYPE_CHECKING:  # imported when Django is set up: the core-only commands never load it
    from hireproof.platform.tasks import Periodic


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "worker",
        help="run the background tasks (emails, the deadline sweep, checkpoints, PDFs)",
    )
    # `hireproof serve` starts its worker with its own PID: the worker stops when serve is gone.
    parser.add_argument("--stop-with", type=int, metavar="PID", help=argparse.SUPPRESS)
    parser.set_defaults(handler=worker)


def periodic_jobs() -> tuple[Periodic, ...]:
    """Every periodic job of the site: what runs, and every how many minutes."""
    from hireproof.audit.checkpointer import sign_overdue
    from hireproof.audit.scrub import finish_scrub
    from hireproof.hiring.sweeper import SWEEP_MINUTES, sweep_overdue
    from hireproof.platform.tasks import Periodic

    return (
        Periodic(sweep_overdue, minutes=SWEEP_MINUTES),
        Periodic(sign_overdue, minutes=1),
        Periodic(finish_scrub, minutes=1),
    )


@with_django
def worker(args: argparse.Namespace) -> int:
    """Install the periodic schedules, then run tasks until stopped."""
    from django.conf import settings

    from hireproof.platform.tasks import install_schedules, run_worker, runs_here

    if runs_here():
        print(
            "hireproof: HIREPROOF_TASKS_SYNC is on: every task runs in the process that queues"
            " it, so a worker would have nothing to do. Unset it to run workers",
            file=sys.stderr,
        )
        return 2
    install_schedules(periodic_jobs())
    processes = settings.Q_CLUSTER["workers"]

    def say_so() -> None:
        print(
            f"hireproof worker {os.getpid()} is running tasks in {processes} processes"
            " (SIGTERM or Ctrl-C to stop)",
            flush=True,
        )

    run_worker(parent_pid=args.stop_with, started=say_so)
    print(f"hireproof worker {os.getpid()} stopped.", flush=True)
    return 0
