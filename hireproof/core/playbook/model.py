"""The playbook as frozen, typed objects: what a loaded, validated YAML file becomes.

Nothing here reads files or scores answers; ``loader`` builds these objects and ``scoring``
reads them. Exact numbers are ``Decimal`` (as written in the file) so no float ever rounds a
key, a tolerance, a weight or a threshold.

Item kinds form a closed union (``Item``) whose members share ``ItemBase``; a new kind (say
``code``, run against hidden tests) is a new dataclass plus a new evaluator in
``scoring.items``, with no change to the existing kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "AllOf",
    "AnyOf",
    "Assessment",
    "Band",
    "ContainsNumber",
    "ContainsPhrase",
    "DecisionRules",
    "InterviewKit",
    "InterviewQuestion",
    "InterviewRedFlag",
    "Item",
    "ItemBase",
    "ItemKind",
    "NoneOf",
    "NumericItem",
    "Option",
    "Playbook",
    "RatingAnchor",
    "RedFlag",
    "RedFlagPolicy",
    "Regex",
    "Responsibility",
    "Role",
    "RubricExamples",
    "Rule",
    "Section",
    "Severity",
    "SingleChoiceItem",
    "Skill",
    "Skills",
    "TextItem",
    "Tolerance",
    "ToleranceKind",
    "ToolGroup",
    "Verdict",
]


class ItemKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    NUMERIC = "numeric"
    TEXT = "text"


class Severity(StrEnum):
    """``critical``: disqualifies whatever the score. ``warning``: a person must review it."""

    CRITICAL = "critical"
    WARNING = "warning"


class Verdict(StrEnum):
    """The written test's verdict: a band, or ``critical_fail`` when a critical flag is raised."""

    STRONG_PASS = "strong_pass"  # noqa: S105 (a verdict, not a password)
    BORDERLINE = "borderline"
    FAIL = "fail"
    CRITICAL_FAIL = "critical_fail"


class ToleranceKind(StrEnum):
    ABSOLUTE = "absolute"  # |answer - key| <= value
    RELATIVE = "relative"  # |answer - key| <= value * |key|


# --- the role ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Responsibility:
    title: str
    description: str


@dataclass(frozen=True)
class Skill:
    name: str
    description: str


@dataclass(frozen=True)
class Skills:
    """The must-have skills, in the seed's three groups."""

    soft: tuple[Skill, ...]
    attitude: tuple[Skill, ...]
    technical: tuple[Skill, ...]


@dataclass(frozen=True)
class ToolGroup:
    name: str
    description: str


@dataclass(frozen=True)
class Role:
    title: str
    department: str
    level: str
    summary: str
    overview: str
    responsibilities: tuple[Responsibility, ...]
    skills: Skills
    tools: tuple[ToolGroup, ...]
    when_to_use: str = ""


# --- the written assessment -------------------------------------------------------------------


@dataclass(frozen=True)
class RedFlag:
    severity: Severity
    reason: str


@dataclass(frozen=True)
class Option:
    id: str  # as the candidate types it, e.g. "B"; compared case-insensitively
    text: str
    red_flag: RedFlag | None = None


@dataclass(frozen=True)
class Tolerance:
    kind: ToleranceKind
    value: Decimal


@dataclass(frozen=True)
class RubricExamples:
    """Answers the rubric must accept (score full points) and must reject (score 0)."""

    accept: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemBase:
    """What every item kind has. ``points`` is the item's share inside its section."""

    id: str
    section: str  # a Section.id
    prompt: str
    answer_key: str  # the key in words, for staff and auditors (never shown to candidates)
    grading: str  # the grading rule in words
    rationale: str = ""
    audit_note: str = ""
    points: Decimal = Decimal(1)
    examples: RubricExamples = field(default_factory=RubricExamples)


@dataclass(frozen=True)
class SingleChoiceItem(ItemBase):
    kind: ItemKind = ItemKind.SINGLE_CHOICE
    options: tuple[Option, ...] = ()
    correct: str = ""  # an Option.id


