"""The candidate's email when a person records a decision, and the opening's notice settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions import recommendations
from hireproof.hiring.actions.decisions import do_record_decision, do_update_notice_settings
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import (
    DEFAULT_HIRE_BODY,
    DEFAULT_HIRE_SUBJECT,
    DEFAULT_NO_HIRE_SUBJECT,
    Decision,
    NoticeSettings,
)
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.decisions.conftest import leaves
from hireproof.platform.message_templates import TemplateProblem
from hireproof.platform.models import OutboxEmail, TaskProblem

pytestmark = pytest.mark.django_db

REASON = "The written test shows gaps in the basics we need."


def record(actor: User, candidate: Candidate, outcome: str, captured: Any, **kwargs: Any) -> None:
    with captured(execute=True):
        do_record_decision(
            actor=actor, candidate=candidate, outcome=outcome, reason=REASON, **kwargs
        )


def test_nothing_is_sent_while_a_rejection_waits_for_a_person(frank: Candidate) -> None:
    mail.outbox.clear()
    recommendation = recommendations.do_compute_recommendation(frank)
    assert recommendation is not None
    assert recommendation.kind == "reject"
    assert mail.outbox == []


def test_a_no_hire_decision_sends_a_neutral_email_without_scores(
    frank: Candidate, recruiter: User, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    record(recruiter, frank, "no_hire", django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["frank@example.org"]
    assert message.subject == "Your application for Data Scientist (Berlin)"
    assert message.body == (
        "Hello Frank Failing,\n\n"
        "Thank you for the time you gave to our hiring process for the Data Scientist (Berlin) "
        "role.\n"
        "After careful review, we have decided not to continue with your application.\n"
        "This decision was taken by a member of our team, not by an automated system.\n\n"
        "Kind regards,\nThe hiring team\n"
    )
    assert "%" not in message.body
    assert REASON not in message.body


def test_scores_are_shared_only_when_the_opening_opts_in(
    frank: Candidate, opening: Opening, recruiter: User, django_capture_on_commit_callbacks: Any
) -> None:
    do_update_notice_settings(
        actor=recruiter,
        opening=opening,
        share_scores=True,
        hire_subject=DEFAULT_HIRE_SUBJECT,
        hire_body=DEFAULT_HIRE_BODY,
        no_hire_subject=DEFAULT_NO_HIRE_SUBJECT,
        no_hire_body="Dear {name},\nwe will not continue.\n{scores}Regards",
    )
    mail.outbox.clear()
    record(recruiter, frank, "no_hire", django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.body == (
        "Dear Frank Failing,\nwe will not continue.\n\n"
        "Your written assessment score: 40.00%.\nRegards"
    )


def test_a_hire_sends_the_hire_email(
    grace: Candidate, recruiter: User, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    record(
        recruiter,
        grace,
        "hire",
        django_capture_on_commit_callbacks,
        justification="Exceptional test; interviews waived for an internal transfer.",
    )
    [message] = mail.outbox
    assert "we would like to offer you the position" in message.body
    assert message.to == ["grace@example.org"]


def test_withdrawn_sends_nothing(
    grace: Candidate, recruiter: User, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    record(recruiter, grace, "withdrawn", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_superseding_decision_with_the_same_outcome_sends_nothing_again(
    frank: Candidate,
    recruiter: User,
    administrator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    record(recruiter, frank, "no_hire", django_capture_on_commit_callbacks)
    record(administrator, frank, "no_hire", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_an_unknown_placeholder_is_refused_with_the_list(opening: Opening, recruiter: User) -> None:
    with pytest.raises(TemplateProblem, match=r"Unknown placeholder \{score\}. The placeholders"):
        do_update_notice_settings(
            actor=recruiter,
            opening=opening,
            share_scores=False,
            hire_subject="Hello {score}",
            hire_body=DEFAULT_HIRE_BODY,
            no_hire_subject=DEFAULT_NO_HIRE_SUBJECT,
            no_hire_body=DEFAULT_HIRE_BODY,
        )
    assert NoticeSettings.objects.count() == 0


def test_the_notice_settings_page_saves_and_records_the_change(
    opening: Opening, recruiter_client: Client
) -> None:
    url = reverse("decisions:notice_settings", args=[opening.pk])
    assert recruiter_client.get(url).status_code == 200
    response = recruiter_client.post(
        url,
        {
            "share_scores": "on",
            "hire_subject": DEFAULT_HIRE_SUBJECT,
            "hire_body": DEFAULT_HIRE_BODY,
            "no_hire_subject": DEFAULT_NO_HIRE_SUBJECT,
            "no_hire_body": "Dear {name}, no.",
        },
    )
    assert response.status_code == 302
    saved = NoticeSettings.objects.get(opening=opening)
    assert (saved.share_scores, saved.no_hire_body) == (True, "Dear {name}, no.")
    assert leaves("opening.updated")[-1].public["fields"] == [
        "decision_notice.share_scores",
        "decision_notice.no_hire_body",
    ]


def test_the_notice_settings_page_shows_a_bad_placeholder(
    opening: Opening, recruiter_client: Client
) -> None:
    response = recruiter_client.post(
        reverse("decisions:notice_settings", args=[opening.pk]),
        {
            "hire_subject": "{nam}",
            "hire_body": DEFAULT_HIRE_BODY,
            "no_hire_subject": DEFAULT_NO_HIRE_SUBJECT,
            "no_hire_body": DEFAULT_HIRE_BODY,
        },
    )
    assert response.status_code == 400
    assert "Unknown placeholder {nam}" in response.content.decode()
    assert NoticeSettings.objects.count() == 0


@pytest.mark.parametrize("persona", ["auditor_client", "interviewer_client"])
def test_only_managers_edit_the_notice(opening: Opening, persona: str, request: Any) -> None:
    client: Client = request.getfixturevalue(persona)
    url = reverse("decisions:notice_settings", args=[opening.pk])
    assert client.get(url).status_code == 404


def test_the_combined_score_is_shared_after_interviews_when_opted_in(
    grace: Candidate,
    opening: Opening,
    recruiter: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ratings = dict.fromkeys(
        ("past-project", "overfitting", "deployment", "ill-defined-request", "continuous-learning"),
        4,
    )
    monkeypatch.setattr(
        recommendations,
        "counted_scorecards",
        lambda c: [InterviewScorecard("Ivan Petrov", ratings)],
    )
    do_update_notice_settings(
        actor=recruiter,
        opening=opening,
        share_scores=True,
        hire_subject=DEFAULT_HIRE_SUBJECT,
        hire_body="{scores}",
        no_hire_subject=DEFAULT_NO_HIRE_SUBJECT,
        no_hire_body="{scores}",
    )
    mail.outbox.clear()
    record(recruiter, grace, "hire", django_capture_on_commit_callbacks)
    assert mail.outbox[0].body == (
        "\nYour written assessment score: 100.00%.\n"
        "Your combined score (written assessment and interviews): 85.00%.\n"
    )


def test_a_mail_failure_leaves_the_decision_standing(
    frank: Candidate,
    recruiter: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    record(recruiter, frank, "no_hire", django_capture_on_commit_callbacks)
    decision = Decision.objects.get()
    assert decision.outcome == "no_hire"
    assert "could not send a decision notice (OSError)" in caplog.text
    # The notice waits in the outbox, with the mail server's reason, for its next try.
    notice = OutboxEmail.objects.get(about=f"decision {decision.pk}")
    assert (notice.sent_at, notice.tries, notice.last_error) == (None, 1, "mail server down")
    assert TaskProblem.objects.get().next_try_at is not None


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise OSError("mail server down")


def test_a_stray_brace_is_refused_in_plain_words(opening: Opening, recruiter: User) -> None:
    with pytest.raises(TemplateProblem, match=r"A '\{' or '\}' is not part of a placeholder"):
        do_update_notice_settings(
            actor=recruiter,
            opening=opening,
            share_scores=False,
            hire_subject=DEFAULT_HIRE_SUBJECT,
            hire_body="Hello {name",
            no_hire_subject=DEFAULT_NO_HIRE_SUBJECT,
            no_hire_body=DEFAULT_HIRE_BODY,
        )


def test_saving_unchanged_settings_records_nothing_more(opening: Opening, recruiter: User) -> None:
    values: dict[str, Any] = {
        "share_scores": False,
        "hire_subject": DEFAULT_HIRE_SUBJECT,
        "hire_body": DEFAULT_HIRE_BODY,
        "no_hire_subject": DEFAULT_NO_HIRE_SUBJECT,
        "no_hire_body": "Dear {name}, no.",
    }
    do_update_notice_settings(actor=recruiter, opening=opening, **values)
    do_update_notice_settings(actor=recruiter, opening=opening, **values)
    assert len(leaves("opening.updated")) == 1
