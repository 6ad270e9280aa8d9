"""The decision panel: the recommendation with its reasons, the decisions, and what can be done.

``decision_panel`` builds it for a candidate loaded by ``hireproof.hiring.access``;
``decisions/_panel.html`` renders it (the decision page and the candidate page include it).
The reasons shown are those of the latest stored ``Recommendation``, which the actions that
change its inputs keep equal to a fresh ``decide()``: reading the panel computes nothing.
The decision forms belong to the page (``hireproof.views``), which sets them on the panel.
"""

from __future__ import annotations

from dataclasses import dataclass

from hireproof.accounts.roles import Permission
from hireproof.core.playbook import Verdict
from hireproof.hiring.access import AnyUser, may
from hireproof.hiring.models.attempts import Attempt, attempt_of
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import (
    Decision,
    Outcome,
    Recommendation,
    latest_recommendation,
)
from hireproof.hiring.models.flags import ReviewFlag, attempt_flags
from hireproof.hiring.models.interviews import InterviewProgress, interview_progress
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.reads.candidate_page import RECOMMENDATION_LABELS

NO_PROGRESS = InterviewProgress(assigned=0, submitted=0)


@dataclass(frozen=True)
class DecisionPanel:
    """Everything the decision panel shows about one candidate."""

    candidate: Candidate
    opening: Opening
    attempt: Attempt | None
    recommendation: Recommendation | None
    decisions: list[Decision]  # oldest first
    open_warnings: list[ReviewFlag]
    interviews: InterviewProgress  # scorecards still due make the recommendation provisional
    may_decide: bool
    may_override: bool
    # The decision forms (full, "confirm rejection", "the candidate withdrew"), for a viewer
    # who may decide: the page sets them.
    form: object | None = None
    confirm_form: object | None = None
    withdrawn_form: object | None = None

    @property
    def current(self) -> Decision | None:
        """The decision in force (the latest), if any."""
        return self.decisions[-1] if self.decisions else None

    @property
    def history(self) -> list[Decision]:
        """Every decision, newest first."""
        return list(reversed(self.decisions))

    @property
    def recommendation_label(self) -> str:
        """The recommendation in words."""
        kind = self.recommendation.kind if self.recommendation else ""
        return RECOMMENDATION_LABELS.get(kind, kind)

    @property
    def is_critical_fail(self) -> bool:
        """True when a critical red flag made the test verdict critical_fail."""
        return self.attempt is not None and self.attempt.verdict == Verdict.CRITICAL_FAIL

    @property
    def awaiting_confirmation(self) -> bool:
        """A ``reject`` / ``no_hire`` recommendation no person has confirmed yet."""
        return (
            self.recommendation is not None
            and self.recommendation.is_rejection
            and self.current is None
        )

    @property
    def blockers(self) -> list[str]:
        """Why hire or no hire cannot be recorded yet, in words (empty when they can)."""
        if self.candidate.is_erased:
            return ["The candidate's personal data was erased: no decision can be recorded."]
        if self.attempt is None or not self.attempt.scorecard_hash:
            return [
                "The written assessment is not scored yet: hire or no hire waits for the score."
            ]
        if self.open_warnings:
            items = ", ".join(flag.item_id for flag in self.open_warnings)
            return [f"Warning flags wait for a reviewer's note (on {items})."]
        return []

    @property
    def offers_withdrawal(self) -> bool:
        """True when hire and no hire wait but a withdrawal can be recorded now.

        Not after an erasure (nothing more is decided) nor once the withdrawal is in force.
        """
        already = self.current is not None and self.current.outcome == Outcome.WITHDRAWN
        return bool(self.blockers) and not self.candidate.is_erased and not already


def decision_panel(
    candidate: Candidate, user: AnyUser, *, with_progress: bool = True
) -> DecisionPanel:
    """Build the panel for ``user``.

    ``with_progress`` counts the interview scorecards still due (the panel says the
    recommendation is provisional); the candidate page leaves it to its interviews panel.
    """
    attempt = attempt_of(candidate)
    decisions = list(
        Decision.objects.filter(candidate=candidate)
        .select_related("decided_by", "recommendation")
        .order_by("id")
    )
    scored = attempt is not None and bool(attempt.scorecard_json)
    warnings = [f for f in attempt_flags(attempt) if f.is_open] if attempt and scored else []
    return DecisionPanel(
        candidate=candidate,
        opening=candidate.opening,
        attempt=attempt,
        recommendation=latest_recommendation(candidate),
        decisions=decisions,
        open_warnings=warnings,
        interviews=interview_progress(candidate) if with_progress else NO_PROGRESS,
        may_decide=may(user, Permission.DECIDE),
        may_override=may(user, Permission.OVERRIDE_CRITICAL),
    )
