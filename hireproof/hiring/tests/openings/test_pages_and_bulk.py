"""The pipeline a page at a time, its query parameters, and the bulk actions over a selection:
invite the selected and export them as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.reads.pipeline import spreadsheet_safe
from hireproof.hiring.tests.openings.conftest import (
    add,
    invite,
    score_attempt,
    start_attempt,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(recruiter: User, opening: Opening) -> list[Candidate]:
    """120 candidates, added in this order, named so that name order differs from it."""
    return do_import_candidates(
        actor=recruiter,
        opening=opening,
        candidates=[
            NewCandidate(f"Person {(n * 37) % 120:03d}", f"p{n}@example.org") for n in range(120)
        ],
    )


def page(client: Client, opening: Opening, **params: str) -> Any:
    return client.get(reverse("openings:pipeline", args=[opening.pk]), params)


def names(response: Any) -> list[str]:
    return [row.name for row in response.context["rows"]]


def test_the_pipeline_shows_50_candidates_a_page_and_every_one_once(
    recruiter_client: Client, opening: Opening, crowd: list[Candidate]
) -> None:
    first, second, third = (page(recruiter_client, opening, page=str(n)) for n in (1, 2, 3))
    assert [len(names(p)) for p in (first, second, third)] == [50, 50, 20]
    assert names(first) + names(second) + names(third) == [c.name for c in crowd]
    assert (third.context["page"].first, third.context["page"].last) == (101, 120)
    html = second.content.decode()
    assert 'href="?page=3" rel="next"' in html
    assert 'href="?" rel="prev"' in html
    assert '<a href="?page=2" aria-current="page">2</a>' in html


def test_only_the_names_of_the_page_are_unsealed(
    recruiter_client: Client, opening: Opening, crowd: list[Candidate]
) -> None:
    by_name = sorted(crowd, key=lambda candidate: candidate.name)
    # Every name but the first 50 by name no longer opens: unsealing one would fail the page.
    for candidate in by_name[50:]:
        Candidate.objects.filter(pk=candidate.pk).update(name_sealed=b"\0" * 40)
    response = page(recruiter_client, opening, sort="name")
    assert names(response) == [candidate.name for candidate in by_name[:50]]
    assert response.context["page"].matching == 120


def test_every_sort_runs_across_the_pages(
    recruiter_client: Client, opening: Opening, crowd: list[Candidate]
) -> None:
    for sort, expected in [
        ("name", sorted(c.name for c in crowd)),
        ("-name", sorted((c.name for c in crowd), reverse=True)),
        ("-added", [c.name for c in reversed(crowd)]),
    ]:
        shown = [
            name
            for n in (1, 2, 3)
            for name in names(page(recruiter_client, opening, sort=sort, page=str(n)))
        ]
        assert shown == expected, sort


def test_a_page_beyond_the_last_shows_the_last_and_a_bad_page_number_the_first(
    recruiter_client: Client, opening: Opening, crowd: list[Candidate]
) -> None:
    assert page(recruiter_client, opening, page="999999").context["page"].number == 3
    for bad in ["0", "-1", "abc", "²", "9" * 5000, "1e3"]:
        response = page(recruiter_client, opening, page=bad)
        assert response.status_code == 200
        assert response.context["page"].number == 1
        assert "is not a page number; the first page is shown." in response.content.decode()


def test_a_search_too_long_or_of_too_many_words_or_without_letters_is_left_out_and_said(
    recruiter_client: Client, opening: Opening, crowd: list[Candidate]
) -> None:
    for query, said in [
        ("x" * 201, "q: the search is 201 characters long; the limit is 200. It was left out."),
        ("a b c d e f g h i", "q: the search has 9 words; the limit is 8. It was left out."),
        ("!!!", "q: &#x27;!!!&#x27; holds no letter or digit to search for."),
    ]:
        response = page(recruiter_client, opening, q=query)
        assert response.status_code == 200
        assert response.context["page"].matching == 120
        assert said in response.content.decode()


def test_the_counts_cover_the_whole_opening_and_the_filtered_total_the_selection(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    crowd: list[Candidate],
    mailoutbox: Any,
) -> None:
    for candidate in crowd[:60]:
        invite(candidate, recruiter)
    response = page(recruiter_client, opening, status="invited", page="2")
    counts = {stage.value: count for stage, count, _, _ in response.context["counts"]}
    assert (counts["added"], counts["invited"]) == (60, 60)
    assert (response.context["page"].matching, response.context["page"].pages) == (60, 2)
    assert len(names(response)) == 10
    assert "Select all 60 candidates matching" in response.content.decode()


# --- bulk actions -----------------------------------------------------------------------------


def bulk(client: Client, opening: Opening, action: str, **fields: Any) -> Any:
    return client.post(reverse(f"openings:{action}", args=[opening.pk]), fields)


def test_inviting_the_selected_invites_those_not_invited_yet_each_recorded(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    crowd: list[Candidate],
    mailoutbox: Any,
    events: Callable[[], list[Any]],
) -> None:
    invite(crowd[1], recruiter)
    before = len(events())
    chosen = [str(c.pk) for c in crowd[:3]]

    response = bulk(
        recruiter_client, opening, "invite_selected", candidate=chosen, status="", sort="name"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("openings:pipeline", args=[opening.pk]) + "?sort=name"
    invited = set(Invitation.objects.values_list("candidate_id", flat=True))
    assert invited == {crowd[0].pk, crowd[1].pk, crowd[2].pk}
    sent = [event for event in events()[before:] if event[0] == "invitation.sent"]
    assert len(sent) == 2
    assert len(mailoutbox) == 3
    shown = [str(m) for m in recruiter_client.get(response["Location"]).context["messages"]]
    assert shown == [
        "2 invitations sent.",
        "1 of the selected was invited already (or erased) and left as they were.",
    ]


def test_inviting_every_candidate_matching_follows_the_search_and_filters(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    crowd: list[Candidate],
    mailoutbox: Any,
) -> None:
    invite(crowd[100], recruiter)
    # "p10" is the address word of p10@ and the prefix of those of p100@ to p109@.
    response = bulk(recruiter_client, opening, "invite_selected", all="1", q="p10", status="added")
    assert response.status_code == 302
    invited = set(Invitation.objects.values_list("candidate_id", flat=True))
    assert invited == {crowd[n].pk for n in [10, *range(100, 110)]}
    assert len(mailoutbox) == 11


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"candidate": ["12x"]}, "candidate: &#x27;12x&#x27; is not a candidate number."),
        ({"candidate": ["99999"]}, "candidate 99999: not a candidate of this opening."),
        ({"all": "yes"}, "all: &#x27;yes&#x27; is not 1."),
        ({"all": "1", "status": "promoted"}, "status: &#x27;promoted&#x27; is not a stage"),
        ({"all": "1", "q": "x" * 300}, "the search is 300 characters long"),
    ],
)
def test_a_selection_not_understood_is_refused_with_400_and_nothing_is_done(
    recruiter_client: Client,
    opening: Opening,
    crowd: list[Candidate],
    mailoutbox: Any,
    fields: dict[str, Any],
    said: str,
) -> None:
    for action in ("invite_selected", "export"):
        response = bulk(recruiter_client, opening, action, **fields)
        assert response.status_code == 400
        assert said in response.content.decode()
    assert Invitation.objects.count() == 0


def test_a_candidate_of_another_opening_cannot_be_selected(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    other_opening: Opening,
    mailoutbox: Any,
) -> None:
    elsewhere = add(other_opening, recruiter, "Eve Else", "eve@example.org")
    response = bulk(recruiter_client, opening, "invite_selected", candidate=[str(elsewhere.pk)])
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_an_empty_selection_goes_back_to_the_pipeline_and_says_so(
    recruiter_client: Client, opening: Opening, crowd: list[Candidate]
) -> None:
    url = reverse("openings:export", args=[opening.pk])
    response = recruiter_client.post(url, {"status": "added"}, follow=True)
    assert response.redirect_chain == [
        (reverse("openings:pipeline", args=[opening.pk]) + "?status=added", 302)
    ]
    assert (
        "Select at least one candidate, or every candidate matching." in response.content.decode()
    )


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_export_holds_each_selected_candidate_in_the_pipeline_order(
    recruiter: User,
    auditor_client: Client,
    opening: Opening,
    mailoutbox: Any,
) -> None:
    ada = add(opening, recruiter, "Ada Byron", "ada@example.org")
    bob = add(opening, recruiter, "Bob Kahn", "bob@example.org")
    add(opening, recruiter, "Cy Young", "cy@example.org")
    invite(bob, recruiter)
    bob.refresh_from_db()
    score_attempt(start_attempt(bob), "55.00", "borderline", warnings=2)

    chosen = bulk(
        auditor_client, opening, "export", candidate=[str(bob.pk), str(ada.pk)], sort="-name"
    )
    everyone = bulk(auditor_client, opening, "export", all="1", sort="name")

    assert read_csv(chosen) == [
        ["name", "email", "stage", "score", "verdict", "flags", "decision"],
        ["Bob Kahn", "bob@example.org", "Scored", "55.00", "Borderline", "2", ""],
        ["Ada Byron", "ada@example.org", "Not invited", "", "", "", ""],
    ]
    assert [row[0] for row in read_csv(everyone)] == ["name", "Ada Byron", "Bob Kahn", "Cy Young"]


def test_the_export_cannot_smuggle_a_formula_into_a_spreadsheet(
    recruiter: User, recruiter_client: Client, opening: Opening
) -> None:
    for number, name in enumerate(['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "Plain"]):
        add(opening, recruiter, name, f"f{number}@example.org")
    rows = read_csv(bulk(recruiter_client, opening, "export", all="1"))
    assert [row[0] for row in rows[1:]] == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "Plain"]
    assert [spreadsheet_safe(cell) for cell in ["\tx", "\rx", "a=b", ""]] == [
        "'\tx",
        "'\rx",
        "a=b",
        "",
    ]


def test_only_managers_see_the_bulk_invitation_and_readers_the_export(
    recruiter_client: Client, auditor_client: Client, opening: Opening, crowd: list[Candidate]
) -> None:
    invite_url = reverse("openings:invite_selected", args=[opening.pk])
    export_url = reverse("openings:export", args=[opening.pk])
    managing = page(recruiter_client, opening).content.decode()
    reading = page(auditor_client, opening).content.decode()
    assert f'formaction="{invite_url}"' in managing
    assert f'formaction="{invite_url}"' not in reading
    assert f'action="{export_url}"' in reading
    assert bulk(auditor_client, opening, "invite_selected", all="1").status_code == 404
