"""Interview assignments, the interviewers' versioned scorecards, and the two notice templates.

Who interviews: only staff whose role holds ``Permission.INTERVIEW`` are assigned. Recruiters and
administrators see every scorecard through their role, so a scorecard of theirs could never be
independent; a recruiter who also interviews uses a separate interviewer account.

A scorecard is never edited: a submission is version 1 and each amendment adds the next
version with its reason; the latest version counts. Notes and amendment reasons are free text
about the candidate, sealed under the candidate's audit ``Subject`` key. Ratings and red flags
are kept in clear (list pages and the recommendation read them), and are cleared when the
candidate is erased (``hireproof.hiring.actions.erasure``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit import vault
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.models.candidates import Candidate

NOTES_CONTEXT = "interview.notes"
REASON_CONTEXT = "interview.amendment_reason"
ERASED_TEXT = "(erased)"

DEFAULT_ASSIGNED_SUBJECT = "Interview: {candidate} for {role}"
DEFAULT_ASSIGNED_BODY = """Hello {interviewer},

You are asked to interview {candidate} for the {role} role.
When: {date}

The interview kit (the questions, what to look for, the rating scale and your scorecard):
{link}

Please rate on your own and submit your scorecard before you talk about the candidate with
the other interviewers: you will see their ratings once yours is in.

Kind regards,
The hiring team
"""
DEFAULT_ALL_IN_SUBJECT = "All interview scorecards are in: {candidate} for {role}"
DEFAULT_ALL_IN_BODY = """Hello {recipient},

All {count} interviewers of {candidate} ({role}) have submitted their scorecards.

The candidate's interviews:
{link}

Kind regards,
hireproof
"""


class AssignmentStatus(models.TextChoices):
    """Where an assignment stands (derived from its rows, never stored)."""

    WAITING = "waiting", "Waiting for the scorecard"
    SUBMITTED = "submitted", "Scorecard submitted"
    AMENDED = "amended", "Scorecard amended"
    CANCELLED = "cancelled", "Cancelled"


class Assignment(models.Model):
    """An interviewer asked to interview one candidate, optionally at a set time.

    Create and cancel rows only with ``actions.do_assign_interviewer`` and
    ``actions.do_cancel_assignment``. One active assignment per (candidate, interviewer).
    """

    candidate = models.ForeignKey(
        "hiring.Candidate", on_delete=models.PROTECT, related_name="interview_assignments"
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interview_assignments"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "interviewer"],
                condition=models.Q(cancelled_at__isnull=True),
                name="interviewer_assigned_once_per_candidate",
            )
        ]

    def __str__(self) -> str:
        return f"interview assignment {self.pk}"

    @property
    def is_cancelled(self) -> bool:
        """True once a recruiter cancelled the assignment."""
        return self.cancelled_at is not None

    @property
    def current_version(self) -> int | None:
        """The latest scorecard version (``None`` before submission).

        Read from the ``latest_version`` annotation of ``access.assignment_rows`` when present,
        so list pages ask nothing more of the database.
        """
        if "latest_version" in self.__dict__:
            annotated: int | None = self.__dict__["latest_version"]
            return annotated
        latest = self.scorecards.order_by("-version").values_list("version", flat=True).first()
        return latest

    @property
    def status(self) -> AssignmentStatus:
        """Waiting, submitted, amended or cancelled."""
        if self.is_cancelled:
            return AssignmentStatus.CANCELLED
        version = self.current_version
        if version is None:
            return AssignmentStatus.WAITING
        return AssignmentStatus.SUBMITTED if version == 1 else AssignmentStatus.AMENDED

    @property
    def is_submitted(self) -> bool:
        """True once the interviewer submitted a scorecard (whatever its amendments)."""
        return self.current_version is not None


class ScorecardVersion(models.Model):
    """One version of an interviewer's scorecard for an assignment (1 = the submission).

    ``ratings`` maps question id -> anchored value; ``red_flags`` lists ``"question/flag"``
    ids. ``card()`` gives them back as the core's ``InterviewScorecard``, the one shape ratings
    have from the interviewer's form to the decision. Create rows only with
    ``hireproof.hiring.actions.interviews``.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="scorecards")
    version = models.PositiveSmallIntegerField()
    ratings = models.JSONField(default=dict)
    red_flags = models.JSONField(default=list)
    notes_sealed = models.BinaryField(null=True)
    reason_sealed = models.BinaryField(null=True)  # the amendment's reason (version > 1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "version"], name="interview_scorecard_version_once"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="interview_scorecard_version_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"scorecard {self.assignment_id} v{self.version}"

    @property
    def is_erased(self) -> bool:
        """True once the candidate was erased: ratings, flags, notes and reason are gone."""
        return self.erased_at is not None

    def notes_for(self, candidate: Candidate) -> str:
        """The notes, unsealed in memory (``"(erased)"`` after erasure)."""
        return _unseal(candidate, self.notes_sealed, NOTES_CONTEXT, self.is_erased)

    def card(self, candidate: Candidate) -> InterviewScorecard:
        """This version as the core reads it: named by the interviewer, notes unsealed."""
        return InterviewScorecard(
            interviewer=interviewer_name(self.assignment.interviewer),
            ratings=dict(self.ratings),
            red_flags=tuple(self.red_flags),
            notes=self.notes_for(candidate),
        )

    def reason_for(self, candidate: Candidate) -> str:
        """The amendment's reason ("" for version 1, ``"(erased)"`` after erasure)."""
        if self.version == 1:
            return ""
        return _unseal(candidate, self.reason_sealed, REASON_CONTEXT, self.is_erased)


