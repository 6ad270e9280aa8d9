"""The built-ins reproduce the seed hiring guide; their example sheets score as named."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from typing import Any

import pytest

from hireproof.core.playbook import builtin_ids, canonical_form, load_builtin
from hireproof.core.playbook.model import (
    ContainsNumber,
    NumericItem,
    Severity,
    SingleChoiceItem,
    TextItem,
    Tolerance,
    ToleranceKind,
    Verdict,
)
from hireproof.core.scoring import score

EXACT = Tolerance(ToleranceKind.ABSOLUTE, Decimal(0))
EXAMPLES = resources.files("hireproof.core.playbook.builtin").joinpath("examples")


def test_it_lists_the_builtins() -> None:
    assert builtin_ids() == ("data-scientist-mid", "data-scientist-mid-weighted")


def test_the_seed_playbook_keeps_the_role() -> None:
    playbook = load_builtin("data-scientist-mid")
    role = playbook.role
    assert (playbook.id, playbook.version) == ("data-scientist-mid", "1.0.0")
    assert playbook.title == "Mid-Level Data Scientist / ML Engineer Hiring Guide"
    assert (role.title, role.department, role.level) == (
        "Mid-Level Data Scientist / ML Engineer",
        "Engineering",
        "Mid-Level",
    )
    assert [entry.title for entry in role.responsibilities] == [
        "Data Acquisition & Preparation",
        "Analytical Modeling",
        "Insights Generation",
        "Results Visualization & Presentation",
        "Cross-Functional Collaboration",
        "Model Deployment & Maintenance",
        "Documentation & Best Practices",
        "Continuous Improvement",
    ]
    assert [skill.name for skill in role.skills.soft] == [
        "Communication",
        "Problem-Solving & Critical Thinking",
        "Collaboration & Influence",
        "Time Management & Adaptability",
    ]
    assert [skill.name for skill in role.skills.attitude] == ["Curiosity and Continuous Learning"]
    assert [skill.name for skill in role.skills.technical] == [
        "Programming & Data Analysis",
        "SQL & Databases",
        "Machine Learning & Stats",
        "Data Visualization",
        "Cloud & Data Ecosystem",
    ]
    assert [tool.name for tool in role.tools] == [
        "Tools & Technologies",
        "Platforms & Infrastructure",
    ]
    assert role.when_to_use.startswith("Mid-Level Data Scientist / ML Engineer is a mid-level role")


def test_the_seed_playbook_keeps_the_assessment_blueprint() -> None:
    assessment = load_builtin("data-scientist-mid").assessment
    assert assessment.time_limit_minutes == 30
    assert "may disqualify you" in assessment.notice
    assert [(section.title, section.weight) for section in assessment.sections] == [
        ("Cognitive Reasoning", Decimal(1)),
        ("Hard Technical Skills", Decimal(1)),
        ("Situational Judgment", Decimal(1)),
        ("Accuracy", Decimal(1)),
        ("Communication", Decimal(1)),
    ]
    assert [(item.id, item.section, item.kind, item.points) for item in assessment.items] == [
        ("cognitive-growth", "cognitive-reasoning", "numeric", Decimal(1)),
        ("pandas-filter-sum", "hard-technical-skills", "numeric", Decimal(1)),
        ("sjt-incomplete-data", "situational-judgment", "single_choice", Decimal(1)),
        ("outlier-ages", "accuracy", "text", Decimal(1)),
        ("communication-summary", "communication", "single_choice", Decimal(1)),
    ]


def test_the_numeric_items_have_exact_keys() -> None:
    playbook = load_builtin("data-scientist-mid")
    growth, pandas = playbook.item("cognitive-growth"), playbook.item("pandas-filter-sum")
    assert isinstance(growth, NumericItem)
    assert isinstance(pandas, NumericItem)
    assert (growth.key, growth.tolerance) == (Decimal(1210), EXACT)
    assert (pandas.key, pandas.tolerance) == (Decimal(70), EXACT)
    assert (
        "    import pandas as pd\n"
        "\n"
        "    df = pd.DataFrame({'a': [1, 2, 3, 4],\n"
        "                       'b': [10, 20, 30, 40]})\n"
        "    result = df[df['a'] > 2]['b'].sum()\n"
        "    print(result)\n"
    ) in pandas.prompt
    assert "Type only what the code prints." in pandas.prompt.replace("\n", " ")


def test_the_choice_items_carry_the_seed_red_flags() -> None:
    playbook = load_builtin("data-scientist-mid")
    sjt, summary = playbook.item("sjt-incomplete-data"), playbook.item("communication-summary")
    assert isinstance(sjt, SingleChoiceItem)
    assert isinstance(summary, SingleChoiceItem)
    assert (sjt.correct, summary.correct) == ("B", "B")

    def severities(item: SingleChoiceItem) -> dict[str, Severity | None]:
        flags = {option.id: option.red_flag for option in item.options}
        return {key: flag.severity if flag else None for key, flag in flags.items()}

    assert severities(sjt) == {
        "A": Severity.WARNING,
        "B": None,
        "C": Severity.WARNING,
        "D": Severity.CRITICAL,
    }
    assert severities(summary) == {"A": None, "B": None, "C": Severity.WARNING, "D": None}
    assert sjt.audit_note.startswith("This question is designed to flag extreme poor judgment.")


def test_the_outlier_item_looks_for_the_number_141() -> None:
    outlier = load_builtin("data-scientist-mid").item("outlier-ages")
    assert isinstance(outlier, TextItem)
    assert outlier.rule == ContainsNumber(Decimal(141), EXACT)


@pytest.mark.parametrize(
    ("item_id", "accept", "reject"),
    [
        ("cognitive-growth", ("1210", "1,210", "1210 rows"), ("1200", "1331", "12100")),
        (
            "pandas-filter-sum",
            ("70", "70.0", "The result is 70", "70.", " 70 "),
            ("700", "70 or 100", "seventy", "7"),
        ),
        (
            "outlier-ages",
            ("141", "141 - no one is that old", "The outlier is 141."),
            ("1410", "14.1", "45", "none"),
        ),
        ("sjt-incomplete-data", ("B", " b "), ("A", "C", "D", "B, D")),
        ("communication-summary", ("B",), ("A", "C", "D")),
    ],
)
def test_every_item_carries_its_rubric_examples(
    item_id: str, accept: tuple[str, ...], reject: tuple[str, ...]
) -> None:
    examples = load_builtin("data-scientist-mid").item(item_id).examples
    assert (examples.accept, examples.reject) == (accept, reject)


def test_the_interview_kit_has_five_anchored_questions() -> None:
    kit = load_builtin("data-scientist-mid").interview
    assert [question.id for question in kit.questions] == [
        "past-project",
        "overfitting",
        "deployment",
        "ill-defined-request",
        "continuous-learning",
    ]
    assert [(anchor.value, anchor.label) for anchor in kit.scale] == [
        (1, "strong no"),
        (2, "no"),
        (3, "mixed"),
        (4, "yes"),
        (5, "strong yes"),
    ]
    assert all(question.look_for and question.red_flags for question in kit.questions)
    assert kit.questions[1].text.startswith("What steps would you take if your machine learning")


def test_the_decision_rules_hold_the_seed_numbers() -> None:
    rules = load_builtin("data-scientist-mid").decision
    assert [(band.verdict, band.min_percent) for band in rules.bands] == [
        (Verdict.STRONG_PASS, Decimal(80)),
        (Verdict.BORDERLINE, Decimal(60)),
        (Verdict.FAIL, Decimal(0)),
    ]
    assert (rules.test_weight, rules.interview_weight) == (Decimal("0.40"), Decimal("0.60"))
    assert (rules.hire_min_combined, rules.no_hire_below_combined) == (Decimal(75), Decimal(60))


def test_the_weighted_playbook_changes_only_id_title_and_section_weights() -> None:
    base = canonical_form(load_builtin("data-scientist-mid"))
    weighted = canonical_form(load_builtin("data-scientist-mid-weighted"))
    assert weighted["id"] == "data-scientist-mid-weighted"
    assert weighted["title"] == (
        "Mid-Level Data Scientist / ML Engineer Hiring Guide (weighted sections)"
    )
    assert [section["weight"] for section in weighted["assessment"]["sections"]] == [
        "1",
        "3",
        "2",
        "3",
        "1",
    ]
    weighted["id"], weighted["title"] = base["id"], base["title"]
    for section in weighted["assessment"]["sections"]:
        section["weight"] = "1"
    assert weighted == base


def _sheet(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLES.joinpath(name).read_text("utf-8"))
    return data


@pytest.mark.parametrize(
    ("name", "points", "verdict", "flagged"),
    [
        ("strong-pass.json", 5, Verdict.STRONG_PASS, []),
        ("borderline.json", 3, Verdict.BORDERLINE, []),
        ("critical-fail.json", 4, Verdict.CRITICAL_FAIL, [Severity.CRITICAL]),
        ("warning-review.json", 4, Verdict.STRONG_PASS, [Severity.WARNING]),
    ],
)
def test_the_example_sheets_score_as_named(
    name: str, points: int, verdict: Verdict, flagged: list[Severity]
) -> None:
    playbook = load_builtin("data-scientist-mid")
    sheet = _sheet(name)
    assert sorted(sheet) == sorted(item.id for item in playbook.assessment.items)
    card = score(playbook, sheet)
    assert (card.points, card.max_points, card.verdict) == (Fraction(points), Fraction(5), verdict)
    assert [flag.severity for flag in card.flags] == flagged
