"""The candidate page (reviews app) shows the recommendation, the decision and the interviews."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from hireproof.hiring.models.candidates import Candidate


def candidate_page(client: Client, candidate: Candidate) -> str:
    url = reverse("reviews:candidate", args=[candidate.opening_id, candidate.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_candidate_page_shows_the_recommendation_and_links_the_hiring_file(
    recruiter_client: Client, grace: Candidate
) -> None:
    html = candidate_page(recruiter_client, grace)

    assert 'id="recommendation-heading">Recommendation</h2>' in html
    assert reverse("decisions:file", args=[grace.opening_id, grace.pk]) in html
    assert reverse("decisions:file_pdf", args=[grace.opening_id, grace.pk]) in html
    assert reverse("decisions:decide", args=[grace.opening_id, grace.pk]) in html
    assert 'id="interviews-heading">Interviews</h2>' in html


def test_an_auditor_sees_the_recommendation_but_no_decision_form(
    auditor_client: Client, grace: Candidate
) -> None:
    html = candidate_page(auditor_client, grace)

    assert 'id="recommendation-heading">Recommendation</h2>' in html
    assert reverse("decisions:decide", args=[grace.opening_id, grace.pk]) not in html


def test_the_panel_brings_its_stylesheet_to_the_candidate_page(
    recruiter_client: Client, grace: Candidate
) -> None:
    html = candidate_page(recruiter_client, grace)

    assert '<link rel="stylesheet" href="/static/decisions/decisions.css' in html
