"""What an ATS is told about an order: its status, score and metadata, from the pipeline.

The status is read from the candidate's stage (``models.stage``, the one definition) through
``models.orders.order_status``; the score, verdict, section percents and flag count from the
stored scorecard; the playbook's id, version and hash from the opening. Nothing here is an
answer, an answer key, a rubric, an explanation, a name or an email.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from hireproof.core.scoring import percent_string
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.orders import AssessmentOrder, OrderStatus, order_status
from hireproof.hiring.models.stage import Stage, stage_of, stages_of


@dataclass(frozen=True)
class OrderFacts:
    """One order as every adapter reports it (``None`` where there is nothing yet)."""

    status: OrderStatus
    score_percent: Decimal | None = None
    verdict: str | None = None
    recommendation: str | None = None
    flags: int | None = None
    sections: dict[str, str] = field(default_factory=dict)  # section -> percent, as text
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    playbook_id: str = ""
    playbook_version: str = ""
    playbook_hash: str = ""

    @property
    def scored(self) -> bool:
        """The test is scored: the result can be reported."""
        return self.status is OrderStatus.SCORED

    @property
    def verdict_text(self) -> str | None:
        """The verdict in words ("Strong pass", "Borderline", "Fail", "Critical fail")."""
        return self.verdict.replace("_", " ").capitalize() if self.verdict else None


def as_number(value: Decimal) -> int | float:
    """A percent as a JSON number: whole when it is (``100``), else a float (``87.5``)."""
    whole = value.to_integral_value()
    return int(whole) if whole == value else float(value)


def _attempt_of(order: AssessmentOrder) -> Attempt | None:
    return Attempt.objects.filter(invitation__candidate_id=order.candidate_id).first()


def section_key(section: str) -> str:
    """The name an ATS's metadata gives ``section``'s percent: ``section_<id>_percent`` in
    snake_case (a playbook's section ids may hold hyphens: ``hard-technical-skills``)."""
    return "section_" + re.sub(r"[^a-z0-9]+", "_", section.lower()).strip("_") + "_percent"


def section_percents(scorecard_json: str) -> dict[str, str]:
    """Each section's percent of its points (two places, as the core writes percents)."""
    points: dict[str, Fraction] = {}
    maxima: dict[str, Fraction] = {}
    for item in json.loads(scorecard_json)["items"]:
        section = str(item["section"])
        points[section] = points.get(section, Fraction(0)) + Fraction(item["points"])
        maxima[section] = maxima.get(section, Fraction(0)) + Fraction(item["max_points"])
    return {
        section: percent_string(points[section] / maxima[section] * 100)
        for section in points
        if maxima[section]
    }


@dataclass(frozen=True)
class ScoredResult:
    """A scored attempt's result as a summary reports it: never an answer or an item."""

    score_percent: Decimal | None
    verdict: str
    recommendation: str
    flags: int
    sections: dict[str, str]  # section -> percent, as text
    submitted_at: datetime | None


def scored_result(attempt: Attempt | None) -> ScoredResult | None:
    """``attempt``'s result once it is scored (``None`` before, and once the scorecard is
    erased): the score, verdict, recommendation, flag count and each section's percent."""
    if attempt is None or not attempt.scorecard_hash or not attempt.scorecard_json:
        return None
    return ScoredResult(
        score_percent=attempt.score_percent,
        verdict=attempt.verdict,
        recommendation=attempt.recommendation,
        flags=len(json.loads(attempt.scorecard_json)["flags"]),
        sections=section_percents(attempt.scorecard_json),
        submitted_at=attempt.submitted_at,
    )


def order_facts(order: AssessmentOrder, now: datetime) -> OrderFacts:
    """Where ``order`` stands at ``now``, and its result once the test is scored."""
    return _facts(order, stage_of(order.candidate, now), _attempt_of(order))


def orders_facts(orders: Sequence[AssessmentOrder], now: datetime) -> dict[int, OrderFacts]:
    """Order id -> ``order_facts`` for each of ``orders`` (read with their candidate, opening
    and playbook version), in two queries whatever their number: the stages, the attempts."""
    stages = stages_of([order.candidate for order in orders], now)
    attempts = {
        attempt.invitation.candidate_id: attempt
        for attempt in Attempt.objects.select_related("invitation").filter(
            invitation__candidate_id__in=[order.candidate_id for order in orders]
        )
    }
    return {
        order.pk: _facts(order, stages[order.candidate_id], attempts.get(order.candidate_id))
        for order in orders
    }


def _facts(order: AssessmentOrder, stage: Stage, attempt: Attempt | None) -> OrderFacts:
    scored = attempt is not None and bool(attempt.scorecard_hash)
    status = order_status(stage, scored)
    version = order.opening.playbook_version
    pinned = OrderFacts(
        status,
        playbook_id=version.playbook_id,
        playbook_version=version.version,
        playbook_hash=version.content_hash,
    )
    result = scored_result(attempt)
    if result is None or status is OrderStatus.ERASED:
        return pinned
    return replace(
        pinned,
        score_percent=result.score_percent,
        verdict=result.verdict,
        recommendation=result.recommendation,
        flags=result.flags,
        sections=result.sections,
        started_at=attempt.started_at if attempt is not None else None,
        submitted_at=result.submitted_at,
    )
