"""The Workable Assessment Providers endpoints: ``/integrations/workable/<call>``.

Workable calls them with ``Authorization: Bearer <an API key with the workable scope>``
(``basic.gated`` through ``basic.BEARER``); every error is Workable's
``{"status": <code>, "message": "<text>"}`` (the contract and its sources:
``hireproof.hiring.ats.workable``).

- ``GET tests``: the open openings, ``{"tests": [{"id", "name"}]}`` (the opening's id and
  title).
- ``POST assessments``: adds the candidate to the opening ``test_id`` names and emails them
  their link (``do_place_order``); answers ``201 {"assessment_id"}``, the order's id. Workable
  gives no id of its own for the candidate, so an order is one per candidate of the opening:
  a second for the same address and test is a 409 naming the first (whatever the job: one
  person takes a test once). The ``callback_url`` is where the results go (``PUT``, with the
  token Workable generated for the integration, kept on the connection).
- ``GET assessments/<id>/shared-link``: ``{"url", "ttl", "ttl_units"}``, a fresh signed,
  read-only link to the order's report and how long it opens.

401 for a bad key; 400 for a body that is not JSON or a field with a wrong value, 422 for a
missing field (each message names the fields), an unknown test or a closed opening; 409 for a
duplicate; 404 for an unknown assessment or an erased candidate's. Every call with a valid key is
an exchange (``do_record_ats_exchange``): a row and an ``ats.exchange`` event, by ids only.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from hireproof.accounts.roles import Permission, Scope
from hireproof.hiring.access import access_open_openings, access_opening, access_order
from hireproof.hiring.actions.orders import (
    OrderAlreadyPlaced,
    OrderRefused,
    OrderRequest,
    do_place_order,
)
from hireproof.hiring.ats.exchanges import host_of
from hireproof.hiring.ats.links import report_url
from hireproof.hiring.models.orders import Ats
from hireproof.hiring.models.report_links import link_days
from hireproof.integrations.basic import (
    BEARER,
    acting,
    address_problems,
    only,
    read_json,
    record,
    row_id,
    schema_problems,
    status_message,
)

MAX_ID = 40


class WorkableCandidate(BaseModel):
    """``POST assessments``'s ``candidate`` (properties Workable adds are ignored)."""

    model_config = ConfigDict(extra="ignore")
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(default="", max_length=200)
    email: str = Field(min_length=3, max_length=254)
    phone: str | None = Field(default=None, max_length=100)


class CreateAssessment(BaseModel):
    """``POST assessments``'s body."""

    model_config = ConfigDict(extra="ignore")
    test_id: int | str
    job_shortcode: str | None = Field(default=None, max_length=100)
    job_title: str | None = Field(default=None, max_length=500)
    callback_url: str = Field(min_length=1, max_length=2000)
    candidate: WorkableCandidate


def _refuse(
    request: HttpRequest, call: str, status: int, message: str, **fields: Any
) -> JsonResponse:
    """Keep the exchange and answer ``message`` in Workable's shape."""
    record(request, Ats.WORKABLE, call, status, error=message[:500], **fields)
    return status_message(status, message)


def _schema_problems(error: SchemaError) -> tuple[int, str]:
    """422 when only required fields are missing, else 400; every field named."""
    named = "; ".join(schema_problems(error))
    missing_only = all(problem["type"] == "missing" for problem in error.errors())
    return (422 if missing_only else 400), named


def tests(request: HttpRequest) -> HttpResponse:
    """The open openings, as Workable's tests."""
    if (refused := only(request, "GET", BEARER)) is not None:
        return refused
    user = acting(request, Scope.WORKABLE)
    try:
        openings = list(access_open_openings(user, Permission.READ_CANDIDATES))
    except Http404:
        return _refuse(request, "tests", 404, "No tests for this key.")
    found = [{"id": opening.pk, "name": opening.title} for opening in openings]
    record(request, Ats.WORKABLE, "tests", 200, answered={"tests": [test["id"] for test in found]})
    return JsonResponse({"tests": found})


def assessments(request: HttpRequest) -> HttpResponse:
    """Add the candidate, email them their link, and answer the order's id (201)."""
    if (refused := only(request, "POST", BEARER)) is not None:
        return refused
    user = acting(request, Scope.WORKABLE)
    try:
        given = CreateAssessment.model_validate(read_json(request))
    except SchemaError as error:
        status, named = _schema_problems(error)
        return _refuse(request, "assessments", status, named)
    except ValueError as error:
        return _refuse(request, "assessments", 400, f"body: {error}")
    asked = {
        "test_id": str(given.test_id)[:MAX_ID],
        "job_shortcode": (given.job_shortcode or "")[:MAX_ID] or None,
        "callback_host": host_of(given.callback_url),
        "phone_given": given.candidate.phone is not None,
    }
    problems = address_problems(given.candidate.email, given.callback_url, "callback_url")
    if problems:
        return _refuse(request, "assessments", 400, "; ".join(problems), asked=asked)
    try:
        opening = access_opening(user, row_id(given.test_id), Permission.MANAGE_OPENINGS)
    except (ValueError, Http404):
        message = f"test_id: no test {str(given.test_id)[:MAX_ID]!r} for this key."
        return _refuse(request, "assessments", 422, message, asked=asked)
    name = f"{given.candidate.first_name.strip()} {given.candidate.last_name.strip()}"
    try:
        order = do_place_order(
            actor=user,
            request=OrderRequest(
                ats=Ats.WORKABLE,
                opening=opening,
                name=name.strip(),
                email=given.candidate.email,
                callback_url=given.callback_url,
                once_per_candidate=True,
            ),
            base_url=request.build_absolute_uri("/"),
        )
    except OrderAlreadyPlaced as placed:
        first = {"assessment_id": placed.order.public_id}
        return _refuse(request, "assessments", 409, str(placed), asked=asked, answered=first)
    except OrderRefused as refusal:
        return _refuse(request, "assessments", 422, str(refusal), asked=asked)
    answer = {"assessment_id": order.public_id}
    record(request, Ats.WORKABLE, "assessments", 201, order=order, asked=asked, answered=answer)
    return JsonResponse(answer, status=201)


def shared_link(request: HttpRequest, assessment_id: str) -> HttpResponse:
    """A fresh link to the order's report, and how long it opens."""
    if (refused := only(request, "GET", BEARER)) is not None:
        return refused
    user = acting(request, Scope.WORKABLE)
    asked = {"assessment_id": assessment_id[:MAX_ID]}
    try:
        order = access_order(user, Ats.WORKABLE, assessment_id, Permission.READ_CANDIDATES)
    except Http404:
        message = f"No assessment {assessment_id[:MAX_ID]!r}."
        return _refuse(request, "shared_link", 404, message, asked=asked)
    if order.candidate.is_erased:
        message = "This candidate's personal data was erased: there is no report."
        return _refuse(request, "shared_link", 404, message, order=order, asked=asked)
    days = link_days()
    answer = {"url": report_url(order, timezone.now()), "ttl": str(days), "ttl_units": "days"}
    record(
        request,
        Ats.WORKABLE,
        "shared_link",
        200,
        order=order,
        asked=asked,
        answered={"ttl_days": days},
    )
    return JsonResponse(answer)
