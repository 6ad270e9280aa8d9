"""The pipeline page: each candidate's stage, score, verdict, flags and decision; its counts,
filters and sort orders; and the openings list's counts per stage.

The stage is ``hireproof.hiring.models.stage``'s, computed by the database, so the openings
list counts candidates per stage in one grouped query and the pipeline page reads every row in
one query (and the decisions in force in one more) whatever the number of candidates.
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

from django.db.models import Count, QuerySet
from django.urls import reverse

from hireproof.core.playbook import Verdict
from hireproof.hiring.emails import invitation_about
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import Decision, Outcome
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.stage import STAGE_ORDER, Stage, stage_in, with_stage
from hireproof.hiring.reads.playbook_guide import verdict_label
from hireproof.platform.mail import latest_emails
from hireproof.platform.models import OutboxEmail

Choice = TypeVar("Choice", bound=Enum)


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
    """The page's filters and sort order, read from GET parameters (no JavaScript needed)."""

    stage: Stage | None = None
    verdict: Verdict | None = None
    needs_review: bool = False
    sort: SortKey = SortKey.ADDED
    descending: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> PipelineQuery:
        """Read ``status`` (a stage), ``verdict``, ``review`` and ``sort``; unknown values are
        ignored."""
        sort_param = params.get("sort", "")
        descending = sort_param.startswith("-")
        return cls(
            stage=_choice(Stage, params.get("status", "")),
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
        return bool(self.stage or self.verdict or self.needs_review)

    def url_params(self, **changes: str) -> str:
        """This query as a ``?...`` string, with some parameters changed ("" removes one)."""
        params = {
            "status": self.stage.value if self.stage else "",
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
            (self.stage is None or row.stage == self.stage)
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
    candidates = (
        Candidate.objects.filter(opening=opening)
        .select_related("subject", "invitation", "invitation__attempt")
        .annotate(acknowledged=Count("invitation__attempt__flag_acknowledgements"))
        .order_by("added_at", "pk")
    )
    return with_stage(candidates, now)


def pipeline_rows(candidates: Iterable[Candidate]) -> list[PipelineRow]:
    """The page's rows with the decision in force of each and the newest email of each
    invitation (two more queries); names are unsealed here, in memory."""
    listed = list(candidates)
    marks = decision_marks(candidate.pk for candidate in listed)
    invitations = [getattr(candidate, "invitation", None) for candidate in listed]
    emails = latest_emails(invitation_about(each.pk) for each in invitations if each is not None)
    return [
        _row(
            candidate,
            marks.get(candidate.pk),
            emails.get(invitation_about(invitation.pk)) if invitation is not None else None,
        )
        for candidate, invitation in zip(listed, invitations, strict=True)
    ]


def _row(
    candidate: Candidate, decision: DecisionMark | None, email: OutboxEmail | None
) -> PipelineRow:
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
    """The acknowledgements ``pipeline_queryset`` counted for ``candidate`` (an annotation: the
    type checker's Django plugin cannot see it)."""
    count: int = vars(candidate)["acknowledged"]
    return count


def count_stages(rows: Iterable[PipelineRow]) -> list[tuple[Stage, int]]:
    """How many rows are at each stage, in pipeline order (zeros included)."""
    counts = Counter(row.stage for row in rows)
    return [(stage, counts[stage]) for stage in STAGE_ORDER]


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
    SortKey.STAGE: lambda row: (STAGE_ORDER.index(row.stage), row.candidate.pk),
    SortKey.ADDED: lambda row: (row.candidate.added_at, row.candidate.pk),
}
