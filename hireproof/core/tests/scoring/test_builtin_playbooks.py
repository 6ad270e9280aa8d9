"""The built-in data-scientist playbooks, scored end to end with the seed's own cases."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from hireproof.core.playbook import load_builtin
from hireproof.core.playbook.model import Severity, Verdict
from hireproof.core.scoring import (
    InterviewScorecard,
    Outcome,
    RecommendationKind,
    decide,
    evaluate_item,
    score,
)

MID = load_builtin("data-scientist-mid")
WEIGHTED = load_builtin("data-scientist-mid-weighted")
EXAMPLES = Path(__file__).parents[2] / "playbook" / "builtin" / "examples"


@pytest.mark.parametrize(
    ("item_id", "answer", "outcome"),
    [
        ("cognitive-growth", "1210", Outcome.CORRECT),
        ("cognitive-growth", "1,210 rows", Outcome.CORRECT),
        ("cognitive-growth", "1200", Outcome.INCORRECT),
        ("pandas-filter-sum", "70", Outcome.CORRECT),
        ("pandas-filter-sum", "70.0", Outcome.CORRECT),
        ("pandas-filter-sum", "The result is 70", Outcome.CORRECT),
        ("pandas-filter-sum", "70.", Outcome.CORRECT),
        ("pandas-filter-sum", "700", Outcome.INCORRECT),
        ("pandas-filter-sum", "70 or 100", Outcome.INCORRECT),
        ("pandas-filter-sum", "seventy", Outcome.INCORRECT),
        ("pandas-filter-sum", "  ", Outcome.NO_ANSWER),
        ("outlier-ages", "141", Outcome.CORRECT),
        ("outlier-ages", "The outlier is 141.", Outcome.CORRECT),
        ("outlier-ages", "1410", Outcome.INCORRECT),
        ("outlier-ages", "14.1", Outcome.INCORRECT),
        ("sjt-incomplete-data", "b", Outcome.CORRECT),
        ("sjt-incomplete-data", "B, D", Outcome.INVALID),
        ("communication-summary", "B", Outcome.CORRECT),
        ("communication-summary", "E", Outcome.INVALID),
    ],
)
def test_the_seed_cases(item_id: str, answer: str, outcome: Outcome) -> None:
    assert evaluate_item(MID.item(item_id), answer).outcome is outcome


@pytest.mark.parametrize(
    ("item_id", "answer", "severity"),
    [
        ("sjt-incomplete-data", "A", Severity.WARNING),
        ("sjt-incomplete-data", "C", Severity.WARNING),
        ("sjt-incomplete-data", "D", Severity.CRITICAL),
        ("communication-summary", "C", Severity.WARNING),
    ],
)
def test_the_seed_red_flags(item_id: str, answer: str, severity: Severity) -> None:
    evaluation = evaluate_item(MID.item(item_id), answer)
    assert evaluation.points == 0
    assert evaluation.red_flag is not None
    assert evaluation.red_flag.severity is severity


def test_the_pandas_explanation_reads_as_the_issue_shows() -> None:
    evaluation = evaluate_item(MID.item("pandas-filter-sum"), "The result is 70")
    assert evaluation.explanation == (
        "found the number 70 at characters 15-16; equals the key 70 -> 1 point"
    )


@pytest.mark.parametrize(
    ("example", "verdict", "percent", "recommendation"),
    [
        ("strong-pass", Verdict.STRONG_PASS, 100, RecommendationKind.ADVANCE),
        ("borderline", Verdict.BORDERLINE, 60, RecommendationKind.REVIEW),
        ("critical-fail", Verdict.CRITICAL_FAIL, 80, RecommendationKind.REJECT),
        ("warning-review", Verdict.STRONG_PASS, 80, RecommendationKind.REVIEW),
    ],
)
def test_the_bundled_answer_sheets(
    example: str, verdict: Verdict, percent: int, recommendation: RecommendationKind
) -> None:
    sheet = json.loads((EXAMPLES / f"{example}.json").read_text())
    card = score(MID, sheet)
    assert (card.verdict, card.percent, card.recommendation) == (verdict, percent, recommendation)
    assert card.to_dict()["playbook"] == {"id": MID.id, "version": MID.version, "hash": MID.hash}


def test_the_weighted_playbook_weighs_sections_as_the_seed_does() -> None:
    sheet = json.loads((EXAMPLES / "borderline.json").read_text())
    card = score(WEIGHTED, sheet)
    assert [(item.id, item.points, item.max_points) for item in card.items] == [
        ("cognitive-growth", 0, 1),
        ("pandas-filter-sum", 3, 3),
        ("sjt-incomplete-data", 2, 2),
        ("outlier-ages", 3, 3),
        ("communication-summary", 0, 1),
    ]
    assert card.percent == Fraction(80)
    assert card.verdict is Verdict.STRONG_PASS


def test_the_issues_arithmetic_with_the_built_in_kit() -> None:
    card = score(
        MID, {**json.loads((EXAMPLES / "strong-pass.json").read_text()), "outlier-ages": "?"}
    )
    questions = [question.id for question in MID.interview.questions]
    # 20 ratings summing to 75: mean 3.75 -> 68.75%
    interviews = [
        InterviewScorecard(name, dict(zip(questions, ratings, strict=True)))
        for name, ratings in (
            ("Ana", (4, 4, 4, 4, 3)),
            ("Bo", (4, 4, 4, 4, 3)),
            ("Cy", (4, 4, 4, 4, 3)),
            ("Di", (4, 4, 4, 3, 3)),
        )
    ]
    result = decide(MID, card, interviews)
    assert result.reasons[0] == (
        "test 80.00% (strong_pass) x 40% + interview 68.75% x 60% = 73.25% -> review: "
        "combined below 75%"
    )
