"""Every change to webhook endpoints: each ``do_*`` is one transaction with its audit event.

Subscribe a URL (``webhook.endpoint_created``; the secret is returned once), change its URL,
events or description (``webhook.endpoint_changed``), pause and resume it
(``webhook.endpoint_paused`` / ``_resumed``; resuming queues what waited), delete it
(``webhook.endpoint_deleted``, with its deliveries), rotate its secret
(``webhook.secret_rotated``; the old one keeps signing for the overlap), and replay a delivery
(``webhook.delivery_replayed``). The log names the endpoint by id and its URL by host only:
a URL's path or query may hold the receiver's own token.

A URL is checked when it is entered (``hireproof.platform.outbound.check_url``: https or http,
a host that resolves to public addresses unless the operator allows private ones); the check
that counts is the one at every try.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.models.webhooks import (
    WebhookDelivery,
    WebhookEndpoint,
    events_field,
    new_secret,
    seal_secret,
)
from hireproof.hiring.webhooks import EVENT_NAMES, replay, requeue_waiting
from hireproof.platform.outbound import OutboundRefused, check_url, parse_url

MAX_URL = 2000
MAX_DESCRIPTION = 200


class WebhookRefused(Exception):
    """A webhook change that cannot be made as asked; ``field`` names the input at fault
    (``""`` for none in particular) and ``str()`` says why."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def checked_url(url: str) -> str:
    """``url`` stripped, or ``WebhookRefused`` (field ``url``) saying what is wrong with it."""
    text = url.strip()
    if not text or len(text) > MAX_URL:
        raise WebhookRefused(f"Give the URL in 1 to {MAX_URL} characters.", "url")
    try:
        check_url(text)
    except OutboundRefused as refusal:
        raise WebhookRefused(f"This URL cannot receive webhooks: {refusal}.", "url") from None
    return text


def checked_events(events: Sequence[str]) -> list[str]:
    """The events chosen, in the catalogue's order; ``WebhookRefused`` (field ``events``) for
    none, or for a name the catalogue does not hold."""
    unknown = sorted(set(events) - set(EVENT_NAMES))
    if unknown:
        raise WebhookRefused(
            f"Unknown event {', '.join(unknown)}; the events are {', '.join(EVENT_NAMES)}.",
            "events",
        )
    if not events:
        raise WebhookRefused("Choose at least one event.", "events")
    return [name for name in EVENT_NAMES if name in set(events)]


def _checked_description(description: str) -> str:
    text = " ".join(description.split())
    if len(text) > MAX_DESCRIPTION:
        raise WebhookRefused(
            f"Keep the description under {MAX_DESCRIPTION} characters.", "description"
        )
    return text


def _public(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "endpoint_id": endpoint.pk,
        "host": parse_url(endpoint.url).host,
        "events": endpoint.event_names,
    }


