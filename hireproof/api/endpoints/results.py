"""The written test's results: the attempt's status, its scorecard, the recommendation, and an
opening's results as a CSV file.

All need the ``read`` scope and ``READ_CANDIDATES``. The attempt's status carries times, the
verdict and the score, never an item. The scorecard is the one the core produced and the log
committed (its hash recomputes): every item's points, outcome, explanation and evidence. Its
explanations name the answer key where scoring compared with it ("equals the key 70"), which is
staff knowledge like the playbook itself: the scorecard is for staff keys, and the API gives
nothing to candidates. Neither response carries the playbook's rubric (rules, rationales,
audit notes, options' flags). The CSV file (``hiring.reads.results_export``) is the pipeline
page's download: one row per candidate, no answer and no answer key; it is written as it is
sent, and recorded as ``opening.results_exported`` (the count, never a name) first.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.candidates import AttemptSummary, VerdictName, attempt_summary
from hireproof.api.endpoints.common import answers, invalid_parameter
from hireproof.api.gate import acting
from hireproof.api.schemas import Id, OneLine
from hireproof.hiring.access import access_candidate, access_opening, access_scored_attempt
from hireproof.hiring.actions.openings import do_record_results_export
from hireproof.hiring.models.attempts import attempt_of
from hireproof.hiring.models.decisions import latest_recommendation
from hireproof.hiring.models.stage import Stage
from hireproof.hiring.reads.pipeline import SortKey
from hireproof.hiring.reads.results_export import ExportRefused, export_query, results_export

router = Router(tags=["results"])

CANDIDATE = "/openings/{opening_id}/candidates/{candidate_id}"


class Evidence(Schema):
    """What the rule matched in the answer, with its character positions."""

    text: str
    start: int
    end: int


class ItemFlag(Schema):
    """A red flag an answer raised."""

    severity: str
    reason: str


class ScoredItem(Schema):
    """One item: section-weighted points (decimal strings), outcome, explanation, evidence."""

    id: str
    section: str
    points: str
    max_points: str
    outcome: str
    flags: list[ItemFlag]
    explanation: str
    evidence: list[Evidence]


class Score(Schema):
    """The total: points, maximum and percent (decimal strings)."""

    points: str
    max_points: str
    percent: str


class Flag(Schema):
    """A red flag, with its item."""

    item: str
    severity: str
    reason: str


class ScorecardPlaybook(Schema):
    """The playbook version the attempt was scored with."""

    id: str
    version: str
    hash: str


class Scorecard(Schema):
    """The scorecard exactly as the core produced it, with its hash."""

    playbook: ScorecardPlaybook
    items: list[ScoredItem]
    score: Score
    band: str
    verdict: str
    flags: list[Flag]
    recommendation: str
    reasons: list[str]
    scorecard_hash: str


class ScorecardOut(Schema):
    """The attempt's scorecard and the attempt it belongs to."""

    attempt: AttemptSummary
    scorecard: Scorecard


class RecommendationOut(Schema):
    """The latest recommendation: its kind, reasons with the arithmetic in words, and the whole
    of the core's output (``data``), exactly as computed and logged."""

    kind: str
    hash: str
    computed_at: datetime
    interview_scorecards: int
    leaf_index: int
    reasons: list[str]
    data: dict[str, Any]


@router.get(CANDIDATE + "/attempt", response=answers({200: AttemptSummary}), url_name="attempt")
def get_attempt(request: HttpRequest, opening_id: Id, candidate_id: Id) -> object:
    """Where the candidate's test stands (404 before they start it)."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    attempt = attempt_of(candidate)
    if attempt is None:
        raise Http404("No attempt yet.")
    return attempt_summary(attempt)


@router.get(CANDIDATE + "/scorecard", response=answers({200: ScorecardOut}), url_name="scorecard")
def get_scorecard(request: HttpRequest, opening_id: Id, candidate_id: Id) -> dict[str, object]:
    """The scored attempt's scorecard: every point explained, with its evidence (404 until it
    is scored, and after an erasure)."""
    attempt = access_scored_attempt(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    if not attempt.scorecard_json:
        raise Http404("The scorecard was erased.")
    return {"attempt": attempt_summary(attempt), "scorecard": json.loads(attempt.scorecard_json)}


@router.get(
    CANDIDATE + "/recommendation",
    response=answers({200: RecommendationOut}),
    url_name="recommendation",
)
def get_recommendation(request: HttpRequest, opening_id: Id, candidate_id: Id) -> dict[str, object]:
    """The latest recommendation with its arithmetic (404 before the test is scored)."""
    candidate = access_candidate(
        acting(request, Scope.READ), opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    recommendation = latest_recommendation(candidate)
    if recommendation is None:
        raise Http404("No recommendation yet.")
    return {
        "kind": recommendation.kind,
        "hash": recommendation.hash,
        "computed_at": recommendation.computed_at,
        "interview_scorecards": recommendation.interview_count,
        "leaf_index": recommendation.leaf_index,
        "reasons": recommendation.reasons,
        "data": recommendation.data,
    }


class ExportQuery(Schema):
    """The pipeline page's search, filters and order, carried into the export."""

    stage: Stage | None = None
    verdict: VerdictName | None = None
    q: OneLine = Field("", max_length=200, description="names or emails, as the page searches")
    review: bool = Field(False, description="only candidates with warnings to review")
    sort: OneLine = Field(
        "added",
        max_length=20,
        description="added, name, status or score; '-' in front reverses it",
        json_schema_extra={"enum": [p + key.value for key in SortKey for p in ("", "-")]},
    )


CSV_RESPONSE = {
    "responses": {
        "200": {
            "description": "The results, one row per candidate (UTF-8 with a byte order mark)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


@router.get(
    "/openings/{opening_id}/results.csv",
    response=answers({}),
    url_name="opening_results",
    openapi_extra=CSV_RESPONSE,
)
def export_results(
    request: HttpRequest, opening_id: Id, filters: Query[ExportQuery]
) -> StreamingHttpResponse:
    """The opening's results as CSV: candidate id, name, email, stage, invited, started and
    submitted times, score, verdict, each section's percent, flag count, recommendation,
    decision, and the pinned playbook's id, version and hash. Never an answer or an answer key;
    a cell that would start a formula starts with ``'``."""
    user = acting(request, Scope.READ)
    opening = access_opening(user, opening_id, Permission.READ_CANDIDATES)
    params = {
        "status": filters.stage.value if filters.stage else "",
        "verdict": filters.verdict or "",
        "q": filters.q,
        "review": "1" if filters.review else "",
        "sort": filters.sort,
    }
    try:
        query = export_query(params)
    except ExportRefused as refusal:
        name = str(refusal).split(":", 1)[0]
        raise invalid_parameter(name, str(refusal)) from None
    export = results_export(opening, query, timezone.now())
    do_record_results_export(
        actor=user,
        opening=opening,
        count=export.count,
        filters=export.filters,
        searched=bool(query.search),
    )
    response = StreamingHttpResponse(export.chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
