"""The pipeline page: each candidate's stage, score, verdict, flags and decision; its counts,
search, filters, sort orders and pages; a selection for bulk actions and its CSV export; and
the openings list's counts per stage.

Everything is asked of the database, so a page costs the same few queries whatever the size
of the opening: the counts per stage over the whole opening (one grouped query), the page's
rows (one query: sorted, filtered and cut to the page by the database), and the decisions in
force of those rows (one more). The stage is ``hireproof.hiring.models.stage``'s; the search
and the order by name use the blind index of ``hireproof.hiring.models.candidate_index``, so
only the names of the page's rows are unsealed, in memory.

Pages are cut with OFFSET, not with a keyset: the counts per stage read every candidate of the
opening anyway, sorting by stage or score sorts computed values no index holds, and an offset
lets a page link to any other page (the last one, say) rather than only to the next.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import TypeVar
from urllib.parse import urlencode

from django.db.models import Count, F, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from hireproof.core.playbook import Verdict
from hireproof.hiring.emails import invitation_about
from hireproof.hiring.models.candidate_index import MAX_SEARCH_TERMS, search_filter, search_terms
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import Decision, Outcome
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.reviews import FlagAcknowledgement
from hireproof.hiring.models.stage import (
    STAGE_ORDER,
    Stage,
    counts_by_stage,
    stage_in,
    stage_rank,
    with_stage,
)
from hireproof.hiring.reads.playbook_guide import verdict_label
from hireproof.platform.mail import latest_emails
from hireproof.platform.models import OutboxEmail

Choice = TypeVar("Choice", bound=Enum)

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 200
MAX_PAGE_DIGITS = 6  # a page number beyond the last shows the last page


class SortKey(StrEnum):
    """The pipeline's sort orders; ``-`` in front of one reverses it."""

    NAME = "name"
    STAGE = "status"
    SCORE = "score"
    ADDED = "added"


def stage_counts_by_opening(openings: Iterable[Opening], now: datetime) -> dict[int, Counter[str]]:
    """For each opening, how many candidates are at each stage (one grouped query)."""
    counts: dict[int, Counter[str]] = {opening.pk: Counter() for opening in openings}
    grouped = (
        with_stage(Candidate.objects.filter(opening_id__in=list(counts)), now)
        .values("opening_id", "stage")  # type: ignore[misc]  # an annotation: the plugin misses it
        .annotate(total=Count("pk"))
        .order_by()
    )
    for group in grouped:
        counts[group["opening_id"]][group["stage"]] = group["total"]
    return counts


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


@dataclass(frozen=True)
class PipelineRow:
    """One candidate as the pipeline page shows them."""

    candidate: Candidate
    name: str
    stage: Stage
    score_percent: Decimal | None
    verdict: str
    warning_count: int  # warnings still waiting for a reviewer's acknowledgement
    extended: bool
    review_url: str
    decision: DecisionMark | None = None
    email: OutboxEmail | None = None  # the newest email of the invitation, if any

    @property
    def invitation(self) -> Invitation | None:
        """The candidate's invitation, if they were invited."""
        return getattr(self.candidate, "invitation", None)

    @property
    def email_failed(self) -> bool:
        """The invitation's email is not sent, and its last try failed (the page gives the
        mail server's reason next to Resend)."""
        return self.email is not None and self.email.failed

    @property
    def needs_review(self) -> bool:
        """True when the scored attempt has warnings no reviewer has acknowledged yet."""
        return self.warning_count > 0

    @property
    def verdict_label(self) -> str:
        """The verdict in words (empty until scored)."""
        return verdict_label(self.verdict)

    @property
    def can_invite(self) -> bool:
        """Not invited yet (and not erased)."""
        return self.stage == Stage.ADDED

    @property
    def can_resend(self) -> bool:
        """Invited and not yet submitted: a new link can go out."""
        return self.stage in _RESENDABLE

    @property
    def can_change_extra_time(self) -> bool:
        """Invited but not started: the extra time can still change (with a new link).

        The attempt is checked too: a revoked invitation may hide an attempt already started.
        """
        started = getattr(self.invitation, "attempt", None) is not None
        return self.stage in _EXTRA_TIME_CHANGEABLE and not started

    @property
    def can_revoke(self) -> bool:
        """The link still works and nothing has been submitted."""
        return self.stage in _REVOCABLE