def _unseal(
    candidate: Candidate, blob: bytes | memoryview | None, context: str, erased: bool
) -> str:
    if erased or candidate.is_erased or candidate.subject.is_erased:
        return ERASED_TEXT
    if blob is None:
        return ""
    return vault.unseal(candidate.subject, bytes(blob), context=context)


class InterviewEmailTemplates(models.Model):
    """An opening's two interview notices, editable by its recruiters (defaults until edited)."""

    opening = models.OneToOneField(
        "hiring.Opening", on_delete=models.CASCADE, related_name="interview_email_templates"
    )
    assigned_subject = models.CharField(max_length=200, default=DEFAULT_ASSIGNED_SUBJECT)
    assigned_body = models.TextField(default=DEFAULT_ASSIGNED_BODY)
    all_in_subject = models.CharField(max_length=200, default=DEFAULT_ALL_IN_SUBJECT)
    all_in_body = models.TextField(default=DEFAULT_ALL_IN_BODY)

    def __str__(self) -> str:
        return f"interview emails of opening {self.opening_id}"


def interviewer_name(user: User) -> str:
    """How a scorecard names its interviewer for the core and the hiring file: the full name."""
    return user.full_name.strip() or user.audit_actor


def active_assignments(candidate: Candidate) -> models.QuerySet[Assignment]:
    """The candidate's assignments that were not cancelled."""
    return Assignment.objects.filter(candidate=candidate, cancelled_at__isnull=True)


def all_scorecards_in(candidate: Candidate) -> bool:
    """True when the candidate has active assignments and every one has a scorecard."""
    active = active_assignments(candidate)
    return active.exists() and not active.filter(scorecards__isnull=True).exists()


def scorecard_versions(candidate: Candidate) -> models.QuerySet[ScorecardVersion]:
    """Every version of every scorecard about ``candidate``, oldest assignment first."""
    return (
        ScorecardVersion.objects.filter(assignment__candidate=candidate)
        .select_related("assignment", "assignment__interviewer")
        .order_by("assignment__assigned_at", "assignment_id", "version")
    )


def latest_versions(rows: Iterable[ScorecardVersion]) -> list[ScorecardVersion]:
    """The latest version of each assignment's scorecard among ``rows`` (ordered by version)."""
    latest: dict[int, ScorecardVersion] = {}
    for row in rows:
        latest[row.assignment_id] = row  # ordered by version: the last one wins
    return list(latest.values())


def counted_scorecards(candidate: Candidate) -> list[InterviewScorecard]:
    """The scorecards the recommendation counts: the latest version of each active
    assignment's scorecard, in the order the interviewers were assigned. Erased ones are left
    out (nothing of them is left)."""
    rows = scorecard_versions(candidate).filter(assignment__cancelled_at__isnull=True)
    return [row.card(candidate) for row in latest_versions(rows) if not row.is_erased]


@dataclass(frozen=True)
class InterviewProgress:
    """How many interviewers are assigned to a candidate and how many have submitted."""

    assigned: int
    submitted: int

    @property
    def waiting(self) -> int:
        """Assigned interviewers whose scorecard is not in yet."""
        return self.assigned - self.submitted


def interview_progress(candidate: Candidate) -> InterviewProgress:
    """The candidate's active interview assignments and how many have a scorecard."""
    counts = active_assignments(candidate).aggregate(
        assigned=Count("pk", distinct=True),
        submitted=Count("pk", distinct=True, filter=Q(scorecards__isnull=False)),
    )
    return InterviewProgress(counts["assigned"], counts["submitted"])
