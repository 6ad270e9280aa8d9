"""A playbook's rules in plain words, the same on every surface."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hireproof.core.playbook import load_builtin
from hireproof.core.playbook.model import (
    AllOf,
    AnyOf,
    ContainsNumber,
    ContainsPhrase,
    NoneOf,
    Regex,
    Rule,
    Tolerance,
    ToleranceKind,
)
from hireproof.core.playbook.words import percent_text, rubric_words, rule_words, tolerance_words


@pytest.mark.parametrize(
    ("tolerance", "words"),
    [
        (Tolerance(ToleranceKind.ABSOLUTE, Decimal(0)), "exactly"),
        (Tolerance(ToleranceKind.ABSOLUTE, Decimal("0.5")), "give or take 0.5"),
        (Tolerance(ToleranceKind.RELATIVE, Decimal("0.05")), "within 5%"),
    ],
)
def test_it_words_tolerances(tolerance: Tolerance, words: str) -> None:
    assert tolerance_words(tolerance) == words


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (ContainsNumber(Decimal(141)), "contains the number 141 exactly"),
        (ContainsPhrase(("data entry", "typo")), 'contains one of "data entry", "typo"'),
        (Regex(r"\b141\b"), 'matches the regular expression "\\\\b141\\\\b"'),
        (
            AllOf((ContainsPhrase(("a",)), NoneOf((Regex("b"),)))),
            'meets all of: (contains one of "a"; '
            'meets none of: (matches the regular expression "b"))',
        ),
        (AnyOf(()), "meets any of: ()"),
    ],
)
def test_it_words_text_rules(rule: Rule, words: str) -> None:
    assert rule_words(rule) == words


def test_it_words_each_kind_of_rubric() -> None:
    playbook = load_builtin("data-scientist-mid")

    assert [rubric_words(item) for item in playbook.assessment.items] == [
        "Full points when every number in the answer is 1210 exactly; anything else scores 0.",
        "Full points when every number in the answer is 70 exactly; anything else scores 0.",
        "Full points for option B; any other answer scores 0.",
        "Full points when the answer contains the number 141 exactly; otherwise 0.",
        "Full points for option B; any other answer scores 0.",
    ]


@pytest.mark.parametrize(
    ("share", "words"),
    [(Decimal("0.4"), "40%"), (Decimal("0.6"), "60%"), (Decimal(1) / 3, "33.3%")],
)
def test_it_words_shares_as_percents(share: Decimal, words: str) -> None:
    assert percent_text(share) == words
