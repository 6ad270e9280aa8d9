"""Submitting and amending scorecards: checked by the core, once, versioned, logged, erased."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection

from hireproof.accounts.models import User
from hireproof.audit import vault
from hireproof.audit.log import private_context
from hireproof.audit.models import LogPrivate
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions import interviews as actions
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import (
    InterviewRefused,
    ScorecardInvalid,
    do_amend_scorecard,
    do_cancel_assignment,
    do_submit_scorecard,
)
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.interviews import Assignment, AssignmentStatus, ScorecardVersion
from hireproof.hiring.tests.interviews.conftest import (
    IVAN_RATINGS,
    NADIA_RATINGS,
    Assign,
    fresh,
    recorded,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ivans(grace: Candidate, assign: Assign, interviewer: User) -> Assignment:
    """Ivan's assignment to interview Grace."""
    return assign(grace, interviewer)


def amend(assignment: Assignment, ratings: dict[str, int], reason: str, **kwargs: Any) -> Any:
    return do_amend_scorecard(
        actor=assignment.interviewer,
        assignment=assignment,
        card=InterviewScorecard(
            "",
            ratings=ratings,
            red_flags=tuple(kwargs.get("red_flags", [])),
            notes=kwargs.get("notes", ""),
        ),
        reason=reason,
    )


def test_it_stores_the_submission_as_version_1_with_sealed_notes(
    ivans: Assignment, grace: Candidate
) -> None:
    row = submit(
        ivans,
        IVAN_RATINGS,
        ("overfitting/no-validation", "overfitting/no-validation"),
        "Clear on validation; vague on drift.",
    )
    assert row.version == 1
    assert row.ratings == IVAN_RATINGS
    assert row.red_flags == ["overfitting/no-validation"]
    assert row.notes_sealed is not None
    assert b"drift" not in bytes(row.notes_sealed)
    assert row.notes_for(grace) == "Clear on validation; vague on drift."
    assert row.reason_for(grace) == ""
    assert Assignment.objects.get(pk=ivans.pk).status is AssignmentStatus.SUBMITTED


def test_the_submission_event_keeps_ids_public_and_ratings_committed(
    ivans: Assignment, grace: Candidate, interviewer: User
) -> None:
    row = submit(ivans, IVAN_RATINGS, ("deployment/no-monitoring",), "Good on data quality.")
    [event] = recorded("interview.scorecard_submitted")
    assert event.actor == f"staff:{interviewer.pk}"
    assert event.subject == grace.subject.pseudonym
    assert dict(event.public) == {
        "opening_id": grace.opening_id,
        "candidate_id": grace.pk,
        "assignment_id": ivans.pk,
        "interviewer": f"staff:{interviewer.pk}",
        "version": 1,
        "questions": 5,
    }
    assert sorted(event.commitments) == ["notes", "ratings", "red_flags"]
    sealed = LogPrivate.objects.get(leaf_index=event.index, field="ratings")
    opened = vault.unseal(
        grace.subject, bytes(sealed.sealed_value), context=private_context(event.index, "ratings")
    )
    assert opened == (
        '{"continuous-learning":2,"deployment":3,"ill-defined-request":4,'
        '"overfitting":5,"past-project":4}'
    )
    assert row.submitted_at is not None


def test_it_refuses_a_second_submission(ivans: Assignment) -> None:
    submit(ivans, IVAN_RATINGS)
    with pytest.raises(
        InterviewRefused,
        match=r"already submitted this scorecard\. To change it, amend it and give a reason",
    ):
        submit(ivans, {**IVAN_RATINGS, "deployment": 5})
    assert ScorecardVersion.objects.filter(assignment=ivans).count() == 1
    assert len(recorded("interview.scorecard_submitted")) == 1


def test_only_the_assigned_interviewer_submits(
    ivans: Assignment, nadia: User, recruiter: User
) -> None:
    for actor in (nadia, recruiter):
        with pytest.raises(InterviewRefused, match="Only the assigned interviewer"):
            do_submit_scorecard(
                actor=actor,
                assignment=ivans,
                card=InterviewScorecard("", ratings=IVAN_RATINGS, red_flags=(), notes=""),
            )
    assert not ScorecardVersion.objects.exists()


