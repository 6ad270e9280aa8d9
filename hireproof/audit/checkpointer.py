"""The checkpointer: signs the newest events of a quiet log once they have waited long enough.

``record_event`` signs a checkpoint every ``HIREPROOF_CHECKPOINT_EVERY`` events, or at an append
that finds the last checkpoint older than ``HIREPROOF_CHECKPOINT_SECONDS``. Without this thread
an event recorded just before a quiet night would stay unsigned (and unprovable) until the next
append. It runs as a daemon thread of the server process, started by a start-up hook of
``hireproof serve``; a failed attempt (say, a fork refused) is logged and the next one runs.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from .checkpoints import sign_checkpoint_if_due

logger = logging.getLogger(__name__)

# How often the thread looks, at most: a checkpoint is then at most this late.
MAX_INTERVAL_SECONDS = 10.0

_lock = threading.Lock()
_running: Checkpointer | None = None


class Checkpointer(threading.Thread):
    """A daemon thread calling ``sign_once`` at start and then every ``interval`` seconds."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="hireproof-audit-checkpointer", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            # This thread has its own database connection: refresh it before each look and
            # close it after, as Django does around a request.
            close_old_connections()
            try:
                sign_once()
            finally:
                connection.close()
            if self.stopped.wait(self.interval):
                return

    def stop(self) -> None:
        """Ask the thread to end after its current look, and wait for it."""
        self.stopped.set()
        self.join()


def sign_once() -> int | None:
    """Sign a checkpoint if one is due; return its size, or None. Never raises."""
    try:
        checkpoint = sign_checkpoint_if_due()
    except Exception:
        logger.exception("signing a due checkpoint failed; the next attempt runs as usual")
        return None
    if checkpoint is None:
        return None
    logger.info("signed a checkpoint over %d leaves", checkpoint.size)
    return int(checkpoint.size)


def default_interval() -> float:
    """How often to look: often enough that a due checkpoint is signed within its period."""
    return min(float(settings.HIREPROOF_CHECKPOINT_SECONDS), MAX_INTERVAL_SECONDS)


def start_checkpointer(interval: float | None = None) -> Checkpointer:
    """Start this process's checkpointer, or return the one already running."""
    global _running
    with _lock:
        if _running is None or not _running.is_alive():
            _running = Checkpointer(default_interval() if interval is None else interval)
            _running.start()
        return _running


def stop_checkpointer() -> None:
    """Stop this process's checkpointer, if one runs."""
    global _running
    with _lock:
        running, _running = _running, None
    if running is not None:
        running.stop()


def start_checkpointer_at_server_start() -> None:
    """The start-up hook: start the checkpointer, except inside a test run.

    Tests call the start-up hooks to publish the built-in playbooks; a thread signing in their
    database behind their back would make them flaky. Its own tests start it directly.
    """
    if "PYTEST_CURRENT_TEST" in os.environ:
        return
    start_checkpointer()
