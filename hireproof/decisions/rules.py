"""The rules a person's decision is checked against, in one place.

- A decision goes **against** the recommendation when it hires without a ``hire``
  recommendation (after ``review``, ``reject``, ``no_hire``, or ``advance``: hiring on the test
  alone skips the interviews), or when it turns down a candidate recommended for ``hire`` or
  ``advance``. Such a decision needs a written justification. ``withdrawn`` is never against.
- Hiring a candidate whose test verdict is ``critical_fail`` **overrides a critical flag**: only
  an administrator may do it, always with a justification, and it is flagged in every report.
"""

from __future__ import annotations

from hireproof.core.playbook.model import Verdict
from hireproof.core.scoring import RecommendationKind

from .models import Outcome

_IN_LINE = {
    Outcome.HIRE: frozenset({RecommendationKind.HIRE}),
    Outcome.NO_HIRE: frozenset(
        {RecommendationKind.NO_HIRE, RecommendationKind.REJECT, RecommendationKind.REVIEW}
    ),
    Outcome.WITHDRAWN: frozenset(RecommendationKind),
}


def is_against(outcome: Outcome, kind: RecommendationKind) -> bool:
    """True when deciding ``outcome`` goes against a ``kind`` recommendation."""
    return kind not in _IN_LINE[outcome]


def overrides_critical(outcome: Outcome, verdict: str) -> bool:
    """True when ``outcome`` hires despite a ``critical_fail`` test verdict."""
    return outcome == Outcome.HIRE and verdict == Verdict.CRITICAL_FAIL
