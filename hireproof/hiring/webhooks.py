"""What the pipeline tells webhook endpoints, and how each delivery reaches them.

**Events.** The actions that change a candidate's course call ``emit_*`` inside their own
transaction: for every endpoint subscribed to the event, ``emit`` writes a ``WebhookDelivery``
(an outbox row: its ``webhook-id``, the endpoint's next sequence number and the JSON body) and
queues ``deliver_webhook`` for it, so a delivery exists exactly when the action committed.
A body is ``{"type", "timestamp", "sequence", "data"}``; ``data`` holds ids, the candidate's
stage, verdicts, scores, counts and two links (the API resource and the staff page), never an
answer, an answer key, a rubric, a name, an email address or a free-text reason (README,
"Webhooks", lists each event's fields).

**Delivery.** ``deliver_webhook`` signs the body per Standard Webhooks with the endpoint's
secret (and the previous one while a rotation's overlap lasts: two space-separated signatures),
with the same ``webhook-id`` on every try and a fresh ``webhook-timestamp``, and POSTs it
through ``hireproof.platform.outbound`` (the SSRF guard). A 2xx delivers it. Anything else (a
3xx, which is never followed, a 4xx or 5xx, no answer, a refused address) is a failed try,
recorded with its status, duration, the first 1 KB of the answer or the error; the next try
is scheduled after ``RETRY_DELAYS`` (Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h,
5 h, 10 h, 10 h, about 27.5 hours in all); after the last, the delivery has failed for good.

**Pausing.** An endpoint whose every try has failed for ``HIREPROOF_WEBHOOK_PAUSE_AFTER_HOURS``
is paused by the system (``webhook.endpoint_paused`` in the log, a notice on its page). A paused
endpoint's deliveries wait, new events included; resuming it re-queues them.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from hireproof.audit.log import record_event, rfc3339
from hireproof.core.audit import EventType
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import Decision, Outcome, Recommendation
from hireproof.hiring.models.interviews import ScorecardVersion
from hireproof.hiring.models.stage import stage_of
from hireproof.hiring.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookTry
from hireproof.platform.outbound import (
    EXCERPT_BYTES,
    OutboundFailed,
    OutboundRefused,
    post,
)
from hireproof.platform.tasks import background_task, enqueue, enqueue_at

logger = logging.getLogger(__name__)

EVENTS: tuple[tuple[str, str], ...] = (
    ("candidate.invited", "A candidate was sent their link (first time or again)."),
    ("attempt.started", "A candidate started the written test."),
    ("attempt.submitted", "A written test was submitted (by the candidate or at its deadline)."),
    ("attempt.scored", "A written test was scored: verdict and score."),
    ("interview.submitted", "An interviewer submitted or amended a scorecard."),
    ("recommendation.changed", "The candidate's recommendation changed."),
    ("decision.recorded", "A final decision was recorded: hire, no hire or withdrawn."),
    ("candidate.withdrawn", "The candidate withdrew (also a decision.recorded)."),
    ("candidate.erased", "The candidate's personal data was erased: delete your copy."),
)
"""Every event an endpoint can subscribe to, with what it means."""
EVENT_NAMES = tuple(name for name, _ in EVENTS)

RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
"""Seconds before each try after the first (Standard Webhooks' schedule): 8 tries in all."""
MAX_TRIES = len(RETRY_DELAYS) + 1
MESSAGE_PREFIX = "msg_"


class UnknownEvent(ValueError):
    """An event name the catalogue does not hold."""


# --- events -------------------------------------------------------------------------------------


def _site(path: str) -> str:
    return f"{settings.HIREPROOF_SITE_URL}{path}"


def _candidate_data(candidate: Candidate, at: datetime) -> dict[str, Any]:
    ids = {"opening_id": candidate.opening_id, "candidate_id": candidate.pk}
    return {
        **ids,
        "stage": stage_of(candidate, at).value,
        "links": {
            "api": _site(reverse("api:candidate", kwargs=ids)),
            "staff": _site(reverse("reviews:candidate", kwargs=ids)),
        },
    }


def emit(event: str, data: dict[str, Any], *, at: datetime) -> int:
    """Write a delivery of ``event`` for every endpoint subscribed to it and queue each (in the
    caller's transaction); how many. A paused endpoint's delivery waits for its resumption."""
    if event not in EVENT_NAMES:
        raise UnknownEvent(f"{event!r} is not a webhook event")
    endpoints = list(
        WebhookEndpoint.objects.filter(events__contains=f" {event} ")
        .only("pk", "paused_at")
        .order_by("pk")
    )
    written = timezone.now()  # ``at`` is the event's time, which an action may be given
    for endpoint in endpoints:
        counter = WebhookEndpoint.objects.filter(pk=endpoint.pk)
        counter.update(next_sequence=F("next_sequence") + 1)  # locks the row: one order
        sequence = counter.values_list("next_sequence", flat=True).get() - 1
        body = {"type": event, "timestamp": rfc3339(at), "sequence": sequence, "data": data}
        delivery = WebhookDelivery.objects.create(
            endpoint_id=endpoint.pk,
            message_id=MESSAGE_PREFIX + secrets.token_hex(16),
            event=event,
            sequence=sequence,
            body=json.dumps(body, sort_keys=True, separators=(",", ":")),
            created_at=written,
            next_try_at=None if endpoint.paused else written,
        )
        if not endpoint.paused:
            enqueue(deliver_webhook, delivery.pk, False)
    return len(endpoints)


def emit_invited(invitation: Invitation, *, at: datetime) -> None:
    """``candidate.invited``: the link's expiry and how many times it was sent."""
    emit(
        "candidate.invited",
        {
            **_candidate_data(invitation.candidate, at),
            "invitation": {
                "expires_at": rfc3339(invitation.expires_at),
                "send_count": invitation.send_count,
            },
        },
        at=at,
    )


def emit_attempt_started(attempt: Attempt, candidate: Candidate, *, at: datetime) -> None:
    """``attempt.started``: the attempt's id and when it started (never its deadline, which
    would tell extra time granted, an accommodation)."""
    emit(
        "attempt.started",
        {
            **_candidate_data(candidate, at),
            "attempt": {"id": attempt.pk, "started_at": rfc3339(attempt.started_at)},
        },
        at=at,
    )


def emit_attempt_submitted(
    attempt: Attempt, candidate: Candidate, *, automatic: bool, answered: int, items: int
) -> None:
    """``attempt.submitted`` then ``attempt.scored`` (both at the submission's time)."""
    at = attempt.submitted_at
    assert at is not None  # called once the submission is stored
    attempt_ids = {"id": attempt.pk, "submitted_at": rfc3339(at)}
    emit(
        "attempt.submitted",
        {
            **_candidate_data(candidate, at),
            "attempt": {**attempt_ids, "automatic": automatic, "answered": answered},
            "items": items,
        },
        at=at,
    )
    ids = {"opening_id": candidate.opening_id, "candidate_id": candidate.pk}
    data = _candidate_data(candidate, at)
    data["links"]["scorecard"] = _site(reverse("api:scorecard", kwargs=ids))
    data["attempt"] = {
        **attempt_ids,
        "verdict": attempt.verdict,
        "recommendation": attempt.recommendation,
        "score_percent": str(attempt.score_percent) if attempt.score_percent is not None else None,
        "warnings": attempt.warning_count,
    }
    version = candidate.opening.playbook_version
    data["playbook"] = {"id": version.playbook_id, "version": version.version}
    emit("attempt.scored", data, at=at)


def emit_interview_submitted(row: ScorecardVersion) -> None:
    """``interview.submitted``: which assignment, which version, how many questions were rated
    and how many red flags were raised (the ratings themselves are read through the API)."""
    assignment = row.assignment
    at = row.submitted_at
    emit(
        "interview.submitted",
        {
            **_candidate_data(assignment.candidate, at),
            "interview": {
                "assignment_id": assignment.pk,
                "version": row.version,
                "amended": row.version > 1,
                "questions_rated": len(row.ratings),
                "red_flags": len(row.red_flags),
            },
        },
        at=at,
    )


def emit_recommendation_changed(candidate: Candidate, row: Recommendation) -> None:
    """``recommendation.changed``: the new kind and what it rests on (counts)."""
    at = row.computed_at
    ids = {"opening_id": candidate.opening_id, "candidate_id": candidate.pk}
    data = _candidate_data(candidate, at)
    data["links"]["recommendation"] = _site(reverse("api:recommendation", kwargs=ids))
    data["recommendation"] = {
        "kind": row.kind,
        "interview_scorecards": row.interview_count,
        "computed_at": rfc3339(at),
    }
    emit("recommendation.changed", data, at=at)


def emit_decision_recorded(decision: Decision) -> None:
    """``decision.recorded`` (and ``candidate.withdrawn`` for a withdrawal): the outcome and
    whether it went against the recommendation; never the written reason."""
    candidate = decision.candidate
    at = decision.decided_at
    data = _candidate_data(candidate, at)
    data["decision"] = {
        "id": decision.pk,
        "outcome": decision.outcome,
        "recommendation": (
            decision.recommendation.kind if decision.recommendation is not None else None
        ),
        "against_recommendation": decision.against_recommendation,
        "overrides_critical": decision.overrides_critical,
        "supersedes": decision.supersedes_id,
        "decided_at": rfc3339(at),
    }
    emit("decision.recorded", data, at=at)
    if decision.outcome == Outcome.WITHDRAWN:
        emit(
            "candidate.withdrawn",
            {**_candidate_data(candidate, at), "decision_id": decision.pk},
            at=at,
        )


def emit_erased(candidate: Candidate, *, at: datetime) -> None:
    """``candidate.erased``: the ids only, so the receiver can delete what it holds."""
    emit(
        "candidate.erased",
        {"opening_id": candidate.opening_id, "candidate_id": candidate.pk, "stage": "erased"},
        at=at,
    )


# --- delivery -----------------------------------------------------------------------------------


def signed_headers(
    endpoint: WebhookEndpoint, message_id: str, body: str, now: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers of one try: its id, its time, and a signature by each
    secret in force (space-separated)."""
    signatures = [
        Webhook(secret).sign(message_id, now, body) for secret in endpoint.signing_secrets(now)
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


@background_task(label="Deliver a webhook", tries=3, first_delay=30.0)
def deliver_webhook(delivery_id: int, replay: bool) -> None:
    """Try delivery ``delivery_id`` once (its retries are scheduled by ``_record_try``).

    Nothing is sent when it was delivered or failed for good (unless ``replay``: an
    administrator asked to send it again), or while its endpoint is paused or gone."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.endpoint.paused:
        return
    now = timezone.now()
    if not replay and (
        delivery.state != "waiting"
        or delivery.next_try_at is None
        or delivery.next_try_at > now  # a try that was moved (a resumption queued it sooner)
    ):
        return
    headers = signed_headers(delivery.endpoint, delivery.message_id, delivery.body, now)
    status: int | None = None
    excerpt, error = "", ""
    started = timezone.now()
    try:
        answer = post(delivery.endpoint.url, delivery.body.encode(), headers)
    except (OutboundRefused, OutboundFailed) as problem:
        error = str(problem)
        seconds = (timezone.now() - started).total_seconds()
    else:
        status, seconds = answer.status, answer.seconds
        excerpt = answer.excerpt[:EXCERPT_BYTES].decode("utf-8", "replace")
        if 300 <= status < 400:
            error = "a redirect, which is never followed"
        elif not 200 <= status < 300:
            error = f"the receiver answered {status}"
    _record_try(delivery, now, replay, status, seconds, excerpt, error)


def _record_try(
    delivery: WebhookDelivery,
    now: datetime,
    replay: bool,
    status: int | None,
    seconds: float,
    excerpt: str,
    error: str,
) -> None:
    endpoint = delivery.endpoint
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        row.tries += 1
        WebhookTry.objects.create(
            delivery=row,
            number=row.tries,
            replay=replay,
            at=now,
            duration_ms=max(0, round(seconds * 1000)),
            status_code=status,
            response_excerpt=excerpt,
            error=error,
        )
        row.last_status, row.last_error = status, error
        if not error:
            row.delivered_at = row.delivered_at or now
            row.failed_at = None
            row.next_try_at = None
            row.save()
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return
        if replay and row.state != "waiting":
            row.save()  # a replay that failed: the delivery stays as it was
        else:
            _schedule_next(row, now)
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        _pause_if_failing(endpoint.pk, now)


def _schedule_next(row: WebhookDelivery, now: datetime) -> None:
    row.failures_in_row += 1
    if row.failures_in_row >= MAX_TRIES:
        row.failed_at, row.next_try_at = now, None
        row.save()
        return
    row.next_try_at = now + timedelta(seconds=RETRY_DELAYS[row.failures_in_row - 1])
    row.save()
    # One schedule per try: the try that runs now may be the one that schedule started.
    key = f"webhook {row.pk} {row.failures_in_row + 1}"
    enqueue_at(row.next_try_at, deliver_webhook, row.pk, False, key=key)


def _pause_if_failing(endpoint_id: int, now: datetime) -> None:
    hours = settings.HIREPROOF_WEBHOOK_PAUSE_AFTER_HOURS
    since = now - timedelta(hours=hours)
    paused = WebhookEndpoint.objects.filter(
        pk=endpoint_id, paused_at__isnull=True, failing_since__lte=since
    ).update(
        paused_at=now,
        paused_automatically=True,
        paused_because=f"every try has failed for {hours} hours; resume it once the receiver"
        " is back: what waited is sent then",
    )
    if paused:
        logger.warning("webhook endpoint %s paused: every try failed for %d h", endpoint_id, hours)
        record_event(
            EventType.WEBHOOK_ENDPOINT_PAUSED,
            actor="system",
            public={"endpoint_id": endpoint_id, "automatic": True},
            at=now,
        )


def requeue_waiting(endpoint: WebhookEndpoint, now: datetime) -> int:
    """Queue now every delivery of ``endpoint`` still waiting, and those that ran out of tries
    while it was failing (in the caller's transaction); how many."""
    rows = WebhookDelivery.objects.filter(endpoint=endpoint, delivered_at__isnull=True)
    if endpoint.failing_since is not None:
        rows = rows.filter(failed_at__isnull=True) | rows.filter(
            failed_at__gte=endpoint.failing_since
        )
    else:
        rows = rows.filter(failed_at__isnull=True)
    ids = list(rows.order_by("sequence").values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(
        failed_at=None, failures_in_row=0, next_try_at=now
    )
    for pk in ids:
        enqueue(deliver_webhook, pk, False)
    return len(ids)


def replay(delivery: WebhookDelivery) -> None:
    """Queue one more try of ``delivery`` now, whatever its state (the same ``webhook-id``)."""
    enqueue(deliver_webhook, delivery.pk, True)
