"""The Ashby Assessments partner endpoints: ``/integrations/ashby/<call>``.

Ashby calls them with ``POST`` and a JSON body, and HTTP Basic auth (an API key with the
``ashby`` scope as the user name, an empty password; ``basic.gated``, which answers 401 for a bad
key).

- ``assessment.list``: the open openings as Ashby's assessments, ``{"success": true,
  "results": [{"assessment_type_id", "name", "description"}]}``.
- ``assessment.start``: adds the candidate to the opening and emails them their link
  (``do_place_order``, the application's ``ashby_id`` as the order's ATS reference); answers
  ``{"success": true, "results": {"assessment_id"}}``, the order's ``hpo_`` id. A 409 when that
  application is already being assessed; a 422 ``{"message"}``, which Ashby shows its user, for a
  closed opening, an unknown ``assessment_type_id``, an erased candidate or a body that does not
  fit (naming the field).
- ``assessment.cancel``: revokes the candidate's link (``do_cancel_order``); answers
  ``{"success": true, "results": {"assessment_id"}}``, again for one already cancelled.

``list`` and ``cancel`` answer a refusal in Ashby's error envelope, ``{"success": false,
"errors": [code], "errorInfo": {"code", "message"}}``: 404 for an unknown assessment (or a key
whose owner may not do what the call does), 409 for one already submitted, 422 for a body that
does not fit. Every call with a valid key is an exchange (``do_record_ats_exchange``): a row and
an ``ats.exchange`` event, by ids only. The contract's sources are in ``hiring.ats.ashby``.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from pydantic import BaseModel, ConfigDict, Field

from hireproof.accounts.roles import Permission, Scope
from hireproof.hiring.access import access_open_openings, access_opening, access_order
from hireproof.hiring.actions.orders import (
    OrderAlreadyPlaced,
    OrderRefused,
    OrderRequest,
    do_cancel_order,
    do_place_order,
)
from hireproof.hiring.models.orders import Ats
from hireproof.integrations.basic import (
    acting,
    only,
    read_json,
    record,
    row_id,
    schema_problems,
)

MAX_ID = 200
OPENING_ID = re.compile(r"[1-9][0-9]{0,18}")


class _Given(BaseModel):
    model_config = ConfigDict(extra="ignore")  # Ashby may add properties: they are ignored


class AshbyCandidate(_Given):
    """``assessment.start``'s ``candidate``."""

    ashby_id: str = Field(min_length=1, max_length=MAX_ID)
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    ashby_profile_url: str = Field(max_length=2000)


class AshbyApplication(_Given):
    """``assessment.start``'s ``application``."""

    ashby_id: str = Field(min_length=1, max_length=MAX_ID)
    status: str = Field(max_length=100)


class AshbyJob(_Given):
    """``assessment.start``'s ``job`` (``hiringTeam`` is not read: no one's name is kept)."""

    ashby_id: str = Field(min_length=1, max_length=MAX_ID)
    name: str = Field(max_length=500)
    req_id: str | None = Field(default=None, max_length=200)
    ashby_job_url: str = Field(max_length=2000)


class StartAssessment(_Given):
    """``assessment.start``'s body."""

    assessment_type_id: str = Field(min_length=1, max_length=MAX_ID)
    candidate: AshbyCandidate
    application: AshbyApplication
    job: AshbyJob


class CancelAssessment(_Given):
    """``assessment.cancel``'s body."""

    assessment_id: str = Field(min_length=1, max_length=MAX_ID)


def _message(status: int, message: str) -> JsonResponse:
    """The answer Ashby shows its user: ``{"message"}``."""
    return JsonResponse({"message": message}, status=status)


def _failure(status: int, code: str, message: str) -> JsonResponse:
    """Ashby's error envelope."""
    return JsonResponse(
        {"success": False, "errors": [code], "errorInfo": {"code": code, "message": message}},
        status=status,
    )


def _body(request: HttpRequest) -> Any:
    return read_json(request, b"{}")


def _opening_id(text: str) -> int:
    """The opening an ``assessment_type_id`` names: the digits ``assessment.list`` gave, within
    the database's integers (``ValueError`` for anything else, before any query)."""
    if not OPENING_ID.fullmatch(text):
        raise ValueError(f"not an assessment type id: {text[:MAX_ID]!r}")
    return row_id(text)


