"""Lever's webhook, ``POST /integrations/lever/webhook``, and the task that starts its test.

No API key guards this endpoint: Lever signs each event (``hiring.ats.lever``: HMAC-SHA256 of
``token`` + ``triggeredAt`` under the webhook's signature token, saved as the Lever
connection's signing secret). A body that is not a JSON object with ``token``,
``triggeredAt`` and ``signature`` is a 400 naming the field; no switched-on connection with a
signing secret is a 404; a signature that does not hold is a 401; none of these is recorded
(nothing unauthenticated reaches the log). A signed event more than ``STALE_AFTER`` from now
(a replay) is a 401, recorded. A signed ``candidateStageChange`` to the connection's
``trigger_stage_id`` queues ``start_lever_order`` and answers 200 at once; any other signed
event is answered 200 and recorded as ignored.

``start_lever_order`` (a background task: Lever is never called inside the request) reads the
opportunity (``GET /opportunities/:id``), finds the opening its tag ``<prefix>:<opening id>``
names and places the order (``do_place_order``, ``ats_reference`` = the opportunity id, so a
retried webhook finds the order it placed) as the administrator who saved the connection,
acting as themself. An opportunity without the tag, naming an unknown or closed opening, or
without an email, and an administrator who may no longer manage openings, are refused: the
refusal is recorded as a ``place_order`` exchange saying why, and the opportunity gets the tag
``<prefix>: could not start``, which the hiring team sees in Lever. Lever not answering is
tried again by the queue.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic import ValidationError as SchemaError

from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_opening, may
from hireproof.hiring.actions.orders import (
    OrderAlreadyPlaced,
    OrderRefused,
    OrderRequest,
    do_place_order,
    do_record_ats_exchange,
)
from hireproof.hiring.ats import lever
from hireproof.hiring.ats.push import (
    PUSH_FIRST_DELAY,
    PUSH_TRIES,
    AtsCallFailed,
    make_call,
    read_call,
)
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection, connection_for
from hireproof.integrations.basic import errors, only, parse_json, read_json, schema_problems
from hireproof.platform.tasks import background_task, enqueue

MAX_ID = 200
STALE_AFTER = 5 * 60  # seconds: a signed event older (or newer) than this is refused
OPPORTUNITY_BYTES = 256 * 1024  # the most of an opportunity's record that is read
ACTOR = "lever"


class StageChange(BaseModel):
    """``data`` of a ``candidateStageChange`` event, in Lever's names (Lever may add fields:
    ignored)."""

    model_config = ConfigDict(extra="ignore")
    opportunityId: str | None = Field(default=None, min_length=1, max_length=MAX_ID)
    toStageId: str | None = Field(default=None, max_length=MAX_ID)
    fromStageId: str | None = Field(default=None, max_length=MAX_ID)


class Envelope(BaseModel):
    """A Lever webhook's body."""

    model_config = ConfigDict(extra="ignore")
    event: str = Field(min_length=1, max_length=100)
    triggeredAt: StrictInt
    token: str = Field(min_length=1, max_length=500)
    signature: str = Field(min_length=1, max_length=500)
    data: dict[str, Any] = Field(default_factory=dict)


class NotAtTheStage(Exception):
    """Lever says the opportunity is not at the trigger stage (any more): nothing starts."""

    def __init__(self, stage: str | None) -> None:
        super().__init__(
            f"Lever says the opportunity is at stage {stage!r}, not the trigger stage: the"
            " event is stale or replayed, and no test was started."
        )


