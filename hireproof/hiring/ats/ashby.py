"""The Ashby Assessments contract: what hireproof answers and the ``assessment.update`` it sends.

Ashby calls three endpoints hireproof hosts (``hireproof.integrations.ashby``):
``assessment.list``, ``assessment.start`` and ``assessment.cancel``. As the order moves,
hireproof calls Ashby's ``POST /assessment.update`` (at the connection's API address, by default
``https://api.ashbyhq.com``) with HTTP Basic auth, the customer's Ashby API key as the user name
and an empty password: ``assessment_id`` (the order's ``hpo_`` id), ``timestamp`` (milliseconds
since the epoch) and either ``assessment_status`` (started, submitted, completed) or
``cancelled_reason`` (cancelled, expired, erased). Once scored it adds ``assessment_result`` (the
overall percent), ``assessment_profile_url`` (the signed, read-only report link) and
``metadata``. Each of these values is Ashby's data value object ``{identifier, label,
description, type, value}``, ``type`` one of ``numeric_score``, ``numeric_duration_minutes``,
``url``, ``string`` and ``boolean_success``, every identifier unique within an update. Ashby
answers ``{"success": true, ...}``, or ``{"success": false, "errors": [...], "errorInfo": {"code",
"message"}}``, which may come with a 200: a call counts as accepted only with ``success`` true.

The settings page's test event is ``POST /apiKey.info`` with the same key: a call Ashby
documents for reading the key's own name and scopes, which changes nothing.

Sources: Ashby's guide "Creating an Assessments Integration"
(https://developers.ashbyhq.com/docs/creating-an-assessments-integration), its reference for
``assessment.update`` (https://developers.ashbyhq.com/docs/assessmentupdate), and the OpenAPI
copies of Ashby's reference in ``api-evangelist/ashby``:
``openapi/ashby-assessment-api-openapi.yml`` (the partner's ``assessment.list``, ``start`` and
``cancel``, the update's body, the data value object) and
``openapi/ashby-api-key-api-openapi.yml`` (``apiKey.info``, the success and error envelopes).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from hireproof.hiring.ats.adapters import Adapter, Call, NotConnected
from hireproof.hiring.ats.exchanges import host_of
from hireproof.hiring.ats.facts import OrderFacts, section_key
from hireproof.hiring.ats.greenhouse import basic_auth
from hireproof.hiring.ats.links import report_url
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection, OrderStatus

DEFAULT_API = "https://api.ashbyhq.com"
UPDATE = "assessment.update"
KEY_INFO = "apiKey.info"

# What Ashby shows as the assessment's status, for the statuses it hears of as one.
STATUS_WORDS = {
    OrderStatus.STARTED: "Started",  # the word Ashby keeps the start time for
    OrderStatus.SUBMITTED: "Submitted",
    OrderStatus.SCORED: "Completed",
}
# Why the assessment ended without a result, for the statuses Ashby hears of as a cancellation.
CANCELLED_REASONS = {
    OrderStatus.CANCELLED: (
        "Cancelled in hireproof: the candidate's link was revoked, the candidate withdrew, or a"
        " decision was recorded before the test was scored."
    ),
    OrderStatus.EXPIRED: "The candidate's link expired before the test was submitted.",
    OrderStatus.ERASED: "The candidate's personal data was erased from hireproof.",
}
# The statuses after which Ashby considers the assessment over.
ENDED = frozenset({OrderStatus.SCORED, OrderStatus.CANCELLED, OrderStatus.EXPIRED})
_ACCEPTED = re.compile(rb'^\s*\{\s*"success"\s*:\s*true\b')


def value(
    identifier: str, label: str, kind: str, data: str | int | float | bool, description: str = ""
) -> dict[str, Any]:
    """One of Ashby's data value objects (``kind`` is its ``type``)."""
    found: dict[str, Any] = {"identifier": identifier, "label": label, "type": kind}
    if description:
        found["description"] = description
    found["value"] = data
    return found


def _number(amount: Decimal) -> int | float:
    whole = amount.to_integral_value()
    return int(whole) if whole == amount else float(amount)


def metadata(facts: OrderFacts) -> list[dict[str, Any]]:
    """The ``metadata`` of a scored order: the verdict, each section's percent, the flag count,
    the playbook's id, version and hash, and how long the candidate took when known."""
    found = []
    if facts.verdict_text:
        found.append(value("verdict", "Verdict", "string", facts.verdict_text))
    if facts.recommendation:
        found.append(value("recommendation", "Recommendation", "string", facts.recommendation))
    for section, percent in sorted(facts.sections.items()):
        found.append(
            value(
                section_key(section),
                f"Section {section} (%)",
                "numeric_score",
                _number(Decimal(percent)),
                f"Percent of the points of the playbook's {section} section",
            )
        )
    if facts.flags is not None:
        found.append(
            value(
                "flags",
                "Integrity flags",
                "numeric_score",
                facts.flags,
                "How many integrity flags the scorecard raised (open the report for them)",
            )
        )
    found += [
        value("playbook_id", "Playbook", "string", facts.playbook_id),
        value("playbook_version", "Playbook version", "string", facts.playbook_version),
        value(
            "playbook_hash",
            "Playbook hash",
            "string",
            facts.playbook_hash,
            "SHA-256 of the exact playbook the test was scored with",
        ),
    ]
    if facts.started_at is not None and facts.submitted_at is not None:
        minutes = (facts.submitted_at - facts.started_at).total_seconds() / 60
        found.append(
            value("duration", "Time taken", "numeric_duration_minutes", max(0, round(minutes)))
        )
    return found


