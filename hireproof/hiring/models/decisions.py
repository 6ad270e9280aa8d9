"""Recommendations, decisions, and what the candidate is told.

- ``Recommendation``: a snapshot of the core ``decide()`` output for a candidate, stored when it
  differs from the latest one (the inputs changed), never edited.
- ``Decision``: what a person decided (hire / no hire / withdrawn) and why. Append-only: a new
  decision supersedes the previous one (``supersedes``), nothing is ever edited. The one
  exception is erasure, which blanks the written reasons (free text about the person) with a
  queryset update (``hireproof.hiring.actions.erasure``).
- ``NoticeSettings``: per opening, the editable email the candidate gets when a decision is
  recorded, and whether it may mention scores (off unless the company opts in).

The rules a decision is checked against are at the end (``is_against``, ``overrides_critical``):

- A decision goes **against** the recommendation when it hires without a ``hire``
  recommendation (after ``review``, ``reject``, ``no_hire``, or ``advance``: hiring on the test
  alone skips the interviews), or when it turns down a candidate recommended for ``hire`` or
  ``advance``. Such a decision needs a written justification. ``withdrawn`` is never against.
- Hiring a candidate whose test verdict is ``critical_fail`` **overrides a critical flag**: only
  an administrator may do it, always with a justification, and it is flagged in every report.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from hireproof.core.playbook import Verdict
from hireproof.core.scoring import RecommendationKind
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening


class DecisionIsFinal(Exception):
    """Something tried to change or delete a recorded decision or recommendation."""


class AppendOnlyModel(models.Model):
    """A row that is written once: ``save()`` on an existing row and ``delete()`` refuse."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise DecisionIsFinal(f"{self} is final: record a new one instead of editing it")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DecisionIsFinal(f"{self} is final and cannot be deleted")


class Recommendation(AppendOnlyModel):
    """One recommendation the core computed for a candidate, exactly as ``decide()`` gave it.

    ``data_json`` is the canonical JSON of ``Recommendation.to_dict()`` (with its hash); the
    page and the hiring file show its ``reasons`` and nothing recomputed, so the arithmetic
    shown is the arithmetic used.
    """

    candidate = models.ForeignKey(
        "hiring.Candidate", on_delete=models.PROTECT, related_name="recommendations"
    )
    kind = models.CharField(max_length=20, choices=[(k.value, k.value) for k in RecommendationKind])
    reasons_json = models.TextField()
    data_json = models.TextField()
    hash = models.CharField(max_length=64)
    scorecard_hash = models.CharField(max_length=64)
    interview_count = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()
    leaf_index = models.PositiveBigIntegerField(help_text="The recommendation.computed event.")

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]  # rows are only ever appended

    def __str__(self) -> str:
        return f"recommendation {self.hash[:12]} ({self.kind})"

    @property
    def reasons(self) -> list[str]:
        """The reasons ``decide()`` gave, with the arithmetic spelled out."""
        return list(json.loads(self.reasons_json))

    @property
    def data(self) -> dict[str, Any]:
        """The whole ``to_dict()`` output, as stored."""
        return dict(json.loads(self.data_json))

    @property
    def is_rejection(self) -> bool:
        """True for ``reject`` / ``no_hire``: a person must confirm it before anything happens."""
        return self.kind in (RecommendationKind.REJECT, RecommendationKind.NO_HIRE)


class Outcome(models.TextChoices):
    """The final decision about a candidate."""

    HIRE = "hire", "Hire"
    NO_HIRE = "no_hire", "No hire"
    WITHDRAWN = "withdrawn", "Withdrawn"


NO_RECOMMENDATION_TEXT = "Withdrawn before the written test was scored"


