"""What other apps read about a candidate's interviews (the contract with ``decisions``).

- ``core_scorecards(candidate)``: the latest version of each submitted scorecard of an active
  assignment, as the core's ``InterviewScorecard`` (named by the interviewer's full name, notes
  unsealed): the input of ``hireproof.core.scoring.decide``.
- ``interview_status(candidate)``: (active assignments, of which submitted).
- ``scorecard_rows_for_file(candidate)``: every version of every scorecard, for the hiring file.

These read everything: the caller's access check decides who sees the result. Pages that an
interviewer reaches use ``visible_scorecards`` instead, which enforces independence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from hireproof.accounts.access import AnyUser
from hireproof.core.scoring import InterviewScorecard as CoreScorecard
from hireproof.openings.models import Candidate

from .access import sees_other_scorecards
from .actions import interviewer_name
from .models import Assignment, InterviewScorecard


@dataclass(frozen=True)
class ScorecardRow:
    """One version of one interviewer's scorecard, as the hiring file lists it."""

    assignment_id: int
    interviewer: str
    version: int
    submitted_at: datetime
    ratings: Mapping[str, int]
    red_flags: tuple[str, ...]
    notes: str
    amendment_reason: str  # "" for version 1
    is_latest: bool
    assignment_cancelled: bool  # a cancelled assignment's scorecards no longer count
    is_erased: bool


def core_scorecards(candidate: Candidate) -> list[CoreScorecard]:
    """The latest version of each submitted, non-cancelled assignment's scorecard, in the
    order the interviewers were assigned. Erased scorecards are left out (nothing is left)."""
    latest = _latest_versions(_scorecards(candidate).filter(assignment__cancelled_at__isnull=True))
    return [
        CoreScorecard(
            interviewer=interviewer_name(row.assignment.interviewer),
            ratings=dict(row.ratings),
            red_flags=tuple(row.red_flags),
            notes=row.notes_for(candidate),
        )
        for row in latest
        if not row.is_erased
    ]


def interview_status(candidate: Candidate) -> tuple[int, int]:
    """(assigned, submitted): active assignments, and how many of them have a scorecard."""
    counts = Assignment.objects.filter(candidate=candidate, cancelled_at__isnull=True).aggregate(
        assigned=Count("pk", distinct=True),
        submitted=Count("pk", distinct=True, filter=Q(scorecards__isnull=False)),
    )
    return counts["assigned"], counts["submitted"]


def scorecard_rows_for_file(candidate: Candidate) -> list[ScorecardRow]:
    """Every version of every scorecard about ``candidate`` (cancelled assignments included,
    marked), oldest assignment first, versions in order."""
    rows = list(_scorecards(candidate))
    latest = {row.pk for row in _latest_versions(rows)}
    return [
        ScorecardRow(
            assignment_id=row.assignment_id,
            interviewer=interviewer_name(row.assignment.interviewer),
            version=row.version,
            submitted_at=row.submitted_at,
            ratings=dict(row.ratings),
            red_flags=tuple(row.red_flags),
            notes=row.notes_for(candidate),
            amendment_reason=row.reason_for(candidate),
            is_latest=row.pk in latest,
            assignment_cancelled=row.assignment.is_cancelled,
            is_erased=row.is_erased,
        )
        for row in rows
    ]


def visible_scorecards(user: AnyUser, candidate: Candidate) -> list[InterviewScorecard]:
    """The latest scorecards of ``candidate``'s active assignments that ``user`` may see.

    Readers see all; an interviewer sees only their own until they have submitted it, and
    everyone's afterwards. This is the one place pages get other interviewers' ratings from.
    """
    rows = _scorecards(candidate).filter(assignment__cancelled_at__isnull=True)
    if not sees_other_scorecards(user, candidate):
        rows = rows.filter(assignment__interviewer_id=user.pk)
    return _latest_versions(rows)


def _scorecards(candidate: Candidate) -> QuerySet[InterviewScorecard]:
    return (
        InterviewScorecard.objects.filter(assignment__candidate=candidate)
        .select_related("assignment", "assignment__interviewer")
        .order_by("assignment__assigned_at", "assignment_id", "version")
    )


def _latest_versions(rows: Iterable[InterviewScorecard]) -> list[InterviewScorecard]:
    latest: dict[int, InterviewScorecard] = {}
    for row in rows:
        latest[row.assignment_id] = row  # ordered by version: the last one wins
    return list(latest.values())
