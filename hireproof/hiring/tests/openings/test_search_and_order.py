"""Search and sort by name without the names in the database: the blind index and the name
order keys, written when candidates are added, cleared when one is erased."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.models.candidate_index import (
    index_existing_candidates,
    index_terms,
    name_orders_for,
    name_sort_key,
    search_terms,
)
from hireproof.hiring.models.candidates import Candidate, CandidateSearchToken
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import add, invite

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("Alice Wong", "alice.wong@example.org"),
    ("Ali Khan", "ak@example.org"),
    ("Bob Stone", "alison.fan@example.org"),  # found by "ali" through his address
    ("Zoë Li", "zoe@example.net"),
    ("Seán O'Brien", "sean@example.org"),
    ("Al Green", "green@example.org"),
    ("Malika Ito", "m.ito@example.org"),  # "ali" inside a word is not a prefix
]


@pytest.fixture
def people(opening: Opening, recruiter: User) -> dict[str, Candidate]:
    return {name: add(opening, recruiter, name, email) for name, email in PEOPLE}


def found(client: Client, opening: Opening, query: str) -> list[str]:
    """The names the pipeline shows for ``query``, in name order."""
    url = reverse("openings:pipeline", args=[opening.pk])
    response = client.get(url, {"q": query, "sort": "name"})
    assert response.status_code == 200
    return [row.name for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("ali", ["Ali Khan", "Alice Wong", "Bob Stone"]),
        ("ALI", ["Ali Khan", "Alice Wong", "Bob Stone"]),
        ("alic", ["Alice Wong"]),
        ("ali khan", ["Ali Khan"]),
        ("khan ali", ["Ali Khan"]),
        ("al", ["Al Green"]),  # two letters: whole words only
        ("li", ["Zoë Li"]),
        ("zoe", ["Zoë Li"]),
        ("zoë", ["Zoë Li"]),
        ("o'brien", ["Seán O'Brien"]),
        ("obrien", ["Seán O'Brien"]),
        ("brie", ["Seán O'Brien"]),
        ("sean", ["Seán O'Brien"]),
        ("alice.wong@example.org", ["Alice Wong"]),
        ("example.net", ["Zoë Li"]),
        ("wong alice", ["Alice Wong"]),
        ("alicewong", []),
        ("nobody", []),
    ],
)
def test_a_search_finds_words_and_prefixes_of_3_or_more_of_names_and_addresses(
    recruiter_client: Client,
    opening: Opening,
    people: dict[str, Candidate],
    query: str,
    names: list[str],
) -> None:
    assert found(recruiter_client, opening, query) == names


def test_a_search_sees_only_its_own_opening_and_keeps_the_counts_of_the_whole_opening(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    other_opening: Opening,
    people: dict[str, Candidate],
) -> None:
    add(other_opening, recruiter, "Alicia Keys", "alicia@example.org")
    response = recruiter_client.get(reverse("openings:pipeline", args=[opening.pk]), {"q": "ali"})
    assert {row.name for row in response.context["rows"]} == {"Alice Wong", "Ali Khan", "Bob Stone"}
    assert response.context["total"] == len(PEOPLE)
    assert response.context["page"].matching == 3
    assert "Showing 1–3 of 3 candidates matching (7 in this opening)." in response.content.decode()


def test_a_search_combines_with_the_stage_filter(
    recruiter: User,
    recruiter_client: Client,
    opening: Opening,
    people: dict[str, Candidate],
    mailoutbox: Any,
) -> None:
    invite(people["Ali Khan"], recruiter)
    url = reverse("openings:pipeline", args=[opening.pk])
    invited = recruiter_client.get(url, {"q": "ali", "status": "invited"})
    added = recruiter_client.get(url, {"q": "ali", "status": "added"})
    assert [row.name for row in invited.context["rows"]] == ["Ali Khan"]
    assert {row.name for row in added.context["rows"]} == {"Alice Wong", "Bob Stone"}


def test_names_and_addresses_are_nowhere_in_the_database_in_clear(
    recruiter: User, opening: Opening
) -> None:
    add(opening, recruiter, "Wilhelmina Quirk", "wilhelmina.quirk@example.org")
    seen = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for cell in row:
                    raw = bytes(cell) if isinstance(cell, bytes | memoryview) else b""
                    text = raw.decode("latin-1") if raw else str(cell)
                    if "wilhelmina" in text.lower() or "quirk" in text.lower():
                        seen.append((table, text[:80]))
    assert CandidateSearchToken.objects.count() > 0
    assert seen == []


def test_the_index_terms_are_words_their_joined_parts_and_prefixes() -> None:
    assert index_terms("Seán O'Brien", "s.ob@ex.io") == {
        "sea", "sean", "o", "bri", "brie", "brien", "obr", "obri", "obrie", "obrien",
        "s", "ob", "ex", "io",
    }  # fmt: skip
    long_word = "a" * 30
    assert max(len(term) for term in index_terms(long_word, "x@y.z")) == 20
    assert search_terms("  Zoë   O'Brien " + long_word) == ["zoe", "o", "brien", "a" * 20]


def test_the_erasure_deletes_the_search_tokens_and_the_order_key(
    administrator: User,
    recruiter_client: Client,
    opening: Opening,
    people: dict[str, Candidate],
) -> None:
    alice = people["Alice Wong"]
    assert CandidateSearchToken.objects.filter(candidate=alice).count() > 0
    do_erase_candidate(actor=administrator, candidate=alice, basis=ErasureBasis.REQUEST)
    assert CandidateSearchToken.objects.filter(candidate=alice).count() == 0
    assert bytes(Candidate.objects.get(pk=alice.pk).name_order) == b""
    assert found(recruiter_client, opening, "ali") == ["Ali Khan", "Bob Stone"]
    assert found(recruiter_client, opening, "wong") == []
    # The erased row stays in the list, first in name order (its key is cleared).
    everyone = recruiter_client.get(
        reverse("openings:pipeline", args=[opening.pk]), {"sort": "name"}
    )
    assert [row.name for row in everyone.context["rows"]][:2] == ["(erased)", "Al Green"]


def _names_in_order(opening: Opening) -> list[str]:
    listed = Candidate.objects.filter(opening=opening).select_related("subject")
    return [candidate.name for candidate in listed.order_by("name_order", "pk")]


def test_candidates_added_one_by_one_and_in_files_stay_in_name_order(
    recruiter: User, opening: Opening
) -> None:
    chance = random.Random(7)
    firsts = ["ana", "Ana", "Ána", "bo", "Chen", "chén", "Zoë", "zoe", "Émile", "emile", "Li"]
    lasts = ["Abe", "abe", "Ng", "Ó Sé", "Smith", "smith", "Zhang", "de Vries", "Van Dyke"]
    number = 0
    for _ in range(12):
        batch = []
        for _ in range(chance.choice([1, 1, 1, 2, 7])):
            batch.append(
                NewCandidate(
                    f"{chance.choice(firsts)} {chance.choice(lasts)}", f"p{number}@example.org"
                )
            )
            number += 1
        do_import_candidates(actor=recruiter, opening=opening, candidates=batch)
    added = list(Candidate.objects.filter(opening=opening).select_related("subject").order_by("pk"))
    expected = [c.name for c in sorted(added, key=lambda c: (name_sort_key(c.name), c.pk))]
    assert len(added) == number > 30
    assert _names_in_order(opening) == expected


def test_adding_one_candidate_unseals_only_a_logarithm_of_the_names_already_there(
    recruiter: User, opening: Opening
) -> None:
    do_import_candidates(
        actor=recruiter,
        opening=opening,
        candidates=[NewCandidate(f"Person {n:03d}", f"p{n}@example.org") for n in range(128)],
    )
    with CaptureQueriesContext(connection) as captured:
        add(opening, recruiter, "Person 064b", "new@example.org")
    # Each name the binary search looks at is read alone, by id: one query, one sealed name.
    reading_names = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and '"name_sealed"' in query["sql"]
    ]
    assert 1 <= len(reading_names) <= 8  # log2(128) + 1
    assert all('WHERE "hiring_candidate"."id" = ' in sql for sql in reading_names)
    names = _names_in_order(opening)
    assert names.index("Person 064b") == names.index("Person 064") + 1


def test_an_import_larger_than_the_opening_unseals_every_name_once(
    recruiter: User, opening: Opening
) -> None:
    add(opening, recruiter, "Mia Berg", "mia@example.org")
    add(opening, recruiter, "Ola Nord", "ola@example.org")
    with CaptureQueriesContext(connection) as captured:
        do_import_candidates(
            actor=recruiter,
            opening=opening,
            candidates=[
                NewCandidate(name, f"{n}@example.org")
                for n, name in enumerate(["Zed", "Ann", "Nils", "Mia Berg", "Bea"])
            ],
        )
    reading_names = [
        q
        for q in captured.captured_queries
        if '"name_sealed"' in q["sql"] and q["sql"].startswith("SELECT")
    ]
    assert len(reading_names) == 1
    assert _names_in_order(opening) == [
        "Ann",
        "Bea",
        "Mia Berg",
        "Mia Berg",
        "Nils",
        "Ola Nord",
        "Zed",
    ]


def test_order_keys_grown_too_long_are_all_given_afresh_in_the_same_order(
    recruiter: User, opening: Opening
) -> None:
    for number, name in enumerate(["Ann", "Cy", "Bea", "Bo", "Bob", "Bea"]):
        add(opening, recruiter, name, f"k{number}@example.org")
    keys_before = dict(Candidate.objects.values_list("pk", "name_order"))

    (bee,) = name_orders_for(opening, ["Bee"], longest=1)

    keys = {pk: bytes(key) for pk, key in Candidate.objects.values_list("pk", "name_order")}
    assert keys != {pk: bytes(key) for pk, key in keys_before.items()}
    assert max(len(key) for key in [*keys.values(), bee]) == 2
    assert _names_in_order(opening) == ["Ann", "Bea", "Bea", "Bo", "Bob", "Cy"]
    second_bea, bo = sorted(keys.values())[2:4]
    assert second_bea < bee < bo


def test_the_index_of_a_database_from_before_it_existed_is_built_from_the_sealed_names(
    administrator: User,
    recruiter_client: Client,
    opening: Opening,
    people: dict[str, Candidate],
) -> None:
    do_erase_candidate(
        actor=administrator, candidate=people["Al Green"], basis=ErasureBasis.MISTAKE
    )
    CandidateSearchToken.objects.all().delete()
    Candidate.objects.update(name_order=b"")
    assert found(recruiter_client, opening, "ali") == []

    assert index_existing_candidates() == len(PEOPLE) - 1

    assert found(recruiter_client, opening, "ali") == ["Ali Khan", "Alice Wong", "Bob Stone"]
    assert CandidateSearchToken.objects.filter(candidate=people["Al Green"]).count() == 0
    assert _names_in_order(opening) == [
        "(erased)", "Ali Khan", "Alice Wong", "Bob Stone", "Malika Ito", "Seán O'Brien", "Zoë Li"
    ]  # fmt: skip
