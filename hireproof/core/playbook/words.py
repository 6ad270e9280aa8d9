"""A playbook's rules in plain words, for every surface that shows them (web pages, CLI).

The scorer explains each *result* itself (``hireproof.core.scoring``); this module says what a
*rule* is before any answer is scored: "Full points when every number in the answer is 70
exactly; anything else scores 0."
"""

from __future__ import annotations

import json
from decimal import Decimal

from .identity import decimal_text
from .model import (
    AllOf,
    AnyOf,
    ContainsNumber,
    ContainsPhrase,
    Item,
    NoneOf,
    NumericItem,
    Regex,
    Rule,
    SingleChoiceItem,
    Tolerance,
    ToleranceKind,
)

__all__ = ["percent_text", "rubric_words", "rule_words", "tolerance_words"]


def percent_text(share: Decimal) -> str:
    """A share of 1 as a percent, rounded to one decimal: ``0.40`` -> ``"40%"``."""
    return f"{decimal_text((share * 100).quantize(Decimal('0.1')))}%"


def rubric_words(item: Item) -> str:
    """How the machine scores ``item``, in one sentence."""
    if isinstance(item, SingleChoiceItem):
        return f"Full points for option {item.correct}; any other answer scores 0."
    if isinstance(item, NumericItem):
        return (
            f"Full points when every number in the answer is {decimal_text(item.key)} "
            f"{tolerance_words(item.tolerance)}; anything else scores 0."
        )
    return f"Full points when the answer {rule_words(item.rule)}; otherwise 0."


def tolerance_words(tolerance: Tolerance) -> str:
    """``exactly``, ``give or take 0.5`` or ``within 5%``."""
    if tolerance.value.is_zero():
        return "exactly"
    if tolerance.kind == ToleranceKind.ABSOLUTE:
        return f"give or take {decimal_text(tolerance.value)}"
    return f"within {percent_text(tolerance.value)}"


def rule_words(rule: Rule) -> str:
    """A text item's rule in words, e.g. ``contains the number 141 exactly``."""
    if isinstance(rule, ContainsNumber):
        return f"contains the number {decimal_text(rule.value)} {tolerance_words(rule.tolerance)}"
    if isinstance(rule, ContainsPhrase):
        phrases = ", ".join(json.dumps(phrase, ensure_ascii=False) for phrase in rule.phrases)
        return f"contains one of {phrases}"
    if isinstance(rule, Regex):
        return f"matches the regular expression {json.dumps(rule.pattern, ensure_ascii=False)}"
    name = {AllOf: "all of", AnyOf: "any of", NoneOf: "none of"}[type(rule)]
    return f"meets {name}: ({'; '.join(rule_words(inner) for inner in rule.rules)})"
