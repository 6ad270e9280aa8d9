"""Every change reviewers make: each ``do_*`` is one transaction that records its audit event.

The log names the attempt and the item only (``public``); the reviewer is the event's actor
(``staff:<id>``). The note stays in the acknowledgement's row: it is staff text, not a
committed value.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.flags import ReviewFlag, attempt_flags, stored_scorecard
from hireproof.hiring.models.reviews import FlagAcknowledgement

MIN_NOTE_CHARS = 10
MAX_NOTE_CHARS = 2000


class ReviewRefused(Exception):
    """A review step that cannot be taken as asked; ``str()`` says why, in plain words."""


def do_acknowledge_flag(
    *, actor: User, attempt: Attempt, item_id: str, note: str, now: datetime | None = None
) -> FlagAcknowledgement:
    """Record that ``actor`` reviewed the warning flag on ``item_id``, with their note.

    Records ``flag.acknowledged`` (public: attempt id and item id). Refused
    (``ReviewRefused``) for a note shorter than ``MIN_NOTE_CHARS``, an item without a warning
    flag, a critical flag (it cannot be acknowledged away), a flag already acknowledged, and
    an erased candidate.
    """
    text = _checked_note(note)
    flag = _warning_flag(attempt, item_id)
    if flag.acknowledgement is not None:
        raise ReviewRefused(f"The warning on {item_id} is already acknowledged.")
    at = now or timezone.now()
    try:
        with transaction.atomic():
            acknowledgement = FlagAcknowledgement.objects.create(
                attempt=attempt, item_id=item_id, reviewer=actor, note=text, at=at
            )
            record_event(
                EventType.FLAG_ACKNOWLEDGED,
                actor=actor.audit_actor,
                subject=attempt.invitation.candidate.subject,
                public={"attempt_id": attempt.pk, "item_id": item_id},
                at=at,
            )
    except IntegrityError:
        # Another reviewer acknowledged it between our check and our insert.
        raise ReviewRefused(f"The warning on {item_id} is already acknowledged.") from None
    return acknowledgement


def _checked_note(note: str) -> str:
    text = note.strip()
    if len(text) < MIN_NOTE_CHARS:
        raise ReviewRefused(
            f"Write a note of at least {MIN_NOTE_CHARS} characters saying what you checked "
            "and why the candidate can move on."
        )
    if len(text) > MAX_NOTE_CHARS:
        raise ReviewRefused(
            f"The note is {len(text):,} characters long; keep it under {MAX_NOTE_CHARS:,}."
        )
    return text


def _warning_flag(attempt: Attempt, item_id: str) -> ReviewFlag:
    if attempt.invitation.candidate.is_erased:
        raise ReviewRefused(
            "This candidate's personal data was erased; there is nothing to review."
        )
    scorecard = stored_scorecard(attempt)
    if scorecard is None:
        raise ReviewRefused("This attempt is not scored yet; there is no flag to acknowledge.")
    flag = next((f for f in attempt_flags(attempt, scorecard) if f.item_id == item_id), None)
    if flag is None:
        raise ReviewRefused(f"The answer to {item_id} raised no red flag.")
    if flag.is_critical:
        raise ReviewRefused(
            f"The flag on {item_id} is critical: the verdict is critical_fail whatever the "
            "score, and a critical flag cannot be acknowledged away."
        )
    return flag
