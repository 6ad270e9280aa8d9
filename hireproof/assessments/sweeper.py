"""The sweeper: submits attempts left open past their deadline, every 30 seconds.

An attempt is also auto-submitted when its link is opened after the deadline, and by hand with
``hireproof sweep``; the sweeper covers candidates who never come back. It runs as a daemon
thread of the server process, started by a start-up hook of ``hireproof serve``; a sweep that
fails is logged and the next one runs as usual.
"""

from __future__ import annotations

import logging
from datetime import datetime

from hireproof.web.background import BackgroundJob, PeriodicThread

from .actions import do_auto_submit_overdue

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0


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


JOB = BackgroundJob("hireproof-attempt-sweeper", sweep_once, lambda: SWEEP_SECONDS)


def start_sweeper(interval: float | None = None) -> PeriodicThread:
    """Start this process's sweeper, or return the one already running."""
    return JOB.start(interval)


def stop_sweeper() -> None:
    """Stop this process's sweeper, if one runs."""
    JOB.stop()


def start_sweeper_at_server_start() -> None:
    """The start-up hook: start the sweeper, except inside a test run."""
    JOB.start_at_server_start()
