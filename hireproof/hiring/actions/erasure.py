"""Erasing a candidate: their personal data, answers and notes go, the log stays whole.

``do_erase_candidate`` is one transaction: it clears every row of the pipeline that holds
something personal about the candidate, then erases their audit subject
(``hireproof.audit.actions.do_erase_subject``: the ``subject.erased`` event, their sealed log
values, their keys). If any step fails, nothing is erased.

What stays, and why: the candidate's row (marked erased), their invitation's dates, the
attempt's times and the scorecard's verdict and numbers, who interviewed and when, and each
decision's outcome, author and time. These name no one but staff, and the log records them
too; they keep the pipeline's counts and the audit trail true. What goes although it names no
one: every hash derived from the answers (the scorecard's, the recommendations'), which anyone
could match to guessed answers, and the recommendations' stored JSON, which repeats them.

Once the erasure commits, the database's files are scrubbed of the old rows
(``hireproof.audit.scrub``: a WAL checkpoint on SQLite, whose connections all run with
``secure_delete``; VACUUM of these tables on PostgreSQL), and, if a reader blocks that, by the
periodic job as soon as it can.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.actions import do_erase_subject
from hireproof.hiring.actions.openings import require_not_erased
from hireproof.hiring.ats.push import notify_orders
from hireproof.hiring.models.attempts import Answer, Attempt, IntegritySignal
from hireproof.hiring.models.candidates import Candidate, CandidateSearchToken, Invitation
from hireproof.hiring.models.decisions import Decision, Recommendation
from hireproof.hiring.models.interviews import ScorecardVersion
from hireproof.hiring.models.reviews import FlagAcknowledgement
from hireproof.hiring.webhooks import emit_erased
from hireproof.platform.mail import cancel_waiting
from hireproof.platform.models import OutboxEmail, StoredFile

# The pipeline's tables that hold rows about the candidate, scrubbed once the erasure commits.
ERASED_TABLES: tuple[type[models.Model], ...] = (
    Candidate,
    CandidateSearchToken,
    Invitation,
    Attempt,
    Answer,
    IntegritySignal,
    FlagAcknowledgement,
    ScorecardVersion,
    Decision,
    Recommendation,
    OutboxEmail,
    StoredFile,
)


class ErasureBasis(models.TextChoices):
    """Why a candidate's personal data is erased: a fixed list, so no free text (which could
    itself be personal data) reaches the log."""

    REQUEST = "art17", "The candidate asked for erasure (GDPR Article 17)"
    RETENTION = "retention", "The retention period for this opening has ended"
    MISTAKE = "added_by_mistake", "The person was added by mistake"


def do_erase_candidate(*, actor: User, candidate: Candidate, basis: ErasureBasis) -> None:
    """Erase the candidate's personal data for good (``subject.erased`` in the log).

    Refused (``OpeningChangeRefused``) when they are already erased. Clears, in one
    transaction: their sealed name and email, the lookup hash (which could confirm a guess),
    their search tokens and name order key (which tie them to other candidates' words and
    names), their link; their answers, integrity signals, the scorecard's text and every hash
    derived from the answers (the scorecard's and the recommendations'); the reviewers' notes
    about them; their interview scorecards' ratings, flags, notes and reasons (the rows stay,
    marked erased, so the pages still show who interviewed and when); the written reasons of
    decisions about them; the emails about them still waiting in the outbox, and the reasons
    a mail server gave for refusing any (they may hold the address); the prepared PDF of their
    hiring file. Then their audit subject is erased.
    """
    require_not_erased(candidate)
    _erase(candidate, actor=actor.audit_actor, basis=str(basis))


def do_reapply_erasure(*, candidate: Candidate, basis: str) -> None:
    """Erase again, in a database restored from a backup, a candidate the log before the
    restore records as erased (``hireproof restore``): the same clearing, keys destroyed and
    ``subject.erased`` recorded, by ``cli``, with the basis the first erasure gave."""
    require_not_erased(candidate)
    _erase(candidate, actor="cli", basis=basis)


def _erase(candidate: Candidate, *, actor: str, basis: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        _clear_candidate(candidate, now)
        do_erase_subject(candidate.subject, actor=actor, basis=basis, other_tables=ERASED_TABLES)
        emit_erased(candidate, at=now)
        notify_orders(candidate, at=now)
    candidate.refresh_from_db()


def _clear_candidate(candidate: Candidate, now: datetime) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(
        name_sealed=None, email_sealed=None, email_lookup="", name_order=b"", erased_at=now
    )
    CandidateSearchToken.objects.filter(candidate=candidate).delete()
    Invitation.objects.filter(candidate=candidate, revoked_at__isnull=True).update(revoked_at=now)
    attempts = Attempt.objects.filter(invitation__candidate=candidate)
    Answer.objects.filter(attempt__in=attempts).delete()
    IntegritySignal.objects.filter(attempt__in=attempts).delete()
    # Kept: the verdict and numbers (what the pipeline counts) and the receipt (a pseudonym,
    # the leaf and proofs, whose hashes are salted). Gone: the scorecard and its hash.
    attempts.update(scorecard_json="", scorecard_hash="")
    # A note is free text about the person; who acknowledged which flag, and when, stays.
    FlagAcknowledgement.objects.filter(attempt__in=attempts).update(note="")
    ScorecardVersion.objects.filter(assignment__candidate=candidate).update(
        ratings={}, red_flags=[], notes_sealed=None, reason_sealed=None, erased_at=now
    )
    # The one change a final decision ever undergoes: its written reasons go with the person.
    Decision.objects.filter(candidate=candidate).update(reason="", justification="")
    # Likewise the one change a recommendation undergoes: the hashes derived from the answers,
    # and the stored JSON that repeats them. Its kind, reasons and counts stay.
    Recommendation.objects.filter(candidate=candidate).update(
        hash="", scorecard_hash="", data_json="{}"
    )
    # Emails and files about them are sealed under their key, which the erasure destroys; the
    # rows are emptied too, and a mail server's reason for a refusal may name the address.
    pseudonym = candidate.subject.pseudonym
    emails = OutboxEmail.objects.filter(sealed_for=pseudonym)
    cancel_waiting(emails, "the candidate was erased")
    emails.update(last_error="")
    StoredFile.objects.filter(sealed_for=pseudonym).delete()
