"""The JSON Schema (draft 2020-12) of the playbook YAML format.

The loader reads its field names and required fields from these definitions, so the published
schema and what the loader accepts cannot drift apart: a field the schema does not list is an
unknown field for the loader too. The loader checks more than the schema can say (cross
references, decimal exactness, rubric examples); the schema is what editors use to validate and
autocomplete while someone writes a playbook by hand.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = [
    "DECIMAL_PATTERN",
    "IDENTIFIER_PATTERN",
    "OPTION_ID_PATTERN",
    "VERSION_PATTERN",
    "definition",
    "playbook_schema",
]

JSON = dict[str, Any]

# An exact decimal as written: 70, -3, 0.40, 1e3. No YAML-1.1 extras (0x1F, 1_000, .inf).
DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
# Ids of playbooks, sections, items, questions and red flags: lower-case words joined by hyphens.
IDENTIFIER_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Option ids are what a candidate types ("B"), so letters and digits only: "B, D" must read as two.
OPTION_ID_PATTERN = r"^[A-Za-z0-9]+$"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
MAX_TIME_LIMIT_MINUTES = 7 * 24 * 60
MAX_RATING = 100

NORMALISATION = (
    "Answers are compared after Unicode NFKC normalisation, case folding and collapsing runs of "
    "whitespace into one space."
)


def _text(description: str) -> JSON:
    return {"type": "string", "description": description}


def _identifier(description: str) -> JSON:
    return {"type": "string", "pattern": IDENTIFIER_PATTERN, "description": description}


def _decimal(description: str) -> JSON:
    # Written as a YAML number or a decimal string; the loader reads its source text, never a float.
    return {"type": ["number", "string"], "pattern": DECIMAL_PATTERN, "description": description}


def _list(description: str, items: JSON, min_items: int = 0) -> JSON:
    schema: JSON = {"type": "array", "description": description, "items": items}
    if min_items:
        schema["minItems"] = min_items
    return schema


def _ref(name: str, description: str) -> JSON:
    return {"$ref": f"#/$defs/{name}", "description": description}


def _object(description: str, properties: JSON, required: list[str]) -> JSON:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _role_defs() -> JSON:
    return {
        "role": _object(
            "The role being hired for, as the hiring guide describes it.",
            {
                "title": _text("The job title, e.g. 'Mid-Level Data Scientist / ML Engineer'."),
                "department": _text("The department, e.g. 'Engineering'."),
                "level": _text("The seniority level, e.g. 'Mid-Level'."),
                "summary": _text("One sentence saying what this guide contains."),
                "overview": _text("The role overview, in paragraphs."),
                "responsibilities": _list(
                    "The core responsibilities.", _ref("responsibility", "A responsibility."), 1
                ),
                "skills": _ref("skills", "The must-have skills, in three groups."),
                "tools": _list(
                    "Tools and systems the role uses.", _ref("tool_group", "A group of tools.")
                ),
                "when_to_use": _text("When to choose this role and playbook."),
            },
            ["title", "department", "level", "summary", "overview", "responsibilities", "skills"],
        ),
        "responsibility": _object(
            "One core responsibility.",
            {
                "title": _text("A short name, e.g. 'Data Acquisition & Preparation'."),
                "description": _text("What the responsibility involves."),
            },
            ["title", "description"],
        ),
        "skills": _object(
            "The must-have skills, grouped as soft skills, attitude and technical skills.",
            {
                "soft": _list("Soft skills.", _ref("skill", "A skill."), 1),
                "attitude": _list("Attitude and work ethic.", _ref("skill", "A skill."), 1),
                "technical": _list("Technical (hard) skills.", _ref("skill", "A skill."), 1),
            },
            ["soft", "attitude", "technical"],
        ),
        "skill": _object(
            "One must-have skill.",
            {
                "name": _text("The skill's name, e.g. 'Communication'."),
                "description": _text("What the skill means for this role."),
            },
            ["name", "description"],
        ),
        "tool_group": _object(
            "A group of tools or systems.",
            {
                "name": _text("The group's name, e.g. 'Platforms & Infrastructure'."),
                "description": _text("The tools in the group and how they are used."),
            },
            ["name", "description"],
        ),
    }


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


def _interview_defs() -> JSON:
    return {
        "interview": _object(
            "The structured interview kit.",
            {
                "questions": _list(
                    "The interview questions.", _ref("interview_question", "A question."), 1
                ),
                "scale": _list(
                    "The anchored rating scale, ascending (e.g. 1 strong no .. 5 strong yes).",
                    _ref("rating_anchor", "A rating and its label."),
                    2,
                ),
            },
            ["questions", "scale"],
        ),
        "interview_question": _object(
            "One interview question with its scoring guidance.",
            {
                "id": _identifier("The question id, unique in the playbook."),
                "competency": _text("The competency the question probes."),
                "text": _text("The question as the interviewer asks it."),
                "look_for": _list("What to look for in the answer.", _text("A signal."), 1),
                "strong_answer": _text("What a strong answer sounds like."),
                "weak_answer": _text("What a weak answer sounds like."),
                "red_flags": _list(
                    "Red flags an interviewer can tick.",
                    _ref("interview_red_flag", "A red flag."),
                ),
            },
            ["id", "competency", "text", "look_for", "strong_answer", "weak_answer"],
        ),
        "interview_red_flag": _object(
            "A red flag an interviewer can tick.",
            {
                "id": _identifier("The red flag's id, unique within its question."),
                "text": _text("The red flag in words."),
            },
            ["id", "text"],
        ),
        "rating_anchor": _object(
            "A rating value and its label.",
            {
                "value": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_RATING,
                    "description": "The rating, e.g. 4 (0 to 100).",
                },
                "label": _text("The label, e.g. 'yes'."),
            },
            ["value", "label"],
        ),
    }


def _decision_defs() -> JSON:
    percent = "A percent from 0 to 100."
    return {
        "decision": _object(
            "The rules that turn scores into a recommendation.",
            {
                "bands": _list(
                    "Score bands, highest first; the last starts at 0.",
                    _ref("band", "A band."),
                    1,
                ),
                "red_flags": _ref("red_flag_policy", "What red flags do, in words."),
                "test_weight": _decimal("The test's share of the combined score (0 to 1)."),
                "interview_weight": _decimal(
                    "The interview's share of the combined score (0 to 1); "
                    "test_weight + interview_weight = 1."
                ),
                "hire_min_combined": _decimal(
                    "Hire needs at least this combined percent. " + percent
                ),
                "no_hire_below_combined": _decimal(
                    "Below this combined percent the recommendation is no hire. " + percent
                ),
                "summary": _text("The scoring guidance in words."),
            },
            [
                "bands",
                "red_flags",
                "test_weight",
                "interview_weight",
                "hire_min_combined",
                "no_hire_below_combined",
            ],
        ),
        "band": _object(
            "A score band: the verdict for scores at or above 'min_percent'.",
            {
                "verdict": {
                    "enum": ["strong_pass", "borderline", "fail"],
                    "description": "The verdict for this band.",
                },
                "min_percent": _decimal("The inclusive lower bound, in percent of the points."),
            },
            ["verdict", "min_percent"],
        ),
        "red_flag_policy": _object(
            "What red flags do, in words.",
            {
                "critical": _text("What a critical red flag does (the verdict is critical_fail)."),
                "warning": _text("What a warning does (listed for a person to review)."),
            },
            ["critical", "warning"],
        ),
    }


def _root_defs() -> JSON:
    return {
        "playbook": _object(
            "A complete hiring playbook.",
            {
                "id": _identifier("The playbook id, e.g. 'data-scientist-mid'."),
                "version": {
                    "type": "string",
                    "pattern": VERSION_PATTERN,
                    "description": "The playbook's version, e.g. '1.0.0'.",
                },
                "title": _text("The playbook's title."),
                "role": _ref("role", "The role."),
                "assessment": _ref("assessment", "The written assessment."),
                "interview": _ref("interview", "The interview kit."),
                "decision": _ref("decision", "The decision rules."),
            },
            ["id", "version", "title", "role", "assessment", "interview", "decision"],
        ),
        "extension": _object(
            "A playbook that reuses a built-in playbook and changes only its section weights.",
            {
                "extends": _identifier("The id of the built-in playbook to reuse."),
                "id": _identifier("This playbook's id (different from the one it extends)."),
                "version": {
                    "type": "string",
                    "pattern": VERSION_PATTERN,
                    "description": "This playbook's version, e.g. '1.0.0'.",
                },
                "title": _text("This playbook's title (default: the extended playbook's)."),
                "section_weights": {
                    "type": "object",
                    "description": "New weights by section id; sections not listed keep theirs.",
                    "additionalProperties": _decimal("The section's new weight (more than 0)."),
                },
            },
            ["extends", "id", "version"],
        ),
    }


_SCHEMA: JSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://hireproof.dev/schemas/playbook.json",
    "title": "hireproof playbook",
    "description": "A hiring playbook: role, written assessment with its rubric, interview kit "
    "and decision rules.",
    "oneOf": [{"$ref": "#/$defs/playbook"}, {"$ref": "#/$defs/extension"}],
    "$defs": _root_defs()
    | _role_defs()
    | _assessment_defs()
    | _interview_defs()
    | _decision_defs(),
}


def playbook_schema() -> JSON:
    """The JSON Schema (draft 2020-12) of the playbook YAML format (a fresh copy)."""
    return copy.deepcopy(_SCHEMA)


def definition(name: str) -> JSON:
    """One definition of the schema (shared, do not modify): the loader reads its fields."""
    result: JSON = _SCHEMA["$defs"][name]
    return result
