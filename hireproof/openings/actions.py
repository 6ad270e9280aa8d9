"""Every change to openings, candidates and invitations: each ``do_*`` is one transaction that
records its audit event.

The log names openings, candidates and invitations by id, and candidates by their subject's
pseudonym. A candidate's name and email are committed as private fields of ``candidate.added``
(sealed under their key, destroyed on erasure); nothing personal goes into ``public``.

An invitation's token exists only in memory while its email is composed: the database keeps
its SHA-256. The email leaves after the transaction commits, so a rolled-back invitation never
sends a link; if sending fails, the invitation stands and Resend sends a fresh link.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit import vault
from hireproof.audit.actions import do_erase_subject
from hireproof.audit.log import record_event
from hireproof.core.audit.events import EventType
from hireproof.playbooks.models import PlaybookVersion

from .accommodation import NO_ACCOMMODATION, Accommodation
from .emails import candidate_link, compose_invitation, send_invitation_email
from .models import (
    EMAIL_CONTEXT,
    NAME_CONTEXT,
    Candidate,
    Invitation,
    Opening,
    email_lookup_for,
    normalise_candidate_email,
)

TOKEN_BYTES = 32


class ErasureBasis(models.TextChoices):
    """Why a candidate's personal data is erased: a fixed list, so no free text (which could
    itself be personal data) reaches the log."""

    REQUEST = "art17", "The candidate asked for erasure (GDPR Article 17)"
    RETENTION = "retention", "The retention period for this opening has ended"
    MISTAKE = "added_by_mistake", "The person was added by mistake"


class OpeningChangeRefused(Exception):
    """A change that cannot be made as asked; ``str()`` says why, in plain words."""


@dataclass(frozen=True)
class NewCandidate:
    """A candidate to add: name, email and any extra time asked for."""

    name: str
    email: str
    extra_time: Accommodation = NO_ACCOMMODATION


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of a link token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- openings ---------------------------------------------------------------------------------


def do_create_opening(
    *,
    actor: User,
    title: str,
    playbook_version: PlaybookVersion,
    invitation_days: int,
    email_subject: str,
    email_body: str,
) -> Opening:
    """Open a job pinned, for good, to ``playbook_version``; records ``opening.created``."""
    with transaction.atomic():
        opening = Opening.objects.create(
            title=title,
            playbook_version=playbook_version,
            created_by=actor,
            invitation_days=invitation_days,
            email_subject=email_subject,
            email_body=email_body,
        )
        record_event(
            EventType.OPENING_CREATED,
            actor=actor.audit_actor,
            public={
                "opening_id": opening.pk,
                "playbook": {
                    "id": playbook_version.playbook_id,
                    "version": playbook_version.version,
                    "hash": playbook_version.content_hash,
                },
                "invitation_days": invitation_days,
            },
            at=opening.created_at,
        )
    return opening


def do_update_opening(
    *,
    actor: User,
    opening: Opening,
    title: str,
    invitation_days: int,
    email_subject: str,
    email_body: str,
) -> Opening:
    """Change an opening's title, link validity or email; the playbook stays pinned."""
    changes = {
        "title": title,
        "invitation_days": invitation_days,
        "email_subject": email_subject,
        "email_body": email_body,
    }
    changed = sorted(field for field, value in changes.items() if getattr(opening, field) != value)
    if not changed:
        return opening
    with transaction.atomic():
        for field in changed:
            setattr(opening, field, changes[field])
        opening.save(update_fields=changed)
        record_event(
            EventType.OPENING_UPDATED,
            actor=actor.audit_actor,
            public={"opening_id": opening.pk, "fields": changed},
        )
    return opening


def do_close_opening(*, actor: User, opening: Opening) -> Opening:
    """Close an opening: no more candidates or invitations; links already sent still work."""
    return _set_open(actor, opening, is_open=False, event=EventType.OPENING_CLOSED)


def do_reopen_opening(*, actor: User, opening: Opening) -> Opening:
    """Reopen a closed opening."""
    return _set_open(actor, opening, is_open=True, event=EventType.OPENING_REOPENED)


def _set_open(actor: User, opening: Opening, *, is_open: bool, event: EventType) -> Opening:
    with transaction.atomic():
        updated = Opening.objects.filter(pk=opening.pk, is_open=not is_open).update(is_open=is_open)
        opening.is_open = is_open
        if updated:  # already in that state: nothing happened, nothing to record
            record_event(event, actor=actor.audit_actor, public={"opening_id": opening.pk})
    return opening


# --- candidates -------------------------------------------------------------------------------


def do_add_candidate(*, actor: User, opening: Opening, candidate: NewCandidate) -> Candidate:
    """Add one candidate to ``opening``; refused if closed or the email is already in it."""
    return do_import_candidates(
        actor=actor, opening=opening, candidates=[candidate], source="form"
    )[0]


