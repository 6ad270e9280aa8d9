"""The Workable Assessment Providers contract: what hireproof tells Workable, and how.

Sources. Workable's own page (https://workable.readme.io/page/assessment-providers) gives the
shape: the provider hosts ``GET /tests`` (``{"tests": [{"id", "name"}]}``, one test per job)
and ``POST /assessments`` (an invitation for a candidate); Workable calls them with
``Authorization: Bearer <the token the provider gave the customer>``, and the provider calls
Workable's results endpoint with ``Authorization: Bearer <the token Workable generated when the
integration was created>``. The details that page leaves to partners are from a partner's design
document and code, secondary and to be checked against Workable's sandbox: ``sampatel3/
tali-platform`` ``docs/WORKABLE_ASSESSMENTS_PROVIDER_SPEC.md`` and
``backend/app/domains/workable_provider/`` (the ``POST /assessments`` body with ``test_id``,
``job_shortcode``, ``job_title``, ``callback_url`` and ``candidate``; ``201
{"assessment_id"}``; the optional ``GET /assessments/:id/shared-link`` answering ``{url, ttl,
ttl_units}``; results ``PUT`` to ``callback_url`` with ``status`` one of ``pending``,
``completed``, ``rejected``, ``expired``, and on ``completed`` ``results_url`` with
``assessment: {score, grade, summary, details, duration}``; grades ``failed``, ``passed``,
``excelled``, shown as no, yes, definitely yes; errors ``{"status", "message"}``).

What Workable hears (``STATUS_FOR``), each at most once in a row: ``pending`` when the order is
placed (a later start or submission is still ``pending``: not sent again), ``completed`` once
scored, ``rejected`` when the order is cancelled (a withdrawal, a revoked link, a decision
before any score) or the candidate's data erased (the report link no longer opens),
``expired`` when the link ran out unused. The score, grade, summary and link come from
``order_facts``: never an answer, a key, a rubric, a name or an email.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from hireproof.core.playbook import Verdict
from hireproof.hiring.ats.adapters import Adapter, Call, NotConnected
from hireproof.hiring.ats.exchanges import host_of
from hireproof.hiring.ats.facts import OrderFacts, as_number
from hireproof.hiring.ats.links import report_url
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection, OrderStatus

PENDING, COMPLETED, REJECTED, EXPIRED = "pending", "completed", "rejected", "expired"

STATUS_FOR: dict[OrderStatus, str] = {
    OrderStatus.SENT: PENDING,
    OrderStatus.STARTED: PENDING,
    OrderStatus.SUBMITTED: PENDING,
    OrderStatus.SCORED: COMPLETED,
    OrderStatus.CANCELLED: REJECTED,
    OrderStatus.ERASED: REJECTED,
    OrderStatus.EXPIRED: EXPIRED,
}
"""Workable's status for each of an order's."""

GRADE_FOR: dict[str, str] = {
    Verdict.STRONG_PASS: "excelled",
    Verdict.BORDERLINE: "passed",
    Verdict.FAIL: "failed",
    Verdict.CRITICAL_FAIL: "failed",
}
"""Workable's grade for each verdict (shown there as definitely yes, yes, no)."""


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header Workable expects."""
    return {"Authorization": f"Bearer {token}"}


def _percent(text: str) -> str:
    return f"{as_number(Decimal(text))}%"


def summary(facts: OrderFacts) -> str:
    """One line: the verdict, the flags and each section's percent."""
    flags = facts.flags or 0
    sections = ", ".join(f"{name} {_percent(p)}" for name, p in sorted(facts.sections.items()))
    return (
        f"{facts.verdict_text}; {flags} flag{'' if flags == 1 else 's'} raised;"
        f" sections: {sections or 'none'}"
    )


def details(facts: OrderFacts) -> str:
    """The recommendation and the playbook the test was scored with, one fact a line."""
    return "\n".join(
        [
            f"Score: {facts.score_percent}% ({facts.verdict})",
            f"Recommendation: {facts.recommendation}",
            f"Flags raised: {facts.flags or 0}",
            f"Playbook: {facts.playbook_id} version {facts.playbook_version}"
            f" (sha256 {facts.playbook_hash})",
        ]
    )


def duration(facts: OrderFacts) -> str | None:
    """How long the candidate took, ``HH:MM:SS`` (``None`` without both times)."""
    if facts.started_at is None or facts.submitted_at is None:
        return None
    seconds = max(0, int((facts.submitted_at - facts.started_at) / timedelta(seconds=1)))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def result_body(order: AssessmentOrder, facts: OrderFacts, now: datetime) -> dict[str, Any]:
    """The body of the ``PUT`` for ``facts``: the status, and once scored the report link and
    the assessment's score, grade, summary, details and duration."""
    status = STATUS_FOR[facts.status]
    if not facts.scored:
        return {"status": status}
    assert facts.score_percent is not None  # a scored order has its score
    assert facts.verdict is not None  # and its verdict
    return {
        "status": status,
        "results_url": report_url(order, now),
        "assessment": {
            "score": as_number(facts.score_percent),
            "grade": GRADE_FOR[facts.verdict],
            "summary": summary(facts),
            "details": details(facts),
            "duration": duration(facts),
        },
    }


def put_result(
    order: AssessmentOrder, facts: OrderFacts, connection: AtsConnection | None, now: datetime
) -> list[Call]:
    """``PUT`` the order's new status to the ``callback_url`` Workable gave, with the token
    Workable generated for the integration; nothing when Workable already heard that status
    (a start after ``pending``). ``NotConnected`` without the token."""
    status = STATUS_FOR[facts.status]
    told = STATUS_FOR.get(OrderStatus(order.reported_status)) if order.reported_status else None
    if told == status:
        return []
    token = connection.ats_secret if connection is not None else ""
    if not token:
        raise NotConnected(
            "Workable's token for results is not set: save the token Workable generated for"
            " the integration on the Workable settings page."
        )
    body = result_body(order, facts, now)
    asked: dict[str, Any] = {"host": host_of(order.callback_url), "workable_status": status}
    if facts.scored:
        asked |= {"score": str(facts.score_percent), "grade": body["assessment"]["grade"]}
    return [
        Call(
            f"put_{status}",
            "PUT",
            order.callback_url,
            json.dumps(body).encode(),
            bearer(token),
            asked,
        )
    ]


def test_event(connection: AtsConnection) -> list[Call]:
    """What Workable would call first: ``GET`` our own ``/integrations/workable/tests`` with
    the key saved for Workable, proving the site's address and the key (``NotConnected``
    without the key)."""
    key = connection.api_key_raw
    if not key:
        raise NotConnected(
            "No hireproof API key is kept for Workable: create one with the workable scope and"
            " save it on the Workable settings page."
        )
    url = f"{settings.HIREPROOF_SITE_URL}{reverse('integrations:workable_tests')}"
    return [Call("test_event", "GET", url, b"", bearer(key), {"host": host_of(url)})]


ADAPTER = Adapter(Ats.WORKABLE, frozenset(STATUS_FOR), put_result, test_event)
"""Workable hears of every status, each mapped to one of its four, never twice in a row."""
