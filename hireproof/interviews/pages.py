"""What the interview pages show, gathered in a fixed number of queries.

Other interviewers' ratings reach a page only through ``services.visible_scorecards``, which
keeps an interviewer's scorecard independent until they have submitted it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hireproof.accounts.access import AnyUser
from hireproof.core.playbook.model import InterviewKit, InterviewQuestion, InterviewRedFlag
from hireproof.core.scoring import InterviewScorecard as CoreScorecard
from hireproof.core.scoring.formatting import decimal_string, percent_string
from hireproof.core.scoring.interviews import interview_percent, mean_rating
from hireproof.openings.models import Candidate
from hireproof.playbooks.presentation import verdict_label
from hireproof.reviews.flags import ReviewFlag, attempt_flags
from hireproof.reviews.panels import Panel

from .access import assignment_rows, can_manage_interviews
from .actions import attempt_of, interviewer_name, why_not_ready
from .forms import QuestionFields, ScorecardForm
from .models import Assignment, AssignmentStatus, InterviewScorecard
from .services import visible_scorecards


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


def scorecard_view(
    kit: InterviewKit, row: InterviewScorecard, candidate: Candidate
) -> ScorecardView:
    """A stored scorecard version laid out along the kit's questions."""
    labels = {anchor.value: anchor.label for anchor in kit.scale}
    ticked = set(row.red_flags)
    questions = [
        RatedQuestion(
            number,
            question,
            row.ratings.get(question.id),
            labels.get(row.ratings.get(question.id, 0), ""),
            [flag for flag in question.red_flags if f"{question.id}/{flag.id}" in ticked],
        )
        for number, question in enumerate(kit.questions, start=1)
    ]
    return ScorecardView(
        interviewer=interviewer_name(row.assignment.interviewer),
        assignment_id=row.assignment_id,
        version=row.version,
        submitted_at=row.submitted_at,
        questions=questions,
        notes=row.notes_for(candidate),
        reason=row.reason_for(candidate),
        mean_text=mean_text(kit, row.ratings),
        is_erased=row.is_erased,
    )


def mean_text(kit: InterviewKit, ratings: Mapping[str, int]) -> str:
    """``"mean 3.75 on the 1-5 scale (68.75%)"`` by the core's arithmetic ("" when erased)."""
    if not ratings:
        return ""
    card = [CoreScorecard(interviewer="-", ratings=ratings)]
    values = [anchor.value for anchor in kit.scale]
    return (
        f"mean {decimal_string(mean_rating(card))} on the {min(values)}-{max(values)} scale "
        f"({percent_string(interview_percent(kit, card))}%)"
    )


def versions_of(
    kit: InterviewKit, assignment: Assignment, candidate: Candidate
) -> list[ScorecardView]:
    """Every version of the assignment's scorecard, oldest first."""
    rows = InterviewScorecard.objects.filter(assignment=assignment).order_by("version")
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
    return InterviewsPanel(candidate, rows, why_not_ready(candidate), can_manage_interviews(user))


def assigned_ids(rows: Sequence[PanelRow]) -> set[int]:
    """The interviewers with an active assignment among ``rows``."""
    return {
        row.assignment.interviewer_id for row in rows if row.status != AssignmentStatus.CANCELLED
    }


@dataclass(frozen=True)
class KitBlock:
    """One question of the kit page: its guidance, plus the form's fields while scoring or
    the latest scorecard's rating once submitted."""

    number: int
    question: InterviewQuestion
    rated: RatedQuestion | None
    fields: QuestionFields | None


def kit_blocks(
    kit: InterviewKit, latest: ScorecardView | None, form: ScorecardForm | None
) -> list[KitBlock]:
    """The kit's questions in order, each with its form fields or its latest rating."""
    rated = {q.question.id: q for q in latest.questions} if latest else {}
    fields = {f.question.id: f for f in form.questions()} if form is not None else {}
    return [
        KitBlock(number, question, rated.get(question.id), fields.get(question.id))
        for number, question in enumerate(kit.questions, start=1)
    ]


def candidate_page_panel(candidate: Candidate, user: AnyUser) -> Panel | None:
    """The interviews section of the candidate page (``reviews.panels``); none once erased."""
    if candidate.is_erased:
        return None
    return Panel(
        "interviews/_candidate_panel.html",
        {"interviews_panel": interviews_panel(candidate, user)},
    )
