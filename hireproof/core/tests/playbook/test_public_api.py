"""The playbook package's public surface is pinned."""

from __future__ import annotations

import hireproof.core.playbook as playbook


def test_the_public_api_is_pinned() -> None:
    assert sorted(playbook.__all__) == [
        "Assessment",
        "Band",
        "DecisionRules",
        "InterviewKit",
        "InterviewQuestion",
        "InterviewRedFlag",
        "Item",
        "ItemKind",
        "MAX_ANSWER_CHARS",
        "MAX_EXAMPLE_CHARS",
        "MAX_ITEMS",
        "MAX_NUMBER_RULES",
        "MAX_PATTERN_LENGTH",
        "MAX_PHRASES",
        "MAX_PHRASES_PER_RULE",
        "MAX_PHRASE_LENGTH",
        "MAX_PROGRAM_SIZE",
        "MAX_REGEX_RULES",
        "MAX_RULES_PER_ITEM",
        "NumericItem",
        "Option",
        "Playbook",
        "RatingAnchor",
        "RedFlag",
        "Rule",
        "Section",
        "Severity",
        "SingleChoiceItem",
        "Skill",
        "TextItem",
        "Tolerance",
        "ToleranceKind",
        "Verdict",
        "builtin_ids",
        "canonical_form",
        "decimal_text",
        "load_builtin",
        "load_playbook",
        "load_playbook_text",
        "percent_text",
        "playbook_hash",
        "playbook_schema",
        "playbook_to_dict",
        "rubric_words",
        "rule_words",
        "tolerance_words",
    ]
    assert all(hasattr(playbook, name) for name in playbook.__all__)
