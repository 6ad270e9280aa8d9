"""Adding candidates one by one or from a CSV file: sealed, never twice, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.audit import vault
from hireproof.hiring.models.candidates import Candidate, email_lookup_for
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import add

pytestmark = pytest.mark.django_db


def upload(client: Client, opening: Opening, content: bytes) -> Any:
    return client.post(
        reverse("openings:candidate_import", args=[opening.pk]),
        {"file": SimpleUploadedFile("candidates.csv", content, content_type="text/csv")},
    )


def test_a_candidate_is_stored_sealed_with_a_keyed_lookup_and_logged(
    recruiter: User, recruiter_client: Client, opening: Opening, events: Any
) -> None:
    response = recruiter_client.post(
        reverse("openings:candidate_add", args=[opening.pk]),
        {"name": " Ada Lovelace ", "email": "Ada@Example.org"},
    )
    assert response.status_code == 302
    candidate = Candidate.objects.select_related("subject").get()
    assert candidate.name_sealed is not None
    assert candidate.email_sealed is not None
    assert b"Ada" not in bytes(candidate.name_sealed)
    assert b"example" not in bytes(candidate.email_sealed)
    assert (candidate.name, candidate.email) == ("Ada Lovelace", "ada@example.org")
    assert vault.unseal(
        candidate.subject, bytes(candidate.email_sealed), context="candidate.email"
    ) == ("ada@example.org")
    assert candidate.email_lookup == email_lookup_for("ada@example.org")
    assert len(candidate.email_lookup) == 64
    assert "example" not in candidate.email_lookup
    assert events()[1:] == [
        (
            "candidate.added",
            f"staff:{recruiter.pk}",
            candidate.subject.pseudonym,
            {"opening_id": opening.pk, "candidate_id": candidate.pk, "source": "form"},
            ["email", "name"],
        )
    ]


def test_the_same_email_is_refused_in_the_same_opening_but_not_in_another(
    recruiter: User, recruiter_client: Client, opening: Opening, other_opening: Opening
) -> None:
    add(opening, recruiter, "Ada Lovelace", "ada@example.org")
    response = recruiter_client.post(
        reverse("openings:candidate_add", args=[opening.pk]),
        {"name": "Ada L.", "email": " ADA@example.ORG"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "ada@example.org is already a candidate in this opening."
    ]
    add(other_opening, recruiter, "Ada Lovelace", "ada@example.org")
    assert Candidate.objects.filter(opening=opening).count() == 1
    assert Candidate.objects.filter(opening=other_opening).count() == 1


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Ada\x1bLovelace", "character 4 is U+001B (a control character)"),
        ("Ada\u2028Lovelace", "character 4 is U+2028 (line separator)"),
        ("Ada\x85Lovelace", "character 4 is U+0085 (a control character)"),
    ],
)
def test_the_single_form_refuses_the_control_characters_a_csv_file_may_not_hold(
    recruiter_client: Client, opening: Opening, name: str, found: str
) -> None:
    response = recruiter_client.post(
        reverse("openings:candidate_add", args=[opening.pk]),
        {"name": name, "email": "ada@example.org"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        f"The name holds a control character ({found}), which no name may hold; remove it."
    ]
    assert Candidate.objects.count() == 0


def test_a_good_csv_file_imports_every_candidate_with_one_event_each(
    recruiter_client: Client, opening: Opening, events: Any
) -> None:
    content = (
        "\ufeffname,email,extra_time\n"
        "Ada Lovelace,ada@example.org,\n"
        "Grace Hopper,grace@example.org,50%\n"
        "Alan Turing,alan@example.org,15 min\n"
    ).encode()
    response = upload(recruiter_client, opening, content)
    assert response.status_code == 302
    candidates = list(Candidate.objects.select_related("subject").order_by("pk"))
    assert [
        (c.name, c.email, c.requested_extra_percent, c.requested_extra_minutes) for c in candidates
    ] == [
        ("Ada Lovelace", "ada@example.org", 0, 0),
        ("Grace Hopper", "grace@example.org", 50, 0),
        ("Alan Turing", "alan@example.org", 0, 15),
    ]
    assert [(kind, subject, public["source"]) for kind, _, subject, public, _ in events()[1:]] == [
        ("candidate.added", candidate.subject.pseudonym, "csv") for candidate in candidates
    ]


def test_a_csv_file_with_one_bad_row_imports_nothing_and_lists_every_problem(
    recruiter: User, recruiter_client: Client, opening: Opening, events: Any
) -> None:
    add(opening, recruiter, "Grace Hopper", "grace@example.org")
    content = (
        b"name,email\n"
        b"Ada Lovelace,ada@example.org\n"
        b"Alan Turing,alan@example.org\n"
        b"Bob,bob@\n"
        b"Grace H.,Grace@example.org\n"
        b"Ada Again,ada@example.org\n"
    )
    response = upload(recruiter_client, opening, content)
    assert response.status_code == 400  # refused: the form again, with every problem
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert [str(problem) for problem in response.context["report"].problems] == [
        "row 4: email: 'bob@' is not an email address",
        "row 5: email: 'Grace@example.org' is already a candidate in this opening",
        "row 6: email: 'ada@example.org' is also on row 2",
    ]
    assert "<li>row 4: email: &#x27;bob@&#x27; is not an email address</li>" in html
    assert Candidate.objects.count() == 1
    assert [kind for kind, *_ in events()] == ["opening.created", "candidate.added"]


def test_a_csv_file_with_a_nul_byte_in_a_name_imports_nothing(
    recruiter_client: Client, opening: Opening, events: Any
) -> None:
    content = b"name,email\nAda Lovelace,ada@example.org\nAlan\x00Turing,alan@example.org\n"
    response = upload(recruiter_client, opening, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert (
        "<li>row 3: name: character 5 is U+0000 (a control character), which no cell may hold; "
        "remove it and upload the file again</li>"
    ) in html
    assert Candidate.objects.count() == 0
    assert [kind for kind, *_ in events()] == ["opening.created"]


def test_a_csv_file_over_the_size_limit_is_refused_before_reading(
    recruiter_client: Client, opening: Opening
) -> None:
    response = upload(recruiter_client, opening, b"name,email\n" + b"x" * 1_000_000)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file is 1,000,011 bytes; the limit is 1,000,000 (about 10,000 candidates). "
        "Split it into smaller files."
    ]
    assert Candidate.objects.count() == 0


def test_a_failure_midway_through_an_import_rolls_every_candidate_back(
    recruiter_client: Client, opening: Opening, monkeypatch: Any
) -> None:
    from hireproof.hiring.actions import candidates as actions

    real_record = actions.record_event  # type: ignore[attr-defined]  # the module's import
    calls: list[int] = []

    def fail_on_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("audit log unavailable")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(actions, "record_event", fail_on_second)
    content = b"name,email\nAda Lovelace,ada@example.org\nAlan Turing,alan@example.org\n"
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        upload(recruiter_client, opening, content)
    assert Candidate.objects.count() == 0
