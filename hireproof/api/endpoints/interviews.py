"""Interviews: assign an interviewer to a candidate; read the assignments and every submitted
scorecard version.

Assigning needs the ``write`` scope and ``MANAGE_INTERVIEWS`` (with the web app's rules: an
active interviewer, not already assigned, a scored candidate); reading the ``read`` scope and
``READ_INTERVIEWS`` (every interviewer's ratings, as the candidate's interviews page shows to
those who read interviews).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hireproof.accounts.models import normalize_email_address
from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import answers, base_url, invalid, refused
from hireproof.api.gate import acting
from hireproof.api.schemas import Id, OneLine
from hireproof.hiring.access import access_candidate, interviewers
from hireproof.hiring.actions.interviews import InterviewRefused, do_assign_interviewer
from hireproof.hiring.models.interviews import Assignment
from hireproof.hiring.reads.interviews import scorecard_records

router = Router(tags=["interviews"])

INTERVIEWS = "/openings/{opening_id}/candidates/{candidate_id}/interviews"


class AssignmentIn(Schema):
    """Who interviews (an active interviewer's email address), and when if it is set."""

    interviewer_email: OneLine = Field(min_length=3, max_length=254)
    scheduled_for: datetime | None = None


class AssignmentOut(Schema):
    """One interviewer asked to interview the candidate."""

    id: int
    interviewer_id: int
    interviewer: str
    scheduled_for: datetime | None
    assigned_at: datetime
    cancelled_at: datetime | None


class ScorecardVersionOut(Schema):
    """One submitted version of an interviewer's scorecard."""

    assignment_id: int
    version: int
    submitted_at: datetime
    interviewer: str
    ratings: dict[str, int]
    red_flags: list[str]
    notes: str
    amendment_reason: str
    is_latest: bool
    assignment_cancelled: bool


class InterviewsOut(Schema):
    """The candidate's assignments and every submitted scorecard version, oldest first."""

    assignments: list[AssignmentOut]
    scorecards: list[ScorecardVersionOut]


def _assignment(row: Assignment) -> dict[str, object]:
    return {
        "id": row.pk,
        "interviewer_id": row.interviewer_id,
        "interviewer": row.interviewer.full_name,
        "scheduled_for": row.scheduled_for,
        "assigned_at": row.assigned_at,
        "cancelled_at": row.cancelled_at,
    }


@router.post(INTERVIEWS, response=answers({201: AssignmentOut}), url_name="interview_assign")
def assign_interview(
    request: HttpRequest, opening_id: Id, candidate_id: Id, payload: AssignmentIn
) -> Status[dict[str, object]]:
    """Ask an interviewer to interview the candidate; they are emailed their kit's link."""
    actor = acting(request, Scope.WRITE)
    candidate = access_candidate(actor, opening_id, candidate_id, Permission.MANAGE_INTERVIEWS)
    email = normalize_email_address(payload.interviewer_email)
    interviewer = interviewers().filter(email=email).first()
    if interviewer is None:
        raise invalid("/interviewer_email", f"{email} is not an active interviewer")
    try:
        assignment = do_assign_interviewer(
            actor=actor,
            candidate=candidate,
            interviewer=interviewer,
            scheduled_for=payload.scheduled_for,
            base_url=base_url(request),
        )
    except InterviewRefused as refusal:
        raise refused(refusal) from None
    return Status(201, _assignment(assignment))


@router.get(INTERVIEWS, response=answers({200: InterviewsOut}), url_name="interviews")
def list_interviews(request: HttpRequest, opening_id: Id, candidate_id: Id) -> dict[str, object]:
    """The assignments and the submitted scorecards (cancelled ones marked; they no longer
    count)."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_INTERVIEWS
    )
    rows = Assignment.objects.filter(candidate=candidate).select_related("interviewer")
    return {
        "assignments": [_assignment(row) for row in rows.order_by("assigned_at", "pk")],
        "scorecards": [
            {
                "assignment_id": record.assignment_id,
                "version": record.version,
                "submitted_at": record.submitted_at,
                "interviewer": record.card.interviewer,
                "ratings": dict(record.card.ratings),
                "red_flags": list(record.card.red_flags),
                "notes": record.card.notes,
                "amendment_reason": record.amendment_reason,
                "is_latest": record.is_latest,
                "assignment_cancelled": record.assignment_cancelled,
            }
            for record in scorecard_records(candidate)
        ],
    }
