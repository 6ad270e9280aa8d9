"""Adding candidates to an opening, one by one or many at once (all or nothing).

A candidate's name and email are committed as private fields of ``candidate.added`` (sealed
under their key, destroyed on erasure); nothing personal goes into ``public``. The same
transaction writes what the pipeline searches and sorts them by (``models.candidate_index``):
their blind search tokens and their name order key, placed among the opening's candidates
while the opening's row is locked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from hireproof.accounts.models import User
from hireproof.audit import vault
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.actions.openings import OpeningChangeRefused, require_open
from hireproof.hiring.models.accommodation import NO_ACCOMMODATION, Accommodation
from hireproof.hiring.models.candidate_index import name_orders_for, search_token_rows
from hireproof.hiring.models.candidates import (
    EMAIL_CONTEXT,
    NAME_CONTEXT,
    Candidate,
    CandidateSearchToken,
    email_lookup_for,
    normalise_candidate_email,
)
from hireproof.hiring.models.openings import Opening


@dataclass(frozen=True)
class NewCandidate:
    """A candidate to add: name, email and any extra time asked for."""

    name: str
    email: str
    extra_time: Accommodation = NO_ACCOMMODATION


class AlreadyACandidate(OpeningChangeRefused):
    """The address is already a candidate's in this opening (``str()`` names it, for staff)."""


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
    """Add every candidate, or none: one transaction, one ``candidate.added`` each, and each
    one's search tokens and name order key.

    Refuses (``OpeningChangeRefused``) when the opening is closed or an address is already a
    candidate in it, including one added by someone else since the file was checked.
    """
    require_open(opening)
    people = [(new, new.name.strip(), normalise_candidate_email(new.email)) for new in candidates]
    try:
        with transaction.atomic():
            # One writer per opening at a time: the name order keys are placed among the
            # opening's keys as they are now (SQLite's transactions are serial already).
            Opening.objects.select_for_update().only("pk").get(pk=opening.pk)
            orders = name_orders_for(opening, [name for _, name, _ in people])
            added = [
                _add(actor, opening, new, name, email, source, order)
                for (new, name, email), order in zip(people, orders, strict=True)
            ]
            indexed = [
                (candidate, name, email)
                for candidate, (_, name, email) in zip(added, people, strict=True)
            ]
            CandidateSearchToken.objects.bulk_create(search_token_rows(opening, indexed))
    except IntegrityError:
        raise OpeningChangeRefused(
            "Someone added one of these email addresses to this opening a moment ago; "
            "nothing was added. Check the list and try again."
        ) from None
    return added


def _add(
    actor: User,
    opening: Opening,
    new: NewCandidate,
    name: str,
    email: str,
    source: str,
    name_order: bytes,
) -> Candidate:
    lookup = email_lookup_for(email)
    if Candidate.objects.filter(opening=opening, email_lookup=lookup).exists():
        raise AlreadyACandidate(f"{email} is already a candidate in this opening.")
    subject = vault.create_subject()
    candidate = Candidate.objects.create(
        opening=opening,
        subject=subject,
        name_sealed=vault.seal(subject, name, context=NAME_CONTEXT),
        email_sealed=vault.seal(subject, email, context=EMAIL_CONTEXT),
        email_lookup=lookup,
        name_order=name_order,
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
