"""Reading a CSV file of candidates, checking EVERY row before anything is imported.

The file: UTF-8 (with or without the byte-order mark spreadsheets add), a header row naming the
columns ``name`` and ``email`` and optionally ``extra_time``, in any order, then one candidate per
row; values are separated by commas, or by semicolons or tabs as some spreadsheets save them.
Rows are numbered as a spreadsheet shows them: the header is row 1. A cell holding a control
character (a NUL byte, say) or a line separator is refused, naming its row and column. The
result is either every candidate or every problem, never a part of the file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Set
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from hireproof.hiring.actions.candidates import NewCandidate
from hireproof.hiring.models.accommodation import (
    NO_ACCOMMODATION,
    AccommodationError,
    parse_extra_time,
)
from hireproof.hiring.models.candidates import email_lookup_for, normalise_candidate_email

MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_NAME_LENGTH = 200
REQUIRED_COLUMNS = ("name", "email")
OPTIONAL_COLUMNS = ("extra_time",)
_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
_COLUMN_LIST = "name, email and optionally extra_time"
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class RowProblem:
    """What is wrong, and where: ``row 4: email: 'bob@' is not an email address``."""

    row: int  # 0 for the file as a whole, 1 for the header
    column: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class CsvReport:
    """The candidates a file holds, or what is wrong with it (then ``candidates`` is unusable)."""

    candidates: list[NewCandidate] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return not self.problems and bool(self.candidates)


def read_candidate_csv(data: bytes, *, existing_lookups: Set[str]) -> CsvReport:
    """Check a whole file; ``existing_lookups`` are the email lookups already in the opening."""
    report = CsvReport()
    text = _decode(data, report)
    if text is None:
        return report
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter_of(text)))
    except csv.Error as error:  # e.g. a NUL byte: not a text file
        report.problems.append(RowProblem(0, "", f"the file is not a readable CSV file ({error})"))
        return report
    columns = _read_header(rows[0] if rows else [], report)
    if columns is None:
        return report
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end of a file, are not candidates
        candidate = _read_row(number, cells, columns, seen, existing_lookups, report)
        if candidate is not None:
            report.candidates.append(candidate)
    _check_totals(report)
    return report


def _decode(data: bytes, report: CsvReport) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        report.problems.append(
            RowProblem(0, "", f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}")
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        report.problems.append(
            RowProblem(
                0,
                "",
                f"the file is not UTF-8 text (byte {data[error.start]:#04x} at position "
                f"{error.start}); save it as 'CSV UTF-8' and upload it again",
            )
        )
        return None
    if not text.strip():
        report.problems.append(
            RowProblem(0, "", f"the file is empty; it needs a header row ({_COLUMN_LIST})")
        )
        return None
    return text


def _delimiter_of(text: str) -> str:
    """The separator the header row uses: a comma, or a semicolon or tab.

    Spreadsheets set to a language that writes decimals with a comma (German, French, ...)
    save "CSV" with semicolons. Only the header is looked at, and only for a separator that
    splits it into known column names, so a comma inside a quoted name never misleads it.
    """
    header = text.splitlines()[0] if text else ""
    for delimiter in _DELIMITERS:
        names = {cell.strip().strip('"').strip().lower() for cell in header.split(delimiter)}
        if names >= set(REQUIRED_COLUMNS) and names <= set(_COLUMNS):
            return delimiter
    return ","


def _read_header(header: list[str], report: CsvReport) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in header]
    problems = []
    for name in names:
        if name not in _COLUMNS:
            shown = repr(name) if name else "an empty column name"
            problems.append(f"unknown column {shown} (the columns are {_COLUMN_LIST})")
    for name in _COLUMNS:
        if names.count(name) > 1:
            problems.append(f"the column {name!r} appears {names.count(name)} times")
    for name in REQUIRED_COLUMNS:
        if name not in names:
            problems.append(f"the column {name!r} is missing (the columns are {_COLUMN_LIST})")
    report.problems.extend(RowProblem(1, "header", problem) for problem in problems)
    return None if problems else {name: names.index(name) for name in names}


def _read_row(
    number: int,
    cells: list[str],
    columns: dict[str, int],
    seen: dict[str, int],
    existing_lookups: Set[str],
    report: CsvReport,
) -> NewCandidate | None:
    if len(cells) != len(columns):
        report.problems.append(
            RowProblem(
                number,
                "",
                f"expected {len(columns)} values ({', '.join(columns)}), found {len(cells)}",
            )
        )
        return None
    values = {name: cells[index].strip() for name, index in columns.items()}
    problems_before = len(report.problems)
    unreadable = [name for name in columns if _check_characters(number, name, values, report)]
    if unreadable:
        return None
    name = _check_name(number, values["name"], report)
    email = _check_email(number, values["email"], seen, existing_lookups, report)
    extra_time = NO_ACCOMMODATION
    try:
        extra_time = parse_extra_time(values.get("extra_time", ""))
    except AccommodationError as error:
        report.problems.append(RowProblem(number, "extra_time", str(error)))
    if len(report.problems) > problems_before:
        return None
    return NewCandidate(name=name, email=email, extra_time=extra_time)


# Control characters (a NUL, a bell, an escape, C1 codes) and line or paragraph separators:
# what no name or address holds, and what would be stored mangled or break a line of an email.
_REFUSED_CATEGORIES = {"Cc", "Zl", "Zp"}


def refused_character(text: str) -> str | None:
    """``"character 2 is U+001B (escape)"``: the first control character or line separator of
    ``text``, which no name or address holds; ``None`` when there is none. The single
    candidate form refuses the same characters as a file's cells."""
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            name = unicodedata.name(char, "a control character")
            return f"character {position} is U+{ord(char):04X} ({name.lower()})"
    return None


