"""Webhook endpoints and their deliveries: subscribe, read, change, pause, resume, rotate the
secret, delete, list deliveries, replay one. All need the ``webhooks`` scope and
``MANAGE_WEBHOOKS`` (administrators' keys); each change is the page's audited action.

The events and what each payload carries are in the README ("Webhooks") and in this document's
``webhooks`` section."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import answers, invalid, refused
from hireproof.api.gate import acting
from hireproof.api.schemas import Id, OneLine
from hireproof.hiring.access import access_site, access_webhook_delivery, access_webhook_endpoint
from hireproof.hiring.actions.webhooks import (
    WebhookRefused,
    do_change_webhook_endpoint,
    do_create_webhook_endpoint,
    do_delete_webhook_endpoint,
    do_pause_webhook_endpoint,
    do_replay_webhook_delivery,
    do_resume_webhook_endpoint,
    do_rotate_webhook_secret,
)
from hireproof.hiring.models.webhooks import WebhookDelivery, WebhookEndpoint
from hireproof.hiring.reads.webhooks import endpoint_deliveries

router = Router(tags=["webhooks"])

EventName = Literal[
    "candidate.invited",
    "attempt.started",
    "attempt.submitted",
    "attempt.scored",
    "interview.submitted",
    "recommendation.changed",
    "decision.recorded",
    "candidate.withdrawn",
    "candidate.erased",
]
ENDPOINT = "/webhooks/{endpoint_id}"


class EndpointIn(Schema):
    """An endpoint: where deliveries go and which events it receives."""

    url: OneLine = Field(min_length=1, max_length=2000)
    events: list[EventName] = Field(min_length=1, max_length=20)
    description: OneLine = Field("", max_length=200)


class EndpointOut(Schema):
    """An endpoint and its state (never its secret)."""

    id: int
    url: str
    events: list[str]
    description: str
    created_at: datetime
    paused: bool
    paused_at: datetime | None
    paused_automatically: bool
    paused_because: str
    failing_since: datetime | None


class CreatedEndpoint(EndpointOut):
    """A new endpoint with its signing secret, shown this once."""

    secret: str


class RotatedSecret(Schema):
    """The new secret (shown once) and when the old one stops signing."""

    secret: str
    old_secret_until: datetime | None


class Resumed(EndpointOut):
    """The endpoint resumed, and how many waiting deliveries were queued."""

    requeued: int


class DeliveryTryOut(Schema):
    """One try of a delivery."""

    number: int
    replay: bool
    at: datetime
    duration_ms: int
    status_code: int | None
    response_excerpt: str
    error: str


class DeliveryOut(Schema):
    """A delivery: its webhook-id, its event and sequence, where it stands, its tries."""

    id: int
    message_id: str
    event: str
    sequence: int
    state: str
    created_at: datetime
    next_try_at: datetime | None
    tries: list[DeliveryTryOut]


class Deleted(Schema):
    """What was deleted."""

    deleted: int


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, object]:
    """An endpoint as the API shows it."""
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.event_names,
        "description": endpoint.description,
        "created_at": endpoint.created_at,
        "paused": endpoint.paused,
        "paused_at": endpoint.paused_at,
        "paused_automatically": endpoint.paused_automatically,
        "paused_because": endpoint.paused_because,
        "failing_since": endpoint.failing_since,
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, object]:
    """A delivery with its tries."""
    return {
        "id": delivery.pk,
        "message_id": delivery.message_id,
        "event": delivery.event,
        "sequence": delivery.sequence,
        "state": delivery.state,
        "created_at": delivery.created_at,
        "next_try_at": delivery.next_try_at if delivery.state == "waiting" else None,
        "tries": [
            {
                "number": row.number,
                "replay": row.replay,
                "at": row.at,
                "duration_ms": row.duration_ms,
                "status_code": row.status_code,
                "response_excerpt": row.response_excerpt,
                "error": row.error,
            }
            for row in delivery.attempts.all()
        ],
    }


def _refusal(error: WebhookRefused) -> Exception:
    return invalid(f"/{error.field}", str(error)) if error.field else refused(error)


@router.get("/webhooks", response=answers({200: list[EndpointOut]}), url_name="webhooks")
def list_endpoints(request: HttpRequest) -> list[dict[str, object]]:
    """Every endpoint, oldest first."""
    access_site(acting(request, Scope.WEBHOOKS), Permission.MANAGE_WEBHOOKS)
    return [endpoint_out(row) for row in WebhookEndpoint.objects.order_by("created_at", "id")]


@router.post("/webhooks", response=answers({201: CreatedEndpoint}), url_name="webhook_create")
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status[dict[str, object]]:
    """Subscribe a URL to events; the answer holds its signing secret, shown this once. The
    URL must be http(s) on a public address (unless the operator allows private ones)."""
    actor = access_site(acting(request, Scope.WEBHOOKS), Permission.MANAGE_WEBHOOKS)
    try:
        endpoint, secret = do_create_webhook_endpoint(
            actor=actor,
            url=payload.url,
            events=list(payload.events),
            description=payload.description,
        )
    except WebhookRefused as error:
        raise _refusal(error) from None
    return Status(201, {**endpoint_out(endpoint), "secret": secret})


@router.get(ENDPOINT, response=answers({200: EndpointOut}), url_name="webhook")
def get_endpoint(request: HttpRequest, endpoint_id: Id) -> dict[str, object]:
    """One endpoint."""
    user = acting(request, Scope.WEBHOOKS)
    return endpoint_out(access_webhook_endpoint(user, endpoint_id, Permission.MANAGE_WEBHOOKS))


@router.post(ENDPOINT, response=answers({200: EndpointOut}), url_name="webhook_change")
def change_endpoint(
    request: HttpRequest, endpoint_id: Id, payload: EndpointIn
) -> dict[str, object]:
    """Change the endpoint's URL, events and description."""
    actor = acting(request, Scope.WEBHOOKS)
    endpoint = access_webhook_endpoint(actor, endpoint_id, Permission.MANAGE_WEBHOOKS)
    try:
        do_change_webhook_endpoint(
            actor=actor,
            endpoint=endpoint,
            url=payload.url,
            events=list(payload.events),
            description=payload.description,
        )
    except WebhookRefused as error:
        raise _refusal(error) from None
    return endpoint_out(endpoint)