def test_it_refuses_a_scorecard_for_a_cancelled_assignment(
    ivans: Assignment, recruiter: User
) -> None:
    do_cancel_assignment(actor=recruiter, assignment=ivans)
    with pytest.raises(InterviewRefused, match="This interview was cancelled"):
        submit(ivans, IVAN_RATINGS)


@pytest.mark.parametrize(
    ("ratings", "red_flags", "message"),
    [
        (
            {**IVAN_RATINGS, "past-project": 6},
            [],
            "This scorecard does not fit the interview kit: the rating for past-project "
            "must be one of 1, 2, 3, 4, 5, got 6.",
        ),
        (
            {**IVAN_RATINGS, "past-project": 0},
            [],
            "the rating for past-project must be one of 1, 2, 3, 4, 5, got 0.",
        ),
        (
            {q: v for q, v in IVAN_RATINGS.items() if q != "deployment"},
            [],
            "This scorecard does not fit the interview kit: no rating for deployment.",
        ),
        (
            {**IVAN_RATINGS, "salary": 3},
            [],
            "This scorecard does not fit the interview kit: no such interview question: salary.",
        ),
        (
            IVAN_RATINGS,
            ["overfitting/rude"],
            'This scorecard does not fit the interview kit: no such red flag "overfitting/rude"',
        ),
    ],
)
def test_it_refuses_ratings_and_flags_that_do_not_fit_the_kit(
    ivans: Assignment, ratings: dict[str, int], red_flags: list[str], message: str
) -> None:
    with pytest.raises(ScorecardInvalid) as refused:
        submit(ivans, ratings, tuple(red_flags))
    assert message in str(refused.value)
    assert not ScorecardVersion.objects.exists()
    assert recorded("interview.scorecard_submitted") == []


def test_amending_needs_a_reason(ivans: Assignment) -> None:
    submit(ivans, IVAN_RATINGS)
    for reason in ("", "   ", "typo"):
        with pytest.raises(
            ScorecardInvalid, match="Give the reason for the amendment in at least 10 characters"
        ):
            amend(ivans, IVAN_RATINGS, reason)
    assert ScorecardVersion.objects.filter(assignment=ivans).count() == 1


def test_amending_before_submitting_is_refused(ivans: Assignment) -> None:
    with pytest.raises(InterviewRefused, match="There is no scorecard to amend yet"):
        amend(ivans, IVAN_RATINGS, "Changed my mind after the debrief.")


def test_amending_keeps_both_versions_and_both_events(
    ivans: Assignment, grace: Candidate, interviewer: User
) -> None:
    submit(ivans, IVAN_RATINGS, notes="First impressions.")
    second = amend(
        ivans,
        {**IVAN_RATINGS, "deployment": 4},
        "I misread my notes on the deployment question.",
        notes="Reread my notes.",
    )
    rows = list(ScorecardVersion.objects.filter(assignment=ivans).order_by("version"))
    assert [(r.version, r.ratings["deployment"]) for r in rows] == [(1, 3), (2, 4)]
    assert rows[0].notes_for(grace) == "First impressions."
    assert second.reason_for(grace) == "I misread my notes on the deployment question."
    assert Assignment.objects.get(pk=ivans.pk).status is AssignmentStatus.AMENDED
    [submitted] = recorded("interview.scorecard_submitted")
    [amended] = recorded("interview.scorecard_amended")
    assert submitted.public["version"] == 1
    assert dict(amended.public) == {
        "opening_id": grace.opening_id,
        "candidate_id": grace.pk,
        "assignment_id": ivans.pk,
        "interviewer": f"staff:{interviewer.pk}",
        "version": 2,
        "questions": 5,
    }
    assert sorted(amended.commitments) == ["notes", "ratings", "reason", "red_flags"]


