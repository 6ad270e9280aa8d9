"""The candidate's timed attempt: answers saved as they type, integrity signals, the scorecard.

Answer texts are sealed under the candidate's audit ``Subject`` key (``hireproof.audit.vault``);
erasing the subject destroys the key and with it every answer.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class SubmissionKind(models.TextChoices):
    CANDIDATE = "candidate", "Submitted by the candidate"
    AUTOMATIC = "automatic", "Submitted automatically at the deadline"


class Attempt(models.Model):
    """One sitting of the written assessment (one per invitation), and its scorecard."""

    invitation = models.OneToOneField(
        "openings.Invitation", on_delete=models.CASCADE, related_name="attempt"
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
