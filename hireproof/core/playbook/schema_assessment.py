"""The written assessment's part of the playbook JSON Schema: sections, items, rules."""

from __future__ import annotations

from .schema_fields import (
    JSON,
    MAX_TIME_LIMIT_MINUTES,
    NORMALISATION,
    OPTION_ID_PATTERN,
    _decimal,
    _identifier,
    _list,
    _object,
    _ref,
    _text,
)


def _item_common() -> JSON:
    return {
        "id": _identifier("The item id, unique in the playbook; answer sheets use it."),
        "section": _identifier("The id of the section this item belongs to."),
        "prompt": _text("The question as the candidate sees it."),
        "answer_key": _text(
            "The key in words, for staff and auditors (never shown to candidates)."
        ),
        "grading": _text("The grading rule in words."),
        "rationale": _text("Why the key is right and the other answers are not."),
        "audit_note": _text("What an auditor should know about this item."),
        "points": _decimal("The item's share of its section's points (more than 0; default 1)."),
        "examples": _ref(
            "rubric_examples",
            "Answers the rubric must accept and must reject; loading the playbook checks them.",
        ),
    }


def _item(kind: str, description: str, specific: JSON, required: list[str]) -> JSON:
    properties = {"kind": {"const": kind, "description": f"The item kind: '{kind}'."}}
    properties |= _item_common()
    properties |= specific
    return _object(
        description,
        properties,
        ["kind", "id", "section", "prompt", "answer_key", "grading", *required],
    )


def _tolerance(description: str) -> JSON:
    return _ref("tolerance", description)


def _assessment_defs() -> JSON:
    return {
        "assessment": _object(
            "The timed written assessment.",
            {
                "title": _text("The assessment's title."),
                "time_limit_minutes": {
                    "type": "integer",
                    "minimum": 1,
                    # A week: generous for any written test, and far from overflowing a deadline.
                    "maximum": MAX_TIME_LIMIT_MINUTES,
                    "description": "The time limit in whole minutes (1 to 10080, a week).",
                },
                "instructions": _text("Instructions shown to candidates before they start."),
                "notice": _text(
                    "A notice shown to candidates up front, e.g. that some answers disqualify."
                ),
                "sections": _list(
                    "The sections, in the order candidates see them.",
                    _ref("section", "A section."),
                    1,
                ),
                "items": _list(
                    "The items (questions), in the order candidates see them.",
                    _ref("item", "An item."),
                    1,
                ),
            },
            ["title", "time_limit_minutes", "instructions", "notice", "sections", "items"],
        ),
        "section": _object(
            "A section of the assessment.",
            {
                "id": _identifier("The section id, unique in the playbook."),
                "title": _text("The section's title, e.g. 'Situational Judgment'."),
                "weight": _decimal("The section's points in the test total (more than 0)."),
                "description": _text("What the section measures."),
            },
            ["id", "title", "weight"],
        ),
        "item": {
            "description": "An item; its 'kind' says which fields it takes.",
            "oneOf": [
                {"$ref": "#/$defs/single_choice_item"},
                {"$ref": "#/$defs/numeric_item"},
                {"$ref": "#/$defs/text_item"},
            ],
        },
        "single_choice_item": _item(
            "single_choice",
            "The candidate picks one option (typed as its id, case-insensitive).",
            {
                "options": _list("The options.", _ref("option", "An option."), 2),
                "correct": {
                    "type": "string",
                    "pattern": OPTION_ID_PATTERN,
                    "description": "The id of the correct option.",
                },
            },
            ["options", "correct"],
        ),
        "numeric_item": _item(
            "numeric",
            "The candidate types a number; correct iff the answer has at least one number and "
            "every number in it equals the key within the tolerance.",
            {
                "key": _decimal("The correct number."),
                "tolerance": _tolerance("How far an answer may be from the key (default exact)."),
            },
            ["key"],
        ),
        "text_item": _item(
            "text",
            "The candidate writes free text, checked by a rule. " + NORMALISATION,
            {"rule": _ref("rule", "The rule a correct answer satisfies.")},
            ["rule"],
        ),
        "option": _object(
            "An option of a single-choice item.",
            {
                "id": {
                    "type": "string",
                    "pattern": OPTION_ID_PATTERN,
                    "description": "What the candidate types to choose it, e.g. 'B'.",
                },
                "text": _text("The option's text."),
                "red_flag": _ref("red_flag", "A red flag raised when this option is chosen."),
            },
            ["id", "text"],
        ),
        "red_flag": _object(
            "A red flag raised by an answer.",
            {
                "severity": {
                    "enum": ["critical", "warning"],
                    "description": "'critical' disqualifies whatever the score; "
                    "'warning' is listed for a person to review.",
                },
                "reason": _text("Why this answer is a red flag."),
            },
            ["severity", "reason"],
        ),
        "tolerance": _object(
            "How far a number may be from the expected value.",
            {
                "kind": {
                    "enum": ["absolute", "relative"],
                    "description": "'absolute': |answer - key| <= value; "
                    "'relative': |answer - key| <= value * |key|.",
                },
                "value": _decimal("The tolerance (0 or more)."),
            },
            ["kind", "value"],
        ),
        "rubric_examples": _object(
            "Answers that check the rubric itself: a playbook whose rubric disagrees is refused.",
            {
                "accept": _list(
                    "Answers that must score full points.", _text("A candidate answer.")
                ),
                "reject": _list("Answers that must score 0 points.", _text("A candidate answer.")),
            },
            [],
        ),
        "rule": {
            "type": "object",
            "description": "A text rule: exactly one of the fields below. " + NORMALISATION,
            "properties": {
                "contains_number": _ref(
                    "contains_number",
                    "The answer contains a number equal to 'value' within 'tolerance' "
                    "(a whole number: 141 is not found in 1410 or 14.1).",
                ),
                "contains_phrase": _list(
                    "The answer contains one of these words or phrases as whole words.",
                    _text("A word or phrase."),
                    1,
                ),
                "regex": _text(
                    "The answer matches this Python regular expression (searched). The answer "
                    "is normalised first, so write letters in lower case (or start with (?i))."
                ),
                "all_of": _list("Every rule holds.", _ref("rule", "A rule."), 1),
                "any_of": _list("At least one rule holds.", _ref("rule", "A rule."), 1),
                "none_of": _list("No rule holds.", _ref("rule", "A rule."), 1),
            },
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
        },
        "contains_number": _object(
            "A number the answer must contain.",
            {
                "value": _decimal("The expected number."),
                "tolerance": _tolerance("How far the number may be from 'value' (default exact)."),
            },
            ["value"],
        ),
    }
