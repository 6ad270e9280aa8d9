"""The recommendation: what the core's ``decide()`` says about a candidate, kept when it changes.

``do_compute_recommendation`` runs ``decide()`` on the stored scorecard and the interview
scorecards that count, and stores a ``Recommendation`` (recording ``recommendation.computed``)
only when the result differs from the latest one. The actions that change its inputs call it in
their own transaction: scoring an attempt, submitting or amending a scorecard, cancelling a
scored interview. Pages only read the stored recommendation; reading never computes.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.audit.store import take_writer_lock
from hireproof.core.audit import RECOMMENDATION_HASH_FIELD, SCORECARD_HASH_FIELD, EventType
from hireproof.core.canonical import canonical_json
from hireproof.core.scoring import Recommendation as CoreRecommendation
from hireproof.core.scoring import decide
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Recommendation, latest_recommendation
from hireproof.hiring.models.flags import stored_scorecard
from hireproof.hiring.models.interviews import counted_scorecards
from hireproof.hiring.webhooks import emit_recommendation_changed

SYSTEM_ACTOR = "system"


def scored_attempt(candidate: Candidate) -> Attempt | None:
    """The candidate's scored attempt whose scorecard is still stored (none after erasure)."""
    return (
        Attempt.objects.filter(invitation__candidate=candidate).exclude(scorecard_json="").first()
    )


def fresh_recommendation(candidate: Candidate, attempt: Attempt) -> CoreRecommendation:
    """What ``decide()`` says right now, from the stored scorecard and the interviews."""
    scorecard = stored_scorecard(attempt)
    assert scorecard is not None  # callers pass a scored attempt whose scorecard is stored
    playbook = candidate.opening.playbook_version.load()
    return decide(playbook, scorecard, counted_scorecards(candidate))


def actor_name(actor: User | str) -> str:
    """How ``actor`` is named in the audit log (``staff:<id>``, or ``system``)."""
    return actor.audit_actor if isinstance(actor, User) else actor


def do_compute_recommendation(
    candidate: Candidate, *, actor: User | str = SYSTEM_ACTOR, now: datetime | None = None
) -> Recommendation | None:
    """Recompute the candidate's recommendation; store it if it changed. ``None`` before scoring.

    Records ``recommendation.computed`` (public: kind and the counts of interview scorecards and
    red flags; committed: the recommendation's hash and the scorecard hash) only for a new
    result. Safe inside another action's
    transaction (the interviews app calls it at the end of a scorecard submission).
    """
    attempt = scored_attempt(candidate)
    if attempt is None or candidate.is_erased:
        return None
    fresh = fresh_recommendation(candidate, attempt)
    latest = latest_recommendation(candidate)
    if latest is not None and latest.hash == fresh.hash:
        return latest  # unchanged: no transaction, so reading a page takes no write lock
    with transaction.atomic():
        # The log's writer lock first: concurrent requests then store one row, not two.
        take_writer_lock()
        latest = latest_recommendation(candidate)  # another request may have stored it since
        if latest is not None and latest.hash == fresh.hash:
            return latest
        return _store_recommendation(candidate, fresh, actor, now or timezone.now())


def _store_recommendation(
    candidate: Candidate, fresh: CoreRecommendation, actor: User | str, at: datetime
) -> Recommendation:
    leaf = record_event(
        EventType.RECOMMENDATION_COMPUTED,
        actor=actor_name(actor),
        subject=candidate.subject,
        public={
            "candidate_id": candidate.pk,
            "opening_id": candidate.opening_id,
            "kind": str(fresh.kind),
            "interview_scorecards": len(fresh.interviewers),
            "interview_red_flags": len(fresh.interview_flags),
        },
        # Both hashes derive from the answers' scorecard: committed under the candidate's salt,
        # so they cannot be matched to guessed answers and go with the salt at erasure.
        private={
            RECOMMENDATION_HASH_FIELD: fresh.hash,
            SCORECARD_HASH_FIELD: fresh.scorecard_hash,
        },
        at=at,
    )
    row = Recommendation.objects.create(
        candidate=candidate,
        kind=str(fresh.kind),
        reasons_json=json.dumps(list(fresh.reasons)),
        data_json=canonical_json(fresh.to_dict()).decode(),
        hash=fresh.hash,
        scorecard_hash=fresh.scorecard_hash,
        interview_count=len(fresh.interviewers),
        computed_at=at,
        leaf_index=leaf.index,
    )
    emit_recommendation_changed(candidate, row)
    return row
