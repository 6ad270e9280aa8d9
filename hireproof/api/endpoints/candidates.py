"""Candidates of an opening: add one, add many at once (all or nothing), list a page at a
time, read one; and their invitations: send, resend, revoke.

Adding and inviting need the ``candidates`` scope and ``MANAGE_OPENINGS``; reading the ``read``
scope and ``READ_CANDIDATES``. Every candidate is checked before any is added: a batch with one
bad row adds nobody and names every bad row by its JSON pointer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import (
    after_cursor,
    answers,
    base_url,
    next_cursor,
    refused,
)
from hireproof.api.gate import acting
from hireproof.api.problems import ApiProblem
from hireproof.api.schemas import Id, OneLine
from hireproof.core.playbook import Verdict
from hireproof.hiring.access import access_candidate, access_opening
from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
from hireproof.hiring.actions.invitations import (
    do_invite_candidate,
    do_resend_invitation,
    do_revoke_invitation,
)
from hireproof.hiring.actions.openings import OpeningChangeRefused
from hireproof.hiring.emails import invitation_about
from hireproof.hiring.models.accommodation import (
    NO_ACCOMMODATION,
    Accommodation,
    AccommodationError,
    parse_extra_time,
)
from hireproof.hiring.models.attempts import Attempt, attempt_of
from hireproof.hiring.models.candidates import (
    Candidate,
    Invitation,
    email_lookup_for,
    normalise_candidate_email,
)
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.stage import Stage, stage_in, stage_of, stages_of
from hireproof.hiring.reads.candidate_list import candidate_slice, decisions_in_force
from hireproof.platform.mail import latest_emails

router = Router(tags=["candidates"])

MAX_BATCH = 1000
"""Candidates one request may add."""

VerdictName = Literal["strong_pass", "borderline", "fail", "critical_fail"]


class CandidateIn(Schema):
    """A candidate to add. ``extra_time`` as the CSV import reads it: ``25%``, ``x1.5``,
    ``15 min``, or empty for none."""

    name: OneLine = Field(min_length=1, max_length=200)
    email: OneLine = Field(min_length=3, max_length=254)
    extra_time: OneLine = Field("", max_length=40)


class CandidatesIn(Schema):
    """Up to 1,000 candidates, added together or not at all."""

    candidates: list[CandidateIn] = Field(min_length=1, max_length=MAX_BATCH)


class ExtraTime(Schema):
    """Extra time: a share of the time limit, or minutes."""

    percent: int
    minutes: int


class InvitationOut(Schema):
    """The candidate's invitation (the link itself only ever goes by email)."""

    id: int
    sent_at: datetime | None
    expires_at: datetime
    send_count: int
    revoked_at: datetime | None
    extra_time: ExtraTime


class AttemptSummary(Schema):
    """Where the written test stands: times, and once scored the verdict and score."""

    id: int
    started_at: datetime
    deadline: datetime
    submitted_at: datetime | None
    scored: bool
    verdict: VerdictName | None
    score_percent: Decimal | None
    warnings: int


class CandidateOut(Schema):
    """A candidate, their stage, invitation, attempt and the decision in force."""

    id: int
    opening_id: int
    name: str
    email: str
    stage: Stage
    added_at: datetime
    erased: bool
    requested_extra_time: ExtraTime
    invitation: InvitationOut | None
    attempt: AttemptSummary | None
    decision: Literal["hire", "no_hire", "withdrawn"] | None


class CandidateList(Schema):
    """One page of candidates; ``next_cursor`` continues it (``null`` on the last page)."""

    items: list[CandidateOut]
    next_cursor: str | None


class CandidatesOut(Schema):
    """The candidates added, in the order given."""

    items: list[CandidateOut]


class InvitationIn(Schema):
    """Extra time for this invitation; empty (the default) keeps what was asked on import."""

    extra_time: OneLine = Field("", max_length=40)


class InvitationResult(Schema):
    """The invitation, and where its email stands: it leaves through the outbox once the
    invitation is saved ("queued"), is tried again while the mail server refuses it ("failed",
    with the server's reason), and is "sent" once the server took it. The invitation stands
    either way; resending sends a new link and cancels an email still waiting."""

    invitation: InvitationOut
    email: Literal["queued", "sent", "failed"]
    email_error: str | None


class ListQuery(Schema):
    """Filters and the page's position."""

    stage: Stage | None = None
    verdict: VerdictName | None = None
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=100)


# --- shapes -----------------------------------------------------------------------------------


def _extra(percent: int, minutes: int) -> dict[str, int]:
    return {"percent": percent, "minutes": minutes}


def invitation_out(invitation: Invitation) -> dict[str, object]:
    """An invitation as the API shows it."""
    return {
        "id": invitation.pk,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "send_count": invitation.send_count,
        "revoked_at": invitation.revoked_at,
        "extra_time": _extra(invitation.extra_time_percent, invitation.extra_minutes),
    }


