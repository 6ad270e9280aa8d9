"""The JSON Schema (draft 2020-12) of the playbook YAML format.

The loader reads its field names and required fields from these definitions, so the published
schema and what the loader accepts cannot drift apart: a field the schema does not list is an
unknown field for the loader too. The loader checks more than the schema can say (cross
references, decimal exactness, rubric examples); the schema is what editors use to validate and
autocomplete while someone writes a playbook by hand.
"""

from __future__ import annotations

import copy

from .schema_assessment import _assessment_defs
from .schema_fields import (
    DECIMAL_PATTERN,
    IDENTIFIER_PATTERN,
    JSON,
    MAX_RATING,
    OPTION_ID_PATTERN,
    VERSION_PATTERN,
    _decimal,
    _identifier,
    _list,
    _object,
    _ref,
    _text,
)

__all__ = [
    "DECIMAL_PATTERN",
    "IDENTIFIER_PATTERN",
    "OPTION_ID_PATTERN",
    "VERSION_PATTERN",
    "definition",
    "playbook_schema",
]


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