_RESENDABLE = {
    Stage.INVITED,
    Stage.STARTED,
    Stage.EXPIRED,
    Stage.REVOKED,
}
_REVOCABLE = {Stage.INVITED, Stage.STARTED}
_EXTRA_TIME_CHANGEABLE = {
    Stage.INVITED,
    Stage.EXPIRED,
    Stage.REVOKED,
}


@dataclass(frozen=True)
class PipelineQuery:
    """The page's search, filters, sort order and page, read from GET parameters (no
    JavaScript needed). A value the page cannot use is left out, and ``ignored`` says why."""

    search: str = ""
    stage: Stage | None = None
    verdict: Verdict | None = None
    needs_review: bool = False
    sort: SortKey = SortKey.ADDED
    descending: bool = False
    page: int = 1
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> PipelineQuery:
        """Read ``q`` (the search), ``status`` (a stage), ``verdict``, ``review``, ``sort`` and
        ``page``; each value the page cannot use is left out with a line in ``ignored``."""
        ignored: list[str] = []
        sort_param = params.get("sort", "")
        sort = _choice(SortKey, sort_param.removeprefix("-"), "sort", "a sort order", ignored)
        return cls(
            search=_search(params.get("q", ""), ignored),
            stage=_choice(Stage, params.get("status", ""), "status", "a stage", ignored),
            verdict=_choice(Verdict, params.get("verdict", ""), "verdict", "a verdict", ignored),
            needs_review=_flag(params.get("review", ""), ignored),
            sort=sort or SortKey.ADDED,
            descending=sort is not None and sort_param.startswith("-"),
            page=_page(params.get("page", ""), ignored),
            ignored=tuple(ignored),
        )

    @property
    def sort_param(self) -> str:
        """The ``sort`` parameter that gives this order."""
        return ("-" if self.descending else "") + self.sort.value

    @property
    def is_filtered(self) -> bool:
        """True when some candidates may be hidden by the search or a filter."""
        return bool(self.search or self.stage or self.verdict or self.needs_review)

    def params(self, **changes: str) -> dict[str, str]:
        """This query's parameters (empty ones left out), some changed ("" removes one). A
        change of anything but the page goes back to the first page."""
        params = {
            "q": self.search,
            "status": self.stage.value if self.stage else "",
            "verdict": self.verdict.value if self.verdict else "",
            "review": "1" if self.needs_review else "",
            "sort": self.sort_param if self.sort_param != SortKey.ADDED.value else "",
            "page": str(self.page) if self.page > 1 and not changes else "",
        }
        params.update(changes)
        if params["page"] == "1":
            params["page"] = ""
        return {name: value for name, value in params.items() if value}

    def url_params(self, **changes: str) -> str:
        """This query as a ``?...`` string, with some parameters changed ("" removes one)."""
        kept = self.params(**changes)
        return "?" + urlencode(kept) if kept else "?"

    def filter_params(self) -> dict[str, str]:
        """The search and filters alone: what a selection of "every candidate matching"
        carries to the bulk actions."""
        return {
            name: value
            for name, value in self.params().items()
            if name in ("q", "status", "verdict", "review")
        }

    def sort_link(self, key: SortKey) -> tuple[str, str]:
        """(URL params, aria-sort value) of the column header for ``key``: a click on the
        current column reverses it."""
        if key is not self.sort:
            return self.url_params(sort=key.value), "none"
        flipped = key.value if self.descending else "-" + key.value
        return self.url_params(sort=flipped), "descending" if self.descending else "ascending"


