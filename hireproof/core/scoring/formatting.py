"""Exact numbers as the decimal strings a scorecard shows, and the small phrases built from them.

Points are exact fractions (a section weight of 1 shared by three items gives each 1/3). A
fraction whose decimal expansion ends is written exactly (``"0.5"``, ``"3"``); one that does not
end is rounded half-even to six places (``"0.333333"``). Percentages are always written to two
places, rounded half-even (``"80.00"``). No float is ever involved.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "NON_TERMINATING_PLACES",
    "decimal_string",
    "percent_string",
    "points_words",
    "span_words",
]

NON_TERMINATING_PLACES = 6


@functools.lru_cache(maxsize=4096)  # scoring asks for the same few values over and over
def decimal_string(value: Fraction | Decimal | int) -> str:
    """``value`` as a plain decimal string: exact if it terminates, else 6 places half-even."""
    exact = Fraction(value)
    places = _terminating_places(exact.denominator)
    if places is None:
        exact = round(exact, NON_TERMINATING_PLACES)
        places = _terminating_places(exact.denominator)
    assert places is not None  # a rounded fraction's denominator divides 10**6
    return _fixed(exact, places)


def percent_string(value: Fraction) -> str:
    """A percentage to exactly two places, rounded half-even: ``Fraction(80) -> "80.00"``."""
    return _fixed(round(value, 2), 2)


@functools.lru_cache(maxsize=1024)
def points_words(points: Fraction | Decimal) -> str:
    """``"1 point"``, ``"0 points"``, ``"1.5 points"``."""
    text = decimal_string(points)
    return f"{text} point" if text == "1" else f"{text} points"


def span_words(start: int, end: int) -> str:
    """A 0-based half-open span as people count characters: ``(14, 16) -> "characters 15-16"``."""
    if end - start <= 1:
        return f"character {start + 1}"
    return f"characters {start + 1}-{end}"


def _terminating_places(denominator: int) -> int | None:
    """How many decimal places ``1/denominator`` needs, or None if its expansion never ends."""
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def _fixed(value: Fraction, places: int) -> str:
    """``value`` (whose denominator divides ``10**places``) with exactly ``places`` decimals.

    Built from the integer digits rather than ``Decimal`` so no context precision can round it.
    """
    scaled = value.numerator * 10**places // value.denominator
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    if not places:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"
