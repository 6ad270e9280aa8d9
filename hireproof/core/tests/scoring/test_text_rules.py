"""Text rules: numbers, whole-word phrases, patterns and their all_of / any_of / none_of."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hireproof.core.playbook.model import (
    AllOf,
    AnyOf,
    ContainsNumber,
    ContainsPhrase,
    NoneOf,
    Regex,
    Tolerance,
    ToleranceKind,
)
from hireproof.core.scoring import Evidence, Outcome, evaluate_item, normalise
from hireproof.core.scoring.text import check_rule

from .factory import text_item

NOTE = "(compared after Unicode NFKC normalisation, case folding and collapsing spaces)"
DATA_ENTRY = ContainsPhrase(("data entry", "typo"))


def test_a_phrase_matches_whole_words_after_normalisation() -> None:
    evaluation = evaluate_item(text_item(DATA_ENTRY), "Likely a DATA\u00a0 Entry error")
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.evidence == (Evidence("DATA\u00a0 Entry", 9, 20),)
    assert evaluation.explanation == (
        f'found "DATA\u00a0 Entry" at characters 10-20 {NOTE} -> 1 point'
    )


def test_a_phrase_inside_a_longer_word_does_not_match() -> None:
    evaluation = evaluate_item(text_item(DATA_ENTRY), "typos and metadata entry")
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.explanation == (
        f'found none of the words "data entry", "typo" {NOTE} -> 0 points'
    )


def test_a_phrase_written_with_capitals_in_the_playbook_still_matches() -> None:
    evaluation = evaluate_item(text_item(ContainsPhrase(("Stra\u00dfe",))), "strasse 5")
    assert evaluation.outcome is Outcome.CORRECT


def test_a_regex_searches_the_normalised_answer() -> None:
    evaluation = evaluate_item(text_item(Regex(r"not? plausible")), "Age 141 is NOT  plausible")
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.evidence == (Evidence("NOT  plausible", 11, 25),)
    assert evaluation.explanation == (
        "matched the pattern 'not? plausible' with \"NOT  plausible\" at characters 12-25 "
        f"{NOTE} -> 1 point"
    )


def test_a_regex_that_does_not_match_says_so() -> None:
    evaluation = evaluate_item(text_item(Regex(r"\berror\b")), "a mistake")
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.explanation == (
        f"did not match the pattern '\\\\berror\\\\b' {NOTE} -> 0 points"
    )


def test_an_empty_regex_match_passes_without_evidence() -> None:
    result = check_rule(Regex("x*"), normalise("abc"))
    assert result.passed is True
    assert result.evidence == ()
    assert result.detail == "matched the pattern 'x*' (an empty match)"


def test_all_of_passes_when_every_rule_passes() -> None:
    rule = AllOf((ContainsNumber(Decimal(141)), ContainsPhrase(("error",))))
    evaluation = evaluate_item(text_item(rule), "141, an error")
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.evidence == (Evidence("141", 0, 3), Evidence("error", 8, 13))
    assert evaluation.explanation == (
        f'found the number 141 at characters 1-3, which equals 141; found "error" at '
        f"characters 9-13 {NOTE} -> 1 point"
    )


def test_all_of_fails_naming_the_rules_that_failed() -> None:
    rule = AllOf((ContainsNumber(Decimal(141)), ContainsPhrase(("error",))))
    evaluation = evaluate_item(text_item(rule), "141 is odd")
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.evidence == ()
    assert evaluation.explanation == f'found none of the words "error" {NOTE} -> 0 points'


def test_any_of_passes_when_one_rule_passes() -> None:
    rule = AnyOf((ContainsNumber(Decimal(141)), ContainsPhrase(("the fifth",))))
    evaluation = evaluate_item(text_item(rule), "The fifth one")
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.evidence == (Evidence("The fifth", 0, 9),)


def test_any_of_fails_when_no_rule_passes() -> None:
    rule = AnyOf((ContainsNumber(Decimal(141)), ContainsPhrase(("the fifth",))))
    evaluation = evaluate_item(text_item(rule), "25")
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.evidence == (Evidence("25", 0, 2),)
    assert evaluation.explanation == (
        "found no number equal to 141 (found 25 at characters 1-2); "
        f'found none of the words "the fifth" {NOTE} -> 0 points'
    )


def test_none_of_fails_on_what_must_not_be_there() -> None:
    rule = AllOf((ContainsNumber(Decimal(141)), NoneOf((ContainsPhrase(("not", "unsure")),))))
    evaluation = evaluate_item(text_item(rule), "Not 141")
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.evidence == (Evidence("Not", 0, 3),)
    assert evaluation.explanation == (
        f'found what must not be there: found "Not" at characters 1-3 {NOTE} -> 0 points'
    )


def test_none_of_passes_when_nothing_excluded_is_there() -> None:
    rule = NoneOf((ContainsPhrase(("unsure",)),))
    evaluation = evaluate_item(text_item(rule), "141")
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.explanation == (
        f'nothing that must not be there (found none of the words "unsure") {NOTE} -> 1 point'
    )


def test_a_number_rule_alone_does_not_mention_word_normalisation() -> None:
    rule = AllOf((ContainsNumber(Decimal(141)),))
    evaluation = evaluate_item(text_item(rule), "141")
    assert NOTE not in evaluation.explanation


@pytest.mark.parametrize(("answer", "passed"), [("about 140", True), ("138", False)])
def test_contains_number_honours_its_tolerance(answer: str, passed: bool) -> None:
    rule = ContainsNumber(Decimal(141), Tolerance(ToleranceKind.ABSOLUTE, Decimal(1)))
    assert check_rule(rule, normalise(answer)).passed is passed