def _shown(value: str) -> str:
    """A refused value as a message quotes it: at most 40 characters."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _choice(
    kind: type[Choice], value: str, name: str, what: str, ignored: list[str]
) -> Choice | None:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        ignored.append(f"{name}: {_shown(value)} is not {what}; it was left out.")
        return None


def _search(value: str, ignored: list[str]) -> str:
    text = " ".join(value.split())
    if len(text) > MAX_SEARCH_LENGTH:
        ignored.append(
            f"q: the search is {len(text):,} characters long; the limit is "
            f"{MAX_SEARCH_LENGTH}. It was left out."
        )
        return ""
    terms = search_terms(text)
    if text and not terms:
        ignored.append(f"q: {_shown(text)} holds no letter or digit to search for.")
        return ""
    if len(terms) > MAX_SEARCH_TERMS:
        ignored.append(
            f"q: the search has {len(terms)} words; the limit is {MAX_SEARCH_TERMS}. "
            "It was left out."
        )
        return ""
    return text


def _flag(value: str, ignored: list[str]) -> bool:
    if value not in ("", "1"):
        ignored.append(f"review: {_shown(value)} is not 1; it was left out.")
    return value == "1"


def _page(value: str, ignored: list[str]) -> int:
    if not value:
        return 1
    if value.isascii() and value.isdigit() and len(value) <= MAX_PAGE_DIGITS and int(value) > 0:
        return int(value)
    ignored.append(f"page: {_shown(value)} is not a page number; the first page is shown.")
    return 1


# --- the candidates a query finds -------------------------------------------------------------


def _acknowledgements() -> Coalesce:
    """How many of the attempt's warnings a reviewer has acknowledged (a subquery)."""
    counted = (
        FlagAcknowledgement.objects.filter(attempt=OuterRef("invitation__attempt"))
        .order_by()
        .values("attempt")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted), 0)


def _condition(opening: Opening, query: PipelineQuery) -> Q | None:
    """The search and the filters other than the stage, as one condition (``None``: none)."""
    condition = Q()
    if query.search:
        condition &= search_filter(opening, query.search)
    if query.verdict:
        condition &= Q(invitation__attempt__verdict=query.verdict.value)
    if query.needs_review:
        condition &= Q(invitation__attempt__warning_count__gt=_acknowledgements())
    return condition or None


def matching_candidates(
    opening: Opening, query: PipelineQuery, now: datetime, *, staged: bool = True
) -> QuerySet[Candidate]:
    """The candidates of ``opening`` that ``query``'s search and filters keep, each with its
    ``stage`` annotated (not sorted, not cut to a page). With ``staged=False``, the stage is
    computed only if the query filters or sorts by it."""
    candidates = Candidate.objects.filter(opening=opening)
    if staged or query.stage or query.sort is SortKey.STAGE:
        candidates = with_stage(candidates, now)
    condition = _condition(opening, query)
    if condition is not None:
        candidates = candidates.filter(condition)
    if query.stage:
        candidates = candidates.filter(stage=query.stage.value)  # type: ignore[misc]  # annotated
    return candidates


def _ordering(query: PipelineQuery) -> list[OrderBy]:
    """The ORDER BY of ``query``'s sort; ties go by date added, in the same direction.

    Names sort by their order key (erased candidates, whose key is cleared, first); candidates
    without a score come last either way.
    """
    expression = {
        SortKey.NAME: F("name_order"),
        SortKey.STAGE: F("stage_rank"),
        SortKey.SCORE: F("invitation__attempt__score_percent"),
        SortKey.ADDED: F("added_at"),
    }[query.sort]
    # Only a score can be missing; the other keys keep the plain order an index holds.
    nulls_last = True if query.sort is SortKey.SCORE else None
    tie = F("pk")
    if query.descending:
        return [expression.desc(nulls_last=nulls_last), tie.desc()]
    return [expression.asc(nulls_last=nulls_last), tie.asc()]


def in_order(candidates: QuerySet[Candidate], query: PipelineQuery) -> QuerySet[Candidate]:
    """``candidates`` (stage annotated) in ``query``'s order."""
    if query.sort is SortKey.STAGE:
        candidates = candidates.annotate(stage_rank=stage_rank())
    return candidates.order_by(*_ordering(query))


def with_rows(
    chosen: QuerySet[Candidate], query: PipelineQuery, now: datetime, *, scorecards: bool = False
) -> QuerySet[Candidate]:
    """The candidates of ``chosen`` (a subquery: the database picks them first, computing only
    what that needs) with what a row shows (stage, invitation, attempt, acknowledged warnings),
    in ``query``'s order; with ``scorecards``, the attempts' scorecards too (for the section
    percents and the flag count of the results export)."""
    deferred = ["invitation__attempt__receipt_json"]
    if not scorecards:
        deferred.append("invitation__attempt__scorecard_json")
    listed = (
        with_stage(Candidate.objects.filter(pk__in=chosen.values("pk")), now)
        .select_related("subject", "invitation", "invitation__attempt")
        .defer(*deferred)
        .annotate(acknowledged=_acknowledgements())
    )
    return in_order(listed, query)


