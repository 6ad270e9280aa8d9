"""Text rules, tested against a normalised answer (see ``normalise`` for the normalisation).

- ``contains_number``: some number in the answer (as ``numbers`` reads them) equals the value
  within the tolerance.
- ``contains_phrase``: one of the phrases appears as whole words; the phrase is normalised the
  same way as the answer, so ``"Data Entry"`` matches ``"data  entry"``.
- ``regex``: a search on the normalised answer by RE2, in time linear in the answer (so
  patterns are written in lower case; the loader refuses a pattern with a letter no normalised
  answer can hold, and one that RE2 and Python's ``re`` would read differently; see
  ``hireproof.core.playbook.patterns`` for the versions published before that check).
- ``all_of`` / ``any_of`` / ``none_of``: every / at least one / none of the inner rules passes.

Each rule gives a plain-words ``detail`` and the evidence it matched, located in the original.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hireproof.core.playbook.model import (
    AllOf,
    AnyOf,
    ContainsNumber,
    ContainsPhrase,
    NoneOf,
    Regex,
    Rule,
)
from hireproof.core.playbook.patterns import compiled_pattern

from .formatting import decimal_string, span_words
from .normalise import Evidence, NormalisedText, normalise
from .numbers import FoundNumber, find_numbers, within_tolerance

__all__ = ["RuleResult", "check_rule", "rule_reads_words"]


@dataclass(frozen=True)
class RuleResult:
    """Whether a rule passed, why in words, and what in the answer it matched."""

    passed: bool
    detail: str
    evidence: tuple[Evidence, ...] = ()


def check_rule(rule: Rule, answer: NormalisedText) -> RuleResult:
    """Test ``rule`` against the normalised ``answer``."""
    checker: Callable[[Any, NormalisedText], RuleResult] = _CHECKERS[type(rule)]
    return checker(rule, answer)


def rule_reads_words(rule: Rule) -> bool:
    """Whether the rule compares words or patterns (so case and Unicode normalisation matter)."""
    if isinstance(rule, AllOf | AnyOf | NoneOf):
        return any(rule_reads_words(inner) for inner in rule.rules)
    return isinstance(rule, ContainsPhrase | Regex)


def _check_contains_number(rule: ContainsNumber, answer: NormalisedText) -> RuleResult:
    wanted = decimal_string(rule.value)
    numbers = find_numbers(answer)
    equal = [n for n in numbers if within_tolerance(n.value, rule.value, rule.tolerance)]
    if equal:
        first = equal[0].evidence
        detail = f"found the number {first.text} at {span_words(first.start, first.end)}"
        return RuleResult(True, f"{detail}, which equals {wanted}", (first,))
    if not numbers:
        return RuleResult(False, f"found no number (looking for {wanted})")
    return RuleResult(
        False,
        f"found no number equal to {wanted} (found {_numbers_words(numbers)})",
        tuple(n.evidence for n in numbers),
    )


def _check_contains_phrase(rule: ContainsPhrase, answer: NormalisedText) -> RuleResult:
    for phrase in rule.phrases:
        match = _phrase_pattern(phrase).search(answer.text)
        if match:
            found = answer.evidence(match.start(), match.end())
            where = span_words(found.start, found.end)
            return RuleResult(True, f'found "{found.text}" at {where}', (found,))
    wanted = ", ".join(f'"{phrase}"' for phrase in rule.phrases)
    return RuleResult(False, f"found none of the words {wanted}")


def _check_regex(rule: Regex, answer: NormalisedText) -> RuleResult:
    match = compiled_pattern(rule.pattern).search(answer.text)
    if match is None:
        return RuleResult(False, f"did not match the pattern {rule.pattern!r}")
    if match.end() == match.start():
        return RuleResult(True, f"matched the pattern {rule.pattern!r} (an empty match)")
    found = answer.evidence(match.start(), match.end())
    where = span_words(found.start, found.end)
    return RuleResult(
        True, f'matched the pattern {rule.pattern!r} with "{found.text}" at {where}', (found,)
    )


def _check_all_of(rule: AllOf, answer: NormalisedText) -> RuleResult:
    results = [check_rule(inner, answer) for inner in rule.rules]
    failed = [r for r in results if not r.passed]
    if failed:
        return RuleResult(False, _joined(failed), _evidence_of(failed))
    return RuleResult(True, _joined(results), _evidence_of(results))


def _check_any_of(rule: AnyOf, answer: NormalisedText) -> RuleResult:
    results = [check_rule(inner, answer) for inner in rule.rules]
    passed = [r for r in results if r.passed]
    if passed:
        return RuleResult(True, _joined(passed), _evidence_of(passed))
    return RuleResult(False, _joined(results), _evidence_of(results))


def _check_none_of(rule: NoneOf, answer: NormalisedText) -> RuleResult:
    results = [check_rule(inner, answer) for inner in rule.rules]
    passed = [r for r in results if r.passed]
    if passed:
        return RuleResult(
            False, f"found what must not be there: {_joined(passed)}", _evidence_of(passed)
        )
    return RuleResult(True, f"nothing that must not be there ({_joined(results)})")


_CHECKERS: dict[type, Callable[[Any, NormalisedText], RuleResult]] = {
    ContainsNumber: _check_contains_number,
    ContainsPhrase: _check_contains_phrase,
    Regex: _check_regex,
    AllOf: _check_all_of,
    AnyOf: _check_any_of,
    NoneOf: _check_none_of,
}


@functools.lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A whole-word pattern for ``phrase``, normalised like the answers it is searched in.

    The phrase, then no word character before it or after it: the same matches as
    ``(?<!\\w)phrase(?!\\w)``, but with the phrase first, so ``re`` looks for the phrase itself
    (a linear scan) instead of trying the boundary and the phrase at every position.
    """
    literal = re.escape(normalise(phrase).text)
    if not literal:
        return re.compile(r"(?<!\w)(?!\w)")
    return re.compile(rf"{literal}(?<!\w{literal})(?!\w)")


def _joined(results: list[RuleResult]) -> str:
    return "; ".join(r.detail for r in results)


def _evidence_of(results: list[RuleResult]) -> tuple[Evidence, ...]:
    return tuple(evidence for r in results for evidence in r.evidence)


def _numbers_words(numbers: tuple[FoundNumber, ...]) -> str:
    return ", ".join(
        f"{n.evidence.text} at {span_words(n.evidence.start, n.evidence.end)}" for n in numbers
    )
