"""What the interview pages and the hiring file show of interviews, in a fixed number of queries.

Other interviewers' ratings reach a page only through ``visible_scorecards``, which keeps an
interviewer's scorecard independent until they have submitted it (``sees_other_scorecards``).
``scorecard_records`` lists every version of every scorecard for the hiring file, each with the
core ``InterviewScorecard`` it holds: the ratings keep one shape from the form to the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hireproof.accounts.roles import Permission
from hireproof.core.playbook import InterviewKit, InterviewQuestion, InterviewRedFlag
from hireproof.core.scoring import (
    InterviewScorecard,
    decimal_string,
    interview_percent,
    mean_rating,
    percent_string,
)
from hireproof.hiring.access import AnyUser, assignment_rows, may, sees_other_scorecards
from hireproof.hiring.models.attempts import attempt_of
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.flags import ReviewFlag, attempt_flags, why_not_ready
from hireproof.hiring.models.interviews import (
    Assignment,
    AssignmentStatus,
    ScorecardVersion,
    latest_versions,
    scorecard_versions,
)
from hireproof.hiring.reads.playbook_guide import verdict_label


@dataclass(frozen=True)
class WrittenTestSummary:
    """The candidate's written test as the kit shows it: score, verdict and flags."""

    percent: Decimal | None
    verdict: str
    verdict_label: str
    flags: list[ReviewFlag]


@dataclass(frozen=True)
class RatedQuestion:
    """One kit question with the rating and red flags a scorecard gave it."""

    number: int
    question: InterviewQuestion
    rating: int | None
    rating_label: str
    flags: list[InterviewRedFlag]


@dataclass(frozen=True)
class ScorecardView:
    """One version of a scorecard, read-only, question by question."""

    interviewer: str
    assignment_id: int
    version: int
    submitted_at: datetime
    questions: list[RatedQuestion]
    notes: str
    reason: str
    mean_text: str
    is_erased: bool


@dataclass(frozen=True)
class PanelRow:
    """One assignment in a candidate's list of interviews."""

    assignment: Assignment
    status: AssignmentStatus
    scorecard: ScorecardView | None  # only when the viewer may see its ratings


@dataclass(frozen=True)
class InterviewsPanel:
    """A candidate's interviews as a viewer may see them (``_candidate_panel.html``)."""

    candidate: Candidate
    rows: list[PanelRow]
    not_ready: str | None
    may_manage: bool


def written_test_summary(candidate: Candidate) -> WrittenTestSummary | None:
    """The written test's result (``None`` before it is scored)."""
    attempt = attempt_of(candidate)
    if attempt is None or not attempt.scorecard_hash:
        return None
    label = verdict_label(attempt.verdict)
    return WrittenTestSummary(attempt.score_percent, attempt.verdict, label, attempt_flags(attempt))


def scorecard_view(kit: InterviewKit, row: ScorecardVersion, candidate: Candidate) -> ScorecardView:
    """A stored scorecard version laid out along the kit's questions."""
    card = row.card(candidate)
    labels = {anchor.value: anchor.label for anchor in kit.scale}
    ticked = set(card.red_flags)
    questions = [
        RatedQuestion(
            number,
            question,
            card.ratings.get(question.id),
            labels.get(card.ratings.get(question.id, 0), ""),
            [flag for flag in question.red_flags if f"{question.id}/{flag.id}" in ticked],
        )
        for number, question in enumerate(kit.questions, start=1)
    ]
    return ScorecardView(
        interviewer=card.interviewer,
        assignment_id=row.assignment_id,
        version=row.version,
        submitted_at=row.submitted_at,
        questions=questions,
        notes=card.notes,
        reason=row.reason_for(candidate),
        mean_text=mean_text(kit, card),
        is_erased=row.is_erased,
    )


