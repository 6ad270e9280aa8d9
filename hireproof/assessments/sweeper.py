"""The sweeper: submits attempts left open past their deadline, every 30 seconds.

An attempt is also auto-submitted when its link is opened after the deadline, and by hand with
``hireproof sweep``; the sweeper covers candidates who never come back. It runs as a daemon
thread of the server process, started by a start-up hook of ``hireproof serve``; a sweep that
fails is logged and the next one runs as usual.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime

from django.db import close_old_connections, connection

from .actions import do_auto_submit_overdue

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0

_lock = threading.Lock()
_running: Sweeper | None = None


class Sweeper(threading.Thread):
    """A daemon thread calling ``sweep_once`` now and then every ``interval`` seconds."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="hireproof-attempt-sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            # This thread has its own database connection: refresh it before each sweep and
            # close it after, as Django does around a request.
            close_old_connections()
            try:
                sweep_once()
            finally:
                close_connection()
            if self.stopped.wait(self.interval):
                return

    def stop(self) -> None:
        """Ask the thread to end after its current sweep, and wait for it."""
        self.stopped.set()
        self.join()


def sweep_once(now: datetime | None = None) -> int:
    """Auto-submit every overdue attempt; return how many were submitted. Never raises."""
    try:
        submitted = do_auto_submit_overdue(now)
    except Exception:
        logger.exception("the attempt sweep failed; the next one runs as usual")
        return 0
    if submitted:
        logger.info("auto-submitted %d attempt(s) past their deadline", len(submitted))
    return len(submitted)


def close_connection() -> None:
    """Close this thread's database connection: the database sees no idle session."""
    connection.close()


def start_sweeper(interval: float = SWEEP_SECONDS) -> Sweeper:
    """Start this process's sweeper, or return the one already running."""
    global _running
    with _lock:
        if _running is None or not _running.is_alive():
            _running = Sweeper(interval)
            _running.start()
        return _running


def stop_sweeper() -> None:
    """Stop this process's sweeper, if one runs."""
    global _running
    with _lock:
        running, _running = _running, None
    if running is not None:
        running.stop()


def start_sweeper_at_server_start() -> None:
    """The start-up hook: start the sweeper, except inside a test run.

    Tests call the start-up hooks to publish the built-in playbooks; a thread sweeping their
    database behind their back would make them flaky. The sweeper's own tests start it directly.
    """
    if "PYTEST_CURRENT_TEST" in os.environ:
        return
    start_sweeper()