def update_body(order: AssessmentOrder, facts: OrderFacts, now: datetime) -> dict[str, Any]:
    """``assessment.update``'s body for ``order`` at ``facts.status``."""
    body: dict[str, Any] = {
        "assessment_id": order.public_id,
        "timestamp": int(now.timestamp() * 1000),
    }
    if facts.status in CANCELLED_REASONS:
        reason = CANCELLED_REASONS[facts.status]
        body["cancelled_reason"] = value("cancelled_reason", "Cancelled", "string", reason)
        return body
    body["assessment_status"] = value("status", "Status", "string", STATUS_WORDS[facts.status])
    if facts.scored:
        assert facts.score_percent is not None  # a scored order has its score
        body["assessment_result"] = value(
            "score",
            "Score (%)",
            "numeric_score",
            _number(facts.score_percent),
            "Percent of the playbook's points",
        )
        body["assessment_profile_url"] = value(
            "report", "hireproof report", "url", report_url(order, now)
        )
        body["metadata"] = metadata(facts)
    return body


def audit_of_update(body: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of an update: the id, the status or that it was cancelled, the score
    as text and the metadata's identifiers (no link: it opens the report; no reason text)."""
    status = body.get("assessment_status")
    result = body.get("assessment_result")
    return {
        "assessment_id": body["assessment_id"],
        "assessment_status": None if status is None else status["value"],
        "cancelled": "cancelled_reason" in body,
        "score": None if result is None else str(result["value"]),
        "metadata": [item["identifier"] for item in body.get("metadata", [])],
    }


def refusal(answer: bytes) -> str:
    """Why Ashby's 2xx ``answer`` refuses the call ("" when it says ``"success": true``)."""
    if _ACCEPTED.match(answer):
        return ""
    try:
        found = json.loads(answer)
    except ValueError:
        return "Ashby's answer is not its JSON envelope"
    if not isinstance(found, dict) or found.get("success") is not False:
        return "Ashby's answer does not say success"
    info = found.get("errorInfo")
    if isinstance(info, dict) and info.get("code"):
        return f"Ashby refused the call: {info['code']}: {str(info.get('message', ''))[:200]}"
    return f"Ashby refused the call: {'; '.join(str(e) for e in found.get('errors', []))[:200]}"


def _base(connection: AtsConnection | None) -> tuple[str, str]:
    if connection is None:
        raise NotConnected("Ashby is not connected: no Ashby connection is saved and switched on")
    key = connection.ats_secret
    if not key:
        raise NotConnected("the Ashby connection has no Ashby API key to call Ashby with")
    return (connection.api_base_url.strip() or DEFAULT_API).rstrip("/"), key


def _post(base: str, name: str, key: str, body: dict[str, Any], asked: dict[str, Any]) -> Call:
    headers = {
        "Authorization": basic_auth(key),
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    return Call(
        name,
        "POST",
        f"{base}/{name}",
        json.dumps(body).encode(),
        headers,
        {"host": host_of(base), **asked},
        check=refusal,
    )


def update_calls(
    order: AssessmentOrder, facts: OrderFacts, connection: AtsConnection | None, now: datetime
) -> list[Call]:
    """Tell Ashby where the order stands (nothing for an erasure after the assessment ended in
    Ashby: it keeps the result it had, and the report link stops working)."""
    if facts.status is OrderStatus.ERASED and order.reported_status in ENDED:
        return []
    base, key = _base(connection)
    body = update_body(order, facts, now)
    return [_post(base, UPDATE, key, body, audit_of_update(body))]


def api_key_info(connection: AtsConnection) -> list[Call]:
    """The test event: ``apiKey.info`` with the connection's key (it reads, never writes)."""
    base, key = _base(connection)
    return [_post(base, KEY_INFO, key, {}, {})]


ADAPTER = Adapter(
    Ats.ASHBY,
    frozenset(STATUS_WORDS) | frozenset(CANCELLED_REASONS),
    update_calls,
    test_event=api_key_info,
)
"""Ashby hears of every status after the start: started, submitted and completed with the
result, or cancelled with a reason (cancelled, expired, erased)."""
