"""Exact numbers as decimal strings: exact when they end, rounded half-even when they do not."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from hireproof.core.scoring.formatting import (
    decimal_string,
    percent_string,
    points_words,
    span_words,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(0), "0"),
        (Fraction(5), "5"),
        (Fraction(1, 2), "0.5"),
        (Fraction(3, 8), "0.375"),
        (Fraction(-3, 4), "-0.75"),
        (Fraction(1, 3), "0.333333"),
        (Fraction(2, 3), "0.666667"),
        (Fraction(1, 7) / 10**6, "0"),
        (Decimal("70.0"), "70"),
        (Decimal("7E+1"), "70"),
        (Decimal("0.40") * 100, "40"),
        (10**40, "1" + "0" * 40),
        (Fraction(10**40 + 1, 10), "1" + "0" * 39 + ".1"),
    ],
)
def test_decimal_strings(value: Fraction | Decimal | int, text: str) -> None:
    assert decimal_string(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(80), "80.00"),
        (Fraction(200, 3), "66.67"),
        (Fraction(90625, 1000), "90.62"),  # half-even: ...2|5 stays 2
        (Fraction(94375, 1000), "94.38"),  # half-even: ...7|5 goes up to 8
        (Fraction(0), "0.00"),
        (Fraction(1, 1000), "0.00"),
    ],
)
def test_percents_have_exactly_two_places_rounded_half_even(value: Fraction, text: str) -> None:
    assert percent_string(value) == text


@pytest.mark.parametrize(
    ("points", "words"),
    [(Fraction(1), "1 point"), (Fraction(0), "0 points"), (Decimal("1.5"), "1.5 points")],
)
def test_points_in_words(points: Fraction | Decimal, words: str) -> None:
    assert points_words(points) == words


def test_spans_are_counted_from_one_as_people_count() -> None:
    assert span_words(14, 16) == "characters 15-16"
    assert span_words(0, 1) == "character 1"
