"""Password reset by email: neutral wording, a one-time link, the new password works, and
requests past the throttle send nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import PasswordResetRequest, User

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "granite-meadow-93-violin"
NEUTRAL = "If that address belongs to an account, a link to choose a new password is on its way."


def ask_for_reset(client: Client, email: str) -> Any:
    return client.post(RESET, {"email": email}, follow=True)


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def choose_password(client: Client, link: str, password: str) -> Any:
    form_page = client.get(link, follow=True)
    return client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )


def test_it_emails_a_reset_link_to_a_known_address(recruiter: User, mailoutbox: Any) -> None:
    response = ask_for_reset(Client(), "Rosa@Example.org")
    assert NEUTRAL in response.content.decode()
    assert [message.to for message in mailoutbox] == [["rosa@example.org"]]
    assert mailoutbox[0].subject == "Reset your hireproof password"


def test_it_says_the_same_for_an_unknown_address_and_sends_nothing(
    db: Any, mailoutbox: Any
) -> None:
    response = ask_for_reset(Client(), "stranger@example.org")
    assert NEUTRAL in response.content.decode()
    assert mailoutbox == []


def test_the_link_sets_a_new_password_that_signs_in(
    recruiter: User, mailoutbox: Any, events: Any
) -> None:
    client = Client()
    ask_for_reset(client, "rosa@example.org")
    response = choose_password(client, link_in(mailoutbox[0]), NEW_PASSWORD)
    assert "Your password is set. Sign in with it now." in response.content.decode()
    signed_in = client.post(
        reverse("accounts:sign_in"), {"username": "rosa@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert [event[0] for event in events()] == ["staff.password_set", "staff.signed_in"]


def test_the_link_works_only_once(recruiter: User, mailoutbox: Any) -> None:
    client = Client()
    ask_for_reset(client, "rosa@example.org")
    link = link_in(mailoutbox[0])
    choose_password(client, link, NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_weak_password_is_refused_with_the_reason(recruiter: User, mailoutbox: Any) -> None:
    client = Client()
    ask_for_reset(client, "rosa@example.org")
    response = choose_password(client, link_in(mailoutbox[0]), "12345678")
    assert "This password is too common." in response.content.decode()
    recruiter.refresh_from_db()
    assert recruiter.check_password("12345678") is False


# --- throttling -------------------------------------------------------------------------------

START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def test_thirty_requests_for_one_address_send_only_the_allowed_emails(
    recruiter: User, mailoutbox: Any, settings: Any
) -> None:
    client = Client()
    with time_machine.travel(START, tick=False):
        answers = [client.post(RESET, {"email": "rosa@example.org"}) for _ in range(30)]
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }
    assert len(mailoutbox) == settings.PASSWORD_RESET_THROTTLE_REQUESTS == 3
    page = client.get(reverse("accounts:password_reset_done")).content.decode()
    assert NEUTRAL in page  # what every request is told, sent or held back


def test_the_address_limit_holds_across_client_addresses(recruiter: User, mailoutbox: Any) -> None:
    with time_machine.travel(START, tick=False):
        for number in range(10):
            Client().post(RESET, {"email": "rosa@example.org"}, REMOTE_ADDR=f"198.51.100.{number}")
    assert len(mailoutbox) == 3


def test_one_client_address_is_held_back_whatever_the_addresses_it_asks_for(
    recruiter: User, mailoutbox: Any, settings: Any
) -> None:
    settings.PASSWORD_RESET_THROTTLE_CLIENT_REQUESTS = 5
    client = Client()
    with time_machine.travel(START, tick=False):
        for number in range(5):
            client.post(RESET, {"email": f"guess{number}@example.org"})
        client.post(RESET, {"email": "rosa@example.org"})
        assert mailoutbox == []
        Client().post(RESET, {"email": "rosa@example.org"}, REMOTE_ADDR="198.51.100.7")
    assert [message.to for message in mailoutbox] == [["rosa@example.org"]]


def test_requests_are_let_through_again_once_the_window_has_passed(
    recruiter: User, mailoutbox: Any
) -> None:
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            client.post(RESET, {"email": "rosa@example.org"})
        assert len(mailoutbox) == 3
        traveller.shift(timedelta(minutes=59, seconds=59))
        client.post(RESET, {"email": "rosa@example.org"})
        assert len(mailoutbox) == 3
        traveller.shift(timedelta(minutes=30))
        client.post(RESET, {"email": "rosa@example.org"})
        assert len(mailoutbox) == 4
    # Counts older than the window are pruned as new requests arrive.
    assert PasswordResetRequest.objects.count() == 1
