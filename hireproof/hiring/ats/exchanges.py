"""Every call between hireproof and an ATS, kept twice: an ``AtsExchange`` row (the recent
exchanges an administrator reads) and an ``ats.exchange`` event of the audit log.

Both hold what was asked and answered by ids, statuses, counts and scores only: never a name,
an email, an API key, a callback's credential or a URL carrying one (a callback URL is kept by
its host). The caller builds ``asked`` and ``answered`` from such values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.models.orders import AssessmentOrder, AtsExchange, Direction


def host_of(url: str) -> str:
    """The host a URL names (what the log keeps of a callback URL)."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def record_exchange(
    *,
    ats: str,
    direction: Direction,
    call: str,
    actor: str,
    at: datetime,
    order: AssessmentOrder | None = None,
    status: int | None = None,
    asked: dict[str, Any] | None = None,
    answered: dict[str, Any] | None = None,
    error: str = "",
    seconds: float = 0.0,
) -> AtsExchange:
    """Keep one exchange (in the caller's transaction, or its own) and record it in the log."""
    with transaction.atomic():
        return _record(
            ats, direction, call, actor, at, order, status, asked, answered, error, seconds
        )


def _record(
    ats: str,
    direction: Direction,
    call: str,
    actor: str,
    at: datetime,
    order: AssessmentOrder | None,
    status: int | None,
    asked: dict[str, Any] | None,
    answered: dict[str, Any] | None,
    error: str,
    seconds: float,
) -> AtsExchange:
    row = AtsExchange.objects.create(
        ats=ats,
        direction=direction,
        call=call,
        order=order,
        status_code=status,
        asked=asked or {},
        answered=answered or {},
        error=error[:2000],
        duration_ms=max(0, round(seconds * 1000)),
        at=at,
    )
    public: dict[str, Any] = {
        "ats": ats,
        "direction": str(direction),
        "call": call,
        "status": status,
        "order_id": order.public_id if order is not None else None,
        "candidate_id": order.candidate_id if order is not None else None,
        "asked": asked or {},
        "answered": answered or {},
        "failed": bool(error),
    }
    record_event(
        EventType.ATS_EXCHANGE,
        actor=actor,
        subject=None if order is None or order.candidate.is_erased else order.candidate.subject,
        public=public,
        at=at,
    )
    return row
