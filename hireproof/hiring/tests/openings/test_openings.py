"""Creating, listing, editing, closing and reopening openings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT, Opening
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.tests.openings.conftest import add, invite, score_attempt, start_attempt
from hireproof.testing.personas import make_opening

pytestmark = pytest.mark.django_db

CREATE = reverse("openings:create")
LIST = reverse("openings:list")


def opening_form(playbook_version: PlaybookVersion, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Data Scientist (Berlin)",
        "playbook_version": playbook_version.pk,
        "invitation_days": 10,
        "email_subject": DEFAULT_EMAIL_SUBJECT,
        "email_body": DEFAULT_EMAIL_BODY,
        **changes,
    }


def test_a_recruiter_creates_an_opening_pinned_to_a_playbook_version(
    recruiter: User, recruiter_client: Client, playbook_version: PlaybookVersion, events: Any
) -> None:
    response = recruiter_client.post(CREATE, opening_form(playbook_version))
    opening = Opening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("openings:pipeline", args=[opening.pk])
    assert (opening.title, opening.playbook_version, opening.invitation_days, opening.is_open) == (
        "Data Scientist (Berlin)",
        playbook_version,
        10,
        True,
    )
    assert opening.created_by == recruiter
    assert events() == [
        (
            "opening.created",
            f"staff:{recruiter.pk}",
            None,
            {
                "opening_id": opening.pk,
                "playbook": {
                    "id": "data-scientist-mid",
                    "version": playbook_version.version,
                    "hash": playbook_version.content_hash,
                },
                "invitation_days": 10,
            },
            [],
        )
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"email_body": "Hello {first_name}, {link}"},
            "email_body",
            "In the email text: Unknown placeholder {first_name}. The placeholders are "
            "{name}, {role}, {link}, {expires}, {time_limit}.",
        ),
        (
            {"email_subject": "Your {job} assessment"},
            "email_subject",
            "In the email subject: Unknown placeholder {job}. The placeholders are "
            "{name}, {role}, {link}, {expires}, {time_limit}.",
        ),
        (
            {"email_body": "Hello {name}, good luck."},
            "email_body",
            "The email text must contain {link}, or the candidate gets no way to start.",
        ),
        (
            {"invitation_days": 0},
            "invitation_days",
            "Ensure this value is greater than or equal to 1.",
        ),
        ({"title": "   "}, "title", "This field is required."),
    ],
)
def test_it_refuses_an_opening_with_a_clear_message(
    recruiter_client: Client,
    playbook_version: PlaybookVersion,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = recruiter_client.post(CREATE, opening_form(playbook_version, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert Opening.objects.count() == 0


def test_the_playbook_cannot_be_changed_once_the_opening_exists(
    recruiter: User, recruiter_client: Client, opening: Opening, events: Any
) -> None:
    pinned = opening.playbook_version
    response = recruiter_client.post(
        reverse("openings:edit", args=[opening.pk]),
        {
            "title": "Senior Data Scientist (Berlin)",
            "playbook_version": 999,
            "invitation_days": 3,
            "email_subject": "Assessment for {role}",
            "email_body": DEFAULT_EMAIL_BODY,
        },
    )
    assert response.status_code == 302
    opening.refresh_from_db()
    assert (opening.title, opening.invitation_days, opening.playbook_version) == (
        "Senior Data Scientist (Berlin)",
        3,
        pinned,
    )
    assert events()[-1] == (
        "opening.updated",
        f"staff:{recruiter.pk}",
        None,
        {"opening_id": opening.pk, "fields": ["email_subject", "invitation_days", "title"]},
        [],
    )


def test_closing_and_reopening_are_recorded_once_each(
    recruiter: User, recruiter_client: Client, opening: Opening, events: Any
) -> None:
    close = reverse("openings:close", args=[opening.pk])
    reopen = reverse("openings:reopen", args=[opening.pk])
    recruiter_client.post(close)
    recruiter_client.post(close)
    opening.refresh_from_db()
    assert opening.is_open is False
    recruiter_client.post(reopen)
    opening.refresh_from_db()
    assert opening.is_open is True
    assert [(kind, public) for kind, _, _, public, _ in events()[1:]] == [
        ("opening.closed", {"opening_id": opening.pk}),
        ("opening.reopened", {"opening_id": opening.pk}),
    ]


def test_a_closed_opening_takes_no_new_candidates(
    recruiter_client: Client, opening: Opening
) -> None:
    recruiter_client.post(reverse("openings:close", args=[opening.pk]))
    response = recruiter_client.post(
        reverse("openings:candidate_add", args=[opening.pk]),
        {"name": "Ada Lovelace", "email": "ada@example.org"},
    )
    assert response.status_code == 409
    assert opening.candidates.count() == 0
    assert response.context["form"].non_field_errors() == [
        "The opening 'Data Scientist (Berlin)' is closed; reopen it to add or invite candidates."
    ]
    assert 'value="Ada Lovelace"' in response.content.decode()  # what was typed is kept


def test_the_list_counts_candidates_per_stage_in_a_fixed_number_of_queries(
    recruiter: User,
    recruiter_client: Client,
    playbook_version: PlaybookVersion,
    django_assert_num_queries: Any,
    mailoutbox: Any,
) -> None:
    berlin = make_opening(recruiter, playbook_version, "Data Scientist (Berlin)")
    lisbon = make_opening(recruiter, playbook_version, "ML Engineer (Lisbon)")
    add(berlin, recruiter, "Ada Lovelace", "ada@example.org")
    grace = add(berlin, recruiter, "Grace Hopper", "grace@example.org")
    alan = add(lisbon, recruiter, "Alan Turing", "alan@example.org")
    invite(grace, recruiter)
    invite(alan, recruiter)
    alan.refresh_from_db()
    score_attempt(start_attempt(alan), "81.25", "strong_pass")
    with django_assert_num_queries(4):  # session, user, openings, grouped counts
        response = recruiter_client.get(LIST)
    listed = {opening.title: dict(counts) for opening, counts in response.context["openings"]}
    assert listed["Data Scientist (Berlin)"] == {
        "added": 1, "invited": 1, "started": 0, "submitted": 0,
        "scored": 0, "in_interview": 0, "recommended": 0, "hired": 0, "not_hired": 0,
        "withdrawn": 0, "expired": 0, "revoked": 0, "erased": 0,
    }  # fmt: skip
    assert listed["ML Engineer (Lisbon)"]["scored"] == 1
    assert sum(listed["ML Engineer (Lisbon)"].values()) == 1
    assert [opening.title for opening, _ in response.context["openings"]] == [
        "ML Engineer (Lisbon)",
        "Data Scientist (Berlin)",
    ]
