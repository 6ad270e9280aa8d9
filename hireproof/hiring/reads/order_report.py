"""The read-only report an ATS links to: the hiring file's summary for one order.

What it holds: the opening, the candidate's name (the ATS's users know it already), the
order's status, and once scored the score, verdict, recommendation, each section's percent, the
number of flags, when it was submitted, the playbook's id, version and hash, the decision in
force, and until when the link opens. Never an answer, an answer key, a rubric, an explanation,
an interviewer's note or a written reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hireproof.hiring.ats.facts import OrderFacts, order_facts
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.models.orders import AssessmentOrder


@dataclass(frozen=True)
class OrderReport:
    """What the report page shows."""

    order: AssessmentOrder
    facts: OrderFacts
    opening_title: str
    candidate_name: str
    decision: str | None  # the outcome in force, in words


def order_report(order: AssessmentOrder, now: datetime) -> OrderReport:
    """The report of ``order`` at ``now``."""
    decision = (
        Decision.objects.filter(candidate_id=order.candidate_id, superseded_by__isnull=True)
        .order_by("-decided_at", "-id")
        .first()
    )
    return OrderReport(
        order=order,
        facts=order_facts(order, now),
        opening_title=order.opening.title,
        candidate_name=order.candidate.name,
        decision=decision.get_outcome_display() if decision is not None else None,
    )
