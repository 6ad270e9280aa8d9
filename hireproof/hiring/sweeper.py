"""The sweeper: submits attempts left open past their deadline, every 30 seconds.

An attempt is also submitted when a late save or a press of Submit reaches the server, and by
hand with ``hireproof sweep``; the sweeper covers candidates who never come back (opening a page
never writes, so it does not submit). It runs as a daemon thread of the server process, started
by ``hireproof serve``; a sweep that fails is logged and the next one runs as usual.
"""

from __future__ import annotations

import logging
from datetime import datetime

from hireproof.hiring.actions.attempts import do_auto_submit_overdue
from hireproof.platform.background import BackgroundJob, PeriodicThread

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
    """Start the sweeper for a serving process, except inside a test run."""
    JOB.start_at_server_start()
