"""Decisions and the hiring file.

Recording a decision needs the ``decisions`` scope and ``DECIDE``; the person who decides is
the key's owner, and the web app's rules apply unchanged (``do_record_decision``: a reason of
at least 10 characters, a justification when going against the recommendation, a hire despite
a critical fail only by an administrator, warnings acknowledged first, and a refusal if the
recommendation changed since ``recommendation_hash`` was read). Reading the decisions and the
hiring file (JSON or PDF) needs the ``read`` scope and ``READ_CANDIDATES``.

The PDF takes a second or more to render, so, as on the web page, it is prepared by a
background task: ``POST .../hiring-file.pdf`` asks for it (202), ``GET`` serves it once it is
prepared from the file as it is now, and answers 409 ``pdf-not-ready`` (with ``Retry-After``
while it is being prepared) until then.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import answers, refused
from hireproof.api.gate import acting
from hireproof.api.problems import ApiProblem
from hireproof.api.schemas import Id, LongText
from hireproof.hiring.access import access_candidate
from hireproof.hiring.actions.decisions import (
    MAX_REASON_CHARS,
    MIN_REASON_CHARS,
    DecisionRefused,
    do_record_decision,
)
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.pdf import pdf_bytes, pdf_state, request_pdf
from hireproof.hiring.reads.hiring_file import hiring_file, to_json

router = Router(tags=["decisions"])

CANDIDATE = "/openings/{opening_id}/candidates/{candidate_id}"


class DecisionIn(Schema):
    """A decision: the outcome, the reason, a justification where the rules ask for one, and
    the hash of the recommendation read (optional: when given, a changed recommendation
    refuses the decision)."""

    outcome: Literal["hire", "no_hire", "withdrawn"]
    reason: LongText = Field(min_length=MIN_REASON_CHARS, max_length=MAX_REASON_CHARS)
    justification: LongText = Field("", max_length=MAX_REASON_CHARS)
    recommendation_hash: str = Field("", max_length=64, pattern=r"^[0-9a-f]*$")


class DecisionOut(Schema):
    """A recorded decision."""

    id: int
    outcome: str
    reason: str
    justification: str
    decided_by_id: int
    decided_at: datetime
    recommendation: str | None
    recommendation_hash: str | None
    against_recommendation: bool
    overrides_critical: bool
    in_force: bool
    leaf_index: int
    notifies_candidate: bool
    receipt: dict[str, Any]


def _decision(decision: Decision, in_force: bool) -> dict[str, object]:
    recommendation = decision.recommendation
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "justification": decision.justification,
        "decided_by_id": decision.decided_by_id,
        "decided_at": decision.decided_at,
        "recommendation": recommendation.kind if recommendation else None,
        "recommendation_hash": recommendation.hash if recommendation else None,
        "against_recommendation": decision.against_recommendation,
        "overrides_critical": decision.overrides_critical,
        "in_force": in_force,
        "leaf_index": decision.leaf_index,
        "notifies_candidate": decision.notifies_candidate,
        "receipt": json.loads(decision.receipt_json),
    }


@router.post(CANDIDATE + "/decisions", response=answers({201: DecisionOut}), url_name="decide")
def record_decision(
    request: HttpRequest, opening_id: Id, candidate_id: Id, payload: DecisionIn
) -> Status[dict[str, object]]:
    """Record the key owner's decision; it supersedes any earlier one. A hire or no hire emails
    the candidate (the opening's notice)."""
    actor = acting(request, Scope.DECISIONS)
    candidate = access_candidate(actor, opening_id, candidate_id, Permission.DECIDE)
    try:
        decision = do_record_decision(
            actor=actor,
            candidate=candidate,
            outcome=payload.outcome,
            reason=payload.reason,
            justification=payload.justification,
            shown_recommendation=payload.recommendation_hash,
        )
    except DecisionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, _decision(decision, True))


@router.get(
    CANDIDATE + "/decisions", response=answers({200: list[DecisionOut]}), url_name="decisions"
)
def list_decisions(
    request: HttpRequest, opening_id: Id, candidate_id: Id
) -> list[dict[str, object]]:
    """Every decision about the candidate, oldest first; the last one is in force."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    rows = list(
        Decision.objects.filter(candidate=candidate).select_related("recommendation").order_by("id")
    )
    return [_decision(row, number == len(rows)) for number, row in enumerate(rows, start=1)]


@router.get(
    CANDIDATE + "/hiring-file",
    response=answers({200: dict[str, Any]}),
    url_name="hiring_file",
)
def get_hiring_file(request: HttpRequest, opening_id: Id, candidate_id: Id) -> dict[str, Any]:
    """The hiring file as JSON: the structure the web download documents (``format_version``
    1)."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    return to_json(hiring_file(candidate))


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The hiring file as a PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    CANDIDATE + "/hiring-file.pdf",
    response=answers({}),
    url_name="hiring_file_pdf",
    openapi_extra=PDF_RESPONSE,
)
def get_hiring_file_pdf(request: HttpRequest, opening_id: Id, candidate_id: Id) -> HttpResponse:
    """The hiring file as a PDF (the web download's print), once prepared (``POST`` asks for
    it) from the file as it is now; else 409 ``pdf-not-ready``, saying where it stands."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    file = hiring_file(candidate)
    state = pdf_state(file)
    if state.stored is None or not state.ready or not state.current:
        raise _pdf_not_ready(state.preparing, state.error, prepared=state.ready)
    response = HttpResponse(pdf_bytes(candidate, state.stored), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file.filename_stem}.pdf"'
    return response


class PdfRequested(Schema):
    """The PDF is being prepared; ``GET`` the same address for it."""

    status: Literal["preparing"]
    location: str


@router.post(
    CANDIDATE + "/hiring-file.pdf",
    response=answers({202: PdfRequested}),
    url_name="hiring_file_pdf_prepare",
)
def prepare_hiring_file_pdf(
    request: HttpRequest, opening_id: Id, candidate_id: Id
) -> Status[PdfRequested]:
    """Have the hiring file's PDF prepared (again) by a background task."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    request_pdf(candidate)
    return Status(202, PdfRequested(status="preparing", location=request.path))


def _pdf_not_ready(preparing: bool, error: str, *, prepared: bool) -> ApiProblem:
    if preparing:
        detail = "The PDF is being prepared; ask again in a few seconds."
        if error:
            detail = f"The last try to prepare the PDF failed ({error}); it is tried again."
        return ApiProblem(409, "pdf-not-ready", detail, headers={"Retry-After": "5"})
    if prepared:
        detail = "The PDF was prepared before the hiring file changed; POST to prepare it again."
    else:
        detail = "The PDF has not been prepared; POST to the same address to prepare it."
    return ApiProblem(409, "pdf-not-ready", detail)
