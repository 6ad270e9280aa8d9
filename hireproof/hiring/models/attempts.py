"""The candidate's timed attempt: answers saved as they type, integrity signals, the scorecard.

Answer texts are sealed under the candidate's audit ``Subject`` key (``hireproof.audit.vault``);
erasing the subject destroys the key and with it every answer. The functions at the end read an
attempt the way every later layer needs it (its playbook, its answers unsealed, its deadline).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import models

from hireproof.audit import vault
from hireproof.audit.models import Subject
from hireproof.core.playbook import Playbook
from hireproof.core.scoring import Scorecard
from hireproof.core.timing import Timeliness, judge_request
from hireproof.hiring.models.candidates import Candidate, Invitation


class SubmissionKind(models.TextChoices):
    CANDIDATE = "candidate", "Submitted by the candidate"
    AUTOMATIC = "automatic", "Submitted automatically at the deadline"


class Attempt(models.Model):
    """One sitting of the written assessment (one per invitation), and its scorecard."""

    invitation = models.OneToOneField(
        "hiring.Invitation", on_delete=models.CASCADE, related_name="attempt"
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission = models.CharField(max_length=20, choices=SubmissionKind.choices, blank=True)
    # The scorecard as the core produced it (canonical JSON), and its summary for list pages.
    scorecard_json = models.TextField(blank=True)
    scorecard_hash = models.CharField(max_length=64, blank=True)
    verdict = models.CharField(max_length=20, blank=True)
    recommendation = models.CharField(max_length=20, blank=True)
    score_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    warning_count = models.PositiveSmallIntegerField(default=0)
    receipt_json = models.TextField(blank=True)

    # Not stored: the scorecard as ``flags.stored_scorecard`` parsed it, with the text it was
    # parsed from, so the panels of one page parse and hash-check it once.
    parsed_scorecard: tuple[str, Scorecard] | None = None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def percent(self) -> Decimal | None:
        return self.score_percent

    def __str__(self) -> str:
        return f"attempt {self.pk}"


class Answer(models.Model):
    """The candidate's latest text for one item, sealed; saved as they type."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    item_id = models.CharField(max_length=100)
    text_sealed = models.BinaryField(null=True)
    revision = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item_id"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"answer {self.attempt_id}/{self.item_id}"


class SignalKind(models.TextChoices):
    FOCUS_LOST = "focus_lost", "Left the page (tab switched or window hidden)"
    FOCUS_RETURNED = "focus_returned", "Came back to the page"
    PASTE = "paste", "Pasted text"


class IntegritySignal(models.Model):
    """Evidence for a reviewer (never an automatic penalty): focus changes and pastes."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(max_length=20, choices=SignalKind.choices)
    item_id = models.CharField(max_length=100, blank=True)
    chars = models.PositiveIntegerField(default=0, help_text="Characters pasted, for pastes.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%H:%M:%S}"


# --- reading an attempt -----------------------------------------------------------------------


def attempt_of(candidate: Candidate) -> Attempt | None:
    """The candidate's attempt, or ``None`` before they pressed Start.

    Reads the rows already loaded with the candidate (``select_related`` of the invitation and
    its attempt) when they are, and wires them together so nothing reads them again.
    """
    invitation: Invitation | None = getattr(candidate, "invitation", None)
    attempt: Attempt | None = getattr(invitation, "attempt", None) if invitation else None
    if attempt is not None and invitation is not None:
        attempt.invitation = invitation
        invitation.candidate = candidate
    return attempt


def playbook_of(attempt_or_invitation: Attempt | Invitation) -> Playbook:
    """The pinned playbook version the candidate is assessed with."""
    invitation = (
        attempt_or_invitation.invitation
        if isinstance(attempt_or_invitation, Attempt)
        else attempt_or_invitation
    )
    return invitation.candidate.opening.playbook_version.load()


def subject_of(attempt: Attempt) -> Subject:
    """The candidate's audit subject, whose key seals their answers."""
    return attempt.invitation.candidate.subject


def answer_context(attempt: Attempt, item_id: str) -> str:
    """The vault context of one sealed answer: binds the blob to its attempt and item."""
    return f"assessments.answer/{attempt.pk}/{item_id}"


def unseal_answer(attempt: Attempt, answer: Answer) -> str:
    """One saved answer's text, unsealed in memory ("" for a blank)."""
    if answer.text_sealed is None:
        return ""
    return vault.unseal(
        subject_of(attempt),
        bytes(answer.text_sealed),
        context=answer_context(attempt, answer.item_id),
    )


def saved_answers(attempt: Attempt) -> dict[str, str]:
    """Item id -> the latest saved text, unsealed (empty once the candidate is erased)."""
    candidate = attempt.invitation.candidate
    if candidate.is_erased or candidate.subject.is_erased:
        return {}
    return {
        answer.item_id: unseal_answer(attempt, answer)
        for answer in attempt.answers.all().order_by("item_id")
    }


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    """True when the attempt is still open although its deadline and the grace have passed."""
    return attempt.submitted_at is None and judge_request(now, attempt.deadline) is Timeliness.LATE