class Decision(AppendOnlyModel):
    """A person's decision about a candidate, the recommendation it was taken against, and why.

    A withdrawal can be recorded at any stage; one recorded before the written test was scored
    has no recommendation (``recommendation`` is null, ``no_recommendation_text`` says so).

    Create rows only with ``actions.do_record_decision``, which records ``decision.recorded``
    first: ``leaf_index`` is that event and ``receipt_json`` its receipt.
    """

    candidate = models.ForeignKey(
        "hiring.Candidate", on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField()
    justification = models.TextField(blank=True)
    # Null only for a withdrawal recorded before the written test was scored (no
    # recommendation existed yet); hire and no hire are always taken against one.
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    against_recommendation = models.BooleanField(default=False)
    overrides_critical = models.BooleanField(
        default=False, help_text="A hire despite a critical_fail: flagged in every report."
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    leaf_index = models.PositiveBigIntegerField(help_text="The decision.recorded event.")
    receipt_json = models.TextField()
    notifies_candidate = models.BooleanField(
        default=False,
        help_text="An email tells the candidate (sent once the decision has committed).",
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]  # rows are only ever appended
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One chain per candidate: only their first decision supersedes nothing.
            models.UniqueConstraint(
                fields=["candidate"],
                condition=models.Q(supersedes__isnull=True),
                name="decision_first_once_per_candidate",
            )
        ]

    def __str__(self) -> str:
        return f"decision {self.pk} ({self.outcome})"

    @property
    def no_recommendation_text(self) -> str:
        """Why there is no recommendation, in words; empty when the decision has one."""
        return NO_RECOMMENDATION_TEXT if self.recommendation_id is None else ""


DEFAULT_HIRE_SUBJECT = "Your application for {role}"
DEFAULT_HIRE_BODY = """Hello {name},

Thank you for the time you gave to our hiring process for the {role} role.
We are glad to tell you that we would like to offer you the position. Someone from the team
will contact you shortly about the next steps.
{scores}
Kind regards,
The hiring team
"""
DEFAULT_NO_HIRE_SUBJECT = "Your application for {role}"
DEFAULT_NO_HIRE_BODY = """Hello {name},

Thank you for the time you gave to our hiring process for the {role} role.
After careful review, we have decided not to continue with your application.
This decision was taken by a member of our team, not by an automated system.
{scores}
Kind regards,
The hiring team
"""


class NoticeSettings(models.Model):
    """What the candidate is told when a decision is recorded, for one opening.

    Absent until someone edits it: ``for_opening`` gives the defaults. ``share_scores`` is off
    by default: the email says what was decided, not how the candidate scored.
    """

    opening = models.OneToOneField(
        "hiring.Opening", on_delete=models.CASCADE, related_name="decision_notice"
    )
    share_scores = models.BooleanField(
        default=False,
        help_text="Tell the candidate their written-test score and, after interviews, the "
        "combined score.",
    )
    hire_subject = models.CharField(max_length=200, default=DEFAULT_HIRE_SUBJECT)
    hire_body = models.TextField(default=DEFAULT_HIRE_BODY)
    no_hire_subject = models.CharField(max_length=200, default=DEFAULT_NO_HIRE_SUBJECT)
    no_hire_body = models.TextField(default=DEFAULT_NO_HIRE_BODY)

    def __str__(self) -> str:
        return f"decision notice of opening {self.opening_id}"

    @classmethod
    def for_opening(cls, opening: Opening) -> NoticeSettings:
        """The opening's saved settings, or unsaved defaults."""
        found = cls.objects.filter(opening=opening).first()
        return found if found is not None else cls(opening=opening)


# --- the rules a decision is checked against ---------------------------------------------

_IN_LINE = {
    Outcome.HIRE: frozenset({RecommendationKind.HIRE}),
    Outcome.NO_HIRE: frozenset(
        {RecommendationKind.NO_HIRE, RecommendationKind.REJECT, RecommendationKind.REVIEW}
    ),
    Outcome.WITHDRAWN: frozenset(RecommendationKind),
}


def is_against(outcome: Outcome, kind: RecommendationKind) -> bool:
    """True when deciding ``outcome`` goes against a ``kind`` recommendation."""
    return kind not in _IN_LINE[outcome]


def overrides_critical(outcome: Outcome, verdict: str) -> bool:
    """True when ``outcome`` hires despite a ``critical_fail`` test verdict."""
    return outcome == Outcome.HIRE and verdict == Verdict.CRITICAL_FAIL


def latest_recommendation(candidate: Candidate) -> Recommendation | None:
    """The most recent stored recommendation for ``candidate`` (rows are only ever appended)."""
    return Recommendation.objects.filter(candidate=candidate).order_by("-id").first()


def latest_decision(candidate: Candidate) -> Decision | None:
    """The decision in force: the one no other decision supersedes."""
    return (
        Decision.objects.filter(candidate=candidate, superseded_by__isnull=True)
        .select_related("recommendation", "decided_by")
        .first()
    )
