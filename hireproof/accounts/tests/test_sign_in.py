"""Signing in and out, and the throttling of failed sign-ins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import FailedSignIn, User
from hireproof.testing.personas import PERSONA_PASSWORD

SIGN_IN = reverse("accounts:sign_in")
LOCKED = "Too many failed sign-ins from here."
NO_MATCH = "That email and password don&#x27;t match an active account."
START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def sign_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post(SIGN_IN, {"username": email, "password": password}, **extra)


def test_it_signs_in_with_email_and_password_and_records_the_event(
    recruiter: User, events: Any
) -> None:
    client = Client()
    response = sign_in(client, "rosa@example.org", PERSONA_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.get(reverse("web:home")).context["user"] == recruiter
    assert events() == [
        ("staff.signed_in", f"staff:{recruiter.pk}", {"user_id": recruiter.pk, "role": "recruiter"})
    ]


def test_it_accepts_the_email_in_any_letter_case(recruiter: User) -> None:
    response = sign_in(Client(), "  Rosa@Example.ORG ", PERSONA_PASSWORD)
    assert response.status_code == 302


def test_it_follows_next_to_the_page_asked_for(recruiter: User) -> None:
    client = Client()
    response = client.post(
        SIGN_IN,
        {"username": "rosa@example.org", "password": PERSONA_PASSWORD, "next": "/accounts/staff/"},
    )
    assert response["Location"] == "/accounts/staff/"


def test_it_refuses_a_wrong_password_with_a_plain_message(recruiter: User, events: Any) -> None:
    response = sign_in(Client(), "rosa@example.org", "not-the-password")
    assert response.status_code == 400
    assert NO_MATCH in response.content.decode()
    assert events() == []
    assert FailedSignIn.objects.count() == 1


def test_it_gives_an_unknown_email_the_same_message(db: Any) -> None:
    response = sign_in(Client(), "nobody@example.org", "whatever-password")
    assert NO_MATCH in response.content.decode()


def test_it_refuses_a_deactivated_user_with_the_same_message(recruiter: User) -> None:
    recruiter.is_active = False
    recruiter.save()
    response = sign_in(Client(), "rosa@example.org", PERSONA_PASSWORD)
    assert response.status_code == 400
    assert NO_MATCH in response.content.decode()


def test_it_signs_out_on_post_only(recruiter_client: Client) -> None:
    assert recruiter_client.get(reverse("accounts:sign_out")).status_code == 405
    response = recruiter_client.post(reverse("accounts:sign_out"), follow=True)
    assert "You have signed out." in response.content.decode()
    assert recruiter_client.get(reverse("web:home")).status_code == 302


def test_the_sign_in_page_sends_a_signed_in_user_home(recruiter_client: Client) -> None:
    response = recruiter_client.get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def fail_times(client: Client, count: int, email: str = "rosa@example.org", **extra: Any) -> None:
    for _ in range(count):
        sign_in(client, email, "wrong-password", **extra)


def test_five_failures_lock_the_account_from_that_address_even_for_the_right_password(
    recruiter: User,
) -> None:
    client = Client()
    with time_machine.travel(START, tick=False):
        fail_times(client, 5)
        response = sign_in(client, "rosa@example.org", PERSONA_PASSWORD)
    page = response.content.decode()
    assert response.status_code == 400
    assert f"{LOCKED} You can try again at 10:15 UTC (in 15 minutes)" in page
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(recruiter: User) -> None:
    client = Client()
    with time_machine.travel(START, tick=False):
        fail_times(client, 4)
        assert sign_in(client, "rosa@example.org", PERSONA_PASSWORD).status_code == 302


def test_the_lock_opens_when_its_time_has_passed(recruiter: User) -> None:
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        fail_times(client, 5)
        traveller.shift(timedelta(minutes=14, seconds=59))
        assert LOCKED in sign_in(client, "rosa@example.org", PERSONA_PASSWORD).content.decode()
        traveller.shift(timedelta(seconds=1))
        assert sign_in(client, "rosa@example.org", PERSONA_PASSWORD).status_code == 302


def test_attempts_while_locked_do_not_extend_the_lock(recruiter: User) -> None:
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        fail_times(client, 5)
        traveller.shift(timedelta(minutes=10))
        fail_times(client, 3)
        traveller.shift(timedelta(minutes=5))
        assert sign_in(client, "rosa@example.org", PERSONA_PASSWORD).status_code == 302


def test_failures_spread_beyond_the_window_do_not_lock(recruiter: User) -> None:
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        fail_times(client, 4)
        traveller.shift(timedelta(minutes=16))
        fail_times(client, 1)
        assert sign_in(client, "rosa@example.org", PERSONA_PASSWORD).status_code == 302


def test_the_lock_is_per_address(recruiter: User) -> None:
    with time_machine.travel(START, tick=False):
        fail_times(Client(), 5, REMOTE_ADDR="203.0.113.9")
        other_address = sign_in(
            Client(), "rosa@example.org", PERSONA_PASSWORD, REMOTE_ADDR="198.51.100.7"
        )
    assert other_address.status_code == 302


def test_the_lock_is_per_account(recruiter: User, interviewer: User) -> None:
    client = Client()
    with time_machine.travel(START, tick=False):
        fail_times(client, 5, "rosa@example.org")
        assert sign_in(client, "ivan@example.org", PERSONA_PASSWORD).status_code == 302


def test_many_failures_from_one_address_lock_every_account_there(
    recruiter: User, settings: Any
) -> None:
    settings.SIGN_IN_THROTTLE_CLIENT_FAILURES = 6
    client = Client()
    with time_machine.travel(START, tick=False):
        for number in range(6):
            fail_times(client, 1, f"guess{number}@example.org")
        response = sign_in(client, "rosa@example.org", PERSONA_PASSWORD)
    assert LOCKED in response.content.decode()


def test_a_successful_sign_in_clears_the_failures(recruiter: User) -> None:
    client = Client()
    with time_machine.travel(START, tick=False):
        fail_times(client, 4)
        assert sign_in(client, "rosa@example.org", PERSONA_PASSWORD).status_code == 302
        fail_times(Client(), 4)
        assert sign_in(Client(), "rosa@example.org", PERSONA_PASSWORD).status_code == 302
    assert FailedSignIn.objects.count() == 0


def test_old_failures_are_pruned(recruiter: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        fail_times(Client(), 3)
        traveller.shift(timedelta(minutes=31))
        fail_times(Client(), 1)
    assert list(FailedSignIn.objects.values_list("at", flat=True)) == [
        START + timedelta(minutes=31)
    ]


@pytest.mark.parametrize(
    ("seconds_left", "expected"),
    [(1, "in 1 minute"), (60, "in 1 minute"), (61, "in 2 minutes"), (900, "in 15 minutes")],
)
def test_the_wait_is_said_in_whole_minutes_rounded_up(seconds_left: int, expected: str) -> None:
    from hireproof.views.staff.forms.accounts import describe_wait

    until = START + timedelta(seconds=seconds_left)
    assert describe_wait(until, START).endswith(f"({expected})")
