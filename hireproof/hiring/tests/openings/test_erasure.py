"""Erasing a candidate's personal data: administrators only, confirmed, with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.audit.models import Subject
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import LINK, add, invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(opening: Opening, recruiter: User) -> Candidate:
    return add(opening, recruiter, "Ada Lovelace", "ada@example.org")


def erase_url(candidate: Candidate) -> str:
    return reverse("openings:erase", args=[candidate.opening_id, candidate.pk])


def test_erasure_needs_the_confirmation_box(administrator_client: Client, ada: Candidate) -> None:
    response = administrator_client.post(erase_url(ada), {"basis": "art17"})
    assert response.status_code == 400
    assert response.context["form"].errors["confirm"] == ["Tick the box to confirm the erasure."]
    assert Candidate.objects.get().erased_at is None


def test_erasure_clears_the_identity_stops_the_link_and_is_logged_with_its_basis(
    administrator: User,
    administrator_client: Client,
    outsider: Client,
    recruiter: User,
    opening: Opening,
    ada: Candidate,
    mailoutbox: Any,
    events: Any,
) -> None:
    invite(ada, recruiter)
    link = LINK.search(mailoutbox[0].body)
    assert link is not None
    token_path = link.group(1)
    response = administrator_client.post(
        erase_url(ada), {"basis": "art17", "confirm": "on"}, follow=True
    )
    assert "The candidate&#x27;s personal data is erased." in response.content.decode()
    candidate = Candidate.objects.select_related("subject").get()
    assert (candidate.name_sealed, candidate.email_sealed, candidate.email_lookup) == (
        None,
        None,
        "",
    )
    assert candidate.erased_at is not None
    assert candidate.name == "(erased)"
    assert Subject.objects.get(pk=candidate.subject_id).is_erased
    assert Invitation.objects.get().revoked_at is not None
    assert outsider.get(token_path).status_code == 404
    assert events()[-1] == (
        "subject.erased",
        f"staff:{administrator.pk}",
        candidate.subject.pseudonym,
        {"basis": "art17"},
        [],
    )
    # The address is forgotten: the same person can apply again.
    add(opening, recruiter, "Ada Lovelace", "ada@example.org")


def test_an_erased_candidate_can_be_neither_invited_nor_erased_again(
    administrator_client: Client, recruiter_client: Client, ada: Candidate, mailoutbox: Any
) -> None:
    administrator_client.post(erase_url(ada), {"basis": "retention", "confirm": "on"})
    again = administrator_client.get(erase_url(ada), follow=True)
    assert "This candidate&#x27;s personal data is already erased." in again.content.decode()
    invite = recruiter_client.post(reverse("openings:invite", args=[ada.opening_id, ada.pk]), {})
    assert invite.status_code == 409
    assert "This candidate&#x27;s personal data was erased." in invite.content.decode()
    assert mailoutbox == []
