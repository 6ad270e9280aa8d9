"""Candidates of an opening, a page at a time, for programs (the API's list).

Pages follow the candidate's id, a stable key that only grows: a page is "the next ``limit``
candidates after id N" (one indexed query, however deep the page), so candidates added while a
program walks the list appear at the end and none is skipped or repeated. Filters: the stage
(``hireproof.hiring.models.stage``, computed in the same query) and the test's verdict. Each
row carries its subject, invitation, attempt and stage; the decisions in force come in one more
query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hireproof.core.playbook import Verdict
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.stage import Stage, with_stage

MAX_PAGE = 500


@dataclass(frozen=True)
class CandidateSlice:
    """One page of candidates, and the id the next page starts after (``None``: the last)."""

    candidates: list[Candidate]
    decisions: dict[int, str]  # candidate id -> the outcome in force
    next_after: int | None


def candidate_slice(
    opening: Opening,
    *,
    now: datetime,
    after: int | None = None,
    limit: int = 50,
    stage: Stage | None = None,
    verdict: Verdict | None = None,
) -> CandidateSlice:
    """The first ``limit`` (at most ``MAX_PAGE``) candidates of ``opening`` with an id above
    ``after``, at ``stage`` and with ``verdict`` when given, by id."""
    rows = with_stage(
        Candidate.objects.filter(opening=opening).select_related(
            "subject", "opening", "invitation", "invitation__attempt"
        ),
        now,
    )
    if after is not None:
        rows = rows.filter(pk__gt=after)
    if stage is not None:
        rows = rows.filter(stage=stage.value)  # type: ignore[misc]  # an annotation
    if verdict is not None:
        rows = rows.filter(invitation__attempt__verdict=verdict.value)
    size = max(1, min(limit, MAX_PAGE))
    found = list(rows.order_by("pk")[: size + 1])
    more = len(found) > size
    page = found[:size]
    return CandidateSlice(
        page, decisions_in_force(c.pk for c in page), page[-1].pk if more and page else None
    )


def decisions_in_force(candidate_ids: Iterable[int]) -> dict[int, str]:
    """Candidate id -> the outcome of the decision in force, for those that have one."""
    rows = Decision.objects.filter(
        candidate_id__in=list(candidate_ids), superseded_by__isnull=True
    ).values_list("candidate_id", "outcome")
    return dict(rows)