def test_the_last_scorecard_in_tells_the_recruiter_who_assigned(
    grace: Candidate, assign: Assign, interviewer: User, nadia: User, omar: User
) -> None:
    ivans = assign(grace, interviewer)
    nadias = Assignment.objects.get(
        pk=actions.do_assign_interviewer(actor=omar, candidate=grace, interviewer=nadia).pk
    )
    mail.outbox.clear()
    submit(ivans, IVAN_RATINGS)
    assert mail.outbox == []
    do_submit_scorecard(
        actor=nadia,
        assignment=nadias,
        card=InterviewScorecard("", ratings=NADIA_RATINGS, red_flags=(), notes=""),
        base_url="http://testserver/",
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["omar@example.org", "rosa@example.org"]
    message = next(m for m in mail.outbox if m.to == ["rosa@example.org"])
    assert message.body.startswith("Hello Rosa Parks,\n\nAll 2 interviewers of Grace Hopper")
    assert f"http://testserver/interviews/openings/{grace.opening_id}/candidates/{grace.pk}/" in (
        message.body
    )
    for rating_words in ("strong", "mean", "%"):
        assert rating_words not in message.body
    mail.outbox.clear()
    amend(nadias, NADIA_RATINGS, "Added the notes I forgot.")
    assert mail.outbox == []


def test_the_all_in_notice_goes_to_the_openings_creator_when_no_assigner_is_active(
    grace: Candidate, assign: Assign, interviewer: User, omar: User, recruiter: User
) -> None:
    assignment = actions.do_assign_interviewer(actor=omar, candidate=grace, interviewer=interviewer)
    omar.is_active = False
    omar.save()
    mail.outbox.clear()
    submit(assignment, IVAN_RATINGS)
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]


def test_submit_and_amend_recompute_the_recommendation_inside_the_transaction(
    ivans: Assignment, grace: Candidate, interviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int, bool]] = []

    def compute(candidate: Candidate, *, actor: User) -> None:
        saved = ScorecardVersion.objects.filter(assignment__candidate=candidate).count()
        calls.append((candidate.pk, actor.pk, connection.in_atomic_block and saved > 0))

    monkeypatch.setattr(actions, "do_compute_recommendation", compute)
    submit(ivans, IVAN_RATINGS)
    amend(ivans, IVAN_RATINGS, "Same ratings, clearer notes.")
    assert calls == [(grace.pk, interviewer.pk, True), (grace.pk, interviewer.pk, True)]


def test_a_failing_recommendation_rolls_the_scorecard_back(
    ivans: Assignment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def compute(candidate: Candidate, *, actor: User) -> None:
        raise RuntimeError("the recommendation could not be computed")

    monkeypatch.setattr(actions, "do_compute_recommendation", compute)
    with pytest.raises(RuntimeError):
        submit(ivans, IVAN_RATINGS)
    assert not ScorecardVersion.objects.exists()
    assert recorded("interview.scorecard_submitted") == []


def test_a_submission_recomputes_the_recommendation_after_its_own_event(
    ivans: Assignment,
) -> None:
    before = len(recorded("recommendation.computed"))
    submit(ivans, IVAN_RATINGS)
    [scored] = recorded("interview.scorecard_submitted")
    after = recorded("recommendation.computed")
    assert len(after) == before + 1
    assert after[-1].index > scored.index


def test_erasure_clears_ratings_flags_notes_and_reasons(
    ivans: Assignment, grace: Candidate, administrator: User
) -> None:
    submit(ivans, IVAN_RATINGS, ("overfitting/no-validation",), "Notes about Grace.")
    amend(ivans, IVAN_RATINGS, "Clarified the notes about Grace.", notes="More notes.")
    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.REQUEST)
    erased = fresh(grace)
    for row in ScorecardVersion.objects.filter(assignment=ivans):
        assert (row.ratings, row.red_flags, row.notes_sealed, row.reason_sealed) == (
            {},
            [],
            None,
            None,
        )
        assert row.is_erased
        assert row.notes_for(erased) == "(erased)"
    with pytest.raises(InterviewRefused, match="personal data was erased"):
        amend(Assignment.objects.get(pk=ivans.pk), IVAN_RATINGS, "After the erasure, again.")