def mean_text(kit: InterviewKit, card: InterviewScorecard) -> str:
    """``"mean 3.75 on the 1-5 scale (68.75%)"`` by the core's arithmetic ("" when erased)."""
    if not card.ratings:
        return ""
    values = [anchor.value for anchor in kit.scale]
    return (
        f"mean {decimal_string(mean_rating([card]))} on the {min(values)}-{max(values)} scale "
        f"({percent_string(interview_percent(kit, [card]))}%)"
    )


def versions_of(
    kit: InterviewKit, assignment: Assignment, candidate: Candidate
) -> list[ScorecardView]:
    """Every version of the assignment's scorecard, oldest first."""
    rows = ScorecardVersion.objects.filter(assignment=assignment).order_by("version")
    for row in rows:
        row.assignment = assignment
    return [scorecard_view(kit, row, candidate) for row in rows]


def others_for(
    user: AnyUser, kit: InterviewKit, assignment: Assignment, candidate: Candidate
) -> list[ScorecardView]:
    """The other interviewers' latest scorecards that ``user`` may see (none before they
    have submitted their own, when they are an interviewer)."""
    return [
        scorecard_view(kit, row, candidate)
        for row in visible_scorecards(user, candidate)
        if row.assignment_id != assignment.pk
    ]


def interviews_panel(candidate: Candidate, user: AnyUser) -> InterviewsPanel:
    """The candidate's interviews for the viewer: every assignment, its status, and the
    latest ratings the viewer may see. For the candidate page and the assignment page."""
    kit = candidate.opening.playbook_version.load().interview
    assignments = list(assignment_rows().filter(candidate=candidate).order_by("assigned_at", "id"))
    visible = {row.assignment_id: row for row in visible_scorecards(user, candidate)}
    rows = []
    for assignment in assignments:
        assignment.candidate = candidate
        row = visible.get(assignment.pk)
        rows.append(
            PanelRow(
                assignment,
                assignment.status,
                scorecard_view(kit, row, candidate) if row is not None else None,
            )
        )
    may_manage = may(user, Permission.MANAGE_INTERVIEWS)
    return InterviewsPanel(candidate, rows, why_not_ready(candidate), may_manage)


def assigned_ids(rows: Sequence[PanelRow]) -> set[int]:
    """The interviewers with an active assignment among ``rows``."""
    return {
        row.assignment.interviewer_id for row in rows if row.status != AssignmentStatus.CANCELLED
    }


def visible_scorecards(user: AnyUser, candidate: Candidate) -> list[ScorecardVersion]:
    """The latest scorecards of ``candidate``'s active assignments that ``user`` may see.

    Whoever reads interviews sees all; an interviewer sees only their own until they have
    submitted it, and everyone's afterwards. The one place pages get other interviewers'
    ratings from.
    """
    rows = scorecard_versions(candidate).filter(assignment__cancelled_at__isnull=True)
    if not sees_other_scorecards(user, candidate):
        rows = rows.filter(assignment__interviewer_id=user.pk)
    return latest_versions(rows)


@dataclass(frozen=True)
class ScorecardRecord:
    """One version of one interviewer's scorecard, as the hiring file lists it."""

    assignment_id: int
    version: int
    submitted_at: datetime
    card: InterviewScorecard
    amendment_reason: str  # "" for version 1
    is_latest: bool
    assignment_cancelled: bool  # a cancelled assignment's scorecards no longer count
    is_erased: bool


def scorecard_records(candidate: Candidate) -> list[ScorecardRecord]:
    """Every version of every scorecard about ``candidate`` (cancelled assignments included,
    marked), oldest assignment first, versions in order. Reads everything: the caller's access
    check decides who sees it."""
    rows = list(scorecard_versions(candidate))
    latest = {row.pk for row in latest_versions(rows)}
    return [
        ScorecardRecord(
            assignment_id=row.assignment_id,
            version=row.version,
            submitted_at=row.submitted_at,
            card=row.card(candidate),
            amendment_reason=row.reason_for(candidate),
            is_latest=row.pk in latest,
            assignment_cancelled=row.assignment.is_cancelled,
            is_erased=row.is_erased,
        )
        for row in rows
    ]
