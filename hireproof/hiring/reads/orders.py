"""Assessment orders for programs (the API's list and one order): a page at a time, with the
facts every ATS is told (``hiring.ats.facts``) and an order's recent exchanges.

Pages follow the order's id, a key that only grows, as the candidates' list does: a page is
"the next ``limit`` orders after id N", so orders placed while a program walks the list appear
at the end and none is skipped or repeated. The status filter is the order's status read from
the candidate's stage (``models.orders.status_filter``), computed in the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from hireproof.hiring.ats.facts import OrderFacts, orders_facts
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.orders import AssessmentOrder, AtsExchange, OrderStatus, status_filter
from hireproof.hiring.models.stage import with_stage

MAX_PAGE = 500
RECENT_EXCHANGES = 20


@dataclass(frozen=True)
class OrderSlice:
    """One page of orders with their facts, and the id the next page starts after (``None``:
    the last)."""

    orders: list[AssessmentOrder]
    facts: dict[int, OrderFacts]
    next_after: int | None


def order_slice(
    orders: QuerySet[AssessmentOrder],
    *,
    now: datetime,
    after: int | None = None,
    limit: int = 50,
    ats: str | None = None,
    opening_id: int | None = None,
    status: OrderStatus | None = None,
) -> OrderSlice:
    """The first ``limit`` (at most ``MAX_PAGE``) of ``orders`` with an id above ``after``, of
    ``ats``, for ``opening_id`` and at ``status`` when given, by id; their facts in two more
    queries."""
    if after is not None:
        orders = orders.filter(pk__gt=after)
    if ats is not None:
        orders = orders.filter(ats=ats)
    if opening_id is not None:
        orders = orders.filter(opening_id=opening_id)
    if status is not None:
        ordered = Candidate.objects.filter(pk__in=AssessmentOrder.objects.values("candidate_id"))
        at_status = with_stage(ordered, now).filter(status_filter(status))
        orders = orders.filter(candidate_id__in=at_status.values("pk"))
    size = max(1, min(limit, MAX_PAGE))
    found = list(orders.order_by("pk")[: size + 1])
    page = found[:size]
    more = len(found) > size
    return OrderSlice(page, orders_facts(page, now), page[-1].pk if more and page else None)


def recent_exchanges(order: AssessmentOrder) -> list[AtsExchange]:
    """The order's latest exchanges, newest first."""
    return list(AtsExchange.objects.filter(order=order).order_by("-at", "-pk")[:RECENT_EXCHANGES])
