"""Loading valid playbooks, and playbooks that extend a built-in one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hireproof.core.errors import PlaybookError
from hireproof.core.playbook import load_builtin, load_playbook_text
from hireproof.core.playbook.model import (
    AllOf,
    AnyOf,
    ContainsNumber,
    ContainsPhrase,
    NoneOf,
    Option,
    RedFlag,
    Regex,
    RubricExamples,
    Severity,
    Tolerance,
    ToleranceKind,
)

from .sample import load_sample, problems, sample_with

EXTENSION = """\
extends: data-scientist-mid
id: data-scientist-mid-custom
version: "2.1.0"
section_weights:
  accuracy: 4
"""


def test_it_builds_frozen_typed_objects_from_the_file() -> None:
    playbook = load_sample()
    numeric, choice, text = playbook.assessment.items
    assert (playbook.id, playbook.version, playbook.title) == ("tiny", "1.0.0", "Tiny playbook")
    assert playbook.assessment.sections[1].weight == Decimal(2)
    assert numeric.examples == RubricExamples(accept=("4",), reject=("5",))
    assert choice.options == (  # type: ignore[union-attr]  # the file says which kind
        Option("A", "Lie.", RedFlag(Severity.CRITICAL, "Dishonest.")),
        Option("B", "Tell the truth."),
    )
    assert text.points == Decimal(2)
    assert text.rule == AllOf(  # type: ignore[union-attr]  # the file says which kind
        (
            ContainsNumber(Decimal(99), Tolerance(ToleranceKind.RELATIVE, Decimal("0.01"))),
            AnyOf((ContainsPhrase(("outlier", "error")), Regex("wrong"))),
            NoneOf((ContainsPhrase(("not",)),)),
        )
    )
    assert playbook.decision.test_weight == Decimal("0.4")
    assert len(playbook.hash) == 64


def test_items_without_examples_have_none() -> None:
    playbook = load_sample(sample_with('      examples: {accept: ["4"], reject: ["5"]}\n', ""))
    assert playbook.item("sum").examples == RubricExamples()


def test_the_model_finds_items_and_sections_by_id() -> None:
    playbook = load_sample()
    assert playbook.section("judgment").title == "Judgment"
    with pytest.raises(KeyError):
        playbook.item("nope")
    with pytest.raises(KeyError):
        playbook.section("nope")


def test_it_reports_an_empty_item_kind() -> None:
    assert problems(sample_with("      kind: numeric\n", "      kind:\n")) == [
        "tiny.yaml:29:12: assessment.items[0].kind: expected text, got nothing"
    ]


def test_it_reports_a_rule_that_is_not_a_mapping() -> None:
    text = sample_with(
        "    - contains_number: {value: 99, tolerance: {kind: relative, value: 0.01}}",
        "    - 99",
    )
    assert problems(text) == [
        "tiny.yaml:58:13: assessment.items[2].rule.all_of[0]: expected a mapping of fields, got 99"
    ]


def test_it_reports_two_questions_with_one_id() -> None:
    question = (
        "    - id: story\n      competency: Communication\n      text: Tell us a story.\n"
        "      look_for: [A clear story]\n      strong_answer: Clear.\n      weak_answer: Vague.\n"
    )
    text = sample_with("  questions:\n", "  questions:\n" + question)
    assert problems(text) == [
        "tiny.yaml:73:11: interview.questions[1].id: duplicate question id 'story'"
    ]


def test_an_extension_reuses_a_builtin_with_new_section_weights() -> None:
    base = load_builtin("data-scientist-mid")
    custom = load_playbook_text(EXTENSION, "custom.yaml")
    assert (custom.id, custom.version, custom.title) == (
        "data-scientist-mid-custom",
        "2.1.0",
        base.title,
    )
    assert [section.weight for section in custom.assessment.sections] == [
        Decimal(1),
        Decimal(1),
        Decimal(1),
        Decimal(4),
        Decimal(1),
    ]
    assert custom.assessment.items == base.assessment.items
    assert custom.hash not in ("", base.hash)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "extends: data-scientist-mid",
            "extends: data-scientist-senior",
            [
                "custom.yaml:1:10: extends: no built-in playbook 'data-scientist-senior' "
                "(built-ins: data-scientist-mid, data-scientist-mid-weighted)"
            ],
        ),
        (
            "extends: data-scientist-mid",
            "extends: ''",
            ["custom.yaml:1:10: extends: must not be empty"],
        ),
        (
            "id: data-scientist-mid-custom",
            "id: data-scientist-mid",
            ["custom.yaml:2:5: id: must differ from the extended playbook's id"],
        ),
        (
            "  accuracy: 4\n",
            "  acuracy: 4\n",
            [
                "custom.yaml:5:3: section_weights: unknown section 'acuracy' (sections: "
                "cognitive-reasoning, hard-technical-skills, situational-judgment, accuracy, "
                "communication)"
            ],
        ),
        (
            "  accuracy: 4\n",
            "  accuracy: 0\n",
            ["custom.yaml:5:13: section_weights.accuracy: must be more than 0, got 0"],
        ),
        (
            "  accuracy: 4\n",
            "  accuracy: four\n",
            ['custom.yaml:5:13: section_weights.accuracy: expected a number, got "four"'],
        ),
        (
            "  accuracy: 4\n",
            "  accuracy: 4\n  accuracy: 5\n",
            [
                "custom.yaml:6:3: section_weights: duplicate field 'accuracy' "
                "(first given on line 5)"
            ],
        ),
        (
            "section_weights:\n  accuracy: 4\n",
            "section_weights: [4]\n",
            ["custom.yaml:4:18: section_weights: expected a mapping, got a list"],
        ),
        (
            "extends: data-scientist-mid",
            "extends: nope\nassessment: {}",
            [
                "custom.yaml:1:10: extends: no built-in playbook 'nope' "
                "(built-ins: data-scientist-mid, data-scientist-mid-weighted)",
                "custom.yaml:2:1: unknown field 'assessment'",
            ],
        ),
    ],
    ids=[
        "unknown base",
        "empty base",
        "same id as the base",
        "unknown section",
        "zero weight",
        "weight in words",
        "weight given twice",
        "weights not a mapping",
        "other fields are unknown",
    ],
)
def test_it_reports_problems_of_an_extension(old: str, new: str, expected: list[str]) -> None:
    assert EXTENSION.count(old) == 1
    with pytest.raises(PlaybookError) as raised:
        load_playbook_text(EXTENSION.replace(old, new), "custom.yaml")
    assert [str(problem) for problem in raised.value.problems] == expected


def test_an_extension_without_weights_keeps_the_base_weights() -> None:
    text = EXTENSION.replace("section_weights:\n  accuracy: 4\n", "title: Same test\n")
    custom = load_playbook_text(text, "custom.yaml")
    assert custom.title == "Same test"
    assert custom.assessment == load_builtin("data-scientist-mid").assessment
