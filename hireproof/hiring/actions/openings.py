"""Every change to an opening: each ``do_*`` is one transaction that records its audit event.

The log names openings by id; the playbook version an opening is pinned to is named by its id,
version and content hash.
"""

from __future__ import annotations

from django.db import transaction

from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.playbooks import PlaybookVersion


class OpeningChangeRefused(Exception):
    """A change that cannot be made as asked; ``str()`` says why, in plain words."""


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


def do_record_results_export(
    *, actor: User, opening: Opening, count: int, filters: dict[str, str], searched: bool
) -> None:
    """Record that ``actor`` exported ``count`` candidates' results of ``opening``: the
    filters used (stage, verdict, review) and whether a search narrowed them, never the search
    text or a name. Records ``opening.results_exported``, before the file is written."""
    with transaction.atomic():
        record_event(
            EventType.OPENING_RESULTS_EXPORTED,
            actor=actor.audit_actor,
            public={
                "opening_id": opening.pk,
                "count": count,
                "filters": dict(sorted(filters.items())),
                "searched": searched,
                "format": "csv",
            },
        )


def require_open(opening: Opening) -> None:
    """Refuse (``OpeningChangeRefused``) to add or invite candidates to a closed opening."""
    if not opening.is_open:
        raise OpeningChangeRefused(
            f"The opening {opening.title!r} is closed; reopen it to add or invite candidates."
        )


def require_not_erased(candidate: Candidate) -> None:
    """Refuse (``OpeningChangeRefused``) any change about an erased candidate."""
    if candidate.is_erased:
        raise OpeningChangeRefused("This candidate's personal data was erased.")
