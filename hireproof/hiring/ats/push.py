"""Reporting an order's new status to its ATS: a queued task, tried again until it succeeds.

The actions that move a candidate (start, submission and scoring, a decision, an erasure) call
``notify_orders`` in their transaction; it queues ``push_order`` for each of the candidate's
orders, so a push exists exactly when the action committed. The task reads the order's facts now
and, when its ATS hears of that status (``ADAPTERS``: Greenhouse of a scored test only, Ashby of
every status after the start, Workable of every status, Lever of a sent, scored, cancelled or
expired one), sends the adapter's calls through ``platform.outbound`` (the SSRF guard) with
``make_call``, which keeps each exchange; once every call succeeded it remembers the status
reported, so a repeat of the task sends nothing twice, and a call that succeeded for this status
is not sent again when a later one failed. A refused address, no answer, a redirect (never
followed), a status other than 2xx or a missing set-up is recorded and raises ``AtsCallFailed``:
the queue tries again after 30 s, then 1, 2, 4 and 8 minutes (six tries in about a quarter of an
hour), and after the last the failure is on the Background work page, where Retry now queues it
again. An order placed is reported like a move (``do_place_order`` calls ``notify_orders``):
Workable hears ``pending`` then. A link that runs out unused moves the candidate with no action:
placing an order and sending a link again queue a push for the moment the link expires
(``notify_orders_at``), which reports ``expired`` if it did.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hireproof.hiring.ats import ashby, greenhouse, lever, workable
from hireproof.hiring.ats.adapters import Adapter, Call, NotConnected
from hireproof.hiring.ats.exchanges import record_exchange
from hireproof.hiring.ats.facts import OrderFacts, order_facts
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.orders import (
    AssessmentOrder,
    AtsExchange,
    Direction,
    connection_for,
    switched_off,
)
from hireproof.platform.outbound import EXCERPT_BYTES, OutboundFailed, OutboundRefused, send
from hireproof.platform.tasks import background_task, enqueue, enqueue_at

PUSH_TRIES = 6
PUSH_FIRST_DELAY = 30.0
PUSH_LEASE = timedelta(minutes=5)  # longer than the calls of one push can take

ADAPTERS: dict[str, Adapter] = {
    adapter.ats: adapter
    for adapter in (
        greenhouse.ADAPTER,
        ashby.ADAPTER,
        workable.ADAPTER,
        lever.ADAPTER,
    )
}


class AtsCallFailed(Exception):
    """The ATS did not accept the call; the queue tries it again."""


def notify_orders(candidate: Candidate, *, at: datetime) -> int:
    """Queue a push for each of ``candidate``'s orders (in the caller's transaction); how
    many."""
    ids = list(AssessmentOrder.objects.filter(candidate=candidate).values_list("pk", flat=True))
    for pk in ids:
        enqueue(push_order, pk)
    return len(ids)


def notify_orders_at(candidate: Candidate, when: datetime) -> int:
    """Queue a push for each of ``candidate``'s orders at ``when`` (the moment their link
    expires: time, not an action, moves them then); how many."""
    ids = list(AssessmentOrder.objects.filter(candidate=candidate).values_list("pk", flat=True))
    for pk in ids:
        enqueue_at(when, push_order, pk)
    return len(ids)


def make_call(
    call: Call, *, ats: str, order: AssessmentOrder | None = None, actor: str = "system"
) -> tuple[AtsExchange, str]:
    """Send ``call`` and keep the exchange; the exchange and the failure in words ("" when
    the ATS accepted it with a 2xx that ``call.check``, if any, finds no refusal in)."""
    exchange, error, _ = read_call(call, ats=ats, order=order, actor=actor)
    return exchange, error


def read_call(
    call: Call,
    *,
    ats: str,
    order: AssessmentOrder | None = None,
    actor: str = "system",
    limit: int = EXCERPT_BYTES,
) -> tuple[AtsExchange, str, bytes]:
    """``make_call`` that also gives the answer's body, up to ``limit`` bytes (b"" when no
    answer came): for a call whose answer the caller reads, such as a record of the ATS."""
    status: int | None = None
    error, excerpt, seconds, body = "", "", 0.0, b""
    try:
        answer = send(call.method, call.url, call.body, call.headers, limit=limit)
    except (OutboundRefused, OutboundFailed) as problem:
        error = str(problem)
    else:
        status, seconds, body = answer.status, answer.seconds, answer.excerpt
        excerpt = answer.excerpt[:EXCERPT_BYTES].decode("utf-8", "replace")
        if 300 <= status < 400:
            error = "a redirect, which is never followed"
        elif not 200 <= status < 300:
            error = f"the ATS answered {status}: {excerpt[:200]}"
        elif call.check is not None:
            error = call.check(answer.excerpt)
    exchange = record_exchange(
        ats=ats,
        direction=Direction.OUTBOUND,
        call=call.name,
        actor=actor,
        at=timezone.now(),
        order=order,
        status=status,
        asked=call.asked,
        answered={"status": status},
        error=error,
        seconds=seconds,
    )
    return exchange, error, body


def _done_before(order: AssessmentOrder, call: Call) -> bool:
    return AtsExchange.objects.filter(
        order=order,
        direction=Direction.OUTBOUND,
        call=call.name,
        status_code__gte=200,
        status_code__lt=300,
        error="",
        asked__status=call.asked.get("status"),
    ).exists()


def _refuse(order: AssessmentOrder, call: str, status: str, error: str) -> None:
    record_exchange(
        ats=order.ats,
        direction=Direction.OUTBOUND,
        call=call,
        actor="system",
        at=timezone.now(),
        order=order,
        asked={"status": status},
        error=error,
    )
    raise AtsCallFailed(f"{order.ats} {call} for order {order.public_id}: {error}")


def _order(order_id: int) -> AssessmentOrder | None:
    return (
        AssessmentOrder.objects.select_related("candidate__subject", "opening__playbook_version")
        .filter(pk=order_id)
        .first()
    )


def _news(order_id: int) -> tuple[AssessmentOrder, Adapter, OrderFacts] | None:
    """The order, its adapter and its facts now, when its ATS has news to hear; else None."""
    order = _order(order_id)
    adapter = ADAPTERS.get(order.ats) if order is not None else None
    if order is None or adapter is None:
        return None
    facts = order_facts(order, timezone.now())
    if order.reported_status == facts.status or facts.status not in adapter.reports:
        return None
    return order, adapter, facts


def _claim(order_id: int) -> bool:
    """Hold the order for one push (a lease, so a push killed mid-way frees it in time)."""
    now = timezone.now()
    return bool(
        AssessmentOrder.objects.filter(pk=order_id)
        .filter(Q(push_claimed_until__isnull=True) | Q(push_claimed_until__lt=now))
        .update(push_claimed_until=now + PUSH_LEASE)
    )


@background_task(label="Report a result to an ATS", tries=PUSH_TRIES, first_delay=PUSH_FIRST_DELAY)
def push_order(order_id: int) -> None:
    """Tell order ``order_id``'s ATS its new status, once (see the module).

    Two pushes of one order never report at once (a start's push and a score's, say, both
    reading "scored"): each holds the order (``_claim``, a lease of ``PUSH_LEASE``) and reads
    its news again once it holds it; a push that finds the order held is tried again later,
    when the other has reported or failed."""
    if _news(order_id) is None:
        return
    if not _claim(order_id):
        raise AtsCallFailed(
            f"another report of order {order_id} to its ATS is under way; tried again later"
        )
    try:
        news = _news(order_id)  # as it stands now that this push holds the order
        if news is not None:
            _report(*news)
    finally:
        AssessmentOrder.objects.filter(pk=order_id).update(push_claimed_until=None)


def _report(order: AssessmentOrder, adapter: Adapter, facts: OrderFacts) -> None:
    now = timezone.now()
    status = str(facts.status)
    if switched_off(order.ats):
        _refuse(order, "report", status, "the connection is switched off in hireproof")
    try:
        calls = adapter.calls(order, facts, connection_for(order.ats), now)
    except NotConnected as missing:
        _refuse(order, "report", status, str(missing))
        return
    for call in calls:
        stamped = replace(call, asked={**call.asked, "status": status})
        if _done_before(order, stamped):
            continue
        _, error = make_call(stamped, ats=order.ats, order=order)
        if error:
            raise AtsCallFailed(f"{order.ats} {call.name} for order {order.public_id}: {error}")
    with transaction.atomic():
        AssessmentOrder.objects.filter(pk=order.pk).update(reported_status=status, reported_at=now)