def assessment_list(request: HttpRequest) -> HttpResponse:
    """The open openings, as Ashby's assessments."""
    if (refused := only(request, "POST")) is not None:
        return refused
    user = acting(request, Scope.ASHBY)
    try:
        openings = list(access_open_openings(user, Permission.READ_CANDIDATES))
    except Http404:
        record(request, Ats.ASHBY, "assessment.list", 404, error="the key may not read openings")
        return _failure(404, "not_found", "This hireproof key may not list assessments.")
    results = [
        {
            "assessment_type_id": str(opening.pk),
            "name": opening.title,
            "description": (
                f"hireproof playbook {opening.playbook_version.playbook_id},"
                f" version {opening.playbook_version.version}"
            ),
        }
        for opening in openings
    ]
    record(
        request,
        Ats.ASHBY,
        "assessment.list",
        200,
        answered={"assessments": [item["assessment_type_id"] for item in results]},
    )
    return JsonResponse({"success": True, "results": results})


def assessment_start(request: HttpRequest) -> HttpResponse:
    """Add the candidate, email them their link, and answer the order's id."""
    if (refused := only(request, "POST")) is not None:
        return refused
    user = acting(request, Scope.ASHBY)
    try:
        given = StartAssessment.model_validate(_body(request))
    except ValueError as error:  # bad JSON or a body that does not fit (SchemaError included)
        problems = schema_problems(error)
        record(request, Ats.ASHBY, "assessment.start", 422, error="; ".join(problems)[:500])
        return _message(422, "hireproof cannot start this assessment: " + "; ".join(problems))
    asked = {
        "assessment_type_id": given.assessment_type_id,
        "application_id": given.application.ashby_id,
        "job_id": given.job.ashby_id,
    }
    try:
        validate_email(given.candidate.email)
    except ValidationError:
        record(request, Ats.ASHBY, "assessment.start", 422, asked=asked, error="candidate.email")
        return _message(422, "candidate.email: not an email address")
    try:
        opening = access_opening(
            user, _opening_id(given.assessment_type_id), Permission.MANAGE_OPENINGS
        )
    except (ValueError, Http404):
        record(request, Ats.ASHBY, "assessment.start", 422, asked=asked, error="no such assessment")
        return _message(
            422, f"hireproof has no assessment {given.assessment_type_id[:MAX_ID]!r} for this key."
        )
    try:
        order = do_place_order(
            actor=user,
            request=OrderRequest(
                ats=Ats.ASHBY,
                opening=opening,
                name=f"{given.candidate.first_name.strip()} {given.candidate.last_name.strip()}",
                email=given.candidate.email,
                ats_reference=given.application.ashby_id,
            ),
            base_url=request.build_absolute_uri("/"),
        )
    except OrderAlreadyPlaced as placed:
        if placed.order.candidate.is_erased:
            message = "This candidate's personal data was erased from hireproof."
            record(
                request,
                Ats.ASHBY,
                "assessment.start",
                422,
                order=placed.order,
                asked=asked,
                error=message,
            )
            return _message(422, message)
        record(
            request,
            Ats.ASHBY,
            "assessment.start",
            409,
            order=placed.order,
            asked=asked,
            error="this application is already being assessed",
        )
        return _message(
            409, f"This application is already being assessed ({placed.order.public_id})."
        )
    except OrderRefused as refusal:  # a closed opening, an erased candidate
        record(request, Ats.ASHBY, "assessment.start", 422, asked=asked, error=str(refusal))
        return _message(422, str(refusal))
    answer = {"assessment_id": order.public_id}
    record(request, Ats.ASHBY, "assessment.start", 200, order=order, asked=asked, answered=answer)
    return JsonResponse({"success": True, "results": answer})


def assessment_cancel(request: HttpRequest) -> HttpResponse:
    """Revoke the candidate's link: the assessment is cancelled."""
    if (refused := only(request, "POST")) is not None:
        return refused
    user = acting(request, Scope.ASHBY)
    try:
        given = CancelAssessment.model_validate(_body(request))
    except ValueError as error:
        problems = schema_problems(error)
        record(request, Ats.ASHBY, "assessment.cancel", 422, error="; ".join(problems)[:500])
        return _failure(422, "invalid_input", "; ".join(problems))
    asked = {"assessment_id": given.assessment_id[:MAX_ID]}
    try:
        order = access_order(user, Ats.ASHBY, given.assessment_id, Permission.MANAGE_OPENINGS)
    except Http404:
        record(
            request, Ats.ASHBY, "assessment.cancel", 404, asked=asked, error="no such assessment"
        )
        return _failure(
            404, "not_found", f"hireproof has no assessment {asked['assessment_id']!r}."
        )
    try:
        do_cancel_order(actor=user, order=order)
    except OrderRefused as refusal:
        record(
            request,
            Ats.ASHBY,
            "assessment.cancel",
            409,
            order=order,
            asked=asked,
            error=str(refusal),
        )
        return _failure(409, "cannot_cancel", str(refusal))
    answer = {"assessment_id": order.public_id}
    record(request, Ats.ASHBY, "assessment.cancel", 200, order=order, asked=asked, answered=answer)
    return JsonResponse({"success": True, "results": answer})