def attempt_summary(attempt: Attempt) -> dict[str, object]:
    """An attempt's times and, once scored, its verdict and score: never an item."""
    return {
        "id": attempt.pk,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "scored": bool(attempt.scorecard_hash),
        "verdict": attempt.verdict or None,
        "score_percent": attempt.score_percent,
        "warnings": attempt.warning_count,
    }


def candidate_out(candidate: Candidate, stage: Stage, decision: str | None) -> dict[str, object]:
    """A candidate as the API shows them (name and email empty after erasure)."""
    invitation: Invitation | None = getattr(candidate, "invitation", None)
    attempt = attempt_of(candidate)
    return {
        "id": candidate.pk,
        "opening_id": candidate.opening_id,
        "name": "" if candidate.is_erased else candidate.name,
        "email": "" if candidate.is_erased else candidate.email,
        "stage": stage.value,
        "added_at": candidate.added_at,
        "erased": candidate.is_erased,
        "requested_extra_time": _extra(
            candidate.requested_extra_percent, candidate.requested_extra_minutes
        ),
        "invitation": invitation_out(invitation) if invitation is not None else None,
        "attempt": attempt_summary(attempt) if attempt is not None else None,
        "decision": decision,
    }


def one_candidate(candidate: Candidate) -> dict[str, object]:
    """A candidate loaded by the funnel (its stage annotated), with the decision in force."""
    annotated = "stage" in vars(candidate)
    stage = stage_in(candidate) if annotated else stage_of(candidate, timezone.now())
    return candidate_out(candidate, stage, decisions_in_force([candidate.pk]).get(candidate.pk))


# --- adding -----------------------------------------------------------------------------------


def _checked(opening: Opening, given: list[CandidateIn], prefix: str) -> list[NewCandidate]:
    """Every candidate checked before any is added; all problems reported at once."""
    problems: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    existing = set(
        Candidate.objects.filter(opening=opening)
        .exclude(email_lookup="")
        .values_list("email_lookup", flat=True)
    )
    checked = []
    for number, new in enumerate(given):
        where = f"{prefix}{number}" if prefix else ""
        email = normalise_candidate_email(new.email)
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                {"pointer": f"{where}/email", "detail": f"{new.email!r} is not an email address"}
            )
        else:
            if email in seen:
                problems.append(
                    {"pointer": f"{where}/email", "detail": f"also at {prefix}{seen[email]}/email"}
                )
            elif email_lookup_for(email) in existing:
                problems.append(
                    {
                        "pointer": f"{where}/email",
                        "detail": f"{email} is already a candidate in this opening",
                    }
                )
            seen.setdefault(email, number)
        extra = NO_ACCOMMODATION
        try:
            extra = parse_extra_time(new.extra_time)
        except AccommodationError as error:
            problems.append({"pointer": f"{where}/extra_time", "detail": str(error)})
        checked.append(NewCandidate(name=new.name, email=email, extra_time=extra))
    if problems:
        raise ApiProblem(
            422,
            "invalid-input",
            f"{len(problems)} problem(s) in the candidates; nobody was added.",
            errors=problems,
        )
    return checked


def _add(actor: User, opening: Opening, given: list[CandidateIn], prefix: str) -> list[Candidate]:
    new = _checked(opening, given, prefix)
    try:
        return do_import_candidates(actor=actor, opening=opening, candidates=new, source="api")
    except OpeningChangeRefused as refusal:
        raise refused(refusal) from None


@router.post(
    "/openings/{opening_id}/candidates",
    response=answers({201: CandidateOut}),
    url_name="candidate_create",
)
def create_candidate(
    request: HttpRequest, opening_id: Id, payload: CandidateIn
) -> Status[dict[str, object]]:
    """Add one candidate; refused if the opening is closed or the address is already in it."""
    actor = acting(request, Scope.CANDIDATES)
    opening = access_opening(actor, opening_id, Permission.MANAGE_OPENINGS)
    [candidate] = _add(actor, opening, [payload], "")
    return Status(201, candidate_out(candidate, stage_of(candidate, timezone.now()), None))


@router.post(
    "/openings/{opening_id}/candidates/batch",
    response=answers({201: CandidatesOut}),
    url_name="candidate_batch",
)
def create_candidates(
    request: HttpRequest, opening_id: Id, payload: CandidatesIn
) -> Status[dict[str, object]]:
    """Add up to 1,000 candidates in one transaction: all of them, or none (every problem is
    named by its pointer, such as ``/candidates/3/email``)."""
    actor = acting(request, Scope.CANDIDATES)
    opening = access_opening(actor, opening_id, Permission.MANAGE_OPENINGS)
    added = _add(actor, opening, payload.candidates, "/candidates/")
    stages = stages_of(added, timezone.now())
    return Status(201, {"items": [candidate_out(c, stages[c.pk], None) for c in added]})


