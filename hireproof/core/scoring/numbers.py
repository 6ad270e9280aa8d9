"""Numbers in a free answer, read exactly (``Decimal``, never float).

A number is a maximal run of the form

    [sign] digits [. digits] [e [sign] digits]        e.g. ``70``, ``-3``, ``70.0``, ``7e1``
    [sign] d{1,3}(,ddd)+ [. digits] [e ...]           thousands groups, e.g. ``1,210``
    [sign] . digits [e ...]                           e.g. ``.5`` (one half)

found in the normalised answer (see ``normalise``: full-width digits count, ``E`` reads as
``e``), where the sign is ``-``, ``+`` or the minus sign ``−``, and the run touches no letter or
digit on either side. The edge cases, decided once:

- ``70.`` is the number 70 followed by a full stop; ``70.0`` is one number (70).
- ``14.1`` and ``1410`` are one number each, so neither contains ``141``; ``a141`` and ``141a``
  touch a letter and contain no number at all; ``70%`` and ``$70`` are 70.
- A comma counts only as a thousands separator in groups of exactly three digits after a first
  group of one to three digits: ``1,210`` is 1210 and ``70,100`` is 70100. Any other comma is
  punctuation, so ``70, 100`` and ``1,21`` are two numbers each (70 and 100; 1 and 21), and
  ``1,2345`` is 1 and 2345.
- A sign belongs to the number only when nothing alphanumeric comes before it: ``x-3`` and
  ``5-3`` contain the number 3, not -3.
- A dotted run such as a version ``2.7.1`` is not a number, nor is any part of it (a number may
  not start right after ``digit.`` nor end right before ``.digit``).
- An exponent has at most four digits; ``1e10000`` touches a letter after ``1`` and is no number
  (this keeps every comparison small and exact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hireproof.core.playbook.model import Tolerance, ToleranceKind

from .formatting import decimal_string
from .normalise import Evidence, NormalisedText

__all__ = ["FoundNumber", "find_numbers", "tolerance_words", "within_tolerance"]

_NUMBER = re.compile(
    r"""
    (?<![^\W_])             # not right after a letter or digit
    (?<![0-9]\.)            # nor inside a dotted run like 2.7.1
    [-+\u2212]?
    (?:
        (?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?
      | \.[0-9]+
    )
    (?:e[-+]?[0-9]{1,4})?
    (?![^\W_]|\.[0-9])      # not right before a letter, a digit or another .digit
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundNumber:
    """A number found in an answer: its exact value and where it was typed."""

    value: Decimal
    evidence: Evidence


def find_numbers(answer: NormalisedText) -> tuple[FoundNumber, ...]:
    """Every number in the answer, in order, located in the original text."""
    return tuple(
        FoundNumber(_to_decimal(match.group()), answer.evidence(match.start(), match.end()))
        for match in _NUMBER.finditer(answer.text)
    )


def within_tolerance(value: Decimal, key: Decimal, tolerance: Tolerance) -> bool:
    """Whether ``value`` equals ``key`` within ``tolerance`` (absolute or relative), exactly."""
    if not tolerance.value:
        return value == key  # Decimal equality is exact: 70 == 70.0 == 7e1
    allowed = Fraction(tolerance.value)
    if tolerance.kind is ToleranceKind.RELATIVE:
        allowed *= abs(Fraction(key))
    # Fractions, not Decimal arithmetic: no context precision can round the difference.
    return abs(Fraction(value) - Fraction(key)) <= allowed


def tolerance_words(key: Decimal, tolerance: Tolerance) -> str:
    """How a number relates to the key, in words: ``"the key 70"``, ``"0.5 of the key 70"``."""
    key_text = decimal_string(key)
    if not tolerance.value:
        return f"the key {key_text}"
    if tolerance.kind is ToleranceKind.RELATIVE:
        return f"{decimal_string(tolerance.value * 100)}% of the key {key_text}"
    return f"{decimal_string(tolerance.value)} of the key {key_text}"


def _to_decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("\u2212", "-"))
