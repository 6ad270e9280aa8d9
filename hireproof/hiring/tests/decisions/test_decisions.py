"""Recording decisions: who may, the override rules, superseding without editing, the log."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.audit.vault import commitment_secret
from hireproof.core.audit import Receipt, open_field, verify_opening, verify_receipt
from hireproof.core.scoring import RecommendationKind
from hireproof.hiring.actions import recommendations
from hireproof.hiring.actions.decisions import DecisionRefused, do_record_decision
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import (
    Decision,
    DecisionIsFinal,
    Outcome,
    is_against,
    overrides_critical,
)
from hireproof.hiring.tests.decisions.conftest import MakeCandidate, acknowledge, leaves

pytestmark = pytest.mark.django_db

REASON = "Strong written test; the team needs this profile now."
JUSTIFICATION = "The interview panel saw the warning explained convincingly."


def decide(actor: User, candidate: Candidate, outcome: str, **kwargs: Any) -> Decision:
    return do_record_decision(
        actor=actor, candidate=candidate, outcome=outcome, reason=REASON, **kwargs
    )


@pytest.mark.parametrize(
    ("outcome", "kind", "against"),
    [
        ("hire", "hire", False),
        ("hire", "review", True),
        ("hire", "advance", True),
        ("hire", "reject", True),
        ("hire", "no_hire", True),
        ("no_hire", "hire", True),
        ("no_hire", "advance", True),
        ("no_hire", "review", False),
        ("no_hire", "reject", False),
        ("no_hire", "no_hire", False),
        ("withdrawn", "hire", False),
        ("withdrawn", "reject", False),
    ],
)
def test_which_decisions_go_against_the_recommendation(
    outcome: str, kind: str, against: bool
) -> None:

    assert is_against(Outcome(outcome), RecommendationKind(kind)) is against


@pytest.mark.parametrize(
    ("outcome", "verdict", "overrides"),
    [
        ("hire", "critical_fail", True),
        ("hire", "fail", False),
        ("no_hire", "critical_fail", False),
        ("withdrawn", "critical_fail", False),
    ],
)
def test_only_a_hire_overrides_a_critical_fail(outcome: str, verdict: str, overrides: bool) -> None:
    assert overrides_critical(Outcome(outcome), verdict) is overrides


def test_a_recruiter_records_a_decision_in_line_with_the_recommendation(
    frank: Candidate, recruiter: User
) -> None:
    decision = decide(recruiter, frank, "no_hire")
    assert decision.outcome == "no_hire"
    assert decision.reason == REASON
    assert decision.recommendation is not None
    assert decision.recommendation.kind == "reject"
    assert (decision.against_recommendation, decision.overrides_critical) == (False, False)
    assert decision.supersedes is None
    assert decision.decided_by == recruiter


def test_the_decision_event_holds_the_outcome_publicly_and_the_reasons_committed(
    frank: Candidate, recruiter: User
) -> None:
    decision = decide(recruiter, frank, "no_hire")
    recommendation = decision.recommendation
    assert recommendation is not None
    [leaf] = leaves("decision.recorded")
    assert leaf.index == decision.leaf_index
    assert leaf.actor == recruiter.audit_actor
    assert leaf.subject == frank.subject.pseudonym
    assert dict(leaf.public) == {
        "candidate_id": frank.pk,
        "opening_id": frank.opening_id,
        "outcome": "no_hire",
        "recommendation": {"kind": "reject"},
        "against_recommendation": False,
        "overrides_critical": False,
        "supersedes": None,
    }
    # The recommendation's hash derives from the answers: committed, never public.
    assert sorted(leaf.commitments) == ["justification", "reason", "recommendation_hash"]
    verify_opening(
        leaf.commitments["recommendation_hash"],
        open_field(
            commitment_secret(frank.subject),
            str(leaf.index),
            "recommendation_hash",
            recommendation.hash,
        ),
    )
    assert REASON not in str(leaf.public)


def test_the_decision_keeps_a_receipt_that_verifies(frank: Candidate, recruiter: User) -> None:
    decision = decide(recruiter, frank, "no_hire")
    receipt = Receipt.from_json(decision.receipt_json)
    assert receipt.leaf_index == decision.leaf_index
    verify_receipt(receipt)


def test_an_interviewer_or_an_auditor_cannot_decide(
    frank: Candidate, interviewer: User, auditor: User, client_as: Any
) -> None:
    url = reverse("decisions:decide", args=[frank.opening_id, frank.pk])
    for actor in (interviewer, auditor):
        response = client_as(actor).post(url, {"outcome": "no_hire", "reason": REASON})
        assert response.status_code == 404
    assert Decision.objects.count() == 0


def test_a_decision_against_the_recommendation_needs_a_justification(
    alan: Candidate, recruiter: User
) -> None:
    acknowledge(alan, recruiter)
    with pytest.raises(
        DecisionRefused, match="goes against the review recommendation: write a justification"
    ):
        decide(recruiter, alan, "hire")
    decision = decide(recruiter, alan, "hire", justification=JUSTIFICATION)
    assert decision.against_recommendation is True
    assert decision.justification == JUSTIFICATION


def test_a_critical_fail_can_be_overridden_only_by_an_administrator(
    mallory: Candidate, recruiter: User, administrator: User
) -> None:
    with pytest.raises(DecisionRefused, match="only an administrator can decide to hire"):
        decide(recruiter, mallory, "hire", justification=JUSTIFICATION)
    with pytest.raises(DecisionRefused, match="overrides a critical_fail: write a justification"):
        decide(administrator, mallory, "hire")
    decision = decide(administrator, mallory, "hire", justification=JUSTIFICATION)
    assert (decision.overrides_critical, decision.against_recommendation) == (True, True)
    assert leaves("decision.recorded")[-1].public["overrides_critical"] is True


def test_a_recruiter_can_confirm_the_rejection_of_a_critical_fail(
    mallory: Candidate, recruiter: User
) -> None:
    decision = decide(recruiter, mallory, "no_hire")
    assert (decision.overrides_critical, decision.against_recommendation) == (False, False)


def test_a_new_decision_supersedes_the_previous_one_without_editing_it(
    frank: Candidate, recruiter: User, administrator: User
) -> None:
    first = decide(recruiter, frank, "no_hire")
    second = do_record_decision(
        actor=administrator,
        candidate=frank,
        outcome="withdrawn",
        reason="The candidate wrote to withdraw their application.",
    )
    assert second.supersedes == first
    again = Decision.objects.get(pk=first.pk)
    assert (again.outcome, again.reason, again.decided_by) == ("no_hire", REASON, recruiter)
    assert leaves("decision.recorded")[-1].public["supersedes"] == first.leaf_index
    assert list(Decision.objects.filter(superseded_by__isnull=True)) == [second]


def test_a_decision_cannot_be_edited_or_deleted(frank: Candidate, recruiter: User) -> None:
    decision = decide(recruiter, frank, "no_hire")
    decision.outcome = "hire"
    with pytest.raises(DecisionIsFinal):
        decision.save()
    with pytest.raises(DecisionIsFinal):
        decision.delete()
    assert Decision.objects.get().outcome == "no_hire"


def test_open_warnings_must_be_acknowledged_first(alan: Candidate, recruiter: User) -> None:
    with pytest.raises(
        DecisionRefused, match=r"Acknowledge the warning flags first \(on sjt-incomplete-data\)"
    ):
        decide(recruiter, alan, "no_hire")
    acknowledge(alan, recruiter)
    assert decide(recruiter, alan, "no_hire").outcome == "no_hire"


@pytest.mark.parametrize("outcome", ["hire", "no_hire"])
def test_an_unscored_candidate_cannot_be_hired_or_turned_down(
    make_candidate: MakeCandidate, recruiter: User, outcome: str
) -> None:
    candidate = make_candidate("Nobody Yet", "nobody@example.org")
    with pytest.raises(
        DecisionRefused,
        match=r"^The written assessment is not scored yet: hire or no hire waits for the score "
        r"\(withdrawn can be recorded now\)\.$",
    ):
        decide(recruiter, candidate, outcome)
    assert Decision.objects.count() == 0


def test_an_erased_candidate_cannot_be_decided(frank: Candidate, administrator: User) -> None:
    do_erase_candidate(actor=administrator, candidate=frank, basis=ErasureBasis.REQUEST)
    frank.refresh_from_db()
    with pytest.raises(DecisionRefused, match="personal data was erased"):
        decide(administrator, frank, "no_hire")


def test_a_reason_is_required(frank: Candidate, recruiter: User) -> None:
    with pytest.raises(DecisionRefused, match="Write the reason in at least 10 characters"):
        do_record_decision(actor=recruiter, candidate=frank, outcome="no_hire", reason=" short ")


def test_an_unknown_outcome_is_refused(frank: Candidate, recruiter: User) -> None:
    with pytest.raises(DecisionRefused, match="Choose the decision: one of hire, no_hire"):
        decide(recruiter, frank, "maybe")


def test_a_decision_on_a_recommendation_that_changed_meanwhile_is_refused(
    frank: Candidate, recruiter: User
) -> None:
    current = recommendations.do_compute_recommendation(frank)
    assert current is not None
    with pytest.raises(DecisionRefused, match="The recommendation changed since the page"):
        decide(recruiter, frank, "no_hire", shown_recommendation="0" * 64)
    decision = decide(recruiter, frank, "no_hire", shown_recommendation=current.hash)
    assert decision.recommendation == current


def test_erasure_blanks_the_written_reasons_and_keeps_the_rest(
    alan: Candidate, recruiter: User, administrator: User
) -> None:
    acknowledge(alan, recruiter)
    decide(recruiter, alan, "hire", justification=JUSTIFICATION)
    do_erase_candidate(actor=administrator, candidate=alan, basis=ErasureBasis.REQUEST)
    decision = Decision.objects.get()
    assert (decision.reason, decision.justification) == ("", "")
    assert (decision.outcome, decision.decided_by) == ("hire", recruiter)


def test_a_reason_longer_than_the_limit_is_refused(frank: Candidate, recruiter: User) -> None:
    with pytest.raises(DecisionRefused, match="The reason is 4,001 characters long"):
        do_record_decision(actor=recruiter, candidate=frank, outcome="no_hire", reason="x" * 4001)
