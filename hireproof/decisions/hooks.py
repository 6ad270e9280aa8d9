"""What other apps call when the inputs of a candidate's recommendation change.

- The interviews app calls ``inputs_changed(candidate, actor=...)`` at the end of a scorecard
  submission or amendment, inside its own transaction: the new recommendation and its
  ``recommendation.computed`` event commit (or roll back) with the scorecard.
- The assessments app calls ``attempt_scored(attempt, actor=...)`` once an attempt is scored.

Pages also compute lazily (``ensure_recommendation``), so a candidate scored before the hook
was wired still gets their recommendation the first time someone looks.
"""

from __future__ import annotations

from datetime import datetime

from hireproof.accounts.models import User
from hireproof.assessments.models import Attempt
from hireproof.openings.models import Candidate

from .actions import SYSTEM_ACTOR, do_compute_recommendation
from .models import Recommendation


def inputs_changed(candidate: Candidate, *, actor: User | str) -> Recommendation | None:
    """Recompute the candidate's recommendation; stores and records it only if it changed."""
    return do_compute_recommendation(candidate, actor=actor)


def attempt_scored(
    attempt: Attempt, *, actor: User | str, now: datetime | None = None
) -> Recommendation | None:
    """The written test of ``attempt`` was scored: compute the first recommendation."""
    return do_compute_recommendation(attempt.invitation.candidate, actor=actor, now=now)


def ensure_recommendation(candidate: Candidate) -> Recommendation | None:
    """The candidate's current recommendation, computed (by the system) if missing or stale."""
    return do_compute_recommendation(candidate, actor=SYSTEM_ACTOR)