def _check_characters(number: int, column: str, values: dict[str, str], report: CsvReport) -> bool:
    """Report the first control character of the cell, if any; True when there is one."""
    found = refused_character(values[column])
    if found is None:
        return False
    report.problems.append(
        RowProblem(
            number,
            column,
            f"{found}, which no cell may hold; remove it and upload the file again",
        )
    )
    return True


def _check_name(number: int, name: str, report: CsvReport) -> str:
    if not name:
        report.problems.append(RowProblem(number, "name", "the name is empty"))
    elif len(name) > MAX_NAME_LENGTH:
        report.problems.append(
            RowProblem(
                number,
                "name",
                f"the name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}",
            )
        )
    return name


def _check_email(
    number: int, raw: str, seen: dict[str, int], existing_lookups: Set[str], report: CsvReport
) -> str:
    email = normalise_candidate_email(raw)
    if not email:
        report.problems.append(RowProblem(number, "email", "the email address is empty"))
        return email
    try:
        validate_email(email)
    except ValidationError:
        report.problems.append(RowProblem(number, "email", f"{raw!r} is not an email address"))
        return email
    if email in seen:
        report.problems.append(RowProblem(number, "email", f"{raw!r} is also on row {seen[email]}"))
    elif email_lookup_for(email) in existing_lookups:
        report.problems.append(
            RowProblem(number, "email", f"{raw!r} is already a candidate in this opening")
        )
    seen.setdefault(email, number)
    return email


def _check_totals(report: CsvReport) -> None:
    if not report.candidates and not report.problems:
        report.problems.append(
            RowProblem(0, "", "the file has a header but no candidates below it")
        )
    elif len(report.candidates) + _rows_with_problems(report) > MAX_ROWS:
        report.problems.append(
            RowProblem(0, "", f"the file has more than {MAX_ROWS:,} candidates; split it up")
        )


def _rows_with_problems(report: CsvReport) -> int:
    return len({problem.row for problem in report.problems if problem.row > 1})
