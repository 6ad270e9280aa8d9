"""The webhooks pages: subscribing (the URL checked up front, the secret shown once), the
deliveries page and its replay, pausing, resuming, rotating and deleting, each an audited
action; refused to every role but the administrator."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.webhooks import WebhookDelivery, WebhookEndpoint
from hireproof.hiring.tests.webhooks.conftest import Subscribe, invited
from hireproof.testing.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

LIST = reverse("webhooks:endpoints")


def _last_events(count: int) -> list[str]:
    rows = LogLeaf.objects.order_by("-index").values_list("event_type", flat=True)[:count]
    return list(reversed(rows))


def test_an_administrator_subscribes_a_url_and_sees_its_secret_once(
    administrator_client: Client, receiver: Receiver, allow_private: None
) -> None:
    response = administrator_client.post(
        LIST,
        {"url": receiver.url, "events": ["attempt.scored", "decision.recorded"]},
    )
    assert response.status_code == 201
    secret = re.search(r'id="new-webhook-secret">(whsec_[A-Za-z0-9+/=]+)<', response.text)
    assert secret is not None
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_names == ["attempt.scored", "decision.recorded"]
    assert endpoint.signing_secrets(endpoint.created_at) == [secret.group(1)]
    assert secret.group(1).encode() not in bytes(endpoint.secret_sealed)  # sealed
    assert _last_events(1) == ["webhook.endpoint_created"]
    assert secret.group(1) not in administrator_client.get(LIST).text  # once


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:9/hooks", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/", "169.254.169.254 is a link-local address"),
        ("ftp://example.org/", "https:// or http://"),
    ],
)
def test_a_url_that_cannot_receive_is_refused_with_the_field_named(
    administrator_client: Client, url: str, why: str
) -> None:
    response = administrator_client.post(LIST, {"url": url, "events": ["attempt.scored"]})
    assert response.status_code == 400
    assert why in response.text
    assert response.context["form"].errors["url"]
    assert not WebhookEndpoint.objects.exists()


def test_a_replay_from_the_deliveries_page_arrives_again_with_the_same_webhook_id(
    clock: Any,
    administrator_client: Client,
    subscribe: Subscribe,
    receiver: Receiver,
    opening: Opening,
    recruiter: User,
) -> None:
    endpoint = subscribe(events=("candidate.invited",))
    invited(opening, recruiter)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    page = administrator_client.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    assert page.status_code == 200
    assert delivery.message_id in page.text
    replay = reverse("webhooks:replay", args=[endpoint.pk, delivery.pk])
    assert f'action="{replay}"' in page.text
    response = administrator_client.post(replay)
    assert response.status_code == 302
    assert [item.message_id for item in receiver.verified()] == [delivery.message_id] * 2
    first, again = receiver.verified()
    assert first.body == again.body
    assert _last_events(1) == ["webhook.delivery_replayed"]
    delivery.refresh_from_db()
    assert (delivery.tries, delivery.state) == (2, "delivered")
    assert "(replay)" in administrator_client.get(page.request["PATH_INFO"]).text


def test_pause_resume_rotate_and_delete_are_audited_actions(
    clock: Any,
    administrator_client: Client,
    subscribe: Subscribe,
    receiver: Receiver,
    opening: Opening,
    recruiter: User,
) -> None:
    endpoint = subscribe(events=("candidate.invited",))
    page = reverse("webhooks:endpoint", args=[endpoint.pk])
    administrator_client.post(reverse("webhooks:pause", args=[endpoint.pk]))
    invited(opening, recruiter)
    assert receiver.received == []
    shown = administrator_client.get(page).text
    assert "Paused" in shown
    assert "when resumed" in shown
    administrator_client.post(reverse("webhooks:resume", args=[endpoint.pk]))
    assert len(receiver.verified()) == 1
    rotated = administrator_client.post(reverse("webhooks:rotate", args=[endpoint.pk]))
    assert 'id="new-webhook-secret"' in rotated.text
    refused = administrator_client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert refused.status_code == 400
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    administrator_client.post(reverse("webhooks:delete", args=[endpoint.pk]), {"confirm": "on"})
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert not WebhookDelivery.objects.exists()
    webhook_events = LogLeaf.objects.filter(event_type__startswith="webhook.").order_by("index")
    assert list(webhook_events.values_list("event_type", flat=True)) == [
        "webhook.endpoint_created",
        "webhook.endpoint_paused",
        "webhook.endpoint_resumed",
        "webhook.secret_rotated",
        "webhook.endpoint_deleted",
    ]


def test_the_pages_are_for_administrators_only(
    subscribe: Subscribe,
    recruiter_client: Client,
    interviewer_client: Client,
    auditor_client: Client,
) -> None:
    endpoint = subscribe()
    for client in (recruiter_client, interviewer_client, auditor_client):
        assert client.get(LIST).status_code == 404
        assert client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).status_code == 404
        assert client.post(reverse("webhooks:pause", args=[endpoint.pk])).status_code == 404
    endpoint.refresh_from_db()
    assert not endpoint.paused