# --- reading ----------------------------------------------------------------------------------


@router.get(
    "/openings/{opening_id}/candidates",
    response=answers({200: CandidateList}),
    url_name="candidates",
)
def list_candidates(
    request: HttpRequest, opening_id: Id, filters: Query[ListQuery]
) -> dict[str, object]:
    """The opening's candidates by id, ``limit`` at a time (at most 500), optionally at one
    ``stage`` or with one test ``verdict``. Follow ``next_cursor`` for the next page."""
    opening = access_opening(acting(request, Scope.READ), opening_id, Permission.READ_CANDIDATES)
    found = candidate_slice(
        opening,
        now=timezone.now(),
        after=after_cursor(filters.cursor),
        limit=filters.limit,
        stage=filters.stage,
        verdict=Verdict(filters.verdict) if filters.verdict else None,
    )
    return {
        "items": [
            candidate_out(c, stage_in(c), found.decisions.get(c.pk)) for c in found.candidates
        ],
        "next_cursor": next_cursor(found.next_after) if found.next_after is not None else None,
    }


@router.get(
    "/openings/{opening_id}/candidates/{candidate_id}",
    response=answers({200: CandidateOut}),
    url_name="candidate",
)
def get_candidate(request: HttpRequest, opening_id: Id, candidate_id: Id) -> dict[str, object]:
    """One candidate of the opening."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    return one_candidate(candidate)


# --- invitations ------------------------------------------------------------------------------

INVITATION = "/openings/{opening_id}/candidates/{candidate_id}/invitation"


def _accommodation(text: str, default: Accommodation | None) -> Accommodation | None:
    if not text.strip():
        return default
    try:
        return parse_extra_time(text)
    except AccommodationError as error:
        raise ApiProblem(
            422,
            "invalid-input",
            f"The request does not fit: /extra_time: {error}",
            errors=[{"pointer": "/extra_time", "detail": str(error)}],
        ) from None


def _sent(invitation: Invitation) -> dict[str, object]:
    about = invitation_about(invitation.pk)
    email = latest_emails([about]).get(about)
    status, error = "queued", None
    if email is not None and email.failed:
        status, error = "failed", f"the email could not be sent ({email.last_error})"
    elif email is not None and email.sent_at is not None:
        status = "sent"
    return {"invitation": invitation_out(invitation), "email": status, "email_error": error}


@router.post(INVITATION, response=answers({201: InvitationResult}), url_name="invitation_send")
def send_invitation(
    request: HttpRequest, opening_id: Id, candidate_id: Id, payload: InvitationIn
) -> Status[dict[str, object]]:
    """Invite the candidate: their personal link goes by email, never in this response. Refused
    if they are already invited (resend instead), erased, or the opening is closed."""
    actor = acting(request, Scope.CANDIDATES)
    candidate = access_candidate(actor, opening_id, candidate_id, Permission.MANAGE_OPENINGS)
    accommodation = _accommodation(payload.extra_time, candidate.requested_accommodation)
    assert accommodation is not None
    try:
        invitation = do_invite_candidate(
            actor=actor,
            candidate=candidate,
            accommodation=accommodation,
            base_url=base_url(request),
        )
    except OpeningChangeRefused as refusal:
        raise refused(refusal) from None
    return Status(201, _sent(invitation))


@router.post(
    INVITATION + "/resend", response=answers({200: InvitationResult}), url_name="invitation_resend"
)
def resend_invitation(
    request: HttpRequest, opening_id: Id, candidate_id: Id, payload: InvitationIn
) -> dict[str, object]:
    """Send a new link with a new expiry (the old link stops working), optionally with new extra
    time before the attempt starts; a revoked invitation is reinstated."""
    actor = acting(request, Scope.CANDIDATES)
    candidate = access_candidate(actor, opening_id, candidate_id, Permission.MANAGE_OPENINGS)
    accommodation = _accommodation(payload.extra_time, None)
    try:
        invitation = do_resend_invitation(
            actor=actor,
            candidate=candidate,
            base_url=base_url(request),
            accommodation=accommodation,
        )
    except OpeningChangeRefused as refusal:
        raise refused(refusal) from None
    return _sent(invitation)


@router.post(
    INVITATION + "/revoke", response=answers({200: InvitationOut}), url_name="invitation_revoke"
)
def revoke_invitation(request: HttpRequest, opening_id: Id, candidate_id: Id) -> dict[str, object]:
    """Stop the candidate's link from working (a started attempt is kept as it is)."""
    actor = acting(request, Scope.CANDIDATES)
    candidate = access_candidate(actor, opening_id, candidate_id, Permission.MANAGE_OPENINGS)
    try:
        invitation = do_revoke_invitation(actor=actor, candidate=candidate)
    except OpeningChangeRefused as refusal:
        raise refused(refusal) from None
    return invitation_out(invitation)
