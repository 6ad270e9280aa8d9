"""Inviting: a personal link only in the email, only its hash stored; resend, revoke, extra time."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.hiring.actions.openings import do_close_opening
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import LINK, add, invite, score_attempt, start_attempt
from hireproof.platform.tasks import run_due_schedules

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def ada(opening: Opening, recruiter: User) -> Candidate:
    return add(opening, recruiter, "Ada Lovelace", "ada@example.org")


def invite_url(opening: Opening, candidate: Candidate, action: str = "invite") -> str:
    return reverse(f"openings:{action}", args=[opening.pk, candidate.pk])


def token_in(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(2)


@time_machine.travel(NOW, tick=False)
def test_an_invitation_emails_a_working_link_and_stores_only_its_hash(
    recruiter: User,
    recruiter_client: Client,
    outsider: Client,
    opening: Opening,
    ada: Candidate,
    mailoutbox: Any,
    events: Any,
) -> None:
    response = recruiter_client.post(invite_url(opening, ada), {"extra_percent": "0"})
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]
    email = mailoutbox[0]
    assert email.subject == "Your assessment for Data Scientist (Berlin)"
    token = token_in(email.body)
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (invitation.expires_at, invitation.send_count, invitation.sent_at) == (
        NOW + timedelta(days=7),
        1,
        NOW,
    )
    assert "Hello Ada Lovelace," in email.body
    assert "assessment of\n30 minutes" in email.body
    assert "before Monday 9 November 2026, 09:30 UTC" in email.body
    # The link opens the candidate's start page.
    assert outsider.get(f"/a/{token}/").status_code == 200
    # ... and appears nowhere but in the email.
    pipeline = recruiter_client.get(reverse("openings:pipeline", args=[opening.pk]))
    assert token not in pipeline.content.decode()
    assert all(token.encode() not in bytes(leaf.data) for leaf in LogLeaf.objects.all())
    assert events()[-1] == (
        "invitation.sent",
        f"staff:{recruiter.pk}",
        ada.subject.pseudonym,
        {
            "opening_id": opening.pk,
            "candidate_id": ada.pk,
            "invitation_id": invitation.pk,
            "expires_at": "2026-11-09T09:30:00+00:00",
            "send_count": 1,
        },
        [],
    )


def test_extra_time_is_stored_committed_in_the_log_and_stated_in_the_email(
    recruiter_client: Client, opening: Opening, ada: Candidate, mailoutbox: Any, events: Any
) -> None:
    recruiter_client.post(invite_url(opening, ada), {"extra_percent": "50", "extra_minutes": ""})
    invitation = Invitation.objects.get()
    assert (invitation.extra_time_percent, invitation.extra_minutes) == (50, 0)
    assert "assessment of\n45 minutes" in mailoutbox[0].body
    kind, _, _, public, committed = events()[-1]
    assert kind == "invitation.sent"
    assert committed == ["extra_time"]
    assert "extra_time" not in public


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"extra_percent": "25", "extra_minutes": "10"},
            "Choose extra time as a percentage or as minutes, not both.",
        ),
        ({"extra_percent": "30"}, "Select a valid choice. 30 is not one of the available choices."),
        ({"extra_minutes": "241"}, "Ensure this value is less than or equal to 240."),
        ({"extra_minutes": "-5"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_it_refuses_extra_time_outside_the_rules(
    recruiter_client: Client,
    opening: Opening,
    ada: Candidate,
    mailoutbox: Any,
    data: dict[str, str],
    message: str,
) -> None:
    response = recruiter_client.post(invite_url(opening, ada), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert message in [error for errors in form.errors.values() for error in errors]
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_the_invitation_form_starts_from_the_extra_time_asked_for_on_import(
    recruiter_client: Client, opening: Opening, ada: Candidate
) -> None:
    Candidate.objects.filter(pk=ada.pk).update(requested_extra_minutes=20)
    form = recruiter_client.get(invite_url(opening, ada)).context["form"]
    assert form.initial == {"extra_percent": 0, "extra_minutes": 20}


def test_a_second_invitation_is_refused(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, mailoutbox: Any
) -> None:
    invite(ada, recruiter)
    response = recruiter_client.post(invite_url(opening, ada), {})
    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "Ada Lovelace is already invited; use Resend to send a new link."
    ]
    assert len(mailoutbox) == 1


def test_resending_sends_a_new_link_and_the_old_one_stops_working(
    recruiter: User,
    recruiter_client: Client,
    outsider: Client,
    opening: Opening,
    ada: Candidate,
    mailoutbox: Any,
    events: Any,
) -> None:
    with time_machine.travel(NOW, tick=False):
        invite(ada, recruiter)
    old_token = token_in(mailoutbox[0].body)
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        response = recruiter_client.post(invite_url(opening, ada, "resend"))
        assert response.status_code == 302
        new_token = token_in(mailoutbox[1].body)
        assert new_token != old_token
        invitation = Invitation.objects.get()
        assert invitation.token_hash == hashlib.sha256(new_token.encode()).hexdigest()
        assert (invitation.send_count, invitation.expires_at) == (2, NOW + timedelta(days=15))
        assert outsider.get(f"/a/{old_token}/").status_code == 404
        assert outsider.get(f"/a/{new_token}/").status_code == 200
    kind, _, _, public, _ = events()[-1]
    assert (kind, public["send_count"], public["reinstated"]) == ("invitation.resent", 2, False)


def test_revoking_stops_the_link_but_keeps_a_started_attempt(
    recruiter: User,
    recruiter_client: Client,
    outsider: Client,
    opening: Opening,
    ada: Candidate,
    mailoutbox: Any,
    events: Any,
) -> None:
    invite(ada, recruiter)
    token = token_in(mailoutbox[0].body)
    ada.refresh_from_db()
    attempt = start_attempt(ada)
    response = recruiter_client.post(invite_url(opening, ada, "revoke"))
    assert response.status_code == 302
    assert Invitation.objects.get().revoked_at is not None
    assert outsider.get(f"/a/{token}/").status_code == 404
    assert type(attempt).objects.filter(pk=attempt.pk).exists()
    assert [kind for kind, *_ in events()][-1] == "invitation.revoked"


def test_a_submitted_attempt_can_be_neither_revoked_nor_resent(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, mailoutbox: Any
) -> None:
    invite(ada, recruiter)
    ada.refresh_from_db()
    score_attempt(start_attempt(ada), "62.50", "borderline")
    revoke = recruiter_client.post(invite_url(opening, ada, "revoke"))
    assert revoke.status_code == 409
    assert "Ada Lovelace has already submitted the assessment; the invitation is used up." in (
        revoke.content.decode()
    )
    assert '<table class="data pipeline">' in revoke.content.decode()  # the pipeline again
    resend = recruiter_client.post(invite_url(opening, ada, "resend"))
    assert resend.status_code == 409
    assert "Ada Lovelace has already submitted the assessment; there is nothing to resend." in (
        resend.content.decode()
    )
    assert Invitation.objects.get().revoked_at is None
    assert len(mailoutbox) == 1


def test_resending_a_revoked_invitation_reinstates_it_with_a_new_link(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    ada: Candidate,
    mailoutbox: Any,
    events: Any,
) -> None:
    invite(ada, recruiter)
    recruiter_client.post(invite_url(opening, ada, "revoke"))
    recruiter_client.post(invite_url(opening, ada, "resend"))
    assert Invitation.objects.get().revoked_at is None
    assert len(mailoutbox) == 2
    assert events()[-1][3]["reinstated"] is True


def test_invite_all_invites_everyone_not_yet_invited_with_their_extra_time(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, mailoutbox: Any
) -> None:
    grace = add(opening, recruiter, "Grace Hopper", "grace@example.org")
    Candidate.objects.filter(pk=grace.pk).update(requested_extra_percent=25)
    alan = add(opening, recruiter, "Alan Turing", "alan@example.org")
    invite(alan, recruiter)
    recruiter_client.post(reverse("openings:invite_all", args=[opening.pk]))
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ada@example.org",
        "alan@example.org",
        "grace@example.org",
    ]
    assert Invitation.objects.get(candidate=grace).extra_time_percent == 25
    assert Invitation.objects.count() == 3


def test_a_mail_failure_keeps_the_invitation_says_so_on_the_pipeline_and_is_tried_again(
    recruiter_client: Client, opening: Opening, ada: Candidate, monkeypatch: Any, mailoutbox: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server refused the connection")

    monkeypatch.setattr("hireproof.platform.mail.send_mail", refuse)
    response = recruiter_client.post(invite_url(opening, ada), {}, follow=True)
    assert Invitation.objects.count() == 1
    page = response.content.decode()  # the pipeline
    assert (
        "The invitation is saved, but the email could not be sent (mail server refused the "
        "connection). Check the email settings, then use Resend." in page
    )
    assert "email failed: mail server refused the connection, use Resend" in page
    monkeypatch.undo()  # the mail server is back: the next try, a little later, sends it
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        run_due_schedules()
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]
    pipeline = recruiter_client.get(reverse("openings:pipeline", args=[opening.pk]))
    assert "email failed" not in pipeline.content.decode()


def test_extra_time_granted_after_the_invitation_goes_out_with_a_new_link(
    recruiter: User,
    recruiter_client: Client,
    outsider: Client,
    opening: Opening,
    ada: Candidate,
    mailoutbox: Any,
    events: Any,
) -> None:
    invite(ada, recruiter)
    old_token = token_in(mailoutbox[0].body)
    page = recruiter_client.get(invite_url(opening, ada, "extra_time"))
    assert page.context["form"].initial == {"extra_percent": 0, "extra_minutes": 0}
    response = recruiter_client.post(
        invite_url(opening, ada, "extra_time"), {"extra_percent": "50"}, follow=True
    )
    assert (
        "Extra time for Ada Lovelace: x1.5 time. A new link was sent to ada@example.org; "
        "the previous one no longer works." in response.content.decode()
    )
    invitation = Invitation.objects.get()
    assert (invitation.extra_time_percent, invitation.extra_minutes) == (50, 0)
    assert "assessment of\n45 minutes" in mailoutbox[1].body
    assert outsider.get(f"/a/{old_token}/").status_code == 404
    assert outsider.get(f"/a/{token_in(mailoutbox[1].body)}/").status_code == 200
    kind, _, _, public, committed = events()[-1]
    assert (kind, committed, "extra_time" in public) == ("invitation.resent", ["extra_time"], False)


def test_removing_extra_time_is_committed_in_the_log_too(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, events: Any
) -> None:
    invite(ada, recruiter, Accommodation(extra_minutes=15))
    recruiter_client.post(invite_url(opening, ada, "extra_time"), {"extra_percent": "0"})
    invitation = Invitation.objects.get()
    assert (invitation.extra_time_percent, invitation.extra_minutes) == (0, 0)
    assert events()[-1][4] == ["extra_time"]


def test_a_plain_resend_keeps_the_extra_time_and_commits_nothing(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, events: Any
) -> None:
    invite(ada, recruiter, Accommodation(extra_percent=25))
    recruiter_client.post(invite_url(opening, ada, "resend"))
    assert Invitation.objects.get().extra_time_percent == 25
    assert events()[-1][4] == []


def test_extra_time_cannot_change_once_the_attempt_has_started(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, mailoutbox: Any
) -> None:
    invite(ada, recruiter)
    ada.refresh_from_db()
    start_attempt(ada)
    response = recruiter_client.post(
        invite_url(opening, ada, "extra_time"), {"extra_minutes": "15"}
    )
    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "Ada Lovelace has already started the assessment; its deadline is fixed, so the extra "
        "time can no longer change."
    ]
    assert Invitation.objects.get().extra_minutes == 0
    assert len(mailoutbox) == 1


def test_the_extra_time_page_refuses_bad_values_and_candidates_not_invited(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, mailoutbox: Any
) -> None:
    not_invited = recruiter_client.get(invite_url(opening, ada, "extra_time"))
    assert not_invited.status_code == 409
    assert "Ada Lovelace has not been invited yet." in not_invited.content.decode()
    invite(ada, recruiter)
    response = recruiter_client.post(
        invite_url(opening, ada, "extra_time"), {"extra_percent": "25", "extra_minutes": "10"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Choose extra time as a percentage or as minutes, not both."
    ]
    assert len(mailoutbox) == 1


def test_the_pipeline_offers_extra_time_only_before_the_attempt_starts(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate
) -> None:
    grace = add(opening, recruiter, "Grace Hopper", "grace@example.org")
    alan = add(opening, recruiter, "Alan Turing", "alan@example.org")
    for candidate in (ada, grace, alan):
        invite(candidate, recruiter)
        candidate.refresh_from_db()
    start_attempt(grace)
    start_attempt(alan)
    recruiter_client.post(invite_url(opening, alan, "revoke"))
    html = recruiter_client.get(reverse("openings:pipeline", args=[opening.pk])).content.decode()
    assert invite_url(opening, ada, "extra_time") in html
    assert invite_url(opening, grace, "extra_time") not in html
    assert invite_url(opening, alan, "extra_time") not in html


def test_invite_all_does_not_claim_success_when_the_first_email_fails(
    recruiter_client: Client, opening: Opening, ada: Candidate, monkeypatch: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server refused the connection")

    monkeypatch.setattr("hireproof.platform.mail.send_mail", refuse)
    response = recruiter_client.post(reverse("openings:invite_all", args=[opening.pk]), follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "1 invitation saved, but 1 email could not be sent (mail server refused the "
        "connection). Check the email settings, then use Resend."
    ]


def test_invite_all_on_a_closed_opening_answers_409_with_the_pipeline(
    recruiter: User, recruiter_client: Client, opening: Opening, ada: Candidate, mailoutbox: Any
) -> None:
    do_close_opening(actor=recruiter, opening=opening)
    response = recruiter_client.post(reverse("openings:invite_all", args=[opening.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "is closed; reopen it to add or invite candidates." in page
    assert '<table class="data pipeline">' in page
    assert Invitation.objects.count() == 0
    assert mailoutbox == []