def do_import_candidates(
    *,
    actor: User,
    opening: Opening,
    candidates: Sequence[NewCandidate],
    source: str = "csv",
) -> list[Candidate]:
    """Add every candidate, or none: one transaction, one ``candidate.added`` each.

    Refuses (``OpeningChangeRefused``) when the opening is closed or an address is already a
    candidate in it, including one added by someone else since the file was checked.
    """
    _require_open(opening)
    try:
        with transaction.atomic():
            added = [_add(actor, opening, new, source) for new in candidates]
    except IntegrityError:
        raise OpeningChangeRefused(
            "Someone added one of these email addresses to this opening a moment ago; "
            "nothing was added. Check the list and try again."
        ) from None
    return added


def _add(actor: User, opening: Opening, new: NewCandidate, source: str) -> Candidate:
    lookup = email_lookup_for(new.email)
    if Candidate.objects.filter(opening=opening, email_lookup=lookup).exists():
        raise OpeningChangeRefused(
            f"{normalise_candidate_email(new.email)} is already a candidate in this opening."
        )
    subject = vault.create_subject()
    name, email = new.name.strip(), normalise_candidate_email(new.email)
    candidate = Candidate.objects.create(
        opening=opening,
        subject=subject,
        name_sealed=vault.seal(subject, name, context=NAME_CONTEXT),
        email_sealed=vault.seal(subject, email, context=EMAIL_CONTEXT),
        email_lookup=lookup,
        requested_extra_percent=new.extra_time.extra_percent,
        requested_extra_minutes=new.extra_time.extra_minutes,
        added_by=actor,
    )
    record_event(
        EventType.CANDIDATE_ADDED,
        actor=actor.audit_actor,
        subject=subject,
        public={"opening_id": opening.pk, "candidate_id": candidate.pk, "source": source},
        private={"name": name, "email": email},
        at=candidate.added_at,
    )
    return candidate


def _require_open(opening: Opening) -> None:
    if not opening.is_open:
        raise OpeningChangeRefused(
            f"The opening {opening.title!r} is closed; reopen it to add or invite candidates."
        )


# --- invitations ------------------------------------------------------------------------------


def do_invite_candidate(
    *, actor: User, candidate: Candidate, accommodation: Accommodation, base_url: str
) -> Invitation:
    """Create the candidate's invitation and email them their personal link.

    Records ``invitation.sent``. Refused when the opening is closed, the candidate was erased
    or already has an invitation (use ``do_resend_invitation``). A mail error propagates after
    the invitation is saved.
    """
    opening = candidate.opening
    _require_open(opening)
    _require_not_erased(candidate)
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
    _send(candidate, invitation, token, base_url)
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
    _require_open(candidate.opening)
    _require_not_erased(candidate)
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
    _send(candidate, invitation, token, base_url)
    return invitation


def do_revoke_invitation(*, actor: User, candidate: Candidate) -> Invitation:
    """Stop the candidate's link from working. A started attempt is kept as it is.

    Refused once the candidate has submitted (there is nothing left to stop).
    """
    invitation = _invitation_of(candidate)
    _require_not_erased(candidate)
    if invitation.revoked_at is not None:
        return invitation
    if _has_submitted(invitation):
        raise OpeningChangeRefused(
            f"{candidate.name} has already submitted the assessment; the invitation is used up."
        )
    now = timezone.now()
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


def _require_not_erased(candidate: Candidate) -> None:
    if candidate.is_erased:
        raise OpeningChangeRefused("This candidate's personal data was erased.")


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


def _send(candidate: Candidate, invitation: Invitation, token: str, base_url: str) -> None:
    opening = candidate.opening
    playbook = opening.playbook_version.load()
    email = compose_invitation(
        to=candidate.email,
        name=candidate.name,
        subject_template=opening.email_subject,
        body_template=opening.email_body,
        role=opening.title,
        link=candidate_link(token, base_url),
        expires_at=invitation.expires_at,
        allowance=invitation.allowance(playbook.assessment.time_limit_minutes),
    )
    send_invitation_email(email)


# --- erasure ----------------------------------------------------------------------------------


def do_erase_candidate(*, actor: User, candidate: Candidate, basis: ErasureBasis) -> None:
    """Erase the candidate's personal data for good (``subject.erased`` in the log).

    The audit app destroys their keys; ``receivers.clear_erased_candidate`` clears this app's
    sealed fields and lookup in the same transaction.
    """
    _require_not_erased(candidate)
    do_erase_subject(candidate.subject, actor=actor.audit_actor, basis=str(basis))
    candidate.refresh_from_db()
