"""The checkpointer: signs the newest events of a quiet log once they have waited long enough.

``record_event`` signs a checkpoint every ``HIREPROOF_CHECKPOINT_EVERY`` events, or at an append
that finds the last checkpoint older than ``HIREPROOF_CHECKPOINT_SECONDS``. Without this thread
an event recorded just before a quiet night would stay unsigned (and unprovable) until the next
append. It runs as a daemon thread of the server process, started by ``hireproof serve``; a
failed attempt (say, a fork refused) is logged and the next one runs.
"""

from __future__ import annotations

import logging

from django.conf import settings

from hireproof.audit import witnessing
from hireproof.audit.checkpoints import sign_checkpoint_if_due
from hireproof.platform.background import BackgroundJob, PeriodicThread

logger = logging.getLogger(__name__)

# How often the thread looks, at most: a checkpoint is then at most this late.
MAX_INTERVAL_SECONDS = 10.0


def sign_once() -> int | None:
    """Sign a checkpoint if one is due; return its size, or None. Never raises."""
    try:
        checkpoint = sign_checkpoint_if_due()
    except Exception:
        logger.exception("signing a due checkpoint failed; the next attempt runs as usual")
        return None
    witnessing.submit_pending()  # never raises; a witness that is down is tried next round
    if checkpoint is None:
        return None
    logger.info("signed a checkpoint over %d leaves", checkpoint.size)
    return int(checkpoint.size)


def default_interval() -> float:
    """How often to look: often enough that a due checkpoint is signed within its period."""
    return min(float(settings.HIREPROOF_CHECKPOINT_SECONDS), MAX_INTERVAL_SECONDS)


JOB = BackgroundJob("hireproof-audit-checkpointer", sign_once, default_interval)


def start_checkpointer(interval: float | None = None) -> PeriodicThread:
    """Start this process's checkpointer, or return the one already running."""
    return JOB.start(interval)


def stop_checkpointer() -> None:
    """Stop this process's checkpointer, if one runs."""
    JOB.stop()


def start_checkpointer_at_server_start() -> None:
    """Start the checkpointer for a serving process, except inside a test run."""
    JOB.start_at_server_start()
