"""Inviting candidates: the personal link, resending it, revoking it.

An invitation's token exists only in memory while its email is composed: the database keeps its
SHA-256, and the email goes to the outbox sealed under the candidate's key
(``hiring.emails.queue_candidate_email``), in the action's transaction: it leaves once the
invitation commits, never for one rolled back. If the mail server refuses it, the invitation
stands, the pipeline says "email failed" with the reason, the email is tried again later, and
Resend sends a fresh link (cancelling the old email if it is still waiting).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.actions.openings import (
    OpeningChangeRefused,
    require_not_erased,
    require_open,
)
from hireproof.hiring.ats.push import notify_orders, notify_orders_at
from hireproof.hiring.emails import invitation_about, invitation_email, queue_candidate_email
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.candidates import Candidate, Invitation, hash_token
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.webhooks import emit_invited

TOKEN_BYTES = 32


def do_invite_candidate(
    *, actor: User, candidate: Candidate, accommodation: Accommodation, base_url: str
) -> Invitation:
    """Create the candidate's invitation and email them their personal link.

    Records ``invitation.sent``. Refused when the opening is closed, the candidate was erased
    or already has an invitation (use ``do_resend_invitation``). The email is queued with the
    invitation; a mail error is the sending task's (the pipeline shows it).
    """
    opening = candidate.opening
    require_open(opening)
    require_not_erased(candidate)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    with transaction.atomic():
        if Invitation.objects.select_for_update().filter(candidate=candidate).exists():
            raise OpeningChangeRefused(
                f"{candidate.name} is already invited; use Resend to send a new link."
            )
        invitation = Invitation.objects.create(
            candidate=candidate,
            token_hash=hash_token(token),
            created_at=now,
            sent_at=now,
            send_count=1,
            expires_at=_expiry(opening, now),
            extra_time_percent=accommodation.extra_percent,
            extra_minutes=accommodation.extra_minutes,
        )
        record_event(
            EventType.INVITATION_SENT,
            actor=actor.audit_actor,
            subject=candidate.subject,
            public=_invitation_public(invitation),
            private=_accommodation_private(accommodation),
            at=now,
        )
        candidate.invitation = invitation
        _queue(invitation, token, base_url)
        emit_invited(invitation, at=now)
    return invitation


def do_resend_invitation(
    *,
    actor: User,
    candidate: Candidate,
    base_url: str,
    accommodation: Accommodation | None = None,
) -> Invitation:
    """Send a NEW link with a new expiry: the old link stops working. Counts the sends.

    A revoked invitation is reinstated by this (the recruiter chose to send a link again).
    Refused once the candidate has submitted, after erasure, and while the opening is closed.

    ``accommodation`` replaces the invitation's extra time (``None`` keeps it): a candidate
    often asks for extra time only after the invitation arrived. The new time is committed in
    the event, never public, and the new email states it. Refused once the attempt has
    started, since its deadline was fixed when the clock started.
    """
    invitation = _invitation_of(candidate)
    require_open(candidate.opening)
    require_not_erased(candidate)
    if _has_submitted(invitation):
        raise OpeningChangeRefused(
            f"{candidate.name} has already submitted the assessment; there is nothing to resend."
        )
    changes_time = accommodation is not None and accommodation != _accommodation_of(invitation)
    if changes_time and _has_started(invitation):
        raise OpeningChangeRefused(
            f"{candidate.name} has already started the assessment; its deadline is fixed, "
            "so the extra time can no longer change."
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    with transaction.atomic():
        reinstated = invitation.revoked_at is not None
        invitation.token_hash = hash_token(token)
        invitation.sent_at = now
        invitation.send_count += 1
        invitation.expires_at = _expiry(candidate.opening, now)
        invitation.revoked_at = None
        changed = ["token_hash", "sent_at", "send_count", "expires_at", "revoked_at"]
        if accommodation is not None and changes_time:
            invitation.extra_time_percent = accommodation.extra_percent
            invitation.extra_minutes = accommodation.extra_minutes
            changed += ["extra_time_percent", "extra_minutes"]
        invitation.save(update_fields=changed)
        record_event(
            EventType.INVITATION_RESENT,
            actor=actor.audit_actor,
            subject=candidate.subject,
            public={**_invitation_public(invitation), "reinstated": reinstated},
            private=_extra_time_private(_accommodation_of(invitation)) if changes_time else {},
            at=now,
        )
        _queue(invitation, token, base_url)
        emit_invited(invitation, at=now)
        notify_orders(candidate, at=now)
        notify_orders_at(candidate, invitation.expires_at)
    return invitation


def do_revoke_invitation(
    *, actor: User, candidate: Candidate, now: datetime | None = None
) -> Invitation:
    """Stop the candidate's link from working. A started attempt is kept as it is (recording a
    withdrawal also submits it: ``decisions.do_record_decision``). The ATSs that ordered the
    test hear that it was cancelled (``notify_orders``).

    Refused once the candidate has submitted (there is nothing left to stop).
    """
    invitation = _invitation_of(candidate)
    require_not_erased(candidate)
    if invitation.revoked_at is not None:
        return invitation
    if _has_submitted(invitation):
        raise OpeningChangeRefused(
            f"{candidate.name} has already submitted the assessment; the invitation is used up."
        )
    now = now or timezone.now()
    with transaction.atomic():
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        record_event(
            EventType.INVITATION_REVOKED,
            actor=actor.audit_actor,
            subject=candidate.subject,
            public=_invitation_public(invitation),
            at=now,
        )
        notify_orders(candidate, at=now)
    return invitation


def _invitation_of(candidate: Candidate) -> Invitation:
    invitation = Invitation.objects.filter(candidate=candidate).first()
    if invitation is None:
        raise OpeningChangeRefused(f"{candidate.name} has not been invited yet.")
    return invitation


def _has_started(invitation: Invitation) -> bool:
    return getattr(invitation, "attempt", None) is not None


def _accommodation_of(invitation: Invitation) -> Accommodation:
    return Accommodation(invitation.extra_time_percent, invitation.extra_minutes)


def _has_submitted(invitation: Invitation) -> bool:
    attempt = getattr(invitation, "attempt", None)
    return attempt is not None and attempt.submitted_at is not None


def _expiry(opening: Opening, now: datetime) -> datetime:
    return now + timedelta(days=opening.invitation_days)


def _invitation_public(invitation: Invitation) -> dict[str, Any]:
    return {
        "opening_id": invitation.candidate.opening_id,
        "candidate_id": invitation.candidate_id,
        "invitation_id": invitation.pk,
        "expires_at": invitation.expires_at.isoformat(),
        "send_count": invitation.send_count,
    }


def _accommodation_private(accommodation: Accommodation) -> dict[str, Any]:
    # Extra time can hint at a health condition: committed, never public.
    if not accommodation.is_extended:
        return {}
    return _extra_time_private(accommodation)


def _extra_time_private(accommodation: Accommodation) -> dict[str, Any]:
    # A change is always committed, a change back to none included, so the log shows it.
    return {
        "extra_time": {
            "percent": accommodation.extra_percent,
            "minutes": accommodation.extra_minutes,
        }
    }


@dataclass(frozen=True)
class InvitationRun:
    """What ``invite_each`` did: the invitations it made (their emails queued), and the
    refusal that stopped it, if any."""

    invited: list[Invitation]
    refusal: OpeningChangeRefused | None = None


def invite_each(*, actor: User, candidates: Iterable[Candidate], base_url: str) -> InvitationRun:
    """Invite each of ``candidates`` in turn, with the extra time they asked for on import:
    one ``do_invite_candidate`` each (its own transaction, its own ``invitation.sent``, its
    email queued in the outbox).

    Stops at the first refusal (the opening closed meanwhile, a candidate invited or erased by
    someone else); the invitations already made stand.
    """
    invited: list[Invitation] = []
    for candidate in candidates:
        try:
            invited.append(
                do_invite_candidate(
                    actor=actor,
                    candidate=candidate,
                    accommodation=candidate.requested_accommodation,
                    base_url=base_url,
                )
            )
        except OpeningChangeRefused as refusal:
            return InvitationRun(invited, refusal=refusal)
    return InvitationRun(invited)


def _queue(invitation: Invitation, token: str, base_url: str) -> None:
    queue_candidate_email(
        invitation_email(invitation, token=token, base_url=base_url),
        invitation.candidate,
        kind="an invitation",
        about=invitation_about(invitation.pk),
        replace=True,
    )
