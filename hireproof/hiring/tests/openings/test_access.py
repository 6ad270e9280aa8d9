"""Who reaches which page: recruiters and administrators run openings, auditors only read,
interviewers and strangers find nothing, and no URL leads to another opening's candidate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import add

pytestmark = pytest.mark.django_db

READ_PAGES = ["list", "pipeline"]
MANAGE_GET_PAGES = ["create", "edit", "candidate_add", "candidate_import", "invite"]
MANAGE_POSTS = ["close", "reopen", "invite_all", "resend", "revoke"]
ALL_PAGES = [*READ_PAGES, *MANAGE_GET_PAGES, *MANAGE_POSTS, "extra_time", "erase"]


def url(name: str, opening: Opening, candidate: Candidate) -> str:
    if name in {"list", "create"}:
        return reverse(f"openings:{name}")
    if name in {"invite", "extra_time", "resend", "revoke", "erase"}:
        return reverse(f"openings:{name}", args=[opening.pk, candidate.pk])
    return reverse(f"openings:{name}", args=[opening.pk])


@pytest.fixture
def candidate(opening: Opening, recruiter: User) -> Candidate:
    return add(opening, recruiter, "Ada Lovelace", "ada@example.org")


def fetch(client: Client, name: str, target: str) -> Any:
    return client.post(target) if name in MANAGE_POSTS else client.get(target)


@pytest.mark.parametrize("name", ALL_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(
    outsider: Client, opening: Opening, candidate: Candidate, name: str
) -> None:
    target = url(name, opening, candidate)
    response = fetch(outsider, name, target)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:sign_in')}?next={target}"


@pytest.mark.parametrize("name", ALL_PAGES)
def test_interviewers_find_no_openings_page(
    interviewer_client: Client, opening: Opening, candidate: Candidate, name: str
) -> None:
    assert fetch(interviewer_client, name, url(name, opening, candidate)).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
def test_auditors_read_the_list_and_the_pipeline_without_any_control(
    auditor_client: Client, opening: Opening, candidate: Candidate, name: str
) -> None:
    page = auditor_client.get(url(name, opening, candidate))
    assert page.status_code == 200
    html = page.content.decode()
    for control in ("Add a candidate", "New opening", "Erase<", "Invite<", "Close the opening"):
        assert control not in html


@pytest.mark.parametrize("name", [*MANAGE_GET_PAGES, *MANAGE_POSTS, "extra_time", "erase"])
def test_auditors_change_nothing(
    auditor_client: Client, opening: Opening, candidate: Candidate, name: str
) -> None:
    assert fetch(auditor_client, name, url(name, opening, candidate)).status_code == 404


@pytest.mark.parametrize("persona", ["recruiter", "administrator"])
@pytest.mark.parametrize("name", [*READ_PAGES, *MANAGE_GET_PAGES])
def test_recruiters_and_administrators_open_every_page(
    request: Any, opening: Opening, candidate: Candidate, persona: str, name: str
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get(url(name, opening, candidate)).status_code == 200


def test_only_administrators_open_the_erasure_page(
    administrator_client: Client, recruiter_client: Client, opening: Opening, candidate: Candidate
) -> None:
    target = url("erase", opening, candidate)
    assert administrator_client.get(target).status_code == 200
    assert recruiter_client.get(target).status_code == 404


@pytest.mark.parametrize("name", ["invite", "extra_time", "resend", "revoke", "erase"])
def test_a_candidate_is_not_reachable_through_another_openings_urls(
    administrator_client: Client,
    opening: Opening,
    other_opening: Opening,
    candidate: Candidate,
    name: str,
) -> None:
    target = url(name, other_opening, candidate)
    assert fetch(administrator_client, name, target).status_code == 404
    missing = reverse(f"openings:{name}", args=[opening.pk, candidate.pk + 1000])
    assert fetch(administrator_client, name, missing).status_code == 404


def test_an_opening_that_does_not_exist_is_not_found(
    recruiter_client: Client, opening: Opening
) -> None:
    assert (
        recruiter_client.get(reverse("openings:pipeline", args=[opening.pk + 1])).status_code == 404
    )
