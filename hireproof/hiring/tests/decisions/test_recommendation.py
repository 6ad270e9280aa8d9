"""The recommendation: computed by the core from the stored scorecard and the interviews,
stored only when it changes, recorded in the audit log, and shown exactly as computed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hireproof.audit.vault import commitment_secret
from hireproof.core.audit import open_field, verify_opening
from hireproof.core.canonical import canonical_json
from hireproof.core.scoring import InterviewScorecard, decide, scorecard_from_dict
from hireproof.hiring.actions import recommendations
from hireproof.hiring.actions.interviews import do_assign_interviewer, do_submit_scorecard
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import DecisionIsFinal, Recommendation
from hireproof.hiring.tests.decisions.conftest import MakeCandidate, leaves

pytestmark = pytest.mark.django_db

ALL_FOURS = {
    "past-project": 4,
    "overfitting": 4,
    "deployment": 4,
    "ill-defined-request": 4,
    "continuous-learning": 4,
}


def fresh_decide(candidate: Candidate, interviews: list[InterviewScorecard]) -> Any:
    attempt = candidate.invitation.attempt
    scorecard = scorecard_from_dict(json.loads(attempt.scorecard_json))
    return decide(candidate.opening.playbook_version.load(), scorecard, interviews)


def with_interviews(monkeypatch: pytest.MonkeyPatch, cards: list[InterviewScorecard]) -> None:
    monkeypatch.setattr(recommendations, "counted_scorecards", lambda candidate: cards)


def test_it_computes_the_test_recommendation_from_the_stored_scorecard(grace: Candidate) -> None:
    recommendation = recommendations.do_compute_recommendation(grace)
    assert recommendation is not None
    expected = fresh_decide(grace, [])
    assert recommendation.kind == "advance"
    assert recommendation.hash == expected.hash
    assert recommendation.reasons == list(expected.reasons)
    assert recommendation.data_json == canonical_json(expected.to_dict()).decode()
    assert recommendation.interview_count == 0


def test_it_records_recommendation_computed_with_kind_counts_and_committed_hashes(
    grace: Candidate,
) -> None:
    recommendation = recommendations.do_compute_recommendation(grace, actor="system")
    assert recommendation is not None
    [leaf] = leaves("recommendation.computed")
    assert leaf.index == recommendation.leaf_index
    assert leaf.actor == "system"
    assert leaf.subject == grace.subject.pseudonym
    assert dict(leaf.public) == {
        "candidate_id": grace.pk,
        "opening_id": grace.opening_id,
        "kind": "advance",
        "interview_scorecards": 0,
        "interview_red_flags": 0,
    }
    # Both hashes derive from the answers: committed under the candidate's salt, never public.
    secret = commitment_secret(grace.subject)
    committed = {
        "recommendation_hash": recommendation.hash,
        "scorecard_hash": grace.invitation.attempt.scorecard_hash,
    }
    assert sorted(leaf.commitments) == sorted(committed)
    for field, value in committed.items():
        verify_opening(leaf.commitments[field], open_field(secret, str(leaf.index), field, value))


def test_it_stores_nothing_new_while_the_inputs_are_unchanged(grace: Candidate) -> None:
    first = recommendations.do_compute_recommendation(grace)
    again = recommendations.do_compute_recommendation(grace, actor="system")
    assert again == first
    assert Recommendation.objects.filter(candidate=grace).count() == 1
    assert len(leaves("recommendation.computed")) == 1


def test_new_interview_scorecards_give_a_new_recommendation_with_the_arithmetic(
    grace: Candidate, monkeypatch: pytest.MonkeyPatch, recruiter: Any
) -> None:
    recommendations.do_compute_recommendation(grace)
    cards = [InterviewScorecard("Ivan Petrov", ALL_FOURS)]
    with_interviews(monkeypatch, cards)
    recommendation = recommendations.do_compute_recommendation(grace, actor=recruiter)
    assert recommendation is not None
    assert recommendation.kind == "hire"
    assert recommendation.interview_count == 1
    assert recommendation.reasons == list(fresh_decide(grace, cards).reasons)
    assert recommendation.reasons[0] == (
        "test 100.00% (strong_pass) x 40% + interview 75.00% x 60% = 85.00% "
        "-> hire: combined at least 75%, strong_pass, no red flags"
    )
    assert [leaf.actor for leaf in leaves("recommendation.computed")] == [
        "system",
        recruiter.audit_actor,
    ]
    assert Recommendation.objects.filter(candidate=grace).count() == 2


def test_there_is_no_recommendation_before_scoring(make_candidate: MakeCandidate) -> None:
    candidate = make_candidate("Nobody Yet", "nobody@example.org")
    assert recommendations.do_compute_recommendation(candidate) is None
    assert Recommendation.objects.count() == 0


def test_a_stored_recommendation_cannot_be_edited_or_deleted(grace: Candidate) -> None:
    recommendation = recommendations.do_compute_recommendation(grace)
    assert recommendation is not None
    recommendation.kind = "hire"
    with pytest.raises(DecisionIsFinal):
        recommendation.save()
    with pytest.raises(DecisionIsFinal):
        recommendation.delete()
    assert Recommendation.objects.get().kind == "advance"


def test_a_submitted_interview_scorecard_recomputes_it_in_the_same_action(
    grace: Candidate, recruiter: Any, interviewer: Any
) -> None:

    recommendations.do_compute_recommendation(grace)
    assignment = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    do_submit_scorecard(
        actor=interviewer,
        assignment=assignment,
        card=InterviewScorecard("", ratings=ALL_FOURS, red_flags=(), notes=""),
    )
    latest = Recommendation.objects.filter(candidate=grace).last()
    assert latest is not None
    assert (latest.kind, latest.interview_count) == ("hire", 1)
    assert latest.reasons == list(
        fresh_decide(grace, [InterviewScorecard("Ivan Petrov", ALL_FOURS)]).reasons
    )
    assert leaves("recommendation.computed")[-1].actor == interviewer.audit_actor
