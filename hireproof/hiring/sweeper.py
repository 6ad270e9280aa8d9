"""The sweep: submits attempts left open past their deadline, every minute.

An attempt is also submitted when a late save or a press of Submit reaches the server, and by
hand with ``hireproof sweep``; the sweep covers candidates who never come back (opening a page
never writes, so it does not submit). It is a periodic background task: whatever the number of
workers, one runs it at each due time. A sweep that fails is logged and listed on the
Background work page until the next one succeeds.
"""

from __future__ import annotations

import logging

from hireproof.hiring.actions.attempts import do_auto_submit_overdue
from hireproof.platform.tasks import background_task

logger = logging.getLogger(__name__)

SWEEP_MINUTES = 1


@background_task(label="Submit the attempts past their deadline", tries=1)
def sweep_overdue() -> None:
    """Auto-submit every overdue attempt (a failure is the task's: logged, and listed)."""
    submitted = do_auto_submit_overdue()
    if submitted:
        logger.info("auto-submitted %d attempt(s) past their deadline", len(submitted))
