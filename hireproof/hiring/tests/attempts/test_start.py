"""The start page, starting the clock on the server, resuming, and links that do not work."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hireproof.audit.actions import do_erase_subject
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.hiring.actions.attempts import StartRefused, do_start_attempt
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.tests.attempts.conftest import START, InviteFn, Link, started

pytestmark = pytest.mark.django_db


def last_event(event_type: str) -> Any:
    leaf = LogLeaf.objects.filter(event_type=event_type).order_by("-index").first()
    assert leaf is not None, f"no {event_type} event"
    return parse_leaf(bytes(leaf.data))


def test_the_start_page_says_what_the_assessment_is_before_the_clock_starts(
    candidate_client: Client, grace: Link
) -> None:
    response = candidate_client.get(grace.url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Data Scientist (Berlin): written assessment" in page
    assert "Hello Grace Hopper." in page
    assert "30 minutes." in page
    assert "5 questions in 5 sections." in page
    assert "Some questions have answers that may disqualify you from consideration" in page
    assert "What we keep, and why" in page
    assert 'write to Rosa Parks (<a href="mailto:rosa@example.org">' in page
    assert "disclose_extension" not in page
    assert response["Cache-Control"].startswith("max-age=0")
    assert not Attempt.objects.exists()


def test_the_start_page_shows_extra_time_and_asks_before_reviewers_see_it(
    candidate_client: Client, clock: Any, invite: InviteFn
) -> None:
    link = invite("Ada Byron", "ada@example.org", "ada-token-123", extra_percent=50)
    page = candidate_client.get(link.url()).content.decode()
    assert "45 minutes, which includes the extra time agreed with you" in page
    assert "(the standard limit is 30 minutes)" in page
    assert "Let reviewers see that I had extra time" in page


def test_starting_sets_the_deadline_on_the_server_and_records_the_event(
    candidate_client: Client, grace: Link
) -> None:
    response = candidate_client.post(grace.url())
    assert response.status_code == 302
    assert response["Location"] == grace.url("questions")
    attempt = grace.attempt
    assert (attempt.started_at, attempt.deadline) == (START, START + timedelta(minutes=30))
    event = last_event("attempt.started")
    assert event.subject == grace.subject.pseudonym
    assert event.actor == "candidate"
    assert event.public == {
        "attempt_id": attempt.pk,
        "opening_id": grace.invitation.candidate.opening_id,
        "time_limit_minutes": 30,
    }
    assert sorted(event.commitments) == [
        "deadline",
        "extension_disclosed",
        "extra_minutes",
        "extra_time_percent",
    ]


@pytest.mark.parametrize(("ticked", "disclosed"), [(True, True), (False, False)])
def test_the_candidate_decides_whether_reviewers_see_their_extra_time(
    candidate_client: Client, clock: Any, invite: InviteFn, ticked: bool, disclosed: bool
) -> None:
    link = invite("Ada Byron", "ada@example.org", "ada-token-123", extra_minutes=15)
    candidate_client.post(link.url(), {"disclose_extension": "1"} if ticked else {})
    link.invitation.refresh_from_db()
    assert link.invitation.extension_disclosed is disclosed
    assert link.attempt.deadline == START + timedelta(minutes=45)


def test_consent_to_show_extra_time_is_ignored_without_extra_time(
    candidate_client: Client, grace: Link
) -> None:
    candidate_client.post(grace.url(), {"disclose_extension": "1"})
    grace.invitation.refresh_from_db()
    assert grace.invitation.extension_disclosed is False


def test_reopening_the_link_after_start_resumes_the_same_attempt(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    first = started(candidate_client, grace)
    clock.shift(timedelta(minutes=10))
    assert candidate_client.get(grace.url())["Location"] == grace.url("questions")
    assert candidate_client.post(grace.url())["Location"] == grace.url("questions")
    assert Attempt.objects.get() == first
    assert Attempt.objects.get().started_at == START
    assert LogLeaf.objects.filter(event_type="attempt.started").count() == 1


def test_the_start_action_gives_one_attempt_per_invitation(grace: Link) -> None:
    first = do_start_attempt(grace.invitation)
    second = do_start_attempt(grace.invitation, now=timezone.now() + timedelta(minutes=5))
    assert first.pk == second.pk
    assert second.started_at == START


def test_an_expired_link_never_started_says_to_contact_the_recruiter(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    clock.shift(timedelta(days=7, seconds=1))
    for response in (candidate_client.get(grace.url()), candidate_client.post(grace.url())):
        page = response.content.decode()
        assert response.status_code == 410
        assert "This link has expired" in page
        assert "Please contact the recruiter who invited you, Rosa Parks" in page
    assert not Attempt.objects.exists()


def test_an_attempt_started_before_the_link_expired_can_still_be_resumed(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    clock.shift(timedelta(days=7) - timedelta(minutes=10))
    started(candidate_client, grace)
    clock.shift(timedelta(minutes=15))
    response = candidate_client.get(grace.url())
    assert response["Location"] == grace.url("questions")
    assert candidate_client.get(grace.url("questions")).status_code == 200


def _normalised(content: bytes) -> str:
    # The masked CSRF token differs on every render; everything else must be the same.
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', content.decode())


def test_unknown_revoked_and_erased_links_all_look_like_any_missing_page(
    candidate_client: Client, grace: Link, alan: Link, recruiter: Any
) -> None:
    started(candidate_client, alan)
    grace.invitation.revoked_at = timezone.now()
    grace.invitation.save()
    do_erase_subject(alan.subject, actor="staff:1")
    missing = candidate_client.get("/no-such-page/")
    assert missing.status_code == 404
    urls = [
        "/a/not-a-token/",
        "/a/not-a-token/questions/",
        "/a/not-a-token/done/",
        "/a/not-a-token/receipt.json",
        grace.url(),
        grace.url("questions"),
        alan.url(),
        alan.url("questions"),
        alan.url("done"),
        "/a/" + "x" * 500 + "/",
    ]
    for url in urls:
        response = candidate_client.get(url)
        assert response.status_code == 404, url
        assert _normalised(response.content) == _normalised(missing.content), url


def test_a_link_that_was_never_started_has_no_questions_page(
    candidate_client: Client, grace: Link
) -> None:
    assert candidate_client.get(grace.url("questions")).status_code == 404
    assert candidate_client.post(grace.url("submit")).status_code == 404
    assert not Attempt.objects.exists()


def test_starting_and_saving_need_the_pages_csrf_token(grace: Link) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(grace.url()).status_code == 403
    page = browser.get(grace.url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert browser.post(grace.url(), {"csrfmiddlewaretoken": token.group(1)}).status_code == 302
    questions = browser.get(grace.url("questions")).content.decode()
    header = re.search(r'"X-CSRFToken": "([^"]+)"', questions)
    assert header is not None
    url = grace.url("save", "outlier-ages")
    assert browser.post(url, {"answer-outlier-ages": "141"}).status_code == 403
    saved = browser.post(url, {"answer-outlier-ages": "141"}, HTTP_X_CSRFTOKEN=header.group(1))
    assert saved.status_code == 200


def test_staff_signed_in_see_the_candidate_pages_without_staff_navigation(
    recruiter_client: Client, grace: Link
) -> None:
    page = recruiter_client.get(grace.url()).content.decode()
    assert "Sign out" not in page
    assert 'aria-label="Main"' not in page


def test_the_start_action_refuses_an_expired_or_revoked_link(grace: Link, clock: Any) -> None:
    later = timezone.now() + timedelta(days=8)
    with pytest.raises(StartRefused, match=r"This link has expired\. Contact the recruiter"):
        do_start_attempt(grace.invitation, now=later)
    grace.invitation.revoked_at = timezone.now()
    with pytest.raises(StartRefused, match="This link was withdrawn"):
        do_start_attempt(grace.invitation)
    assert not Attempt.objects.exists()
