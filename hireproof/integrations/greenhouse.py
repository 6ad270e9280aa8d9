"""The Greenhouse Assessment Partner endpoints: ``/integrations/greenhouse/<call>``.

Greenhouse calls them with HTTP Basic auth (an API key with the ``greenhouse`` scope as the user
name, an empty password; ``basic.gated``): 401 for a bad key, 404 for an unknown test or
interview id (and for a key whose owner may not do what the call does, as the API answers).

- ``GET list_tests``: the open openings, ``[{"partner_test_id", "partner_test_name"}]``.
- ``POST send_test``: adds the candidate to the opening and emails them their link
  (``do_place_order``); answers ``{"partner_interview_id"}``, the order's id. The key itself is
  kept, sealed, for the PATCH that tells Greenhouse the test is complete.
- ``GET test_status?partner_interview_id=``: ``partner_status`` (``complete`` once scored),
  ``partner_profile_url`` (a signed, read-only, expiring report link), ``partner_score`` (the
  overall percent) and flat ``metadata``; nulls until there is something.
- ``POST response_error``: Greenhouse reports a response of ours it could not read; kept as an
  exchange.

A body that does not fit the contract is a 400 naming the field. Every call with a valid key
is an exchange (``do_record_ats_exchange``): a row and an ``ats.exchange`` event, by ids only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from hireproof.accounts.roles import Permission, Scope
from hireproof.hiring.access import (
    access_open_openings,
    access_opening,
    access_order,
    access_site,
)
from hireproof.hiring.actions.orders import (
    OrderRefused,
    OrderRequest,
    do_place_order,
)
from hireproof.hiring.ats import greenhouse
from hireproof.hiring.ats.exchanges import host_of
from hireproof.hiring.ats.facts import order_facts
from hireproof.hiring.models.orders import Ats
from hireproof.integrations.basic import (
    acting,
    address_problems,
    errors,
    only,
    raw_key,
    read_json,
    record,
    row_id,
    schema_problems,
)

MAX_ID = 40


class GreenhouseCandidate(BaseModel):
    """``send_test``'s ``candidate`` (Greenhouse may add properties: they are ignored)."""

    model_config = ConfigDict(extra="ignore")
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    preferred_name: str | None = Field(default=None, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    resume_url: str | None = None
    phone_number: str | None = None
    greenhouse_profile_url: str | None = None


class SendTest(BaseModel):
    """``send_test``'s body."""

    model_config = ConfigDict(extra="ignore")
    partner_test_id: str = Field(min_length=1, max_length=MAX_ID)
    candidate: GreenhouseCandidate
    sent_by: str | None = None
    url: str = Field(min_length=1, max_length=2000)


class ResponseError(BaseModel):
    """``response_error``'s body."""

    model_config = ConfigDict(extra="ignore")
    api_call: str = Field(max_length=100)
    errors: list[str] = Field(default_factory=list, max_length=100)
    partner_test_id: str | None = Field(default=None, max_length=MAX_ID)
    partner_interview_id: str | None = Field(default=None, max_length=MAX_ID)


def list_tests(request: HttpRequest) -> HttpResponse:
    """The open openings, as Greenhouse's tests."""
    if (refused := only(request, "GET")) is not None:
        return refused
    user = acting(request, Scope.GREENHOUSE)
    try:
        openings = list(access_open_openings(user, Permission.READ_CANDIDATES))
    except Http404:
        record(request, Ats.GREENHOUSE, "list_tests", 404, error="the key may not read openings")
        return errors(404, "No tests for this key.")
    tests = [{"partner_test_id": str(o.pk), "partner_test_name": o.title} for o in openings]
    record(
        request,
        Ats.GREENHOUSE,
        "list_tests",
        200,
        answered={"tests": [t["partner_test_id"] for t in tests]},
    )
    return JsonResponse(tests, safe=False)


def send_test(request: HttpRequest) -> HttpResponse:
    """Add the candidate, email them their link, and answer the order's id."""
    if (refused := only(request, "POST")) is not None:
        return refused
    user = acting(request, Scope.GREENHOUSE)
    try:
        given = SendTest.model_validate(read_json(request))
    except ValueError as error:  # bad JSON or a body that does not fit (SchemaError included)
        problems = schema_problems(error)
        record(request, Ats.GREENHOUSE, "send_test", 400, error="; ".join(problems)[:500])
        return errors(400, *problems)
    asked = {
        "partner_test_id": given.partner_test_id,
        "callback_host": host_of(given.url),
        "resume_url_given": given.candidate.resume_url is not None,
        "phone_number_given": given.candidate.phone_number is not None,
    }
    problems = address_problems(given.candidate.email, given.url, "url")
    if problems:
        record(request, Ats.GREENHOUSE, "send_test", 400, asked=asked, error="; ".join(problems))
        return errors(400, *problems)
    try:
        opening_id = row_id(given.partner_test_id)
        opening = access_opening(user, opening_id, Permission.MANAGE_OPENINGS)
    except (ValueError, Http404):
        record(request, Ats.GREENHOUSE, "send_test", 404, asked=asked, error="no such test")
        return errors(404, f"No test {given.partner_test_id!r}.")
    first = (given.candidate.preferred_name or "").strip() or given.candidate.first_name.strip()
    try:
        order = do_place_order(
            actor=user,
            request=OrderRequest(
                ats=Ats.GREENHOUSE,
                opening=opening,
                name=f"{first} {given.candidate.last_name.strip()}",
                email=given.candidate.email,
                callback_url=given.url,
                callback_auth=raw_key(request),
            ),
            base_url=request.build_absolute_uri("/"),
        )
    except OrderRefused as refusal:
        record(request, Ats.GREENHOUSE, "send_test", 409, asked=asked, error=str(refusal))
        return errors(409, str(refusal))
    answer = {"partner_interview_id": order.public_id}
    record(request, Ats.GREENHOUSE, "send_test", 200, order=order, asked=asked, answered=answer)
    return JsonResponse(answer)


def test_status(request: HttpRequest) -> HttpResponse:
    """Where the order stands, and its result once scored."""
    if (refused := only(request, "GET")) is not None:
        return refused
    user = acting(request, Scope.GREENHOUSE)
    given = request.GET.get("partner_interview_id", "")
    asked = {"partner_interview_id": given[:MAX_ID]}
    if not given:
        record(
            request,
            Ats.GREENHOUSE,
            "test_status",
            400,
            asked=asked,
            error="no partner_interview_id",
        )
        return errors(400, "partner_interview_id: required")
    try:
        order = access_order(user, Ats.GREENHOUSE, given, Permission.READ_CANDIDATES)
    except Http404:
        record(request, Ats.GREENHOUSE, "test_status", 404, asked=asked, error="no such interview")
        return errors(404, f"No interview {given[:MAX_ID]!r}.")
    now = timezone.now()
    answer = greenhouse.status_answer(order, order_facts(order, now), now)
    record(
        request,
        Ats.GREENHOUSE,
        "test_status",
        200,
        order=order,
        asked=asked,
        answered=greenhouse.audit_of_status(answer),
    )
    return JsonResponse(answer)


def response_error(request: HttpRequest) -> HttpResponse:
    """Greenhouse could not read one of our responses: kept as an exchange (the log keeps the
    call and the ids; the row keeps the messages, never the candidate's email)."""
    if (refused := only(request, "POST")) is not None:
        return refused
    user = acting(request, Scope.GREENHOUSE)
    try:
        access_site(user, Permission.READ_CANDIDATES)
    except Http404:
        record(
            request, Ats.GREENHOUSE, "response_error", 404, error="the key may not read candidates"
        )
        return errors(404, "Nothing to report to for this key.")
    try:
        given = ResponseError.model_validate(read_json(request))
    except ValueError as error:
        problems = schema_problems(error)
        record(request, Ats.GREENHOUSE, "response_error", 400, error="; ".join(problems)[:500])
        return errors(400, *problems)
    order = None
    if given.partner_interview_id:
        try:
            order = access_order(
                user, Ats.GREENHOUSE, given.partner_interview_id, Permission.READ_CANDIDATES
            )
        except Http404:
            order = None
    record(
        request,
        Ats.GREENHOUSE,
        "response_error",
        200,
        order=order,
        asked={
            "api_call": given.api_call[:100],
            "errors": len(given.errors),
            "partner_test_id": given.partner_test_id,
            "partner_interview_id": given.partner_interview_id,
        },
        error="; ".join(given.errors)[:2000],
    )
    return JsonResponse({})