@dataclass(frozen=True)
class PipelinePage:
    """One page of an opening's pipeline, and the counts around it."""

    rows: list[PipelineRow]
    counts: list[tuple[Stage, int]]  # over the whole opening, in pipeline order
    total: int  # every candidate of the opening
    matching: int  # those the search and filters keep
    number: int
    pages: int
    size: int

    @property
    def first(self) -> int:
        """The position of the page's first row among those matching (1-based; 0 if none)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The position of the page's last row among those matching."""
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def waiting(self) -> int:
        """Candidates of the opening not invited yet."""
        return dict(self.counts)[Stage.ADDED]

    def numbers(self) -> list[int | None]:
        """The page numbers a pager links to: the first, the last, and two on each side of
        this one; ``None`` where numbers are skipped."""
        near = {1, self.pages, *range(self.number - 2, self.number + 3)}
        shown = sorted(number for number in near if 1 <= number <= self.pages)
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def read_pipeline(
    opening: Opening, query: PipelineQuery, now: datetime, size: int = PAGE_SIZE
) -> PipelinePage:
    """The page ``query`` asks for (the last one if it asks for one beyond), in three queries:
    the counts per stage (with those matching the search and filters), the page's rows, and
    their decisions in force. Only the page's names are unsealed."""
    counts, matching = _counts(opening, query, now)
    pages = max(1, -(-matching // size))
    number = min(query.page, pages)
    start = (number - 1) * size
    chosen = in_order(matching_candidates(opening, query, now, staged=False), query)
    rows = pipeline_rows(with_rows(chosen[start : start + size], query, now)) if matching else []
    return PipelinePage(
        rows=rows,
        counts=[(stage, counts[stage]) for stage in STAGE_ORDER],
        total=sum(counts.values()),
        matching=matching,
        number=number,
        pages=pages,
        size=size,
    )


def _counts(opening: Opening, query: PipelineQuery, now: datetime) -> tuple[Counter[Stage], int]:
    """How many candidates of the opening are at each stage, and how many ``query`` keeps, in
    one grouped query."""
    condition = _condition(opening, query)
    kept = Count("pk", filter=condition) if condition is not None else Count("pk")
    grouped = counts_by_stage(
        Candidate.objects.filter(opening=opening), now, total=Count("pk"), kept=kept
    )
    counts = Counter({stage: group["total"] for stage, group in grouped.items()})
    matching = sum(
        group["kept"] for stage, group in grouped.items() if query.stage in (None, stage)
    )
    return counts, matching


def pipeline_rows(candidates: Iterable[Candidate]) -> list[PipelineRow]:
    """The rows of ``candidates`` (read by ``with_rows``) with the decision in force of each
    and the newest email of each invitation (two more queries); names are unsealed here, in
    memory, and only these."""
    listed = list(candidates)
    marks = decision_marks(candidate.pk for candidate in listed)
    invitations = [getattr(candidate, "invitation", None) for candidate in listed]
    emails = latest_emails(invitation_about(each.pk) for each in invitations if each is not None)
    return [
        pipeline_row(
            candidate,
            marks.get(candidate.pk),
            emails.get(invitation_about(invitation.pk)) if invitation is not None else None,
        )
        for candidate, invitation in zip(listed, invitations, strict=True)
    ]


def pipeline_row(
    candidate: Candidate, decision: DecisionMark | None, email: OutboxEmail | None
) -> PipelineRow:
    """One candidate read by ``with_rows`` as a row of the page, with its decision and email."""
    invitation = getattr(candidate, "invitation", None)
    attempt = getattr(invitation, "attempt", None) if invitation is not None else None
    return PipelineRow(
        candidate=candidate,
        name=candidate.name,
        stage=stage_in(candidate),
        score_percent=attempt.score_percent if attempt is not None else None,
        verdict=attempt.verdict if attempt is not None else "",
        warning_count=(
            attempt.warning_count - _acknowledged(candidate) if attempt is not None else 0
        ),
        # Reviewers learn of extra time only where the candidate agreed to disclose it.
        extended=bool(
            invitation
            and invitation.extension_disclosed
            and (invitation.extra_time_percent or invitation.extra_minutes)
        ),
        review_url=reverse("reviews:candidate", args=[candidate.opening_id, candidate.pk]),
        decision=decision,
        email=email,
    )


def _acknowledged(candidate: Candidate) -> int:
    """The acknowledgements ``with_rows`` counted for ``candidate`` (an annotation: the type
    checker's Django plugin cannot see it)."""
    count: int = vars(candidate)["acknowledged"]
    return count


# --- a selection, for the bulk actions ---------------------------------------------------------


class SelectionRefused(Exception):
    """A selection names candidates the opening does not have, or too many."""


MAX_SELECTED = 1000
"""Candidates a selection may name one by one (a page shows ``PAGE_SIZE``); "every candidate
matching" has no limit."""


def selected_candidates(
    opening: Opening,
    now: datetime,
    *,
    ids: Sequence[int] = (),
    matching: PipelineQuery | None = None,
) -> QuerySet[Candidate]:
    """The candidates of a selection, stage annotated: those of ``ids`` (all of them in the
    opening, else ``SelectionRefused``), or every candidate ``matching`` keeps."""
    if matching is not None:
        return matching_candidates(opening, matching, now)
    if len(ids) > MAX_SELECTED:
        raise SelectionRefused(
            f"{len(ids):,} candidates are selected one by one; the limit is {MAX_SELECTED:,}."
            " Select every candidate matching a search instead."
        )
    wanted = set(ids)
    candidates = with_stage(Candidate.objects.filter(opening=opening, pk__in=wanted), now)
    found = set(candidates.values_list("pk", flat=True))
    if found != wanted:
        missing = ", ".join(str(pk) for pk in sorted(wanted - found)[:5])
        raise SelectionRefused(f"candidate {missing}: not a candidate of this opening.")
    return candidates


def not_invited(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """Those of ``candidates`` (stage annotated) not invited yet, in the order added, ready
    for the invitation (their opening and subject read with them)."""
    return (
        candidates.filter(stage=Stage.ADDED.value)  # type: ignore[misc]  # an annotation
        .select_related("opening", "subject")
        .order_by("added_at", "pk")
    )


EXPORT_COLUMNS = ("name", "email", "stage", "score", "verdict", "flags", "decision")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as a spreadsheet will not run it: a leading ``=``, ``+``, ``-``, ``@``, tab or
    carriage return (what starts a formula) gets a ``'`` in front."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def export_csv(
    candidates: QuerySet[Candidate], query: PipelineQuery, now: datetime
) -> Iterator[str]:
    """The selection as CSV text, line by line, in ``query``'s order: a header, then one
    candidate a line (name, email, stage, score, verdict, flags to review, decision in force).
    Reads the rows in one query and the decisions in one more; unseals every name and email of
    the selection."""
    listed = list(with_rows(candidates, query, now))
    marks = decision_marks_of(candidates)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return buffer.getvalue()

    yield line(EXPORT_COLUMNS)
    for candidate in listed:
        # The export names no email status.
        row = pipeline_row(candidate, marks.get(candidate.pk), None)
        yield line(
            [
                row.name,
                candidate.email,
                str(row.stage.label),
                "" if row.score_percent is None else str(row.score_percent),
                row.verdict_label,
                str(row.warning_count) if row.warning_count else "",
                row.decision.label if row.decision else "",
            ]
        )


def decision_marks_of(candidates: QuerySet[Candidate]) -> dict[int, DecisionMark]:
    """Candidate id -> the decision in force, for every candidate of ``candidates`` that has
    one (one query, whatever their number)."""
    rows = Decision.objects.filter(
        candidate_id__in=candidates.values("pk"), superseded_by__isnull=True
    ).values_list("candidate_id", "outcome", "overrides_critical", "against_recommendation")
    return {
        candidate_id: DecisionMark(Outcome(outcome), overrides, against)
        for candidate_id, outcome, overrides, against in rows
    }
