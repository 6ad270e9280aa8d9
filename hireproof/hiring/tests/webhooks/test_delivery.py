"""Deliveries over real HTTP to a receiver that verifies each with the Standard Webhooks
library: every event, retries while it is down, the same webhook-id on every try, rotation
with an overlap, pausing after a day of failures and resuming."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.actions.webhooks import (
    do_resume_webhook_endpoint,
    do_rotate_webhook_secret,
)
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.webhooks import WebhookDelivery, WebhookTry
from hireproof.hiring.tests.webhooks.conftest import Subscribe, invited, take_test
from hireproof.hiring.webhooks import MAX_TRIES, RETRY_DELAYS
from hireproof.platform.tasks import run_due_schedules
from hireproof.testing.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


def _types(receiver: Receiver) -> list[str]:
    return [item.payload["type"] for item in receiver.verified()]  # type: ignore[index]  # a verified payload is the JSON object sent


def test_each_event_of_a_candidates_course_arrives_signed_and_in_order(
    clock: Any, subscribe: Subscribe, receiver: Receiver, opening: Opening, recruiter: User
) -> None:
    endpoint = subscribe()
    candidate = take_test(invited(opening, recruiter))
    do_record_decision(
        actor=recruiter, candidate=candidate, outcome="withdrawn", reason="Took another offer."
    )
    assert _types(receiver) == [
        "candidate.invited",
        "attempt.started",
        "attempt.submitted",
        "attempt.scored",
        "recommendation.changed",
        "decision.recorded",
        "candidate.withdrawn",
    ]
    assert all(item.verified for item in receiver.received)
    payloads: list[dict[str, Any]] = [item.payload for item in receiver.verified()]  # type: ignore[misc]  # JSON objects
    assert [p["sequence"] for p in payloads] == list(range(1, 8))
    assert {p["data"]["candidate_id"] for p in payloads} == {candidate.pk}
    scored = payloads[3]["data"]
    assert scored["attempt"]["verdict"] == "strong_pass"
    assert scored["attempt"]["score_percent"] == "100.00"
    assert scored["stage"] == "scored"
    assert scored["links"]["api"].endswith(
        f"/api/v1/openings/{opening.pk}/candidates/{candidate.pk}"
    )
    assert payloads[-1]["data"]["stage"] == "withdrawn"
    rows = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {row.state for row in rows} == {"delivered"}
    assert {item.message_id for item in receiver.received} == {row.message_id for row in rows}


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    clock: Any, subscribe: Subscribe, receiver: Receiver, opening: Opening, recruiter: User
) -> None:
    subscribe(events=("attempt.scored",))
    take_test(invited(opening, recruiter))
    assert _types(receiver) == ["attempt.scored"]


def test_a_receiver_down_for_an_hour_gets_every_event_once_it_is_back(
    clock: Any, subscribe: Subscribe, receiver: Receiver, opening: Opening, recruiter: User
) -> None:
    endpoint = subscribe(events=("candidate.invited",))
    receiver.stop()  # connections refused
    for name in ("Ada Lovelace", "Alan Turing", "Grace Hopper"):
        invited(opening, recruiter, name)
    rows = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("sequence"))
    assert [row.tries for row in rows] == [1, 1, 1]
    assert all("ConnectError" in row.last_error for row in rows)
    receiver.start()  # back, but answering 503 for a while
    receiver.mode = "unavailable"
    clock.shift(timedelta(seconds=RETRY_DELAYS[0] + 1))
    run_due_schedules()
    assert [item.headers["webhook-id"] for item in receiver.received] == [
        row.message_id for row in rows
    ]
    assert all(item.verified for item in receiver.received)  # 503 from a verified request
    receiver.mode = "ok"
    clock.shift(timedelta(seconds=RETRY_DELAYS[1] + 1))
    run_due_schedules()
    clock.shift(timedelta(minutes=60))
    run_due_schedules()  # nothing more is due: every delivery arrived
    ok = receiver.received[3:]
    assert sorted(item.message_id for item in ok) == sorted(row.message_id for row in rows)
    assert all(item.verified for item in ok)
    tries = WebhookTry.objects.filter(delivery__endpoint=endpoint)
    assert sorted(tries.values_list("status_code", flat=True), key=str) == [
        204,
        204,
        204,
        503,
        503,
        503,
        None,
        None,
        None,
    ]
    assert set(tries.filter(status_code=503).values_list("response_excerpt", flat=True)) == {
        "down for maintenance"
    }
    assert {row.state for row in WebhookDelivery.objects.filter(endpoint=endpoint)} == {"delivered"}


def test_a_delivery_is_tried_on_the_schedule_then_fails_for_good(
    clock: Any, subscribe: Subscribe, receiver: Receiver, opening: Opening, recruiter: User
) -> None:
    endpoint = subscribe(events=("candidate.invited",))
    receiver.mode = "unavailable"
    invited(opening, recruiter)
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    for delay in RETRY_DELAYS:
        row.refresh_from_db()
        tried = WebhookTry.objects.filter(delivery=row).order_by("-number").first()
        assert tried is not None
        assert row.next_try_at == tried.at + timedelta(seconds=delay)
        clock.shift(timedelta(seconds=delay - 1))
        run_due_schedules()  # not yet
        assert WebhookTry.objects.filter(delivery=row).count() == tried.number
        clock.shift(timedelta(seconds=2))
        run_due_schedules()
    row.refresh_from_db()
    assert (row.tries, row.state, row.next_try_at) == (MAX_TRIES, "failed", None)
    assert len({item.message_id for item in receiver.received}) == 1  # the same webhook-id
    assert len({item.headers["webhook-timestamp"] for item in receiver.received}) == MAX_TRIES


def test_a_redirect_is_a_failed_try_and_is_not_followed(
    clock: Any, subscribe: Subscribe, receiver: Receiver, opening: Opening, recruiter: User
) -> None:
    endpoint = subscribe(events=("candidate.invited",))
    receiver.mode, receiver.redirect_to = "redirect", receiver.url + "/elsewhere"
    invited(opening, recruiter)
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (row.state, row.last_status) == ("waiting", 307)
    assert "redirect" in row.last_error
    assert [item.headers.get("webhook-id") for item in receiver.received] == [row.message_id]


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(
    clock: Any,
    subscribe: Subscribe,
    receiver: Receiver,
    opening: Opening,
    recruiter: User,
    administrator: User,
    settings: Any,
) -> None:
    settings.HIREPROOF_WEBHOOK_SECRET_OVERLAP_HOURS = 24
    endpoint = subscribe(events=("candidate.invited",))
    [old] = receiver.secrets
    new = do_rotate_webhook_secret(actor=administrator, endpoint=endpoint)
    assert new != old
    invited(opening, recruiter, "Ada Lovelace")
    both = receiver.received[-1]
    assert len(both.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):  # a receiver that knows either one verifies it
        receiver.secrets = [secret]
        receiver.verify(both.body, both.headers)
    clock.shift(timedelta(hours=24))
    receiver.secrets = [new]
    invited(opening, recruiter, "Alan Turing")
    after = receiver.received[-1]
    assert after.verified
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    leaf = LogLeaf.objects.order_by("-index").filter(event_type="webhook.secret_rotated").first()
    assert leaf is not None
    assert json.loads(bytes(leaf.data))["public"]["endpoint_id"] == endpoint.pk


def test_an_endpoint_failing_for_a_day_is_paused_and_resuming_sends_what_waited(
    clock: Any,
    subscribe: Subscribe,
    receiver: Receiver,
    opening: Opening,
    recruiter: User,
    administrator: User,
) -> None:
    endpoint = subscribe(events=("candidate.invited",))
    receiver.mode = "unavailable"
    invited(opening, recruiter, "Ada Lovelace")
    for delay in RETRY_DELAYS[:5]:  # 5 s ... 5 h: about 7.6 hours of failures
        clock.shift(timedelta(seconds=delay + 1))
        run_due_schedules()
    endpoint.refresh_from_db()
    assert not endpoint.paused
    clock.shift(timedelta(seconds=RETRY_DELAYS[5] + 1))  # 10 h more: still under a day
    run_due_schedules()
    clock.shift(timedelta(seconds=RETRY_DELAYS[6] + 1))  # past 24 h of failures
    run_due_schedules()
    endpoint.refresh_from_db()
    assert endpoint.paused
    assert endpoint.paused_automatically
    assert "24 hours" in endpoint.paused_because
    leaf = LogLeaf.objects.order_by("-index").first()
    assert leaf is not None
    assert (leaf.event_type, json.loads(bytes(leaf.data))["actor"]) == (
        "webhook.endpoint_paused",
        "system",
    )
    sent = len(receiver.received)
    invited(opening, recruiter, "Alan Turing")  # while paused: it waits
    assert len(receiver.received) == sent
    waiting = WebhookDelivery.objects.filter(endpoint=endpoint, delivered_at__isnull=True)
    assert waiting.count() == 2
    receiver.mode = "ok"
    assert do_resume_webhook_endpoint(actor=administrator, endpoint=endpoint) == 2
    assert sorted(item.message_id for item in receiver.verified()[sent:]) == sorted(
        waiting.model.objects.filter(endpoint=endpoint).values_list("message_id", flat=True)
    )
    assert {row.state for row in WebhookDelivery.objects.filter(endpoint=endpoint)} == {"delivered"}
    endpoint.refresh_from_db()
    assert not endpoint.paused
    assert endpoint.failing_since is None
