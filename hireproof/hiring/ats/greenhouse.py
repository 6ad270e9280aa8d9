"""The Greenhouse Assessment Partner contract: what hireproof answers and the PATCH it sends.

Greenhouse calls four endpoints hireproof hosts (``hireproof.integrations.greenhouse``):
``list_tests``, ``send_test``, ``test_status`` and ``response_error``. When an order's test is
scored, hireproof sends ``PATCH`` with no body to the ``url`` Greenhouse gave in ``send_test``,
with HTTP Basic auth (the API key Greenhouse called with, empty password); Greenhouse then
calls ``test_status``. The test event the settings page sends is what Greenhouse would call
first: ``GET list_tests`` on our own site with the connection's key. Answers follow the
contract's rules: every documented property present (``null`` when there is nothing),
snake_case names, ``metadata`` flat with primitive values.
"""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from hireproof.hiring.ats.adapters import Adapter, Call, NotConnected
from hireproof.hiring.ats.exchanges import host_of
from hireproof.hiring.ats.facts import OrderFacts, as_number, section_key
from hireproof.hiring.ats.links import report_url
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection, OrderStatus

COMPLETE = "complete"


def basic_auth(username: str) -> str:
    """The ``Authorization`` header's value for ``username`` with an empty password."""
    return "Basic " + base64.b64encode(f"{username}:".encode()).decode()


def metadata(facts: OrderFacts) -> dict[str, str | int | float | None]:
    """The flat ``metadata`` of a scored order: verdict, recommendation, each section's
    percent, the flag count, and the playbook's id, version and hash."""
    found: dict[str, str | int | float | None] = {
        "verdict": facts.verdict_text,
        "recommendation": facts.recommendation,
        "flags": facts.flags,
        "playbook_id": facts.playbook_id,
        "playbook_version": facts.playbook_version,
        "playbook_hash": facts.playbook_hash,
    }
    for section, percent in sorted(facts.sections.items()):
        found[section_key(section)] = as_number(Decimal(percent))
    return found


def status_answer(order: AssessmentOrder, facts: OrderFacts, now: datetime) -> dict[str, Any]:
    """``test_status``'s answer: ``complete`` with the score, a fresh signed report link and
    the metadata once scored; otherwise the order's status and nulls."""
    if not facts.scored:
        return {
            "partner_status": str(facts.status),
            "partner_profile_url": None,
            "partner_score": None,
            "metadata": None,
        }
    assert facts.score_percent is not None  # a scored order has its score
    return {
        "partner_status": COMPLETE,
        "partner_profile_url": report_url(order, now),
        "partner_score": as_number(facts.score_percent),
        "metadata": metadata(facts),
    }


def audit_of_status(answer: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of a ``test_status`` answer: the status, the score as text, the
    metadata's keys (no link: it opens the report)."""
    score = answer["partner_score"]
    return {
        "partner_status": answer["partner_status"],
        "partner_score": None if score is None else str(score),
        "metadata_keys": sorted(answer["metadata"] or {}),
    }


def patch_completed(
    order: AssessmentOrder, facts: OrderFacts, connection: AtsConnection | None, now: datetime
) -> list[Call]:
    """Tell Greenhouse the test is complete: ``PATCH`` the url it gave, no body, Basic auth
    with the connection's current key (the one Greenhouse holds since the last rotation), or,
    with no key kept in a connection, the key it called us with (the order holds it)."""
    key = (connection.api_key_raw if connection is not None else "") or order.callback_auth
    headers = {"Authorization": basic_auth(key)} if key else {}
    asked = {"host": host_of(order.callback_url)}
    return [Call("patch_completed", "PATCH", order.callback_url, b"", headers, asked)]


def test_event(connection: AtsConnection) -> list[Call]:
    """What Greenhouse would call first: ``GET list_tests`` at this site's address
    (``HIREPROOF_SITE_URL``), with the connection's key as the Basic user name."""
    key = connection.api_key_raw
    if not key:
        raise NotConnected(
            "no hireproof API key is kept for Greenhouse: rotate the key to make one"
        )
    url = settings.HIREPROOF_SITE_URL + reverse("integrations:greenhouse_list_tests")
    headers = {"Authorization": basic_auth(key)}
    return [Call("list_tests", "GET", url, b"", headers, {"host": host_of(url)})]


ADAPTER = Adapter(Ats.GREENHOUSE, frozenset({OrderStatus.SCORED}), patch_completed, test_event)
"""Greenhouse hears of a scored test only, the one news its contract carries."""
