"""Background tasks the tests queue, on real workers as in the test's own process.

Each writes what happened to a file named by the test (one line a run: what, the process, the
time), so a test reads back how many times, where and when a task ran, whatever the process.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings

from hireproof.platform.tasks import background_task

# The retries of ``keeps_failing``: short, so a test sees them grow in seconds.
FAILING_TRIES = 4
FAILING_FIRST_DELAY = 2.0


def note(path: str, what: str) -> None:
    """Append ``what``, this process's id and the time to the file at ``path``."""
    with Path(path).open("a") as file:
        file.write(f"{what} {os.getpid()} {time.time():.6f}\n")


def notes(path: Path) -> list[tuple[str, int, float]]:
    """The lines ``note`` wrote to ``path``: (what, process id, time)."""
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        what, pid, at = line.split(" ")
        found.append((what, int(pid), float(at)))
    return found


def periodic_notes() -> Path:
    """Where the periodic test jobs (which take no argument) note their runs: the data folder."""
    return Path(settings.DATA_DIR) / "periodic-runs.log"


@background_task(label="Note a periodic run", tries=1)
def note_periodic_run() -> None:
    """Note ``ran`` in ``periodic_notes()``."""
    note(str(periodic_notes()), "ran")


@background_task(label="A periodic job that fails", tries=1)
def periodic_failure() -> None:
    """Note ``tried`` in ``periodic_notes()``, then fail."""
    note(str(periodic_notes()), "tried")
    raise RuntimeError("the periodic job fails")


@background_task(label="Note that it ran", tries=1)
def note_run(path: str) -> None:
    """Note ``ran``."""
    note(path, "ran")


@background_task(
    label="A task that keeps failing", tries=FAILING_TRIES, first_delay=FAILING_FIRST_DELAY
)
def keeps_failing(path: str) -> None:
    """Note ``tried``, then fail."""
    note(path, "tried")
    raise RuntimeError("this task always fails")


@background_task(label="A task that fails twice", tries=3, first_delay=30.0)
def fails_twice(path: str) -> None:
    """Fail on the first two runs, then note ``done``."""
    tried = sum(1 for what, _, _ in notes(Path(path)) if what == "tried")
    if tried < 2:
        note(path, "tried")
        raise RuntimeError(f"failure number {tried + 1}")
    note(path, "done")


@background_task(label="A long task", tries=1)
def long_task(path: str) -> None:
    """The first run notes ``started`` and then takes a long time (its worker is killed
    meanwhile); a later run notes ``finished`` at once."""
    if any(what == "started" for what, _, _ in notes(Path(path))):
        note(path, "finished")
        return
    note(path, "started")
    time.sleep(60)
    note(path, "finished")
