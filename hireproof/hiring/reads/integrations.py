"""The integrations settings pages' reads: each ATS's state, and its recent exchanges.

An ATS is *not connected* until an administrator saves its connection, then *on* or *off*. A
failed exchange is one that got no answer, a status outside 2xx, or an error (a refused body,
an unknown id, a set-up missing). The exchanges come newest first, a page at a time, each page
after the last row of the one before (``before``: that row's id), so a new exchange never moves
a row from one page to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet, Subquery

from hireproof.hiring.models.orders import Ats, AtsConnection, AtsExchange

PAGE = 50
FAILURE_WINDOW = timedelta(hours=24)

FAILED = Q(status_code__isnull=True) | Q(status_code__lt=200) | Q(status_code__gte=300)
FAILED |= ~Q(error="")
"""An exchange that failed: no answer, a status outside 2xx, or an error kept with it."""


@dataclass(frozen=True)
class IntegrationRow:
    """One ATS on the list: its state, its last exchange, its failures of the last 24 hours."""

    ats: Ats
    connection: AtsConnection | None
    last_exchange_at: datetime | None
    recent_failures: int

    @property
    def state(self) -> str:
        """``not connected``, ``on`` or ``off``."""
        if self.connection is None:
            return "not connected"
        return "on" if self.connection.enabled else "off"


def integration_rows(now: datetime) -> list[IntegrationRow]:
    """Every ATS hireproof speaks with, in a fixed order (three queries)."""
    connections = {c.ats: c for c in AtsConnection.objects.all()}
    last = dict(AtsExchange.objects.values("ats").annotate(at=Max("at")).values_list("ats", "at"))
    failures = dict(
        AtsExchange.objects.filter(FAILED, at__gte=now - FAILURE_WINDOW)
        .values("ats")
        .annotate(n=Count("id"))
        .values_list("ats", "n")
    )
    return [
        IntegrationRow(ats, connections.get(ats), last.get(ats), failures.get(ats, 0))
        for ats in Ats
    ]


def connection_of(ats: Ats) -> AtsConnection | None:
    """``ats``'s saved connection (on or off) with its key, or ``None``."""
    return AtsConnection.objects.select_related("api_key", "connected_by").filter(ats=ats).first()


@dataclass(frozen=True)
class ExchangePage:
    """A page of exchanges and where the next one starts (``None``: this was the last)."""

    rows: list[AtsExchange]
    next_before: int | None


def recent_exchanges(
    ats: Ats, *, failed_only: bool = False, before: int | None = None, size: int = PAGE
) -> ExchangePage:
    """``ats``'s exchanges, newest first: ``size`` of them after exchange ``before`` (from the
    newest when ``None``), only the failed ones if asked (two queries)."""
    rows: QuerySet[AtsExchange] = AtsExchange.objects.filter(ats=ats).select_related("order")
    if failed_only:
        rows = rows.filter(FAILED)
    if before is not None:
        anchor = Subquery(AtsExchange.objects.filter(ats=ats, pk=before).values("at")[:1])
        rows = rows.filter(Q(at__lt=anchor) | Q(at=anchor, pk__lt=before))
    found = list(rows.order_by("-at", "-pk")[: size + 1])
    more = len(found) > size
    shown = found[:size]
    return ExchangePage(shown, shown[-1].pk if more and shown else None)


def failed(exchange: AtsExchange) -> bool:
    """True when ``exchange`` failed (see ``FAILED``)."""
    code = exchange.status_code
    return code is None or not 200 <= code < 300 or bool(exchange.error)
