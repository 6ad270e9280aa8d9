"""Small playbooks built in code, shaped like the seed's data-scientist-mid, for scoring tests."""

from __future__ import annotations

from decimal import Decimal

from hireproof.core.playbook.model import (
    Assessment,
    Band,
    ContainsNumber,
    DecisionRules,
    InterviewKit,
    InterviewQuestion,
    InterviewRedFlag,
    Item,
    NumericItem,
    Option,
    Playbook,
    RatingAnchor,
    RedFlag,
    RedFlagPolicy,
    Role,
    Rule,
    Section,
    Severity,
    SingleChoiceItem,
    Skills,
    TextItem,
    Tolerance,
    ToleranceKind,
    Verdict,
)

EXACT = Tolerance(ToleranceKind.ABSOLUTE, Decimal(0))


def numeric_item(
    item_id: str = "pandas-filter-sum",
    key: str = "70",
    tolerance: Tolerance = EXACT,
    section: str = "hard",
    points: str = "1",
) -> NumericItem:
    return NumericItem(
        id=item_id,
        section=section,
        prompt="What does the code print?",
        answer_key=key,
        grading="1 point for the key",
        points=Decimal(points),
        key=Decimal(key),
        tolerance=tolerance,
    )


def sjt_item(item_id: str = "sjt-incomplete-data", section: str = "sjt") -> SingleChoiceItem:
    return SingleChoiceItem(
        id=item_id,
        section=section,
        prompt="Your manager asks for a complex analysis by end of day...",
        answer_key="B",
        grading="1 point for B",
        options=(
            Option(
                "A",
                "Do it quickly anyway: Rush to build the model with the available data.",
                RedFlag(Severity.WARNING, "rushing low-quality work"),
            ),
            Option("B", "Communicate & adjust: Explain the data is incomplete and propose a plan."),
            Option(
                "C",
                "Refuse outright: Tell the manager the request is impossible.",
                RedFlag(Severity.WARNING, "refusing without trying"),
            ),
            Option(
                "D",
                "Dummy results: Fabricate or extrapolate data to produce some result.",
                RedFlag(Severity.CRITICAL, "fabricating data"),
            ),
        ),
        correct="B",
    )


def text_item(
    rule: Rule | None = None, item_id: str = "outlier-ages", section: str = "accuracy"
) -> TextItem:
    return TextItem(
        id=item_id,
        section=section,
        prompt="Which age is the obvious mistake, and why?",
        answer_key="141",
        grading="1 point if the answer contains the number 141",
        rule=rule if rule is not None else ContainsNumber(Decimal(141)),
    )


def seed_items() -> tuple[Item, ...]:
    """The five items of data-scientist-mid, one per section."""
    return (
        numeric_item("cognitive-growth", "1210", section="cognitive"),
        numeric_item("pandas-filter-sum", "70", section="hard"),
        sjt_item(),
        text_item(),
        SingleChoiceItem(
            id="communication-summary",
            section="communication",
            prompt="A manager asks why the churn model flagged a segment.",
            answer_key="B",
            grading="1 point for B",
            options=(
                Option("A", "Metrics: precision, recall and SHAP values."),
                Option("B", "Plain words: the drivers, what to do, and how sure we are."),
                Option(
                    "C",
                    "Black box: the model is a black box, trust it.",
                    RedFlag(Severity.WARNING, "dismissing the stakeholder's question"),
                ),
                Option("D", "Notebook: I'll send you the notebook."),
            ),
            correct="B",
        ),
    )


def seed_sections(weights: tuple[str, ...] = ("1", "1", "1", "1", "1")) -> tuple[Section, ...]:
    ids = ("cognitive", "hard", "sjt", "accuracy", "communication")
    return tuple(
        Section(section_id, section_id.title(), Decimal(weight))
        for section_id, weight in zip(ids, weights, strict=True)
    )


def interview_kit() -> InterviewKit:
    """Four questions rated 1-5; the second and fourth have red flags to tick."""
    return InterviewKit(
        questions=(
            InterviewQuestion("project", "experience", "A project you are proud of?", (), "", ""),
            InterviewQuestion(
                "overfitting",
                "technical depth",
                "What if your model overfits?",
                (),
                "",
                "",
                (InterviewRedFlag("no-validation", "never mentions validation"),),
            ),
            InterviewQuestion("deployment", "production", "Deployed a model?", (), "", ""),
            InterviewQuestion(
                "ambiguity",
                "judgment",
                "An urgent, ill-defined request?",
                (),
                "",
                "",
                (InterviewRedFlag("blames-others", "blames the stakeholder"),),
            ),
        ),
        scale=tuple(
            RatingAnchor(value, label)
            for value, label in enumerate(("strong no", "no", "mixed", "yes", "strong yes"), 1)
        ),
    )


def decision_rules() -> DecisionRules:
    return DecisionRules(
        bands=(
            Band(Verdict.STRONG_PASS, Decimal(80)),
            Band(Verdict.BORDERLINE, Decimal(60)),
            Band(Verdict.FAIL, Decimal(0)),
        ),
        red_flags=RedFlagPolicy("critical_fail whatever the score", "listed for review"),
        test_weight=Decimal("0.40"),
        interview_weight=Decimal("0.60"),
        hire_min_combined=Decimal(75),
        no_hire_below_combined=Decimal(60),
    )


def make_playbook(
    items: tuple[Item, ...] | None = None,
    sections: tuple[Section, ...] | None = None,
    decision: DecisionRules | None = None,
    playbook_hash: str = "0" * 64,
    playbook_id: str = "data-scientist-test",
) -> Playbook:
    return Playbook(
        id=playbook_id,
        version="1",
        title="Data scientist (test)",
        role=Role("Data Scientist", "Engineering", "Mid", "", "", (), Skills((), (), ()), ()),
        assessment=Assessment(
            title="Written test",
            time_limit_minutes=30,
            instructions="",
            notice="Some answers may disqualify you.",
            sections=sections if sections is not None else seed_sections(),
            items=items if items is not None else seed_items(),
        ),
        interview=interview_kit(),
        decision=decision if decision is not None else decision_rules(),
        hash=playbook_hash,
    )


# A complete answer sheet that earns 5 of 5 with no flag.
ALL_CORRECT = {
    "cognitive-growth": "1,210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141 - nobody is that old",
    "communication-summary": "b",
}