def do_create_webhook_endpoint(
    *,
    actor: User,
    url: str,
    events: Sequence[str],
    description: str = "",
    now: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Subscribe ``url`` to ``events``; returns the endpoint and its signing secret (shown
    once). Records ``webhook.endpoint_created``."""
    at = now or timezone.now()
    target = checked_url(url)
    chosen = checked_events(events)
    text = _checked_description(description)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=target,
            description=text,
            events=events_field(chosen),
            secret_sealed=seal_secret(secret),
            created_at=at,
            created_by=actor,
        )
        record_event(
            EventType.WEBHOOK_ENDPOINT_CREATED,
            actor=actor.audit_actor,
            public=_public(endpoint),
            at=at,
        )
    return endpoint, secret


def do_change_webhook_endpoint(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str,
    events: Sequence[str],
    description: str = "",
    now: datetime | None = None,
) -> WebhookEndpoint:
    """Change the endpoint's URL, events and description (deliveries already written keep
    theirs). Records ``webhook.endpoint_changed``; nothing changed records nothing."""
    at = now or timezone.now()
    target = checked_url(url)
    chosen = events_field(checked_events(events))
    text = _checked_description(description)
    if (endpoint.url, endpoint.events, endpoint.description) == (target, chosen, text):
        return endpoint
    with transaction.atomic():
        endpoint.url, endpoint.events, endpoint.description = target, chosen, text
        endpoint.save(update_fields=["url", "events", "description"])
        record_event(
            EventType.WEBHOOK_ENDPOINT_CHANGED,
            actor=actor.audit_actor,
            public=_public(endpoint),
            at=at,
        )
    return endpoint


def do_pause_webhook_endpoint(
    *, actor: User, endpoint: WebhookEndpoint, now: datetime | None = None
) -> WebhookEndpoint:
    """Stop sending to the endpoint: its deliveries wait (new events too) until it is resumed.
    Records ``webhook.endpoint_paused``; an endpoint already paused records nothing."""
    at = now or timezone.now()
    with transaction.atomic():
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=True).update(
            paused_at=at, paused_automatically=False, paused_because="paused by an administrator"
        ):
            return endpoint
        record_event(
            EventType.WEBHOOK_ENDPOINT_PAUSED,
            actor=actor.audit_actor,
            public={"endpoint_id": endpoint.pk, "automatic": False},
            at=at,
        )
    endpoint.refresh_from_db()
    return endpoint


def do_resume_webhook_endpoint(
    *, actor: User, endpoint: WebhookEndpoint, now: datetime | None = None
) -> int:
    """Send to the endpoint again: every delivery that waited (and those that ran out of tries
    while it was failing) is queued now. Records ``webhook.endpoint_resumed`` with how many;
    returns that number. An endpoint not paused records nothing."""
    at = now or timezone.now()
    with transaction.atomic():
        current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if current.paused_at is None:
            return 0
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            paused_at=None, paused_automatically=False, paused_because="", failing_since=None
        )
        queued = requeue_waiting(current, at)  # as it was while paused
        record_event(
            EventType.WEBHOOK_ENDPOINT_RESUMED,
            actor=actor.audit_actor,
            public={"endpoint_id": endpoint.pk, "requeued": queued},
            at=at,
        )
    endpoint.refresh_from_db()
    return queued


def do_delete_webhook_endpoint(
    *, actor: User, endpoint: WebhookEndpoint, now: datetime | None = None
) -> None:
    """Delete the endpoint with its deliveries and their tries (nothing more is sent).
    Records ``webhook.endpoint_deleted``."""
    at = now or timezone.now()
    with transaction.atomic():
        public = _public(endpoint)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        record_event(
            EventType.WEBHOOK_ENDPOINT_DELETED, actor=actor.audit_actor, public=public, at=at
        )


def do_rotate_webhook_secret(
    *, actor: User, endpoint: WebhookEndpoint, now: datetime | None = None
) -> str:
    """Give the endpoint a new secret (returned, shown once); the old one keeps signing
    beside it for ``HIREPROOF_WEBHOOK_SECRET_OVERLAP_HOURS``. Records
    ``webhook.secret_rotated`` with when the old secret stops."""
    at = now or timezone.now()
    secret = new_secret()
    until = at + timedelta(hours=settings.HIREPROOF_WEBHOOK_SECRET_OVERLAP_HOURS)
    with transaction.atomic():
        current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            previous_secret_sealed=current.secret_sealed,
            previous_secret_until=until,
            secret_sealed=seal_secret(secret),
        )
        record_event(
            EventType.WEBHOOK_SECRET_ROTATED,
            actor=actor.audit_actor,
            public={"endpoint_id": endpoint.pk, "old_secret_until": until.isoformat()},
            at=at,
        )
    endpoint.refresh_from_db()
    return secret


def do_replay_webhook_delivery(
    *, actor: User, delivery: WebhookDelivery, now: datetime | None = None
) -> None:
    """Send ``delivery`` once more, now, with its own ``webhook-id`` and body, whatever its
    state. Refused while its endpoint is paused (resume it: that sends what waited).
    Records ``webhook.delivery_replayed``."""
    at = now or timezone.now()
    if delivery.endpoint.paused:
        raise WebhookRefused("The endpoint is paused; resume it to send its deliveries.")
    with transaction.atomic():
        record_event(
            EventType.WEBHOOK_DELIVERY_REPLAYED,
            actor=actor.audit_actor,
            public={
                "endpoint_id": delivery.endpoint_id,
                "delivery_id": delivery.pk,
                "message_id": delivery.message_id,
                "event": delivery.event,
            },
            at=at,
        )
        replay(delivery)
