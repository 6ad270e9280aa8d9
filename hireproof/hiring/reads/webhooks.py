"""The webhooks pages' reads: every endpoint with its deliveries counted by state, and one
endpoint's latest deliveries with their tries (a fixed number of queries each)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from hireproof.hiring.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookTry

SHOWN_DELIVERIES = 100


@dataclass(frozen=True)
class EndpointRow:
    """An endpoint as the list shows it."""

    endpoint: WebhookEndpoint
    waiting: int
    delivered: int
    failed: int


def endpoint_rows() -> list[EndpointRow]:
    """Every endpoint, oldest first, with its deliveries counted by state (one query)."""
    rows = WebhookEndpoint.objects.annotate(
        n_delivered=Count("deliveries", filter=Q(deliveries__delivered_at__isnull=False)),
        n_failed=Count(
            "deliveries",
            filter=Q(deliveries__delivered_at__isnull=True, deliveries__failed_at__isnull=False),
        ),
        n_waiting=Count(
            "deliveries",
            filter=Q(deliveries__delivered_at__isnull=True, deliveries__failed_at__isnull=True),
        ),
    ).order_by("created_at", "id")
    return [
        EndpointRow(row, waiting=row.n_waiting, delivered=row.n_delivered, failed=row.n_failed)
        for row in rows
    ]


def endpoint_deliveries(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, each with its tries (two queries)."""
    return list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("attempts", queryset=WebhookTry.objects.order_by("number")))[
            :SHOWN_DELIVERIES
        ]
    )
