"""Assigning interviewers: who may, to whom, when the candidate is ready, and what is logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.accounts.roles import Role
from hireproof.hiring.actions.attempts import do_start_attempt
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import (
    InterviewRefused,
    do_assign_interviewer,
    do_cancel_assignment,
)
from hireproof.hiring.actions.reviews import do_acknowledge_flag
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.flags import why_not_ready
from hireproof.hiring.models.interviews import Assignment, AssignmentStatus
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.interviews.conftest import (
    BASE_URL,
    IVAN_RATINGS,
    Assign,
    add_candidate,
    example_answers,
    fresh,
    recorded,
    submit,
    take_test,
)
from hireproof.testing.personas import make_staff

pytestmark = pytest.mark.django_db


def test_it_assigns_an_interviewer_and_records_the_event(
    grace: Candidate, recruiter: User, interviewer: User
) -> None:
    when = datetime(2026, 5, 6, 14, 30, tzinfo=UTC)
    assignment = do_assign_interviewer(
        actor=recruiter, candidate=grace, interviewer=interviewer, scheduled_for=when
    )
    assert (assignment.candidate, assignment.interviewer, assignment.assigned_by) == (
        grace,
        interviewer,
        recruiter,
    )
    assert assignment.scheduled_for == when
    assert assignment.status is AssignmentStatus.WAITING
    [event] = recorded("interview.assigned")
    assert event.actor == f"staff:{recruiter.pk}"
    assert event.subject == grace.subject.pseudonym
    assert dict(event.public) == {
        "opening_id": grace.opening_id,
        "candidate_id": grace.pk,
        "assignment_id": assignment.pk,
        "interviewer": f"staff:{interviewer.pk}",
        "scheduled_for": "2026-05-06T14:30:00+00:00",
    }
    assert dict(event.commitments) == {}


def test_an_administrator_may_assign_too(
    grace: Candidate, administrator: User, interviewer: User
) -> None:
    assignment = do_assign_interviewer(
        actor=administrator, candidate=grace, interviewer=interviewer
    )
    assert assignment.assigned_by == administrator


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.AUDITOR])
def test_it_refuses_an_actor_who_is_not_a_recruiter_or_administrator(
    grace: Candidate, interviewer: User, role: Role, client_as: Any
) -> None:
    actor = make_staff("Someone Else", "someone@example.org", role)
    url = reverse("interviews:candidate", args=[grace.opening_id, grace.pk])
    response = client_as(actor).post(url, {"interviewers": [str(interviewer.pk)]})
    assert response.status_code == 404
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.ADMINISTRATOR, Role.AUDITOR])
def test_it_refuses_to_assign_someone_without_the_interviewer_role(
    grace: Candidate, recruiter: User, role: Role
) -> None:
    staff = make_staff("Noor Haddad", "noor@example.org", role)
    with pytest.raises(
        InterviewRefused,
        match="Noor Haddad is not an active interviewer: only staff with the interviewer role",
    ):
        do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=staff)


def test_it_refuses_a_deactivated_interviewer(grace: Candidate, recruiter: User) -> None:
    gone = make_staff("Noor Haddad", "noor@example.org", Role.INTERVIEWER, is_active=False)
    with pytest.raises(InterviewRefused, match="Noor Haddad is not an active interviewer"):
        do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=gone)


def test_it_refuses_a_duplicate_assignment(
    grace: Candidate, assign: Assign, interviewer: User
) -> None:
    assign(grace, interviewer)
    with pytest.raises(
        InterviewRefused, match="Ivan Petrov is already assigned to interview this candidate"
    ):
        assign(grace, interviewer)
    assert Assignment.objects.count() == 1
    assert len(recorded("interview.assigned")) == 1


def test_it_assigns_again_after_a_cancellation(
    grace: Candidate, assign: Assign, interviewer: User, recruiter: User
) -> None:
    first = assign(grace, interviewer)
    do_cancel_assignment(actor=recruiter, assignment=first)
    second = assign(grace, interviewer)
    assert second.pk != first.pk
    assert Assignment.objects.get(pk=first.pk).status is AssignmentStatus.CANCELLED


def test_it_refuses_a_candidate_who_has_not_been_scored(
    opening: Opening, recruiter: User, interviewer: User
) -> None:
    candidate = add_candidate(opening, recruiter, "Ada Byron", "byron@example.org")
    do_start_attempt(candidate.invitation)
    candidate = fresh(candidate)
    expected = "The written test is not scored yet: interviews can be assigned once"
    assert why_not_ready(candidate) is not None
    with pytest.raises(InterviewRefused, match=expected):
        do_assign_interviewer(actor=recruiter, candidate=candidate, interviewer=interviewer)


def test_it_refuses_a_candidate_with_open_warning_flags_until_acknowledged(
    opening: Opening, recruiter: User, interviewer: User
) -> None:
    candidate = take_test(
        add_candidate(opening, recruiter, "Ada Byron", "byron@example.org"),
        example_answers("warning-review"),
    )
    attempt = candidate.invitation.attempt
    assert attempt.warning_count == 1
    with pytest.raises(
        InterviewRefused,
        match="The written test has 1 warning flag that a reviewer must acknowledge first",
    ):
        do_assign_interviewer(actor=recruiter, candidate=candidate, interviewer=interviewer)
    [item_id] = [flag["item"] for flag in json.loads(attempt.scorecard_json)["flags"]]
    do_acknowledge_flag(
        actor=recruiter,
        attempt=attempt,
        item_id=item_id,
        note="Checked with the candidate: a reasonable first step.",
    )
    assignment = do_assign_interviewer(
        actor=recruiter, candidate=fresh(candidate), interviewer=interviewer
    )
    assert assignment.status is AssignmentStatus.WAITING


def test_it_refuses_a_critical_fail(opening: Opening, recruiter: User, interviewer: User) -> None:
    candidate = take_test(
        add_candidate(opening, recruiter, "Ada Byron", "byron@example.org"),
        example_answers("critical-fail"),
    )
    with pytest.raises(InterviewRefused, match=r"critical red flag \(critical fail\)"):
        do_assign_interviewer(actor=recruiter, candidate=candidate, interviewer=interviewer)


def test_it_refuses_an_erased_candidate(
    grace: Candidate, administrator: User, recruiter: User, interviewer: User
) -> None:
    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.REQUEST)
    with pytest.raises(InterviewRefused, match="personal data was erased"):
        do_assign_interviewer(actor=recruiter, candidate=fresh(grace), interviewer=interviewer)


def test_it_emails_the_interviewer_the_kit_link_without_any_score(
    grace: Candidate, recruiter: User, interviewer: User
) -> None:
    mail.outbox.clear()
    when = datetime(2026, 5, 6, 14, 30, tzinfo=UTC)
    assignment = do_assign_interviewer(
        actor=recruiter,
        candidate=grace,
        interviewer=interviewer,
        scheduled_for=when,
        base_url=BASE_URL,
    )
    [message] = mail.outbox
    assert message.to == ["ivan@example.org"]
    assert message.subject == "Interview: Grace Hopper for Data Scientist (Berlin)"
    assert f"http://testserver/interviews/assignments/{assignment.pk}/" in message.body
    assert "Hello Ivan Petrov," in message.body
    assert "When: Wednesday 6 May 2026, 14:30 UTC" in message.body
    attempt = grace.invitation.attempt
    for score in (str(attempt.score_percent), "strong_pass", "Strong pass", "%"):
        assert score not in message.body


def test_cancelling_records_the_event_and_only_managers_may(
    grace: Candidate,
    assign: Assign,
    interviewer: User,
    recruiter: User,
    auditor: User,
    client_as: Any,
) -> None:
    assignment = assign(grace, interviewer)
    cancel_url = reverse("interviews:cancel", args=[assignment.pk])
    assert client_as(auditor).post(cancel_url).status_code == 404
    assert recorded("interview.cancelled") == []
    do_cancel_assignment(actor=recruiter, assignment=assignment)
    with pytest.raises(InterviewRefused, match="already cancelled"):
        do_cancel_assignment(actor=recruiter, assignment=assignment)
    [event] = recorded("interview.cancelled")
    assert dict(event.public) == {
        "opening_id": grace.opening_id,
        "candidate_id": grace.pk,
        "assignment_id": assignment.pk,
        "interviewer": f"staff:{interviewer.pk}",
        "had_scorecard": False,
    }


def test_cancelling_the_last_waiting_interview_tells_the_recruiter_all_are_in(
    grace: Candidate, assign: Assign, interviewer: User, nadia: User, recruiter: User
) -> None:
    ivan_assignment = assign(grace, interviewer)
    nadia_assignment = assign(grace, nadia)
    submit(ivan_assignment, IVAN_RATINGS)
    mail.outbox.clear()
    do_cancel_assignment(actor=recruiter, assignment=nadia_assignment)
    [message] = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert (
        message.subject
        == "All interview scorecards are in: Grace Hopper for Data Scientist (Berlin)"
    )
