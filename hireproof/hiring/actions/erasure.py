"""Erasing a candidate: their personal data, answers and notes go, the log stays whole.

``do_erase_candidate`` is one transaction: it clears every row of the pipeline that holds
something personal about the candidate, then erases their audit subject
(``hireproof.audit.actions.do_erase_subject``: the ``subject.erased`` event, their sealed log
values, their keys). If any step fails, nothing is erased.

What stays, and why: the candidate's row (marked erased), their invitation's dates, the
attempt's times and the scorecard's hash, verdict and numbers, who interviewed and when, and
each decision's outcome, author and time. These name no one but staff, and the log records
them too; they keep the pipeline's counts and the audit trail true.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.actions import do_erase_subject
from hireproof.hiring.actions.openings import require_not_erased
from hireproof.hiring.models.attempts import Answer, Attempt, IntegritySignal
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.models.interviews import ScorecardVersion
from hireproof.hiring.models.reviews import FlagAcknowledgement


class ErasureBasis(models.TextChoices):
    """Why a candidate's personal data is erased: a fixed list, so no free text (which could
    itself be personal data) reaches the log."""

    REQUEST = "art17", "The candidate asked for erasure (GDPR Article 17)"
    RETENTION = "retention", "The retention period for this opening has ended"
    MISTAKE = "added_by_mistake", "The person was added by mistake"


def do_erase_candidate(*, actor: User, candidate: Candidate, basis: ErasureBasis) -> None:
    """Erase the candidate's personal data for good (``subject.erased`` in the log).

    Refused (``OpeningChangeRefused``) when they are already erased. Clears, in one
    transaction: their sealed name and email and the lookup hash (which could confirm a guess),
    their link; their answers, integrity signals and the scorecard's text; the reviewers' notes
    about them; their interview scorecards' ratings, flags, notes and reasons (the rows stay,
    marked erased, so the pages still show who interviewed and when); the written reasons of
    decisions about them. Then their audit subject is erased.
    """
    require_not_erased(candidate)
    now = timezone.now()
    with transaction.atomic():
        _clear_candidate(candidate, now)
        do_erase_subject(candidate.subject, actor=actor.audit_actor, basis=str(basis))
    candidate.refresh_from_db()


def _clear_candidate(candidate: Candidate, now: datetime) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(
        name_sealed=None, email_sealed=None, email_lookup="", erased_at=now
    )
    Invitation.objects.filter(candidate=candidate, revoked_at__isnull=True).update(revoked_at=now)
    attempts = Attempt.objects.filter(invitation__candidate=candidate)
    Answer.objects.filter(attempt__in=attempts).delete()
    IntegritySignal.objects.filter(attempt__in=attempts).delete()
    # Kept: the scorecard's hash, verdict and numbers (what the log and the pipeline refer to)
    # and the receipt (a pseudonym and hashes).
    attempts.update(scorecard_json="")
    # A note is free text about the person; who acknowledged which flag, and when, stays.
    FlagAcknowledgement.objects.filter(attempt__in=attempts).update(note="")
    ScorecardVersion.objects.filter(assignment__candidate=candidate).update(
        ratings={}, red_flags=[], notes_sealed=None, reason_sealed=None, erased_at=now
    )
    # The one change a final decision ever undergoes: its written reasons go with the person.
    Decision.objects.filter(candidate=candidate).update(reason="", justification="")
