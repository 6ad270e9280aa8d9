"""The pipeline page: stages derived from invitations and attempts, counts, sort, filters,
and a fixed number of queries whatever the number of candidates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import add, invite, score_attempt, start_attempt

pytestmark = pytest.mark.django_db


def pipeline(client: Client, opening: Opening, query: str = "") -> Any:
    return client.get(reverse("openings:pipeline", args=[opening.pk]) + query)


def shown(response: Any) -> list[tuple[str, str]]:
    return [(row.name, row.stage.value) for row in response.context["rows"]]


@pytest.fixture
def everyone(
    opening: Opening, recruiter: User, administrator: User, mailoutbox: Any
) -> dict[str, Candidate]:
    """One candidate in every status."""
    people = {
        status: add(opening, recruiter, name, f"{status}@example.org")
        for status, name in [
            ("added", "Ada Lovelace"),
            ("invited", "Grace Hopper"),
            ("started", "Alan Turing"),
            ("submitted", "Edsger Dijkstra"),
            ("scored", "Barbara Liskov"),
            ("expired", "Claude Shannon"),
            ("revoked", "Donald Knuth"),
            ("erased", "Frances Allen"),
            ("flagged", "Katherine Johnson"),
        ]
    }
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        invite(people["expired"], recruiter)
    for status in ("invited", "started", "submitted", "scored", "revoked", "flagged"):
        invite(people[status], recruiter)
        people[status].refresh_from_db()
    start_attempt(people["started"])
    submitted = start_attempt(people["submitted"])
    submitted.submitted_at = timezone.now()
    submitted.save()
    score_attempt(start_attempt(people["scored"]), "87.50", "strong_pass")
    score_attempt(start_attempt(people["flagged"]), "55.00", "borderline", warnings=2)
    do_revoke_invitation(actor=recruiter, candidate=people["revoked"])
    do_erase_candidate(actor=administrator, candidate=people["erased"], basis=ErasureBasis.REQUEST)
    return people


def test_every_stage_is_derived_and_counted(
    recruiter_client: Client, opening: Opening, everyone: dict[str, Candidate]
) -> None:
    response = pipeline(recruiter_client, opening)
    assert shown(response) == [
        ("Ada Lovelace", "added"),
        ("Grace Hopper", "invited"),
        ("Alan Turing", "started"),
        ("Edsger Dijkstra", "submitted"),
        ("Barbara Liskov", "scored"),
        ("Claude Shannon", "expired"),
        ("Donald Knuth", "revoked"),
        ("(erased)", "erased"),
        ("Katherine Johnson", "scored"),
    ]
    counts = {status.value: count for status, count, _, _ in response.context["counts"]}
    assert counts == {
        "added": 1, "invited": 1, "started": 1, "submitted": 1,
        "scored": 2, "in_interview": 0, "recommended": 0, "hired": 0, "not_hired": 0,
        "withdrawn": 0, "expired": 1, "revoked": 1, "erased": 1,
    }  # fmt: skip
    html = response.content.decode()
    assert "87.50%" in html
    assert "Strong pass" in html
    assert "2 to review" in html


def test_it_filters_by_stage_verdict_and_needing_review(
    recruiter_client: Client, opening: Opening, everyone: dict[str, Candidate]
) -> None:
    assert shown(pipeline(recruiter_client, opening, "?status=scored")) == [
        ("Barbara Liskov", "scored"),
        ("Katherine Johnson", "scored"),
    ]
    assert shown(pipeline(recruiter_client, opening, "?verdict=borderline")) == [
        ("Katherine Johnson", "scored")
    ]
    assert shown(pipeline(recruiter_client, opening, "?review=1")) == [
        ("Katherine Johnson", "scored")
    ]
    filtered = pipeline(recruiter_client, opening, "?status=expired")
    # The counts at the top always cover the whole opening.
    assert filtered.context["total"] == 9
    assert shown(filtered) == [("Claude Shannon", "expired")]


def test_unknown_filter_values_are_ignored_and_the_page_says_so(
    recruiter_client: Client, opening: Opening, everyone: dict[str, Candidate]
) -> None:
    response = pipeline(
        recruiter_client, opening, "?status=promoted&verdict=maybe&sort=salary&review=yes"
    )
    assert response.status_code == 200
    assert len(shown(response)) == 9
    assert list(response.context["query"].ignored) == [
        "sort: 'salary' is not a sort order; it was left out.",
        "status: 'promoted' is not a stage; it was left out.",
        "verdict: 'maybe' is not a verdict; it was left out.",
        "review: 'yes' is not 1; it was left out.",
    ]
    assert "status: &#x27;promoted&#x27; is not a stage; it was left out." in (
        response.content.decode()
    )


def test_it_sorts_by_name_stage_score_and_date_added(
    recruiter_client: Client, opening: Opening, everyone: dict[str, Candidate]
) -> None:
    by_name = [name for name, _ in shown(pipeline(recruiter_client, opening, "?sort=name"))]
    assert by_name == sorted(by_name, key=str.casefold)
    by_score = shown(pipeline(recruiter_client, opening, "?sort=-score"))
    assert by_score[:2] == [("Barbara Liskov", "scored"), ("Katherine Johnson", "scored")]
    by_score_up = shown(pipeline(recruiter_client, opening, "?sort=score"))
    assert by_score_up[:2] == [("Katherine Johnson", "scored"), ("Barbara Liskov", "scored")]
    by_status = [s for _, s in shown(pipeline(recruiter_client, opening, "?sort=status"))]
    assert by_status == [
        "added", "invited", "started", "submitted", "scored", "scored",
        "expired", "revoked", "erased",
    ]  # fmt: skip
    newest_first = shown(pipeline(recruiter_client, opening, "?sort=-added"))
    assert newest_first[0] == ("Katherine Johnson", "scored")


def test_the_column_headers_link_to_their_sort_and_keep_the_filters(
    recruiter_client: Client, opening: Opening, everyone: dict[str, Candidate]
) -> None:
    html = pipeline(recruiter_client, opening, "?status=scored&sort=name").content.decode()
    assert (
        '<th scope="col" aria-sort="ascending"><a href="?status=scored&amp;sort=-name">Name</a>'
        in html
    )
    assert (
        '<th scope="col" aria-sort="none"><a href="?status=scored&amp;sort=score">Score</a>' in html
    )


QUERIES = [
    "",
    "?q=candidate",
    "?q=candidate+c0",
    "?status=scored",
    "?verdict=borderline&review=1",
    "?sort=name",
    "?sort=-name",
    "?sort=status",
    "?sort=-score",
    "?sort=added&page=2",
    "?page=999",
]


@pytest.mark.parametrize("candidates", [1, 120])
def test_every_page_takes_the_same_number_of_queries_for_1_or_120_candidates(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    candidates: int,
    django_assert_max_num_queries: Any,
    mailoutbox: Any,
) -> None:
    added = do_import_candidates(
        actor=recruiter,
        opening=opening,
        candidates=[
            NewCandidate(f"Candidate {number}", f"c{number}@example.org")
            for number in range(candidates)
        ],
    )
    for number, candidate in enumerate(added[::3]):
        invite(candidate, recruiter)
        candidate.refresh_from_db()
        score_attempt(start_attempt(candidate), "70.00", "borderline", warnings=(number + 1) % 2)
    for query in QUERIES:
        # session, user, opening, counts per stage, the page's rows, their decisions, the
        # newest email of each invitation (none when no row of the page has an invitation)
        with django_assert_max_num_queries(7):
            response = pipeline(recruiter_client, opening, query)
        assert response.status_code == 200
        assert 1 <= len(response.context["rows"]) <= 50, query


def test_every_candidate_links_to_their_candidate_page_under_this_opening(
    recruiter_client: Client, opening: Opening, everyone: dict[str, Candidate]
) -> None:
    rows = pipeline(recruiter_client, opening, "?status=scored").context["rows"]
    assert [row.review_url for row in rows] == [
        f"/reviews/openings/{opening.pk}/candidates/{everyone['scored'].pk}/",
        f"/reviews/openings/{opening.pk}/candidates/{everyone['flagged'].pk}/",
    ]


@pytest.mark.parametrize(("disclosed", "badge_shown"), [(False, False), (True, True)])
def test_extra_time_shows_only_where_the_candidate_agreed_to_disclose_it(
    recruiter: User, recruiter_client: Client, opening: Opening, disclosed: bool, badge_shown: bool
) -> None:
    candidate = add(opening, recruiter, "Ada Byron", "ada@example.org")
    invite(candidate, recruiter, Accommodation(extra_percent=50))
    Invitation.objects.filter(candidate=candidate).update(extension_disclosed=disclosed)

    response = pipeline(recruiter_client, opening)

    assert [row.extended for row in response.context["rows"]] == [badge_shown]
    assert ('title="Extra time granted"' in response.content.decode()) is badge_shown


def test_managers_find_every_email_template_of_the_opening_from_its_pipeline(
    recruiter_client: Client, auditor_client: Client, opening: Opening
) -> None:
    links = [
        reverse("openings:edit", args=[opening.pk]),
        reverse("interviews:emails", args=[opening.pk]),
        reverse("decisions:notice_settings", args=[opening.pk]),
    ]
    managing = pipeline(recruiter_client, opening).content.decode()
    reading = pipeline(auditor_client, opening).content.decode()

    assert all(f'href="{link}"' in managing for link in links)
    assert not any(f'href="{link}"' in reading for link in links)


def test_an_acknowledged_warning_no_longer_counts_as_needing_review(
    recruiter: User, recruiter_client: Client, opening: Opening, everyone: dict[str, Candidate]
) -> None:
    from hireproof.hiring.models.reviews import FlagAcknowledgement

    flagged = everyone["flagged"].invitation.attempt
    FlagAcknowledgement.objects.create(
        attempt=flagged,
        item_id="sjt-incomplete-data",
        reviewer=recruiter,
        note="Discussed.",
        at=timezone.now(),
    )

    rows = pipeline(recruiter_client, opening, "?review=1").context["rows"]

    assert [(row.name, row.warning_count) for row in rows] == [("Katherine Johnson", 1)]
