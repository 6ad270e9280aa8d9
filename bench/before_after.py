"""Run a bench script before and after a change, back to back, each in a process of its own.

The audit benches call ``run_measurements``. Without ``--before`` they measure the change to the
log's unsigned window on this checkout, as two configurations (``WINDOW_CHANGE``): before it, a
checkpoint was signed at the append once 100 events waited (here: the signing task run where it
is queued, ``HIREPROOF_TASKS_SYNC``, so only a full batch signs, at its append); after it, a
worker (a real ``hireproof worker`` process) signs every leaf within
``HIREPROOF_CHECKPOINT_SECONDS`` (5 s), batching, and appends never sign. With ``--before
DIR`` (a checkout of the code before a change, e.g. from ``git worktree add --detach DIR
COMMIT``) they measure that code first, then this one, each with its own defaults. Each run has
``PYTHONPATH`` naming the code it measures, in the same virtualenv; the measuring process
prints its figures and, last, one ``RESULT {json}`` line the caller reads back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
THIS_CODE = HERE.parent
RESULT = "RESULT "


@dataclass(frozen=True)
class Configuration:
    """One side of the window change: its settings, and whether a worker signs checkpoints."""

    label: str
    words: str
    settings: dict[str, str]
    checkpointer: bool


WINDOW_CHANGE = (
    Configuration(
        "before",
        "a checkpoint signed at the append every 100 events",
        {
            "HIREPROOF_CHECKPOINT_EVERY": "100",
            "HIREPROOF_CHECKPOINT_SECONDS": "300",
            "HIREPROOF_TASKS_SYNC": "true",
        },
        checkpointer=False,
    ),
    Configuration(
        "after",
        "a worker signs every leaf within 5 s (or once 100 wait)",
        {"HIREPROOF_CHECKPOINT_EVERY": "100", "HIREPROOF_CHECKPOINT_SECONDS": "5"},
        checkpointer=True,
    ),
)
NO_CHECKPOINTER = "--no-checkpointer"


def run_measurements(
    script: str, before: Path | None, arguments: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """The results of ``script --measure ARGUMENTS`` before and after, labelled."""
    if before is None:
        runs = [
            (
                f"{side.label} ({side.words})",
                THIS_CODE,
                side.settings,
                arguments if side.checkpointer else [*arguments, NO_CHECKPOINTER],
            )
            for side in WINDOW_CHANGE
        ]
    else:
        runs = [("before", before, {}, arguments), ("after", THIS_CODE, {}, arguments)]
    results = []
    for label, code, settings, measure_arguments in runs:
        print(f"== {label}: {code}", flush=True)
        env = {**os.environ, **settings, "PYTHONPATH": str(code)}
        done = subprocess.run(
            [sys.executable, str(HERE / script), "--measure", *measure_arguments],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = done.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith(RESULT)), flush=True)
        if done.returncode != 0 or not lines or not lines[-1].startswith(RESULT):
            sys.stderr.write(done.stderr)
            raise SystemExit(f"{script} on {code} failed with exit code {done.returncode}")
        results.append((label, json.loads(lines[-1][len(RESULT) :])))
    return results


def in_fresh_data_folder(measure: Callable[[], int]) -> int:
    """Run ``measure`` on the ``hireproof`` on ``PYTHONPATH`` in a fresh, throwaway data folder."""
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    os.environ["HIREPROOF_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hireproof.settings"
    for name in ("DATABASE_URL", "HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    try:
        return measure()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def print_result(values: dict[str, Any]) -> None:
    """The last line of a measuring process: its figures, for the caller."""
    print(RESULT + json.dumps(values), flush=True)


def measured_code() -> str:
    """Where the ``hireproof`` package being measured was imported from."""
    import hireproof

    return str(Path(hireproof.__file__).resolve().parent.parent)


def prepare_database() -> None:
    """Create and migrate the database of the fresh data folder (private, as a server does)."""
    from django.core.management import call_command

    try:
        from hireproof.audit.startup import check_files
    except ImportError:  # older code: no start-up checks
        pass
    else:
        check_files()  # creates the SQLite file 0600, which a worker process insists on
    call_command("migrate", verbosity=0)


def bench_opening(actor: Any, title: str) -> Any:
    """A new opening of the built-in ``data-scientist-mid`` playbook, created by ``actor`` with
    the default invitation email (the built-ins loaded first)."""
    from hireproof.hiring.actions.openings import do_create_opening
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT
    from hireproof.hiring.models.playbooks import PlaybookVersion

    load_builtin_playbooks()
    return do_create_opening(
        actor=actor,
        title=title,
        playbook_version=PlaybookVersion.objects.get(playbook_id="data-scientist-mid"),
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )


def start_checkpointer_if_asked(wanted: bool) -> Callable[[], None]:
    """Start what signs checkpoints off the append path, if ``wanted`` and the measured code has
    it: a ``hireproof worker`` process (waiting for its heartbeat), or the checkpointer thread
    of older code; returns what stops it. Code with neither signs at the append."""
    if not wanted:
        return lambda: None
    try:
        from hireproof.platform.models import Worker
    except ImportError:
        return _start_thread()
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireproof", "worker"], env=os.environ, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while not Worker.objects.filter(pid=worker.pid).exists():
        if time.monotonic() > deadline or worker.poll() is not None:
            os.killpg(worker.pid, signal.SIGKILL)
            raise SystemExit("the worker did not start")
        time.sleep(0.1)
    print(f"a worker runs the background tasks (pid {worker.pid})")

    def stop() -> None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    return stop


def _start_thread() -> Callable[[], None]:
    try:
        from hireproof.audit.checkpointer import start_checkpointer, stop_checkpointer
    except ImportError:
        print("this code has no checkpointer thread: it signs at the append")
        return lambda: None
    start_checkpointer()
    return stop_checkpointer


def save_summary(path: Path | None, name: str, results: list[tuple[str, dict[str, Any]]]) -> None:
    """Add ``results`` under ``name`` to the JSON summary at ``path`` (``bench/audit.py``'s)."""
    if path is None:
        return
    summary = json.loads(path.read_text()) if path.exists() else {}
    summary[name] = results
    path.write_text(json.dumps(summary))
