"""Where a candidate stands in the pipeline: the one definition of a candidate's ``Stage``.

The stage is derived, never stored: it changes with time (a link expires) and with what people
do (an interview is assigned, a decision recorded). ``with_stage`` computes it in the database
as one ``Case`` over the candidate's rows, so a list of ten thousand candidates is counted,
filtered and sorted by stage in one query; the pipeline page, its filters, and every later
reader (webhooks, ATS contracts, fairness reports) take it from here and nowhere else.

The first rule that matches wins:

1. erased: the candidate's personal data was erased;
2. hired / not hired / withdrawn: the decision in force (a withdrawal can come at any stage);
3. not invited: no invitation yet;
4. in interview: the test is scored and an assigned interviewer's scorecard is still due;
5. recommended: the test is scored and every assigned interviewer has submitted, so the
   recommendation combines test and interviews and waits for a person's decision;
6. scored: the test is scored (no interview assigned yet);
7. submitted: submitted, score not stored (never seen outside a failed scoring);
8. revoked: the link was withdrawn before anything was submitted;
9. started: the clock is running;
10. expired: the link expired before the candidate started;
11. invited: the link works and waits for the candidate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat, StrIndex

from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Decision, Outcome
from hireproof.hiring.models.interviews import Assignment


class Stage(models.TextChoices):
    """A candidate's place in the pipeline: the main line in order, then the side exits."""

    ADDED = "added", "Not invited"
    INVITED = "invited", "Invited"
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Submitted"
    SCORED = "scored", "Scored"
    IN_INTERVIEW = "in_interview", "In interview"
    RECOMMENDED = "recommended", "Recommended"
    HIRED = "hired", "Hired"
    NOT_HIRED = "not_hired", "Not hired"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # The side exits: a link that lapsed or was withdrawn, and personal data erased.
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    ERASED = "erased", "Erased"


STAGE_ORDER = tuple(Stage)
DECIDED_STAGES = {
    Outcome.HIRE: Stage.HIRED,
    Outcome.NO_HIRE: Stage.NOT_HIRED,
    Outcome.WITHDRAWN: Stage.WITHDRAWN,
}

Rows = TypeVar("Rows", bound=models.QuerySet[Candidate])


def with_stage(candidates: Rows, now: datetime) -> Rows:
    """``candidates`` with each one's ``stage`` (a ``Stage`` value) at ``now`` annotated.

    Every subquery in it is uncorrelated (the candidates decided each way, those with an
    interview due, those with one assigned), so the database reads each once, as a set, and
    looks every candidate up in it: counting or sorting ten thousand candidates by stage does
    not run a query per candidate.
    """
    in_force = Decision.objects.filter(superseded_by__isnull=True)
    active = Assignment.objects.filter(cancelled_at__isnull=True)
    scored = Q(invitation__attempt__scorecard_hash__gt="")
    return candidates.annotate(
        stage=Case(
            When(erased_at__isnull=False, then=Value(Stage.ERASED.value)),
            *(
                When(
                    pk__in=in_force.filter(outcome=outcome.value).values("candidate_id"),
                    then=Value(stage.value),
                )
                for outcome, stage in DECIDED_STAGES.items()
            ),
            When(invitation__isnull=True, then=Value(Stage.ADDED.value)),
            When(
                scored & Q(pk__in=active.filter(scorecards__isnull=True).values("candidate_id")),
                then=Value(Stage.IN_INTERVIEW.value),
            ),
            When(
                scored & Q(pk__in=active.values("candidate_id")),
                then=Value(Stage.RECOMMENDED.value),
            ),
            When(scored, then=Value(Stage.SCORED.value)),
            When(
                invitation__attempt__submitted_at__isnull=False,
                then=Value(Stage.SUBMITTED.value),
            ),
            # Revoking stops the link; an attempt already submitted keeps its result above.
            When(invitation__revoked_at__isnull=False, then=Value(Stage.REVOKED.value)),
            When(invitation__attempt__isnull=False, then=Value(Stage.STARTED.value)),
            When(invitation__expires_at__lte=now, then=Value(Stage.EXPIRED.value)),
            default=Value(Stage.INVITED.value),
            output_field=CharField(),
        )
    )


def stage_rank() -> StrIndex:
    """The place of the ``stage`` annotation (``with_stage``) in ``STAGE_ORDER``: what sorting
    by stage orders by (a position in one string, so the stage is computed once a row)."""
    order = "|" + "|".join(stage.value for stage in STAGE_ORDER) + "|"
    return StrIndex(Value(order), Concat(Value("|"), F("stage"), Value("|")))


def counts_by_stage(
    candidates: models.QuerySet[Candidate], now: datetime, **aggregates: models.Aggregate
) -> dict[Stage, dict[str, int]]:
    """For each stage some of ``candidates`` are at, ``aggregates`` (e.g. ``total=Count("pk")``)
    over those candidates: one grouped query."""
    grouped = (
        with_stage(candidates, now)
        .values("stage")  # type: ignore[misc]  # an annotation: the plugin misses it
        .annotate(**aggregates)
        .order_by()
    )
    return {Stage(group.pop("stage")): group for group in grouped}


def stage_in(candidate: Candidate) -> Stage:
    """The stage ``with_stage`` annotated on ``candidate``: how every reader takes it.

    The type checker's Django plugin cannot see an annotation; this is its one typed reading.
    """
    return Stage(vars(candidate)["stage"])


def stage_is(stage: Stage) -> Q:
    """The filter that keeps the candidates ``with_stage`` annotated at ``stage``."""
    return Q(stage=stage.value)


def stage_of(candidate: Candidate, now: datetime) -> Stage:
    """One candidate's stage at ``now``, by the same definition (one query)."""
    return stage_in(with_stage(Candidate.objects.filter(pk=candidate.pk), now).get())


def stages_of(candidates: Iterable[Candidate], now: datetime) -> dict[int, Stage]:
    """Candidate id -> stage at ``now`` for each of ``candidates``, by the same definition (one
    query whatever their number)."""
    ids = [candidate.pk for candidate in candidates]
    rows = with_stage(Candidate.objects.filter(pk__in=ids), now)
    return {row.pk: stage_in(row) for row in rows}
