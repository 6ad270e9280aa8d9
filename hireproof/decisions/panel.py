"""The decision panel: the recommendation with its reasons, the decisions, and the form.

``decision_panel`` builds it for a candidate loaded by ``access.access_decision_candidate``;
``decisions/_panel.html`` renders it (the decision page includes it; another page can too).
The reasons shown are those of the stored ``Recommendation`` the decision is taken against,
which ``ensure_recommendation`` keeps equal to a fresh ``decide()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hireproof.accounts.access import AnyUser
from hireproof.assessments.models import Attempt
from hireproof.core.playbook.model import Verdict
from hireproof.openings.models import Candidate, Opening
from hireproof.reviews.access import attempt_of
from hireproof.reviews.flags import ReviewFlag, attempt_flags
from hireproof.reviews.page import RECOMMENDATION_LABELS
from hireproof.reviews.panels import Panel

from .access import can_decide, can_override_critical
from .actions import latest_recommendation
from .forms import DecisionForm
from .hooks import ensure_recommendation
from .interviews import InterviewProgress, interview_progress
from .models import Decision, Outcome, Recommendation

NO_PROGRESS = InterviewProgress(assigned=0, submitted=0)

# The "Confirm rejection" form's field prefix: it posts to the same view as the full form.
CONFIRM_PREFIX = "confirm"
# The "Record that the candidate withdrew" form's prefix, offered while hire and no hire wait.
WITHDRAWN_PREFIX = "withdrawn"


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
    form: DecisionForm | None
    confirm_form: DecisionForm | None
    withdrawn_form: DecisionForm | None

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
    candidate: Candidate,
    user: AnyUser,
    *,
    form: DecisionForm | None = None,
    confirm_form: DecisionForm | None = None,
    withdrawn_form: DecisionForm | None = None,
    with_progress: bool = True,
) -> DecisionPanel:
    """Build the panel; ``form``/``confirm_form``/``withdrawn_form`` are bound forms to show
    again with errors.

    ``with_progress`` counts the interview scorecards still due (the panel says the
    recommendation is provisional); the candidate page leaves it to its interviews panel.
    """
    attempt = attempt_of(candidate)
    recommendation = ensure_recommendation(candidate) if not candidate.is_erased else None
    if recommendation is None:
        recommendation = latest_recommendation(candidate)
    decisions = list(
        Decision.objects.filter(candidate=candidate)
        .select_related("decided_by", "recommendation")
        .order_by("id")
    )
    scored = attempt is not None and bool(attempt.scorecard_json)
    warnings = [f for f in attempt_flags(attempt) if f.is_open] if attempt and scored else []
    may_decide = can_decide(user)
    shown = recommendation.hash if recommendation else ""
    if may_decide:
        form = form or DecisionForm(initial={"recommendation": shown})
        confirm_form = confirm_form or DecisionForm(
            initial={"recommendation": shown, "outcome": Outcome.NO_HIRE}, prefix=CONFIRM_PREFIX
        )
        withdrawn_form = withdrawn_form or DecisionForm(
            initial={"recommendation": shown, "outcome": Outcome.WITHDRAWN},
            prefix=WITHDRAWN_PREFIX,
        )
    return DecisionPanel(
        candidate=candidate,
        opening=candidate.opening,
        attempt=attempt,
        recommendation=recommendation,
        decisions=decisions,
        open_warnings=warnings,
        interviews=interview_progress(candidate) if with_progress else NO_PROGRESS,
        may_decide=may_decide,
        may_override=can_override_critical(user),
        form=form if may_decide else None,
        confirm_form=confirm_form if may_decide else None,
        withdrawn_form=withdrawn_form if may_decide else None,
    )


def candidate_page_panel(candidate: Candidate, user: AnyUser) -> Panel | None:
    """The recommendation and decision section of the candidate page (``reviews.panels``)."""
    # The interviews panel of the same page lists each scorecard still due.
    panel = decision_panel(candidate, user, with_progress=False)
    return Panel("decisions/_candidate_page_panel.html", {"panel": panel})