@dataclass(frozen=True)
class NumericItem(ItemBase):
    kind: ItemKind = ItemKind.NUMERIC
    key: Decimal = Decimal(0)
    tolerance: Tolerance = field(
        default_factory=lambda: Tolerance(ToleranceKind.ABSOLUTE, Decimal(0))
    )


# Text rules: leaves test the normalised answer; all_of / any_of / none_of compose them.
@dataclass(frozen=True)
class ContainsNumber:
    """The answer contains a number equal to ``value`` within ``tolerance``."""

    value: Decimal
    tolerance: Tolerance = field(
        default_factory=lambda: Tolerance(ToleranceKind.ABSOLUTE, Decimal(0))
    )


@dataclass(frozen=True)
class ContainsPhrase:
    """The answer contains one of ``phrases`` as whole words (after normalisation)."""

    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Regex:
    """The normalised answer matches ``pattern`` (Python ``re`` syntax, searched, not anchored)."""

    pattern: str


@dataclass(frozen=True)
class AllOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class NoneOf:
    rules: tuple[Rule, ...]


Rule = ContainsNumber | ContainsPhrase | Regex | AllOf | AnyOf | NoneOf


@dataclass(frozen=True)
class TextItem(ItemBase):
    kind: ItemKind = ItemKind.TEXT
    rule: Rule = field(default_factory=lambda: AllOf(()))


Item = SingleChoiceItem | NumericItem | TextItem


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    weight: Decimal  # the section's points in the test total
    description: str = ""


@dataclass(frozen=True)
class Assessment:
    title: str
    time_limit_minutes: int
    instructions: str
    notice: str  # shown to candidates before they start (e.g. that some answers disqualify)
    sections: tuple[Section, ...]
    items: tuple[Item, ...]


# --- the interview ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewRedFlag:
    id: str
    text: str


@dataclass(frozen=True)
class InterviewQuestion:
    id: str
    competency: str
    text: str
    look_for: tuple[str, ...]
    strong_answer: str
    weak_answer: str
    red_flags: tuple[InterviewRedFlag, ...] = ()


@dataclass(frozen=True)
class RatingAnchor:
    value: int
    label: str  # e.g. "strong yes"


@dataclass(frozen=True)
class InterviewKit:
    questions: tuple[InterviewQuestion, ...]
    scale: tuple[RatingAnchor, ...]  # ascending values, e.g. 1..5


# --- decision rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    verdict: Verdict  # strong_pass, borderline or fail
    min_percent: Decimal  # inclusive lower bound on the exact score percent


@dataclass(frozen=True)
class RedFlagPolicy:
    critical: str  # what a critical flag does, in words (the verdict becomes critical_fail)
    warning: str  # what a warning does, in words (listed for a person to review)


@dataclass(frozen=True)
class DecisionRules:
    """Every number that turns scores into a recommendation; none of them lives in code."""

    bands: tuple[Band, ...]  # highest first; the last has min_percent 0
    red_flags: RedFlagPolicy
    test_weight: Decimal  # e.g. 0.40 of the combined score
    interview_weight: Decimal  # e.g. 0.60
    hire_min_combined: Decimal  # percent, e.g. 75
    no_hire_below_combined: Decimal  # percent, e.g. 60
    summary: str = ""  # the scoring guidance in words


@dataclass(frozen=True)
class Playbook:
    """A validated playbook. ``hash`` is SHA-256 (hex) over its canonical form."""

    id: str
    version: str
    title: str
    role: Role
    assessment: Assessment
    interview: InterviewKit
    decision: DecisionRules
    hash: str = ""

    def item(self, item_id: str) -> Item:
        """The item with this id (``KeyError`` if none)."""
        for item in self.assessment.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def section(self, section_id: str) -> Section:
        """The section with this id (``KeyError`` if none)."""
        for section in self.assessment.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)
