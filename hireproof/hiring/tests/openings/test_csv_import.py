"""Reading a CSV file of candidates: every row checked, every problem reported with its row."""

from __future__ import annotations

from typing import Any

import pytest

from hireproof.hiring.actions.candidates import NewCandidate
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.candidates import email_lookup_for
from hireproof.views.staff.csv_import import read_candidate_csv


def problems(data: bytes, existing: frozenset[str] = frozenset()) -> list[str]:
    report = read_candidate_csv(data, existing_lookups=existing)
    assert not report.ok
    return [str(problem) for problem in report.problems]


def test_it_reads_a_good_file_with_or_without_a_byte_order_mark() -> None:
    data = (
        b"Name,Email,extra_time\r\n"
        b"Ada Lovelace, Ada@Example.org ,\r\n"
        b"\r\n"
        b"Grace Hopper,grace@example.org,25%\r\n"
    )
    expected = [
        NewCandidate("Ada Lovelace", "ada@example.org"),
        NewCandidate("Grace Hopper", "grace@example.org", Accommodation(extra_percent=25)),
    ]
    for variant in (data, b"\xef\xbb\xbf" + data):
        report = read_candidate_csv(variant, existing_lookups=frozenset())
        assert report.ok
        assert report.problems == []
        assert report.candidates == expected


def test_the_columns_may_come_in_any_order_and_extra_time_is_optional() -> None:
    report = read_candidate_csv(
        b"email,name\nalan@example.org,Alan Turing\n", existing_lookups=set()
    )
    assert report.candidates == [NewCandidate("Alan Turing", "alan@example.org")]


def test_it_reports_every_bad_row_by_its_spreadsheet_row_number() -> None:
    data = (
        b"name,email,extra_time\n"
        b"Ada Lovelace,ada@example.org,\n"
        b",grace@example.org,\n"
        b"Bob,bob@,\n"
        b"Ada Again,ADA@example.org,\n"
        b"Carol,carol@example.org,30%\n"
        b"Dan,dan@example.org\n"
        b"Erin,erin@example.org,,extra\n"
        b"Frank,,\n"
        b"Gus,gus@example.org,\n"
    )
    existing = frozenset({email_lookup_for("gus@example.org")})
    assert problems(data, existing) == [
        "row 3: name: the name is empty",
        "row 4: email: 'bob@' is not an email address",
        "row 5: email: 'ADA@example.org' is also on row 2",
        "row 6: extra_time: '30%' is not an extra time we offer: use 25%, 50%, 100% "
        "(or x1.25, x1.5, x2), or minutes such as '15 min', or leave it empty for none",
        "row 7: expected 3 values (name, email, extra_time), found 2",
        "row 8: expected 3 values (name, email, extra_time), found 4",
        "row 9: email: the email address is empty",
        "row 10: email: 'gus@example.org' is already a candidate in this opening",
    ]


def test_it_reports_a_wrong_header() -> None:
    assert problems(b"full name,email,phone\nAda,ada@example.org,1\n") == [
        "row 1: header: unknown column 'full name' (the columns are name, email and "
        "optionally extra_time)",
        "row 1: header: unknown column 'phone' (the columns are name, email and "
        "optionally extra_time)",
        "row 1: header: the column 'name' is missing (the columns are name, email and "
        "optionally extra_time)",
    ]
    assert problems(b"name,email,email\n") == ["row 1: header: the column 'email' appears 2 times"]


def test_it_reports_a_file_that_is_not_usable_at_all() -> None:
    assert problems(b"") == [
        "file: the file is empty; it needs a header row (name, email and optionally extra_time)"
    ]
    assert problems(b"name,email\n\n") == ["file: the file has a header but no candidates below it"]
    assert problems("name,email\nZoë,z@example.org\n".encode("latin-1")) == [
        "file: the file is not UTF-8 text (byte 0xeb at position 13); save it as 'CSV UTF-8' "
        "and upload it again"
    ]
    assert problems(b"x" * 1_000_001) == [
        "file: the file is 1,000,001 bytes; the limit is 1,000,000"
    ]


def test_it_reports_names_too_long_and_cells_too_large_to_read() -> None:
    long_name = "A" * 201
    assert problems(f"name,email\n{long_name},a@example.org\n".encode()) == [
        "row 2: name: the name is 201 characters long; the limit is 200"
    ]
    huge_cell = "B" * 200_000
    assert problems(f"name,email\n{huge_cell},b@example.org\n".encode()) == [
        "file: the file is not a readable CSV file (field larger than field limit (131072))"
    ]


def test_it_refuses_more_rows_than_one_import_takes(monkeypatch: Any) -> None:
    monkeypatch.setattr("hireproof.views.staff.csv_import.MAX_ROWS", 2)
    data = b"name,email\nA,a@example.org\nB,b@example.org\nC,c@example.org\n"
    assert problems(data) == ["file: the file has more than 2 candidates; split it up"]


def test_it_reads_files_saved_with_semicolons_or_tabs_as_european_spreadsheets_do() -> None:
    expected = [
        NewCandidate("Lovelace, Ada", "ada@example.org", Accommodation(extra_percent=50)),
        NewCandidate("Grace Hopper", "grace@example.org"),
    ]
    semicolons = (
        b'\xef\xbb\xbf"Name";"Email";"extra_time"\r\n'
        b'"Lovelace, Ada";ada@example.org;x1.5\r\n'
        b"Grace Hopper;grace@example.org;\r\n"
    )
    tabs = (
        b"name\temail\textra_time\n"
        b"Lovelace, Ada\tada@example.org\t50%\n"
        b"Grace Hopper\tgrace@example.org\t\n"
    )
    for data in (semicolons, tabs):
        report = read_candidate_csv(data, existing_lookups=frozenset())
        assert report.problems == []
        assert report.candidates == expected


def test_a_comma_inside_a_quoted_header_does_not_change_the_separator() -> None:
    assert problems(b'name,"email;x"\nAda,ada@example.org\n') == [
        "row 1: header: unknown column 'email;x' (the columns are name, email and optionally "
        "extra_time)",
        "row 1: header: the column 'email' is missing (the columns are name, email and "
        "optionally extra_time)",
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "Ada\x00Lovelace,ada@example.org",
            "row 2: name: character 4 is U+0000 (a control character), which no cell may hold; "
            "remove it and upload the file again",
        ),
        (
            "Ada Lovelace,ada@exa\x1bmple.org",
            "row 2: email: character 8 is U+001B (a control character), which no cell may hold; "
            "remove it and upload the file again",
        ),
        (
            '"Ada\nLovelace",ada@example.org',
            "row 2: name: character 4 is U+000A (a control character), which no cell may hold; "
            "remove it and upload the file again",
        ),
        (
            "Ada\u2028Lovelace,ada@example.org",
            "row 2: name: character 4 is U+2028 (line separator), which no cell may hold; "
            "remove it and upload the file again",
        ),
        (
            "Ada Lovelace,ada@example.org,5\x85%",
            "row 2: extra_time: character 2 is U+0085 (a control character), which no cell may "
            "hold; remove it and upload the file again",
        ),
    ],
    ids=[
        "NUL in a name",
        "escape in an email",
        "newline in a quoted name",
        "line separator",
        "C1 control in extra time",
    ],
)
def test_a_control_character_in_a_cell_is_refused_by_row_and_column(
    cell: str, message: str
) -> None:
    header = "name,email,extra_time" if cell.count(",") == 2 else "name,email"
    assert problems(f"{header}\n{cell}\n".encode()) == [message]
