"""The checkpointer: one thread per serving process that keeps the log's unsigned window short.

It signs a checkpoint over the whole log once the oldest unsigned leaf has waited most of
``HIREPROOF_CHECKPOINT_SECONDS`` (so every leaf is signed within that period of being
appended), or once ``HIREPROOF_CHECKPOINT_EVERY`` leaves wait, batching every leaf that arrived
meanwhile into one signature. Appends never sign while it runs: an action a candidate or a
decision depends on calls ``request_checkpoint`` as it commits, which wakes the thread to sign
at once, off the request's path. It also looks at the database every second at most, so leaves
appended by other processes (a CLI command) are signed within the same period.

Started by ``hireproof serve``, never inside a test run; a failed attempt (say, a fork refused)
is logged and the next look runs as usual. Contacting the log's witnesses belongs here too,
after a checkpoint is stored: never inside a request; and so does finishing an erasure's scrub
that a reader blocked (``scrub.scrub_if_pending``), tried again at every look until it succeeds.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from hireproof.audit import scrub, witnessing
from hireproof.audit.checkpoints import sign_checkpoint_if_due, unsigned_window

logger = logging.getLogger(__name__)

THREAD_NAME = "hireproof-audit-checkpointer"
# The longest the thread sleeps between looks at the database.
MAX_LOOK_INTERVAL = 1.0
# The thread signs once the oldest leaf has waited all but this share of
# HIREPROOF_CHECKPOINT_SECONDS: its margin for signing, and for being scheduled late on a busy
# machine.
MARGIN_SHARE = 0.2


def margin() -> float:
    """Seconds of the period the thread keeps in hand when it signs."""
    return float(settings.HIREPROOF_CHECKPOINT_SECONDS * MARGIN_SHARE)


def look_interval() -> float:
    """The longest the thread waits between looks: often enough to catch another process's
    leaves inside the period."""
    return min(MAX_LOOK_INTERVAL, margin())


def look_once(*, urgent: bool = False) -> float:
    """Sign the log if a checkpoint is due (any unsigned leaf if ``urgent``) and return the
    seconds until the next look. Never raises: a failure is logged and retried at the next."""
    pause = look_interval()
    try:
        window = unsigned_window()
        if window.unsigned == 0:
            witnessing.submit_pending()  # checkpoints signed elsewhere reach the witnesses too
            return pause
        wait_left = settings.HIREPROOF_CHECKPOINT_SECONDS - margin() - window.age()
        if not urgent and wait_left > 0 and window.unsigned < settings.HIREPROOF_CHECKPOINT_EVERY:
            return min(pause, wait_left)
        signed = sign_checkpoint_if_due(urgent=True)
    except Exception:
        logger.exception("signing a checkpoint failed; the next look runs as usual")
        return pause
    witnessing.submit_pending()  # never raises; a witness that is down is tried next look
    if signed is not None:
        logger.info("signed a checkpoint over %d leaves", signed.size)
    return 0.0  # look again at once: leaves may have arrived while it signed


class Checkpointer(threading.Thread):
    """The daemon thread: looks, signs when due, finishes a pending erasure scrub, sleeps until
    the next look or a wake-up."""

    def __init__(self) -> None:
        super().__init__(name=THREAD_NAME, daemon=True)
        self.wakeup = threading.Event()
        self.urgent = False
        self.stopped = False
        self.looks = 0

    def run(self) -> None:
        while not self.stopped:
            close_old_connections()
            urgent, self.urgent = self.urgent, False
            try:
                pause = look_once(urgent=urgent)
                scrub.scrub_if_pending()  # never raises; a blocked scrub is tried next look
            finally:
                connection.close()
            self.looks += 1
            if pause > 0:
                self.wakeup.wait(pause)
            self.wakeup.clear()

    def wake(self, *, urgent: bool) -> None:
        """Make the thread look now; ``urgent`` signs whatever is unsigned."""
        if urgent:
            self.urgent = True
        self.wakeup.set()

    def stop(self) -> None:
        """Ask the thread to end after its current look, and wait for it."""
        self.stopped = True
        self.wakeup.set()
        self.join()


_lock = threading.Lock()
_running: Checkpointer | None = None


def running_checkpointer() -> Checkpointer | None:
    """This process's checkpointer, if one runs."""
    found = _running
    return found if found is not None and found.is_alive() else None


def start_checkpointer() -> Checkpointer:
    """Start this process's checkpointer, or return the one already running."""
    global _running
    with _lock:
        if _running is None or not _running.is_alive():
            _running = Checkpointer()
            _running.start()
        return _running


def stop_checkpointer() -> None:
    """Stop this process's checkpointer, if one runs."""
    global _running
    with _lock:
        found, _running = _running, None
    if found is not None:
        found.stop()


def start_checkpointer_at_server_start() -> None:
    """Start the checkpointer for a serving process, except inside a test run."""
    if "PYTEST_CURRENT_TEST" in os.environ:
        return
    start_checkpointer()


def request_checkpoint() -> None:
    """Have the log's newest leaves signed now: what an action a candidate or a decision
    depends on calls once it commits (``record_event`` does it for those events).

    Wakes this process's checkpointer, which signs off the caller's path; a process without one
    (a CLI command) signs here. Never raises: the action has committed, and a failed signature
    is logged and retried by the next checkpoint.
    """
    thread = running_checkpointer()
    if thread is not None:
        thread.wake(urgent=True)
        return
    try:
        sign_checkpoint_if_due(urgent=True)
    except Exception:
        logger.exception("signing a checkpoint after the action failed; the next one covers it")
