"""Reporting an order's new status to its ATS: a queued task, tried again until it succeeds.

The actions that move a candidate (start, submission and scoring, a decision, an erasure) call
``notify_orders`` in their transaction; it queues ``push_order`` for each of the candidate's
orders that has a callback, so a push exists exactly when the action committed. The task reads
the order's facts now, and when its ATS wants to hear of that status (Greenhouse: a scored test,
the only news its contract carries) it calls the ATS through ``platform.outbound`` (the SSRF
guard), records the exchange, and on success remembers the status reported, so a repeat of the
task sends nothing twice. A refused address, no answer, a redirect (never followed) or a status
other than 2xx is recorded and raises ``AtsCallFailed``: the queue tries again after 30 s, then
1, 2, 4 and 8 minutes (six tries in about a quarter of an hour), and after the last the failure
is on the Background work page, where Retry now queues it again.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hireproof.hiring.ats import greenhouse
from hireproof.hiring.ats.exchanges import host_of, record_exchange
from hireproof.hiring.ats.facts import OrderFacts, order_facts
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.orders import AssessmentOrder, Ats, Direction
from hireproof.platform.outbound import EXCERPT_BYTES, OutboundFailed, OutboundRefused
from hireproof.platform.tasks import background_task, enqueue

PUSH_TRIES = 6
PUSH_FIRST_DELAY = 30.0


class AtsCallFailed(Exception):
    """The ATS did not accept the call; the queue tries it again."""


def notify_orders(candidate: Candidate, *, at: datetime) -> int:
    """Queue a push for each of ``candidate``'s orders with a callback (in the caller's
    transaction); how many."""
    ids = list(
        AssessmentOrder.objects.filter(candidate=candidate)
        .exclude(callback_url="")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        enqueue(push_order, pk)
    return len(ids)


def wants(order: AssessmentOrder, facts: OrderFacts) -> bool:
    """Whether ``order``'s ATS is told of ``facts.status``: Greenhouse hears of a scored test
    only; the other adapters say what they hear of."""
    if order.reported_status == facts.status:
        return False
    if order.ats == Ats.GREENHOUSE:
        return facts.scored
    return False


@background_task(label="Report a result to an ATS", tries=PUSH_TRIES, first_delay=PUSH_FIRST_DELAY)
def push_order(order_id: int) -> None:
    """Tell order ``order_id``'s ATS its new status, once (see the module)."""
    order = (
        AssessmentOrder.objects.select_related("candidate__subject", "opening__playbook_version")
        .filter(pk=order_id)
        .first()
    )
    if order is None or not order.callback_url:
        return
    now = timezone.now()
    facts = order_facts(order, now)
    if not wants(order, facts):
        return
    call = "patch_completed"
    asked = {"host": host_of(order.callback_url), "status": str(facts.status)}
    status: int | None = None
    error, excerpt, seconds = "", "", 0.0
    try:
        answer = greenhouse.patch_completed(order)
    except (OutboundRefused, OutboundFailed) as problem:
        error = str(problem)
    else:
        status, seconds = answer.status, answer.seconds
        excerpt = answer.excerpt[:EXCERPT_BYTES].decode("utf-8", "replace")
        if 300 <= status < 400:
            error = "a redirect, which is never followed"
        elif not 200 <= status < 300:
            error = f"the ATS answered {status}: {excerpt[:200]}"
    with transaction.atomic():
        record_exchange(
            ats=order.ats,
            direction=Direction.OUTBOUND,
            call=call,
            actor="system",
            at=timezone.now(),
            order=order,
            status=status,
            asked=asked,
            answered={"status": status},
            error=error,
            seconds=seconds,
        )
        if not error:
            AssessmentOrder.objects.filter(pk=order.pk).update(
                reported_status=str(facts.status), reported_at=now
            )
    if error:
        raise AtsCallFailed(f"{order.ats} {call} for order {order.public_id}: {error}")
