"""evaluate_item: every kind, the seed's own cases, and the explanations a recruiter reads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hireproof.core.playbook.model import (
    ItemKind,
    RedFlag,
    Severity,
    Tolerance,
    ToleranceKind,
)
from hireproof.core.scoring import EVALUATORS, Evidence, Outcome, evaluate_item

from .factory import numeric_item, sjt_item, text_item

# --- numeric: the seed's pandas item, key 70 ------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ("70", "found the number 70 at characters 1-2; equals the key 70 -> 1 point"),
        ("70.0", "found the number 70.0 at characters 1-4; equals the key 70 -> 1 point"),
        (
            "The result is 70",
            "found the number 70 at characters 15-16; equals the key 70 -> 1 point",
        ),
        ("70.", "found the number 70 at characters 1-2; equals the key 70 -> 1 point"),
        ("7e1", "found the number 7e1 at characters 1-3; equals the key 70 -> 1 point"),
        (
            "70 (70.0 as a float)",
            "found the numbers 70 at characters 1-2 and 70.0 at characters 5-8; "
            "each equals the key 70 -> 1 point",
        ),
    ],
)
def test_a_numeric_answer_is_correct_when_every_number_equals_the_key(
    answer: str, explanation: str
) -> None:
    evaluation = evaluate_item(numeric_item(), answer)
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.points == Decimal(1)
    assert evaluation.explanation == explanation
    assert evaluation.red_flag is None


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        (
            "700",
            "found the number 700 at characters 1-3; 700 does not equal the key 70 -> 0 points",
        ),
        (
            "70 or 100",
            "found the numbers 70 at characters 1-2 and 100 at characters 7-9; "
            "100 does not equal the key 70 -> 0 points",
        ),
        (
            "7, 0, or 70",
            "found the numbers 7 at character 1, 0 at character 4 and 70 at characters 10-11; "
            "7 and 0 do not equal the key 70 -> 0 points",
        ),
        (
            "seventy",
            "found no number in the answer (numbers must be written in digits, like 70) "
            "-> 0 points",
        ),
    ],
)
def test_a_numeric_answer_is_incorrect_otherwise(answer: str, explanation: str) -> None:
    evaluation = evaluate_item(numeric_item(), answer)
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.points == Decimal(0)
    assert evaluation.explanation == explanation


def test_numeric_evidence_lists_every_number_found_in_the_original() -> None:
    evaluation = evaluate_item(numeric_item(), "I got  70, not 100")
    assert evaluation.evidence == (Evidence("70", 7, 9), Evidence("100", 15, 18))


@pytest.mark.parametrize("answer", [None, "", "   ", "\n\t"])
def test_a_missing_or_blank_answer_is_no_answer_for_every_kind(answer: str | None) -> None:
    for item in (numeric_item(), sjt_item(), text_item()):
        evaluation = evaluate_item(item, answer)
        assert evaluation.outcome is Outcome.NO_ANSWER
        assert evaluation.points == Decimal(0)
        assert evaluation.explanation == "no answer given -> 0 points"


@pytest.mark.parametrize(
    ("answer", "outcome", "explanation"),
    [
        (
            "70.4",
            Outcome.CORRECT,
            "found the number 70.4 at characters 1-4; is within 0.5 of the key 70 -> 2 points",
        ),
        (
            "70.4 or 69.6",
            Outcome.CORRECT,
            "found the numbers 70.4 at characters 1-4 and 69.6 at characters 9-12; "
            "each is within 0.5 of the key 70 -> 2 points",
        ),
        (
            "71",
            Outcome.INCORRECT,
            "found the number 71 at characters 1-2; 71 is not within 0.5 of the key 70 -> 0 points",
        ),
        (
            "71 or 69",
            Outcome.INCORRECT,
            "found the numbers 71 at characters 1-2 and 69 at characters 7-8; "
            "71 and 69 are not within 0.5 of the key 70 -> 0 points",
        ),
    ],
)
def test_a_numeric_tolerance_is_stated_in_the_explanation(
    answer: str, outcome: Outcome, explanation: str
) -> None:
    item = numeric_item(tolerance=Tolerance(ToleranceKind.ABSOLUTE, Decimal("0.5")), points="2")
    evaluation = evaluate_item(item, answer)
    assert evaluation.outcome is outcome
    assert evaluation.explanation == explanation


def test_a_relative_tolerance_is_a_share_of_the_key() -> None:
    item = numeric_item("growth", "1210", Tolerance(ToleranceKind.RELATIVE, Decimal("0.01")))
    evaluation = evaluate_item(item, "about 1,220")
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.explanation == (
        "found the number 1,220 at characters 7-11; is within 1% of the key 1210 -> 1 point"
    )


# --- text: the seed's outlier item, contains the number 141 ---------------------------------


@pytest.mark.parametrize(
    ("answer", "outcome", "explanation"),
    [
        (
            "141",
            Outcome.CORRECT,
            "found the number 141 at characters 1-3, which equals 141 -> 1 point",
        ),
        (
            "The age 141: nobody is that old",
            Outcome.CORRECT,
            "found the number 141 at characters 9-11, which equals 141 -> 1 point",
        ),
        (
            "1410",
            Outcome.INCORRECT,
            "found no number equal to 141 (found 1410 at characters 1-4) -> 0 points",
        ),
        (
            "14.1 or 25",
            Outcome.INCORRECT,
            "found no number equal to 141 (found 14.1 at characters 1-4, 25 at characters 9-10) "
            "-> 0 points",
        ),
        ("a141", Outcome.INCORRECT, "found no number (looking for 141) -> 0 points"),
    ],
)
def test_the_outlier_item_wants_the_number_141(
    answer: str, outcome: Outcome, explanation: str
) -> None:
    evaluation = evaluate_item(text_item(), answer)
    assert evaluation.outcome is outcome
    assert evaluation.explanation == explanation


def test_the_outlier_item_points_at_141_in_the_original_text() -> None:
    evaluation = evaluate_item(text_item(), "25, 32 and 141")
    assert evaluation.evidence == (Evidence("141", 11, 14),)


# --- single choice: the seed's situational judgment item ------------------------------------


@pytest.mark.parametrize("answer", ["B", "b", "  B  ", "\tb\n"])
def test_the_correct_option_earns_the_points_whatever_its_case_and_spacing(answer: str) -> None:
    evaluation = evaluate_item(sjt_item(), answer)
    assert evaluation.outcome is Outcome.CORRECT
    assert evaluation.points == Decimal(1)
    assert evaluation.explanation == (
        "chose B (Communicate & adjust): the correct option -> 1 point"
    )
    assert evaluation.red_flag is None


def test_option_d_is_a_critical_red_flag() -> None:
    evaluation = evaluate_item(sjt_item(), "d")
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.points == Decimal(0)
    assert evaluation.red_flag == RedFlag(Severity.CRITICAL, "fabricating data")
    assert evaluation.explanation == (
        "chose D (Dummy results): not the correct option (B) -> 0 points; "
        "critical red flag: fabricating data"
    )


@pytest.mark.parametrize(
    ("answer", "reason"), [("A", "rushing low-quality work"), ("C", "refusing without trying")]
)
def test_options_a_and_c_are_warnings(answer: str, reason: str) -> None:
    evaluation = evaluate_item(sjt_item(), answer)
    assert evaluation.outcome is Outcome.INCORRECT
    assert evaluation.red_flag == RedFlag(Severity.WARNING, reason)
    assert evaluation.explanation.endswith(f"-> 0 points; warning red flag: {reason}")


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ("B, D", "chose several options (B, D); exactly one may be chosen -> 0 points"),
        ("b and d", "chose several options (B, D); exactly one may be chosen -> 0 points"),
        ("B or C", "chose several options (B, C); exactly one may be chosen -> 0 points"),
        ("BD", "chose several options (B, D); exactly one may be chosen -> 0 points"),
        ("A/B/C", "chose several options (A, B, C); exactly one may be chosen -> 0 points"),
        (
            "E",
            'the answer "E" is not one of the options (A, B, C, D); exactly one may be chosen '
            "-> 0 points",
        ),
        (
            "Option B",
            'the answer "Option B" is not one of the options (A, B, C, D); exactly one may be '
            "chosen -> 0 points",
        ),
        (
            "I would talk to my manager first and then decide",
            'the answer "I would talk to my manager first and..." is not one of the options '
            "(A, B, C, D); exactly one may be chosen -> 0 points",
        ),
    ],
)
def test_several_or_unknown_options_are_invalid(answer: str, explanation: str) -> None:
    evaluation = evaluate_item(sjt_item(), answer)
    assert evaluation.outcome is Outcome.INVALID
    assert evaluation.points == Decimal(0)
    assert evaluation.red_flag is None
    assert evaluation.explanation == explanation


def test_an_option_without_a_title_is_named_by_its_text() -> None:
    item = sjt_item()
    short = item.options[0].__class__("A", "Short text, no title")
    long = item.options[0].__class__("B", "A" * 50)
    titled_too_long = item.options[0].__class__("C", "B" * 50 + ": then the rest")
    item = item.__class__(**{**item.__dict__, "options": (short, long, titled_too_long)})
    assert evaluate_item(item, "a").explanation.startswith("chose A (Short text, no title):")
    assert evaluate_item(item, "b").explanation.startswith(f"chose B ({'A' * 37}...):")
    assert evaluate_item(item, "c").explanation.startswith(f"chose C ({'B' * 37}...):")


def test_every_item_kind_has_an_evaluator() -> None:
    assert set(EVALUATORS) == set(ItemKind)
