"""What this app does when another app announces something.

- an attempt is scored (``hireproof.assessments.signals.attempt_scored``): the first
  recommendation is computed in the same transaction;
- a subject is erased (``hireproof.audit.signals.subject_erased``): the reasons written about
  them are forgotten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hireproof.assessments.models import Attempt
from hireproof.audit.models import Subject

from .hooks import attempt_scored
from .models import Decision

ERASED_TEXT = ""


def clear_erased_reasons(sender: Any, subject: Subject, **_: Any) -> None:
    """Blank the reason and justification of every decision about the erased candidate.

    Runs inside the erasure transaction (``hireproof.audit.signals.subject_erased``). A written
    reason is free text about the person, so it goes with their data; the outcome, who decided
    and when stay (the log records them too). The queryset update is the one change a final
    decision ever undergoes.
    """
    Decision.objects.filter(candidate__subject=subject).update(
        reason=ERASED_TEXT, justification=ERASED_TEXT
    )


def recommend_after_scoring(sender: Any, attempt: Attempt, at: datetime, **_: Any) -> None:
    """Compute the candidate's first recommendation as soon as their test is scored.

    The machine computes it, whoever submitted: the actor is the system.
    """
    attempt_scored(attempt, actor="system", now=at)
