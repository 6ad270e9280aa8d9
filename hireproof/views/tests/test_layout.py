"""The base layout, navigation by role, the home page and the error pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.platform.version import hireproof_version
from hireproof.views import navigation
from hireproof.views.navigation import links_for

HOME = reverse("web:home")


def nav_labels(page: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav" aria-label="Main">(.*?)</nav>', page, re.S)
    assert nav, page
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))


def test_the_home_page_sends_anonymous_visitors_to_sign_in(outsider: Client) -> None:
    response = outsider.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next=/"


def test_the_layout_has_a_skip_link_landmarks_and_the_version(recruiter_client: Client) -> None:
    page = recruiter_client.get(HOME).content.decode()
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<main id="main" tabindex="-1">' in page
    assert '<header class="site-header">' in page
    assert f"<p>hireproof {hireproof_version()} · " in page
    assert '<html lang="en">' in page
    assert "Rosa Parks" in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "administrator",
            [
                "Openings",
                "Playbooks",
                "Staff",
                "Audit",
                "API keys",
                "Background work",
                "Webhooks",
                "Integrations",
                "API",
            ],
        ),
        ("recruiter", ["Openings", "Playbooks", "API"]),
        ("interviewer", ["My interviews", "Playbooks", "API"]),
        ("auditor", ["Openings", "Playbooks", "Audit", "API"]),
    ],
)
def test_the_navigation_follows_the_role(persona: str, expected: list[str], request: Any) -> None:
    user: User = request.getfixturevalue(persona)
    assert [link.label for link in links_for(user, "/")] == expected


def test_the_current_section_is_marked_for_screen_readers(administrator_client: Client) -> None:
    page = administrator_client.get(reverse("accounts:staff_list")).content.decode()
    assert f'<a href="{reverse("accounts:staff_list")}" aria-current="page">Staff</a>' in page


def test_the_home_page_says_when_there_is_nothing_to_open(
    interviewer_client: Client, monkeypatch: Any
) -> None:
    monkeypatch.setattr(navigation, "NAV_LINKS", ())
    page = interviewer_client.get(HOME).content.decode()
    assert "There is nothing for your role (interviewer) to open yet." in page


def test_the_sign_out_button_is_a_post_form(recruiter_client: Client) -> None:
    page = recruiter_client.get(HOME).content.decode()
    assert re.search(
        rf'<form method="post" action="{reverse("accounts:sign_out")}">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        page,
    )


def test_messages_are_announced_politely(administrator_client: Client, recruiter: User) -> None:
    page = administrator_client.post(
        reverse("accounts:staff_deactivate", args=[recruiter.pk]), follow=True
    ).content.decode()
    assert '<div class="messages" role="status" aria-live="polite">' in page


def test_form_fields_have_labels(outsider: Client) -> None:
    page = outsider.get(reverse("accounts:sign_in")).content.decode()
    assert '<label for="id_username">Email</label>' in page
    assert '<label for="id_password">Password</label>' in page


def test_an_unknown_address_gets_the_plain_not_found_page(outsider: Client) -> None:
    response = outsider.get("/no/such/page/")
    assert response.status_code == 404
    assert "There is nothing at this address, or you don't have access to it." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("400.html", "Something in that request was wrong"),
        ("403.html", "You can't do this with your account."),
        ("403_csrf.html", "This form has expired"),
        ("404.html", "Page not found"),
    ],
)
def test_the_error_pages_use_plain_words(template: str, words: str, recruiter: User) -> None:
    request = RequestFactory().get("/")
    request.user = recruiter
    assert words in render_to_string(template, request=request)


def test_the_server_error_page_renders_without_a_request() -> None:
    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page
    assert "Nothing you had already saved is lost." in page


def test_a_form_from_an_expired_session_gets_the_plain_csrf_page(recruiter: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:sign_in"), {"username": "a@b.c", "password": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