class Opportunity(BaseModel):
    """What hireproof reads of ``GET /opportunities/:id``'s ``data``."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    stage: str | None = None  # the stage's id, as Lever answers it unexpanded
    emails: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


def _record(call: str, status: int, **fields: Any) -> None:
    do_record_ats_exchange(actor=ACTOR, ats=Ats.LEVER, call=call, status=status, **fields)


@csrf_exempt
def webhook(request: HttpRequest) -> HttpResponse:
    """Check Lever's signature, then queue the start of a test for a stage change to the
    trigger stage (see the module)."""
    if (refused := only(request, "POST")) is not None:
        return refused
    try:
        envelope = Envelope.model_validate(read_json(request))
    except ValueError as error:  # bad JSON or a body that does not fit (SchemaError included)
        problems = schema_problems(error)
        return errors(400, *problems)
    connection = connection_for(Ats.LEVER)
    secret = connection.signing_secret if connection is not None else ""
    if connection is None or not secret:
        return errors(404, "Lever is not connected to this hireproof.")
    if not lever.signature_holds(secret, envelope.token, envelope.triggeredAt, envelope.signature):
        return errors(401, "signature: not Lever's signature of token and triggeredAt.")
    asked: dict[str, Any] = {"event": envelope.event[:100], "triggered_at": envelope.triggeredAt}
    if abs(time.time() * 1000 - envelope.triggeredAt) > STALE_AFTER * 1000:
        message = f"triggeredAt: more than {STALE_AFTER // 60} minutes from now (a replay?)"
        _record("webhook", 401, asked=asked, error=message)
        return errors(401, message)
    if envelope.event != lever.STAGE_CHANGE:
        _record("webhook", 200, asked=asked, answered={"ignored": True})
        return JsonResponse({"ignored": True})
    try:
        change = StageChange.model_validate(envelope.data)
    except SchemaError as error:
        problems = [f"data.{problem}" for problem in schema_problems(error)]
        _record("webhook", 400, asked=asked, error="; ".join(problems)[:500])
        return errors(400, *problems)
    asked.update(to_stage_id=change.toStageId, opportunity_id=change.opportunityId)
    trigger = lever.trigger_stage(connection)
    if not trigger or change.toStageId != trigger:
        _record("webhook", 200, asked=asked, answered={"ignored": True})
        return JsonResponse({"ignored": True})
    if change.opportunityId is None:
        _record("webhook", 400, asked=asked, error="data.opportunityId: required")
        return errors(400, "data.opportunityId: required")
    _record("webhook", 200, asked=asked, answered={"queued": True})
    enqueue(start_lever_order, change.opportunityId)
    return JsonResponse({"queued": True})


class CouldNotStart(Exception):
    """The opportunity cannot start a test; ``str()`` says why, for the hiring team."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@background_task(
    label="Start a test ordered from Lever", tries=PUSH_TRIES, first_delay=PUSH_FIRST_DELAY
)
def start_lever_order(opportunity_id: str) -> None:
    """Read the opportunity from Lever and place its order (see the module); a refusal is
    recorded and tagged on the opportunity, a Lever that does not answer is tried again."""
    asked = {"opportunity_id": opportunity_id}
    connection = connection_for(Ats.LEVER)
    if connection is None or not connection.ats_secret:
        _record("place_order", 409, asked=asked, error="Lever is not connected (no API key).")
        return
    placed = AssessmentOrder.objects.filter(ats=Ats.LEVER, ats_reference=opportunity_id).first()
    if placed is not None:
        _already(placed, asked)
        return
    try:
        order = _place(connection, opportunity_id, asked)
    except OrderAlreadyPlaced as repeat:
        _already(repeat.order, asked)
    except NotAtTheStage as elsewhere:
        _record("place_order", 409, asked=asked, error=str(elsewhere))
    except CouldNotStart as refusal:
        _record("place_order", refusal.status, asked=asked, error=str(refusal))
        _, error = make_call(lever.could_not_start_call(connection, opportunity_id), ats=Ats.LEVER)
        if error:
            raise AtsCallFailed(
                f"lever add_tags for opportunity {opportunity_id}: {error}"
            ) from None
    else:
        _record(
            "place_order",
            201,
            order=order,
            asked={**asked, "opening_id": order.opening_id},
            answered={"order_id": order.public_id},
        )


def _already(order: AssessmentOrder, asked: dict[str, Any]) -> None:
    _record(
        "place_order",
        200,
        order=order,
        asked=asked,
        answered={"order_id": order.public_id, "already_placed": True},
    )


def _opportunity(connection: AtsConnection, opportunity_id: str) -> Opportunity:
    exchange, error, body = read_call(
        lever.opportunity_call(connection, opportunity_id), ats=Ats.LEVER, limit=OPPORTUNITY_BYTES
    )
    if exchange.status_code == 404:
        raise CouldNotStart(404, f"Lever has no opportunity {opportunity_id!r}.")
    if error:
        raise AtsCallFailed(f"lever get_opportunity {opportunity_id}: {error}")
    try:
        return Opportunity.model_validate(parse_json(body)["data"])
    except (ValueError, KeyError, TypeError):
        raise CouldNotStart(
            502, "Lever's answer for the opportunity is not an opportunity hireproof can read."
        ) from None


def _actor(connection: AtsConnection) -> User:
    actor = connection.connected_by
    if actor is None or not may(actor, Permission.MANAGE_OPENINGS):
        raise CouldNotStart(
            409,
            "The administrator who saved the Lever connection may no longer manage openings;"
            " an administrator must save the connection again.",
        )
    return actor


def _place(
    connection: AtsConnection, opportunity_id: str, asked: dict[str, Any]
) -> AssessmentOrder:
    opportunity = _opportunity(connection, opportunity_id)
    if opportunity.stage != lever.trigger_stage(connection):
        # Lever, not the event, says where the opportunity stands: a replayed or stale event
        # (a signature covers its token and time, not its data) starts nothing.
        raise NotAtTheStage(opportunity.stage)
    prefix = lever.tag_prefix(connection)
    ids = lever.opening_ids_in(opportunity.tags, prefix)
    if not ids:
        raise CouldNotStart(
            422,
            f"The opportunity has no tag {prefix}:<opening id>; add it to the posting (or the"
            " opportunity) to name the hireproof opening.",
        )
    if len(ids) > 1:
        raise CouldNotStart(
            422, f"The opportunity's tags name {len(ids)} openings; keep one {prefix}: tag."
        )
    asked["opening_id"] = ids[0]
    email = next((e.strip() for e in opportunity.emails if e.strip()), "")
    try:
        validate_email(email)
    except ValidationError:
        raise CouldNotStart(
            422, "The opportunity has no email address to send the test to."
        ) from None
    name = (opportunity.name or "").strip()
    if not name:
        raise CouldNotStart(422, "The opportunity has no name.")
    actor = _actor(connection)
    try:
        opening = access_opening(actor, ids[0], Permission.MANAGE_OPENINGS)
    except Http404:
        raise CouldNotStart(404, f"There is no hireproof opening {ids[0]}.") from None
    try:
        return do_place_order(
            actor=actor,
            request=OrderRequest(
                ats=Ats.LEVER,
                opening=opening,
                name=name[:200],
                email=email,
                ats_reference=opportunity_id,
            ),
            base_url=settings.HIREPROOF_SITE_URL + "/",
        )
    except OrderAlreadyPlaced:
        raise
    except OrderRefused as refusal:
        raise CouldNotStart(409, str(refusal)) from None
