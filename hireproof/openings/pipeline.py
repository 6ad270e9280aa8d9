"""The pipeline: each candidate's status, derived from their invitation and attempt, and the
pipeline page's rows, counts, filters and sort orders.

The status is computed by the database (``status_expression``) so the openings list can count
candidates per status in one grouped query, and the pipeline page reads every row in one query
whatever the number of candidates. It is never stored: it changes with time (expiry) and with
the candidate's own actions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import TypeVar
from urllib.parse import urlencode

from django.db.models import Case, CharField, Count, QuerySet, Value, When
from django.urls import reverse

from hireproof.core.playbook.model import Verdict
from hireproof.playbooks.presentation import verdict_label

from .models import Candidate, CandidateStatus, Invitation, Opening

Choice = TypeVar("Choice", bound=Enum)
STATUS_ORDER = tuple(CandidateStatus)


class SortKey(StrEnum):
    """The pipeline's sort orders; ``-`` in front of one reverses it."""

    NAME = "name"
    STATUS = "status"
    SCORE = "score"
    ADDED = "added"


def status_expression(now: datetime) -> Case:
    """A candidate's ``CandidateStatus`` at ``now`` as a database expression (first match wins)."""
    return Case(
        When(erased_at__isnull=False, then=Value(CandidateStatus.ERASED.value)),
        When(invitation__isnull=True, then=Value(CandidateStatus.ADDED.value)),
        When(invitation__attempt__scorecard_hash__gt="", then=Value(CandidateStatus.SCORED.value)),
        When(
            invitation__attempt__submitted_at__isnull=False,
            then=Value(CandidateStatus.SUBMITTED.value),
        ),
        # Revoking stops the link; an attempt already submitted keeps its result above.
        When(invitation__revoked_at__isnull=False, then=Value(CandidateStatus.REVOKED.value)),
        When(invitation__attempt__isnull=False, then=Value(CandidateStatus.STARTED.value)),
        When(invitation__expires_at__lte=now, then=Value(CandidateStatus.EXPIRED.value)),
        default=Value(CandidateStatus.INVITED.value),
        output_field=CharField(),
    )


def status_counts_by_opening(openings: Iterable[Opening], now: datetime) -> dict[int, Counter[str]]:
    """For each opening, how many candidates are in each status (one grouped query)."""
    counts: dict[int, Counter[str]] = {opening.pk: Counter() for opening in openings}
    grouped = (
        Candidate.objects.filter(opening_id__in=list(counts))
        .annotate(status=status_expression(now))
        .values("opening_id", "status")
        .annotate(total=Count("pk"))
        .order_by()
    )
    for group in grouped:
        counts[group["opening_id"]][group["status"]] = group["total"]
    return counts


@dataclass(frozen=True)
class PipelineRow:
    """One candidate as the pipeline page shows them."""

    candidate: Candidate
    name: str
    status: CandidateStatus
    score_percent: Decimal | None
    verdict: str
    warning_count: int  # warnings still waiting for a reviewer's acknowledgement
    extended: bool
    review_url: str

    @property
    def invitation(self) -> Invitation | None:
        """The candidate's invitation, if they were invited."""
        return getattr(self.candidate, "invitation", None)

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
        return self.status == CandidateStatus.ADDED

    @property
    def can_resend(self) -> bool:
        """Invited and not yet submitted: a new link can go out."""
        return self.status in _RESENDABLE

    @property
    def can_change_extra_time(self) -> bool:
        """Invited but not started: the extra time can still change (with a new link).

        The attempt is checked too: a revoked invitation may hide an attempt already started.
        """
        started = getattr(self.invitation, "attempt", None) is not None
        return self.status in _EXTRA_TIME_CHANGEABLE and not started

    @property
    def can_revoke(self) -> bool:
        """The link still works and nothing has been submitted."""
        return self.status in _REVOCABLE


_RESENDABLE = {
    CandidateStatus.INVITED,
    CandidateStatus.STARTED,
    CandidateStatus.EXPIRED,
    CandidateStatus.REVOKED,
}
_REVOCABLE = {CandidateStatus.INVITED, CandidateStatus.STARTED}
_EXTRA_TIME_CHANGEABLE = {
    CandidateStatus.INVITED,
    CandidateStatus.EXPIRED,
    CandidateStatus.REVOKED,
}


