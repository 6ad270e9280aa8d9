"""What later stages read of interviews: the scorecards that count, the hiring file's rows, the
candidate-page panel, the notice templates."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.core.scoring import InterviewScorecard as CoreScorecard
from hireproof.hiring.actions.interviews import (
    do_amend_scorecard,
    do_assign_interviewer,
    do_cancel_assignment,
    do_update_interview_emails,
)
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.interviews import (
    DEFAULT_ALL_IN_BODY,
    DEFAULT_ALL_IN_SUBJECT,
    Assignment,
    InterviewProgress,
    counted_scorecards,
    interview_progress,
)
from hireproof.hiring.reads.interviews import interviews_panel, scorecard_records
from hireproof.hiring.tests.interviews.conftest import (
    BASE_URL,
    IVAN_RATINGS,
    NADIA_RATINGS,
    Assign,
    recorded,
    submit,
)
from hireproof.platform.message_templates import TemplateProblem

pytestmark = pytest.mark.django_db


def test_core_scorecards_are_the_latest_versions_of_active_assignments(
    grace: Candidate, assign: Assign, interviewer: User, nadia: User, recruiter: User
) -> None:
    ivans = assign(grace, interviewer)
    nadias = assign(grace, nadia)
    assert counted_scorecards(grace) == []
    submit(ivans, IVAN_RATINGS, ("overfitting/no-validation",), "First.")
    do_amend_scorecard(
        actor=interviewer,
        assignment=ivans,
        card=CoreScorecard(
            "", ratings={**IVAN_RATINGS, "deployment": 4}, red_flags=(), notes="Second."
        ),
        reason="Reread my notes after the call.",
    )
    submit(nadias, NADIA_RATINGS, notes="Nadia's notes.")
    assert counted_scorecards(grace) == [
        CoreScorecard("Ivan Petrov", {**IVAN_RATINGS, "deployment": 4}, (), "Second."),
        CoreScorecard("Nadia Boateng", NADIA_RATINGS, (), "Nadia's notes."),
    ]
    do_cancel_assignment(actor=recruiter, assignment=nadias)
    assert [card.interviewer for card in counted_scorecards(grace)] == ["Ivan Petrov"]


def test_interview_status_counts_active_assignments_and_submitted_ones(
    grace: Candidate, assign: Assign, interviewer: User, nadia: User, recruiter: User
) -> None:
    ivans = assign(grace, interviewer)
    nadias = assign(grace, nadia)
    assert interview_progress(grace) == InterviewProgress(2, 0)
    submit(ivans, IVAN_RATINGS)
    do_amend_scorecard(
        actor=interviewer,
        assignment=ivans,
        card=CoreScorecard("", ratings=IVAN_RATINGS, red_flags=(), notes=""),
        reason="Nothing changed but the notes.",
    )
    assert interview_progress(grace) == InterviewProgress(2, 1)
    do_cancel_assignment(actor=recruiter, assignment=nadias)
    assert interview_progress(grace) == InterviewProgress(1, 1)


def test_the_hiring_file_rows_hold_every_version(
    grace: Candidate, assign: Assign, interviewer: User
) -> None:
    ivans = assign(grace, interviewer)
    first = submit(ivans, IVAN_RATINGS, ("deployment/no-monitoring",), "First.")
    do_amend_scorecard(
        actor=interviewer,
        assignment=ivans,
        card=CoreScorecard("", ratings=IVAN_RATINGS, red_flags=(), notes="Second."),
        reason="The flag was ticked by mistake.",
    )
    rows = scorecard_records(grace)
    assert [
        (
            r.card.interviewer,
            r.version,
            r.card.red_flags,
            r.card.notes,
            r.amendment_reason,
            r.is_latest,
        )
        for r in rows
    ] == [
        ("Ivan Petrov", 1, ("deployment/no-monitoring",), "First.", "", False),
        ("Ivan Petrov", 2, (), "Second.", "The flag was ticked by mistake.", True),
    ]
    assert rows[0].submitted_at == first.submitted_at
    assert rows[0].card.ratings == IVAN_RATINGS
    assert not rows[0].assignment_cancelled


def test_the_candidate_page_panel_hides_ratings_the_viewer_may_not_see(
    grace: Candidate, assign: Assign, interviewer: User, nadia: User, recruiter: User
) -> None:
    assign(grace, interviewer)
    submit(assign(grace, nadia), NADIA_RATINGS)
    for viewer, shown in ((recruiter, True), (interviewer, False)):
        html = render_to_string(
            "interviews/_candidate_panel.html",
            {"interviews_panel": interviews_panel(grace, viewer)},
        )
        assert "Nadia Boateng" in html
        assert ("mean 1.4 on the 1-5 scale" in html) is shown


def test_the_opening_edits_its_notices_and_the_next_one_uses_them(
    grace: Candidate, recruiter: User, interviewer: User
) -> None:
    do_update_interview_emails(
        actor=recruiter,
        opening=grace.opening,
        assigned_subject="Please interview {candidate}",
        assigned_body="Hi {interviewer}, {candidate} on {date}: {link} ({{kit}})",
        all_in_subject=DEFAULT_ALL_IN_SUBJECT,
        all_in_body=DEFAULT_ALL_IN_BODY,
    )
    [event] = recorded("opening.updated")
    assert dict(event.public) == {
        "opening_id": grace.opening_id,
        "fields": ["interview_assigned_body", "interview_assigned_subject"],
    }
    mail.outbox.clear()
    assignment = do_assign_interviewer(
        actor=recruiter, candidate=grace, interviewer=interviewer, base_url=BASE_URL
    )
    [message] = mail.outbox
    assert message.subject == "Please interview Grace Hopper"
    assert message.body == (
        f"Hi Ivan Petrov, Grace Hopper on to be arranged: "
        f"http://testserver/interviews/assignments/{assignment.pk}/ ({{kit}})"
    )


def test_it_refuses_an_unknown_placeholder(grace: Candidate, recruiter: User) -> None:
    with pytest.raises(TemplateProblem, match=r"Unknown placeholder \{score\}"):
        do_update_interview_emails(
            actor=recruiter,
            opening=grace.opening,
            assigned_subject="{score}",
            assigned_body="{link}",
            all_in_subject=DEFAULT_ALL_IN_SUBJECT,
            all_in_body=DEFAULT_ALL_IN_BODY,
        )


def test_the_email_page_names_the_wrong_placeholder(
    grace: Candidate, recruiter_client: Client
) -> None:
    url = reverse("interviews:emails", args=[grace.opening_id])
    assert recruiter_client.get(url).status_code == 200
    response = recruiter_client.post(
        url,
        {
            "assigned_subject": "Interview {candidate.__class__}",
            "assigned_body": "No link here.",
            "all_in_subject": "In",
            "all_in_body": "{recipient}",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown placeholder {candidate.__class__}." in html
    assert "The text must contain {link}" in html


def test_it_refuses_a_stray_brace(grace: Candidate, recruiter: User) -> None:
    with pytest.raises(TemplateProblem, match=r"A '\{' or '\}' is not part of a placeholder"):
        do_update_interview_emails(
            actor=recruiter,
            opening=grace.opening,
            assigned_subject="Interview {candidate",
            assigned_body="{link}",
            all_in_subject=DEFAULT_ALL_IN_SUBJECT,
            all_in_body=DEFAULT_ALL_IN_BODY,
        )


def test_a_mail_failure_leaves_the_assignment_in_place(
    grace: Candidate, recruiter: User, interviewer: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "hireproof.hiring.tests.interviews.test_services.FailingBackend"
    assignment = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert len(recorded("interview.assigned")) == 1


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("the mail server is down")