@router.post(ENDPOINT + "/pause", response=answers({200: EndpointOut}), url_name="webhook_pause")
def pause_endpoint(request: HttpRequest, endpoint_id: Id) -> dict[str, object]:
    """Stop sending; deliveries wait, new events included."""
    actor = acting(request, Scope.WEBHOOKS)
    endpoint = access_webhook_endpoint(actor, endpoint_id, Permission.MANAGE_WEBHOOKS)
    return endpoint_out(do_pause_webhook_endpoint(actor=actor, endpoint=endpoint))


@router.post(ENDPOINT + "/resume", response=answers({200: Resumed}), url_name="webhook_resume")
def resume_endpoint(request: HttpRequest, endpoint_id: Id) -> dict[str, object]:
    """Send again, starting with what waited."""
    actor = acting(request, Scope.WEBHOOKS)
    endpoint = access_webhook_endpoint(actor, endpoint_id, Permission.MANAGE_WEBHOOKS)
    queued = do_resume_webhook_endpoint(actor=actor, endpoint=endpoint)
    return {**endpoint_out(endpoint), "requeued": queued}


@router.post(
    ENDPOINT + "/rotate-secret", response=answers({200: RotatedSecret}), url_name="webhook_rotate"
)
def rotate_secret(request: HttpRequest, endpoint_id: Id) -> dict[str, object]:
    """A new signing secret (shown once); the old one signs beside it for the overlap."""
    actor = acting(request, Scope.WEBHOOKS)
    endpoint = access_webhook_endpoint(actor, endpoint_id, Permission.MANAGE_WEBHOOKS)
    secret = do_rotate_webhook_secret(actor=actor, endpoint=endpoint)
    return {"secret": secret, "old_secret_until": endpoint.previous_secret_until}


@router.post(ENDPOINT + "/delete", response=answers({200: Deleted}), url_name="webhook_delete")
def delete_endpoint(request: HttpRequest, endpoint_id: Id) -> dict[str, object]:
    """Delete the endpoint with its deliveries."""
    actor = acting(request, Scope.WEBHOOKS)
    endpoint = access_webhook_endpoint(actor, endpoint_id, Permission.MANAGE_WEBHOOKS)
    do_delete_webhook_endpoint(actor=actor, endpoint=endpoint)
    return {"deleted": endpoint_id}


@router.get(
    ENDPOINT + "/deliveries",
    response=answers({200: list[DeliveryOut]}),
    url_name="webhook_deliveries",
)
def list_deliveries(request: HttpRequest, endpoint_id: Id) -> list[dict[str, object]]:
    """The endpoint's latest 100 deliveries, newest first, with their tries."""
    user = acting(request, Scope.WEBHOOKS)
    endpoint = access_webhook_endpoint(user, endpoint_id, Permission.MANAGE_WEBHOOKS)
    return [delivery_out(row) for row in endpoint_deliveries(endpoint)]


@router.post(
    ENDPOINT + "/deliveries/{delivery_id}/replay",
    response=answers({202: DeliveryOut}),
    url_name="webhook_replay",
)
def replay_delivery(
    request: HttpRequest, endpoint_id: Id, delivery_id: Id
) -> Status[dict[str, object]]:
    """Send the delivery again now, with its own webhook-id and body (409 while paused)."""
    actor = acting(request, Scope.WEBHOOKS)
    delivery = access_webhook_delivery(actor, endpoint_id, delivery_id, Permission.MANAGE_WEBHOOKS)
    try:
        do_replay_webhook_delivery(actor=actor, delivery=delivery)
    except WebhookRefused as error:
        raise refused(error) from None
    delivery.refresh_from_db()
    return Status(202, delivery_out(delivery))
