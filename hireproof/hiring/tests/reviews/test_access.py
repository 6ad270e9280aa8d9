"""Who reaches the candidate page: recruiters and administrators review, auditors only read,
interviewers and strangers find nothing, and no URL leads to another opening's candidate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.reviews.conftest import (
    RIGHT,
    SitFn,
    acknowledge_url,
    page_url,
    receipt_url,
    sit,
)

pytestmark = pytest.mark.django_db

NOTE = {"flag-communication-summary-note": "Talked it through with the candidate."}


@pytest.fixture
def flagged(seat: SitFn) -> Candidate:
    """Grace chose the black-box answer (a warning) and got the rest right."""
    return seat("Grace Hopper", "grace@example.org", {**RIGHT, "communication-summary": "C"})


def test_anonymous_visitors_are_sent_to_sign_in(outsider: Client, flagged: Candidate) -> None:
    target = page_url(flagged)
    response = outsider.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next={target}"


@pytest.mark.parametrize("persona", ["recruiter", "administrator", "auditor"])
def test_recruiters_administrators_and_auditors_read_the_page(
    request: Any, flagged: Candidate, persona: str
) -> None:
    client = request.getfixturevalue(f"{persona}_client")
    assert client.get(page_url(flagged)).status_code == 200


def test_interviewers_find_no_candidate_page_yet(
    interviewer_client: Client, flagged: Candidate
) -> None:
    assert interviewer_client.get(page_url(flagged)).status_code == 404
    assert interviewer_client.get(receipt_url(flagged)).status_code == 404
    response = interviewer_client.post(acknowledge_url(flagged, "communication-summary"), NOTE)
    assert response.status_code == 404


def test_auditors_see_no_acknowledgement_form_and_cannot_post_one(
    auditor_client: Client, flagged: Candidate
) -> None:
    html = auditor_client.get(page_url(flagged)).content.decode()
    assert "Acknowledge the warning" not in html
    assert "Waiting for a reviewer to acknowledge it." in html
    response = auditor_client.post(acknowledge_url(flagged, "communication-summary"), NOTE)
    assert response.status_code == 404


def test_recruiters_see_the_acknowledgement_form(
    recruiter_client: Client, flagged: Candidate
) -> None:
    html = recruiter_client.get(page_url(flagged)).content.decode()
    assert "Acknowledge the warning</button>" in html


def test_a_candidate_of_another_opening_is_not_found_through_this_opening(
    recruiter_client: Client,
    recruiter: User,
    opening: Opening,
    other_opening: Opening,
) -> None:
    stranger = sit(other_opening, recruiter, "Alan Turing", "alan@example.org", RIGHT)
    assert recruiter_client.get(page_url(stranger, opening.pk)).status_code == 404
    wrong_receipt = reverse("reviews:receipt", args=[opening.pk, stranger.pk])
    assert recruiter_client.get(wrong_receipt).status_code == 404
    assert recruiter_client.get(page_url(stranger, other_opening.pk)).status_code == 200


def test_a_candidate_that_does_not_exist_is_not_found(
    recruiter_client: Client, opening: Opening
) -> None:
    missing = reverse("reviews:candidate", args=[opening.pk, 999_999])
    assert recruiter_client.get(missing).status_code == 404


def test_an_item_the_playbook_does_not_have_is_not_found(
    recruiter_client: Client, flagged: Candidate
) -> None:
    response = recruiter_client.post(acknowledge_url(flagged, "no-such-item"), NOTE)
    assert response.status_code == 404


def test_the_receipt_downloads_as_json_with_the_scored_leaf(
    auditor_client: Client, flagged: Candidate
) -> None:
    response = auditor_client.get(receipt_url(flagged))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    attempt_id = flagged.invitation.attempt.pk
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{attempt_id}.json"'
    receipt = json.loads(response.content)
    assert receipt["format"] == "hireproof-receipt/v2"
    assert json.loads(receipt["leaf"])["type"] == "attempt.scored"
