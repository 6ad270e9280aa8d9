"""Playbooks: the YAML format, its JSON Schema, loading and validation, identity, built-ins.

load_playbook(path)                  a YAML file -> validated, content-hashed Playbook
load_playbook_text(text, filename)   the same from text (published=True: a stored version)
MAX_ANSWER_CHARS, MAX_PROGRAM_SIZE, ...   what an upload may ask of the scorer (``bounds``)
load_builtin(id) / builtin_ids()     the playbooks bundled with hireproof
playbook_schema()                    the JSON Schema of the format
canonical_form(p) / playbook_hash(p) / playbook_to_dict(p)   identity and export
Playbook, Item, SingleChoiceItem, ...   the frozen model the loader builds (``model``)
rubric_words(item), rule_words(rule), ...   a rubric in plain words (``words``)
"""

from __future__ import annotations

from .bounds import (
    MAX_ANSWER_CHARS,
    MAX_EXAMPLE_CHARS,
    MAX_ITEMS,
    MAX_NUMBER_RULES,
    MAX_PATTERN_LENGTH,
    MAX_PHRASE_LENGTH,
    MAX_PHRASES,
    MAX_PHRASES_PER_RULE,
    MAX_PROGRAM_SIZE,
    MAX_REGEX_RULES,
    MAX_RULES_PER_ITEM,
)
from .identity import canonical_form, decimal_text, playbook_hash, playbook_to_dict
from .loader import builtin_ids, load_builtin, load_playbook, load_playbook_text
from .model import (
    Assessment,
    Band,
    DecisionRules,
    InterviewKit,
    InterviewQuestion,
    InterviewRedFlag,
    Item,
    ItemKind,
    NumericItem,
    Option,
    Playbook,
    RatingAnchor,
    RedFlag,
    Rule,
    Section,
    Severity,
    SingleChoiceItem,
    Skill,
    TextItem,
    Tolerance,
    ToleranceKind,
    Verdict,
)
from .schema import playbook_schema
from .words import percent_text, rubric_words, rule_words, tolerance_words

__all__ = [
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
    "Assessment",
    "Band",
    "DecisionRules",
    "InterviewKit",
    "InterviewQuestion",
    "InterviewRedFlag",
    "Item",
    "ItemKind",
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