@dataclass(frozen=True)
class PipelineQuery:
    """The page's filters and sort order, read from GET parameters (no JavaScript needed)."""

    status: CandidateStatus | None = None
    verdict: Verdict | None = None
    needs_review: bool = False
    sort: SortKey = SortKey.ADDED
    descending: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> PipelineQuery:
        """Read ``status``, ``verdict``, ``review`` and ``sort``; unknown values are ignored."""
        sort_param = params.get("sort", "")
        descending = sort_param.startswith("-")
        return cls(
            status=_choice(CandidateStatus, params.get("status", "")),
            verdict=_choice(Verdict, params.get("verdict", "")),
            needs_review=params.get("review", "") == "1",
            sort=_choice(SortKey, sort_param.removeprefix("-")) or SortKey.ADDED,
            descending=descending,
        )

    @property
    def sort_param(self) -> str:
        """The ``sort`` parameter that gives this order."""
        return ("-" if self.descending else "") + self.sort.value

    @property
    def is_filtered(self) -> bool:
        """True when some candidates may be hidden by a filter."""
        return bool(self.status or self.verdict or self.needs_review)

    def url_params(self, **changes: str) -> str:
        """This query as a ``?...`` string, with some parameters changed ("" removes one)."""
        params = {
            "status": self.status.value if self.status else "",
            "verdict": self.verdict.value if self.verdict else "",
            "review": "1" if self.needs_review else "",
            "sort": self.sort_param if self.sort_param != SortKey.ADDED.value else "",
        }
        params.update(changes)
        kept = {name: value for name, value in params.items() if value}
        return "?" + urlencode(kept) if kept else "?"

    def sort_link(self, key: SortKey) -> tuple[str, str]:
        """(URL params, aria-sort value) of the column header for ``key``: a click on the
        current column reverses it."""
        if key is not self.sort:
            return self.url_params(sort=key.value), "none"
        flipped = key.value if self.descending else "-" + key.value
        return self.url_params(sort=flipped), "descending" if self.descending else "ascending"

    def keeps(self, row: PipelineRow) -> bool:
        """True when ``row`` passes every filter."""
        return (
            (self.status is None or row.status == self.status)
            and (self.verdict is None or row.verdict == self.verdict)
            and (not self.needs_review or row.needs_review)
        )


def _choice(kind: type[Choice], value: str) -> Choice | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def pipeline_queryset(opening: Opening, now: datetime) -> QuerySet[Candidate]:
    """Every candidate of ``opening`` with everything the page shows, in one query."""
    return (
        Candidate.objects.filter(opening=opening)
        .select_related("subject", "invitation", "invitation__attempt")
        .annotate(
            status=status_expression(now),
            # Warnings already acknowledged by a reviewer (the reviews app's table).
            acknowledged=Count("invitation__attempt__flag_acknowledgements"),
        )
        .order_by("added_at", "pk")
    )


def pipeline_rows(candidates: Iterable[Candidate]) -> list[PipelineRow]:
    """The page's rows; names are unsealed here, in memory."""
    return [_row(candidate) for candidate in candidates]


def _row(candidate: Candidate) -> PipelineRow:
    invitation = getattr(candidate, "invitation", None)
    attempt = getattr(invitation, "attempt", None) if invitation is not None else None
    return PipelineRow(
        candidate=candidate,
        name=candidate.name,
        status=CandidateStatus(candidate.status),  # type: ignore[attr-defined]
        score_percent=attempt.score_percent if attempt is not None else None,
        verdict=attempt.verdict if attempt is not None else "",
        warning_count=(
            attempt.warning_count - candidate.acknowledged  # type: ignore[attr-defined]
            if attempt is not None
            else 0
        ),
        # Reviewers learn of extra time only where the candidate agreed to disclose it.
        extended=bool(
            invitation
            and invitation.extension_disclosed
            and (invitation.extra_time_percent or invitation.extra_minutes)
        ),
        review_url=reverse("reviews:candidate", args=[candidate.opening_id, candidate.pk]),
    )


def count_statuses(rows: Iterable[PipelineRow]) -> list[tuple[CandidateStatus, int]]:
    """How many rows are in each status, in pipeline order (zeros included)."""
    counts = Counter(row.status for row in rows)
    return [(status, counts[status]) for status in STATUS_ORDER]


def select_rows(rows: list[PipelineRow], query: PipelineQuery) -> list[PipelineRow]:
    """The rows ``query`` keeps, in its order (rows without a score come last either way)."""
    kept = [row for row in rows if query.keeps(row)]
    if query.sort is SortKey.SCORE:
        scored = [row for row in kept if row.score_percent is not None]
        unscored = [row for row in kept if row.score_percent is None]
        scored.sort(key=lambda row: (row.score_percent, row.candidate.pk), reverse=query.descending)
        return scored + unscored
    kept.sort(key=_SORT_KEYS[query.sort], reverse=query.descending)
    return kept


_SORT_KEYS = {
    SortKey.NAME: lambda row: (row.name.casefold(), row.candidate.pk),
    SortKey.STATUS: lambda row: (STATUS_ORDER.index(row.status), row.candidate.pk),
    SortKey.ADDED: lambda row: (row.candidate.added_at, row.candidate.pk),
}
