"""Reading numbers out of free answers, exactly, with the edge cases the module decides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hireproof.core.playbook.model import Tolerance, ToleranceKind
from hireproof.core.scoring import Evidence, find_numbers, normalise, within_tolerance
from hireproof.core.scoring.numbers import tolerance_words


def numbers_in(answer: str) -> list[tuple[str, str, int, int]]:
    return [
        (str(n.value), n.evidence.text, n.evidence.start, n.evidence.end)
        for n in find_numbers(normalise(answer))
    ]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("70", [("70", "70", 0, 2)]),
        ("70.0", [("70.0", "70.0", 0, 4)]),
        ("The result is 70", [("70", "70", 14, 16)]),
        ("70.", [("70", "70", 0, 2)]),
        ("-3", [("-3", "-3", 0, 2)]),
        ("+3", [("3", "+3", 0, 2)]),
        ("\u22125", [("-5", "\u22125", 0, 2)]),
        ("1,210", [("1210", "1,210", 0, 5)]),
        ("1,210,000.5", [("1210000.5", "1,210,000.5", 0, 11)]),
        ("7e1", [("7E+1", "7e1", 0, 3)]),
        ("7E-1", [("0.7", "7E-1", 0, 4)]),
        (".5", [("0.5", ".5", 0, 2)]),
        ("1410", [("1410", "1410", 0, 4)]),
        ("14.1", [("14.1", "14.1", 0, 4)]),
        ("70%", [("70", "70", 0, 2)]),
        ("$70", [("70", "70", 1, 3)]),
        ("(70)", [("70", "70", 1, 3)]),
    ],
)
def test_it_reads_one_number(answer: str, expected: list[tuple[str, str, int, int]]) -> None:
    assert numbers_in(answer) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("70 or 100", [("70", "70", 0, 2), ("100", "100", 6, 9)]),
        ("70, 100", [("70", "70", 0, 2), ("100", "100", 4, 7)]),
        ("1,21", [("1", "1", 0, 1), ("21", "21", 2, 4)]),
        ("1,2345", [("1", "1", 0, 1), ("2345", "2345", 2, 6)]),
        ("1234,567", [("1234", "1234", 0, 4), ("567", "567", 5, 8)]),
        ("5-3", [("5", "5", 0, 1), ("3", "3", 2, 3)]),
        ("x-3", [("3", "3", 2, 3)]),
        ("--3", [("-3", "-3", 1, 3)]),
    ],
)
def test_it_reads_several_numbers(answer: str, expected: list[tuple[str, str, int, int]]) -> None:
    assert numbers_in(answer) == expected


def test_it_reads_a_comma_followed_by_three_digits_as_a_thousands_separator() -> None:
    assert numbers_in("70,100") == [("70100", "70,100", 0, 6)]


@pytest.mark.parametrize(
    "answer",
    ["seventy", "a141", "141a", "x2", "70km", "70th", "2.7.1", "1e10000", "", "   ", "-", "."],
)
def test_it_finds_no_number_touching_a_letter_or_digit_or_inside_a_dotted_run(
    answer: str,
) -> None:
    assert numbers_in(answer) == []


def test_it_reads_full_width_digits_and_locates_them_in_the_original() -> None:
    assert numbers_in("age \uff11\uff14\uff11!") == [("141", "\uff11\uff14\uff11", 4, 7)]


def test_it_locates_numbers_after_collapsed_whitespace_in_the_original() -> None:
    assert numbers_in("  The\t\tresult is\n 70 ") == [("70", "70", 18, 20)]


def test_a_number_touching_a_non_latin_digit_is_not_a_number() -> None:
    assert numbers_in("\u0663" + "70") == []


@pytest.mark.parametrize(
    ("value", "key", "kind", "allowed", "within"),
    [
        ("70", "70", ToleranceKind.ABSOLUTE, "0", True),
        ("70.0", "70", ToleranceKind.ABSOLUTE, "0", True),
        ("7E+1", "70", ToleranceKind.ABSOLUTE, "0", True),
        ("70.0000000000000000000000000000001", "70", ToleranceKind.ABSOLUTE, "0", False),
        ("70.5", "70", ToleranceKind.ABSOLUTE, "0.5", True),
        ("70.51", "70", ToleranceKind.ABSOLUTE, "0.5", False),
        ("69.5", "70", ToleranceKind.ABSOLUTE, "0.5", True),
        ("1222.1", "1210", ToleranceKind.RELATIVE, "0.01", True),
        ("1222.2", "1210", ToleranceKind.RELATIVE, "0.01", False),
        ("-1222.1", "-1210", ToleranceKind.RELATIVE, "0.01", True),
        (
            "1000000000000000000000000000000.5",
            "1000000000000000000000000000000",
            ToleranceKind.ABSOLUTE,
            "0.4",
            False,
        ),
    ],
)
def test_it_compares_with_the_tolerance_exactly(
    value: str, key: str, kind: ToleranceKind, allowed: str, within: bool
) -> None:
    tolerance = Tolerance(kind, Decimal(allowed))
    assert within_tolerance(Decimal(value), Decimal(key), tolerance) is within


@pytest.mark.parametrize(
    ("kind", "allowed", "words"),
    [
        (ToleranceKind.ABSOLUTE, "0", "the key 70"),
        (ToleranceKind.ABSOLUTE, "0.5", "0.5 of the key 70"),
        (ToleranceKind.RELATIVE, "0.01", "1% of the key 70"),
    ],
)
def test_it_states_the_tolerance_in_words(kind: ToleranceKind, allowed: str, words: str) -> None:
    assert tolerance_words(Decimal(70), Tolerance(kind, Decimal(allowed))) == words


def test_evidence_is_the_text_as_typed() -> None:
    (number,) = find_numbers(normalise("Total: 1,210 rows"))
    assert number.evidence == Evidence("1,210", 7, 12)
    assert number.value == Decimal(1210)
