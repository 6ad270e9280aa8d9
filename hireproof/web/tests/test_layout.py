"""The base layout, navigation by role, the home page and the error pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse

from hireproof.accounts.access import can_use_pipeline
from hireproof.accounts.models import User
from hireproof.web import navigation
from hireproof.web.navigation import NavLink, add_nav_link, links_for
from hireproof.web.version import hireproof_version

HOME = reverse("web:home")
ALL_SECTIONS = ("openings:list", "playbooks:list", "accounts:staff_list", "audit:home")


def nav_labels(page: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav" aria-label="Main">(.*?)</nav>', page, re.S)
    assert nav, page
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))


def test_the_home_page_sends_anonymous_visitors_to_sign_in(outsider: Client) -> None:
    response = outsider.get(HOME)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:sign_in')}?next=/"


def test_the_layout_has_a_skip_link_landmarks_and_the_version(recruiter_client: Client) -> None:
    page = recruiter_client.get(HOME).content.decode()
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<main id="main" tabindex="-1">' in page
    assert '<header class="site-header">' in page
    assert f"<p>hireproof {hireproof_version()} · " in page
    assert '<html lang="en">' in page
    assert "Rosa Parks" in page


def only_these_routes(*names: str) -> Any:
    """A stand-in for ``reverse`` that knows only ``names``, as if no other app were installed."""

    def fake_reverse(name: str) -> str:
        if name not in names:
            raise NoReverseMatch(name)
        return "/" + name.replace(":", "/") + "/"

    return fake_reverse


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("administrator", ["Staff"]),
        ("recruiter", []),
        ("interviewer", []),
        ("auditor", []),
    ],
)
def test_the_navigation_links_only_pages_that_exist(
    persona: str, expected: list[str], request: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(navigation, "reverse", only_these_routes("accounts:staff_list"))
    page = request.getfixturevalue(f"{persona}_client").get(HOME).content.decode()
    assert nav_labels(page) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("administrator", ["Openings", "Playbooks", "Staff", "Audit"]),
        ("recruiter", ["Openings", "Playbooks"]),
        ("interviewer", ["Playbooks"]),
        ("auditor", ["Openings", "Playbooks", "Audit"]),
    ],
)
def test_the_navigation_follows_the_role_once_the_pages_exist(
    persona: str, expected: list[str], request: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(navigation, "reverse", only_these_routes(*ALL_SECTIONS))
    user: User = request.getfixturevalue(persona)
    assert [link.label for link in links_for(user, "/")] == expected


def test_the_current_section_is_marked_for_screen_readers(administrator_client: Client) -> None:
    page = administrator_client.get(reverse("accounts:staff_list")).content.decode()
    assert f'<a href="{reverse("accounts:staff_list")}" aria-current="page">Staff</a>' in page


def test_an_app_can_add_its_own_link(recruiter_client: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(navigation, "NAV_LINKS", list(navigation.NAV_LINKS))
    monkeypatch.setattr(navigation, "reverse", only_these_routes("web:home"))
    add_nav_link(NavLink("Home again", "web:home", can_use_pipeline))
    add_nav_link(NavLink("Home again", "web:home", can_use_pipeline))
    page = recruiter_client.get(HOME).content.decode()
    assert nav_labels(page) == ["Home again"]


def test_the_home_page_says_when_there_is_nothing_to_open(
    interviewer_client: Client, monkeypatch: Any
) -> None:
    monkeypatch.setattr(navigation, "reverse", only_these_routes())
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
