"""What the pipeline and other lists show about decisions, for many candidates in one query.

``decision_marks(candidate_ids)`` gives, per candidate with a decision, the decision in force
and whether it hired despite a critical_fail (flagged in every report) or went against the
recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import Decision, Outcome


@dataclass(frozen=True)
class DecisionMark:
    """The decision in force for one candidate, as a list row shows it."""

    outcome: Outcome
    overrides_critical: bool
    against_recommendation: bool

    @property
    def label(self) -> str:
        """``"Hire"``, ``"No hire"`` or ``"Withdrawn"``."""
        return str(Outcome(self.outcome).label)


def decision_marks(candidate_ids: Iterable[int]) -> dict[int, DecisionMark]:
    """Candidate id -> the decision in force, for those of ``candidate_ids`` that have one."""
    rows = Decision.objects.filter(
        candidate_id__in=list(candidate_ids), superseded_by__isnull=True
    ).values_list("candidate_id", "outcome", "overrides_critical", "against_recommendation")
    return {
        candidate_id: DecisionMark(Outcome(outcome), overrides, against)
        for candidate_id, outcome, overrides, against in rows
    }


def decision_cells(candidate_ids: Sequence[int]) -> dict[int, SafeString]:
    """The pipeline's "Decision" column (``openings.columns``): one badge per decided candidate."""
    return {
        candidate_id: render_to_string("decisions/_mark.html", {"mark": mark})
        for candidate_id, mark in decision_marks(candidate_ids).items()
    }
