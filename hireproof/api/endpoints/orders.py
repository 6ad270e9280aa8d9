"""Assessment orders: what applicant tracking systems asked for, and where each stands.

Both need the ``read`` scope and ``READ_CANDIDATES``. An order carries the facts every ATS is
told (``hiring.ats.facts``): its status read from the candidate's stage, and once the test is
scored the score, verdict, recommendation, flag count, each section's percent and a signed,
expiring link to the read-only report; always the playbook version it was pinned to. One
order also lists its recent exchanges with its ATS, by ids, statuses and counts only. Never a
name, an email, an answer or a credential.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import after_cursor, answers, next_cursor
from hireproof.api.gate import acting
from hireproof.api.schemas import Id, PlaybookRef
from hireproof.hiring.access import access_order, access_orders
from hireproof.hiring.ats.facts import OrderFacts, order_facts
from hireproof.hiring.ats.links import report_url
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsExchange, OrderStatus
from hireproof.hiring.reads.orders import order_slice, recent_exchanges

router = Router(tags=["orders"])


class OrderOut(Schema):
    """An order and its facts (``null`` where there is nothing yet)."""

    public_id: str
    ats: Ats
    opening_id: int
    candidate_id: int
    ats_reference: str = Field(description="the ATS's own id of the candidate or application")
    created_at: datetime
    status: OrderStatus
    score_percent: Decimal | None
    verdict: str | None
    recommendation: str | None
    flags: int | None
    sections: dict[str, str] = Field(description="section id -> percent, as a decimal string")
    submitted_at: datetime | None
    report_url: str | None = Field(description="a signed, read-only link that expires")
    reported_status: str | None = Field(description="the last status the ATS accepted")
    reported_at: datetime | None
    playbook: PlaybookRef


class ExchangeOut(Schema):
    """One call between hireproof and the ATS, by ids, statuses and counts only."""

    id: int
    at: datetime
    direction: str = Field(description="in: the ATS called hireproof; out: hireproof called it")
    call: str
    status_code: int | None
    failed: bool
    asked: dict[str, Any]
    answered: dict[str, Any]


class OrderDetail(OrderOut):
    """An order, its facts and its recent exchanges, newest first."""

    exchanges: list[ExchangeOut]


class OrderList(Schema):
    """One page of orders; ``next_cursor`` continues it (``null`` on the last page)."""

    items: list[OrderOut]
    next_cursor: str | None


class OrdersQuery(Schema):
    """Filters and the page's position."""

    ats: Ats | None = None
    opening: Id | None = None
    status: OrderStatus | None = None
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=100)


def order_out(order: AssessmentOrder, facts: OrderFacts, now: datetime) -> dict[str, object]:
    """An order as the API shows it."""
    return {
        "public_id": order.public_id,
        "ats": order.ats,
        "opening_id": order.opening_id,
        "candidate_id": order.candidate_id,
        "ats_reference": order.ats_reference,
        "created_at": order.created_at,
        "status": facts.status.value,
        "score_percent": facts.score_percent,
        "verdict": facts.verdict,
        "recommendation": facts.recommendation,
        "flags": facts.flags,
        "sections": facts.sections,
        "submitted_at": facts.submitted_at,
        "report_url": report_url(order, now) if facts.scored else None,
        "reported_status": order.reported_status or None,
        "reported_at": order.reported_at,
        "playbook": {
            "playbook_id": facts.playbook_id,
            "version": facts.playbook_version,
            "hash": facts.playbook_hash,
        },
    }


def exchange_out(exchange: AtsExchange) -> dict[str, object]:
    """An exchange as the API shows it (never its error's text: it may quote the ATS)."""
    return {
        "id": exchange.pk,
        "at": exchange.at,
        "direction": exchange.direction,
        "call": exchange.call,
        "status_code": exchange.status_code,
        "failed": bool(exchange.error),
        "asked": exchange.asked,
        "answered": exchange.answered,
    }


@router.get("/orders", response=answers({200: OrderList}), url_name="orders")
def list_orders(request: HttpRequest, filters: Query[OrdersQuery]) -> dict[str, object]:
    """Every order by id, ``limit`` at a time (at most 500), optionally of one ``ats``, for
    one ``opening`` or at one ``status``. Follow ``next_cursor`` for the next page."""
    orders = access_orders(acting(request, Scope.READ), Permission.READ_CANDIDATES)
    now = timezone.now()
    found = order_slice(
        orders,
        now=now,
        after=after_cursor(filters.cursor),
        limit=filters.limit,
        ats=filters.ats,
        opening_id=filters.opening,
        status=filters.status,
    )
    return {
        "items": [order_out(o, found.facts[o.pk], now) for o in found.orders],
        "next_cursor": next_cursor(found.next_after),
    }


@router.get("/orders/{public_id}", response=answers({200: OrderDetail}), url_name="order")
def get_order(request: HttpRequest, public_id: str) -> dict[str, object]:
    """One order (``hpo_...``), its facts and its recent exchanges with the ATS."""
    order = access_order(acting(request, Scope.READ), None, public_id, Permission.READ_CANDIDATES)
    now = timezone.now()
    return {
        **order_out(order, order_facts(order, now), now),
        "exchanges": [exchange_out(exchange) for exchange in recent_exchanges(order)],
    }
