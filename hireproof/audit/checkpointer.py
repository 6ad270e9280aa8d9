"""Keeping the log's unsigned window short, off the request path: the signing tasks.

Every leaf is to be covered by a checkpoint within ``HIREPROOF_CHECKPOINT_SECONDS`` of its
append. ``record_event`` calls ``after_append`` under the writer lock, and asks for a signature
(``request_signature``: a one-off task under one key, so however many appends ask, one signing
task stays pending, at the earliest time asked):

- the leaf that opens the unsigned window (every leaf before it is signed) asks for one at its
  own time plus the period less a margin (``margin``: room for the worker to pick it up);
- the leaf that makes ``HIREPROOF_CHECKPOINT_EVERY`` leaves wait, and every leaf while nothing
  is signed yet, ask for one now;
- an event a candidate or a decision depends on asks for one now, once its action commits
  (``request_checkpoint``).

The task ``sign_checkpoint`` signs every unsigned leaf at once (one signature for all that
arrived meanwhile), then queues ``submit_to_witnesses``. The periodic ``sign_overdue`` is the
safety net (a request lost with the process that made it): it signs once the oldest unsigned
leaf has waited most of the period, and sends the witnesses what they have not cosigned. Leaves
appended by any process, a CLI command included, are signed the same way: the database holds
the requests, and any worker runs them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from hireproof.audit import witnessing
from hireproof.audit.checkpoints import sign_checkpoint_if_due, unsigned_window
from hireproof.audit.store import fetch_one
from hireproof.platform.tasks import background_task, enqueue, enqueue_at

logger = logging.getLogger(__name__)

# A signature is asked for once the oldest unsigned leaf has waited all but this share of
# HIREPROOF_CHECKPOINT_SECONDS: the worker's time to claim the request (it looks twice a second)
# and sign, on a busy machine.
MARGIN_SHARE = 0.4
SIGNATURE_KEY = "sign a checkpoint"
_SIGNED_SIZE = "SELECT MAX(size) FROM audit_checkpoint"


def margin() -> float:
    """Seconds of the period kept in hand for the worker to sign."""
    return float(settings.HIREPROOF_CHECKPOINT_SECONDS * MARGIN_SHARE)


def signature_due(oldest_at: datetime) -> datetime:
    """When a window whose oldest leaf was recorded at ``oldest_at`` is signed."""
    return oldest_at + timedelta(seconds=settings.HIREPROOF_CHECKPOINT_SECONDS - margin())


def after_append(size: int, recorded_at: datetime) -> None:
    """Under the writer lock, after leaf ``size - 1`` (recorded at ``recorded_at``) is appended:
    ask for a signature if this leaf opens the unsigned window, fills a batch, or nothing is
    signed yet. One indexed read; a write only for those leaves."""
    found = fetch_one(_SIGNED_SIZE)
    signed = int(found[0]) if found and found[0] is not None else 0
    waiting = size - signed
    if signed == 0 or waiting == settings.HIREPROOF_CHECKPOINT_EVERY:
        request_signature(timezone.now())
    elif waiting == 1:
        request_signature(signature_due(recorded_at))


def request_signature(at: datetime) -> None:
    """Have every unsigned leaf signed by ``at`` (in the current transaction)."""
    enqueue_at(at, sign_checkpoint, key=SIGNATURE_KEY)


def request_checkpoint() -> None:
    """Have the log's newest leaves signed now: what ``record_event`` registers to run once the
    action of an event a candidate or a decision depends on commits. Never raises: the action
    has committed, and the periodic safety net covers a request that could not be stored."""
    try:
        request_signature(timezone.now())
    except Exception:
        logger.exception("asking for a checkpoint after the action failed; the next one covers it")


@background_task(label="Sign a checkpoint of the audit log", tries=4, first_delay=5.0)
def sign_checkpoint() -> None:
    """Sign every unsigned leaf, then have the witnesses cosign (a task of their own)."""
    signed = sign_checkpoint_if_due(urgent=True)
    if signed is None:
        return
    logger.debug("signed a checkpoint over %d leaves", signed.size)
    if settings.HIREPROOF_WITNESSES:
        enqueue(submit_to_witnesses)


@background_task(label="Sign the audit log's overdue leaves", tries=1)
def sign_overdue() -> None:
    """The periodic safety net: sign once the oldest unsigned leaf has waited most of the
    period (or a batch waits), else ask for a signature when it will have; then send the
    witnesses what they have not cosigned."""
    window = unsigned_window()
    if window.unsigned and window.oldest_at is not None:
        if (
            window.unsigned >= settings.HIREPROOF_CHECKPOINT_EVERY
            or signature_due(window.oldest_at) <= timezone.now()
        ):
            sign_checkpoint_if_due(urgent=True)
        else:
            request_signature(signature_due(window.oldest_at))
    witnessing.submit_pending()


@background_task(label="Send the latest checkpoint to the witnesses", tries=1)
def submit_to_witnesses() -> None:
    """Send the latest checkpoint to every witness that has not cosigned it (a witness that is
    down is logged, and tried again by the next checkpoint or ``sign_overdue``)."""
    witnessing.submit_pending()
