"""Turning a playbook and its problems into what the pages show; no HTML here, only shapes.

``guide_of`` arranges a ``Playbook`` for the hiring-guide page (items under their sections, the
rubric in words); ``text_blocks`` splits playbook prose into paragraphs and code blocks;
``described_problems`` words loader problems as "line 42, column 7 - path: message" with the
lines they point at.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from hireproof.core.errors import Problem
from hireproof.core.playbook import (
    Band,
    Item,
    ItemKind,
    Option,
    Playbook,
    Section,
    SingleChoiceItem,
    Verdict,
    decimal_text,
    percent_text,
    rubric_words,
)

VERDICT_LABELS = {
    Verdict.STRONG_PASS: "Strong pass",
    Verdict.BORDERLINE: "Borderline",
    Verdict.FAIL: "Fail",
    Verdict.CRITICAL_FAIL: "Critical fail",
}


def verdict_label(verdict: str) -> str:
    """A stored verdict in words ("" before scoring)."""
    return VERDICT_LABELS.get(Verdict(verdict), verdict) if verdict else ""


KIND_LABELS = {
    ItemKind.SINGLE_CHOICE: "Single choice",
    ItemKind.NUMERIC: "Numeric answer",
    ItemKind.TEXT: "Short text",
}
# Lines shown either side of the line a problem points at.
_EXCERPT_CONTEXT = 1


# --- prose --------------------------------------------------------------------------------------


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    CODE = "code"


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (lines joined) or a code block (kept verbatim, common indent removed)."""

    kind: BlockKind
    text: str


def text_blocks(text: str) -> list[TextBlock]:
    """Split playbook prose into paragraphs and code blocks.

    As in Markdown, lines indented by four spaces (or a tab) after a blank line are code, and
    blank lines inside code stay in it: the pandas snippet in a prompt keeps its layout.
    """
    blocks: list[TextBlock] = []
    paragraph: list[str] = []
    code: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            if code:
                code.append("")
            _flush_paragraph(blocks, paragraph)
        elif _is_indented(line) and not paragraph:
            code.append(line)
        else:
            _flush_code(blocks, code)
            paragraph.append(line.strip())
    _flush_paragraph(blocks, paragraph)
    _flush_code(blocks, code)
    return blocks


def _is_indented(line: str) -> bool:
    return line.startswith(("    ", "\t"))


def _flush_paragraph(blocks: list[TextBlock], lines: list[str]) -> None:
    if lines:
        blocks.append(TextBlock(BlockKind.PARAGRAPH, " ".join(lines)))
        lines.clear()


def _flush_code(blocks: list[TextBlock], lines: list[str]) -> None:
    while lines and not lines[-1]:
        lines.pop()
    if lines:
        blocks.append(TextBlock(BlockKind.CODE, textwrap.dedent("\n".join(lines))))
        lines.clear()


# --- the hiring guide ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionView:
    option: Option
    correct: bool


@dataclass(frozen=True)
class ItemView:
    """An item with its number in the test, its machine rubric in words and its red flags."""

    number: int
    item: Item
    kind_label: str
    rubric: str
    options: tuple[OptionView, ...]
    red_flags: tuple[OptionView, ...]  # the options that raise one


@dataclass(frozen=True)
class SectionView:
    section: Section
    share: str  # the section's weight as a percent of the test, e.g. "20%"
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class BandView:
    label: str
    min_percent: str


@dataclass(frozen=True)
class Guide:
    """Everything the hiring-guide page shows, arranged in reading order."""

    playbook: Playbook
    sections: tuple[SectionView, ...]
    total_weight: str
    item_count: int
    bands: tuple[BandView, ...]
    test_weight: str
    interview_weight: str


def guide_of(playbook: Playbook) -> Guide:
    """Arrange ``playbook`` for the hiring-guide page."""
    assessment, decision = playbook.assessment, playbook.decision
    total = sum((section.weight for section in assessment.sections), Decimal(0))
    numbers = {item.id: number for number, item in enumerate(assessment.items, start=1)}
    sections = tuple(
        SectionView(
            section=section,
            share=percent_text(section.weight / total),
            items=tuple(
                _item_view(numbers[item.id], item)
                for item in assessment.items
                if item.section == section.id
            ),
        )
        for section in assessment.sections
    )
    return Guide(
        playbook=playbook,
        sections=sections,
        total_weight=decimal_text(total),
        item_count=len(assessment.items),
        bands=tuple(_band_view(band) for band in decision.bands),
        test_weight=percent_text(decision.test_weight),
        interview_weight=percent_text(decision.interview_weight),
    )


def _band_view(band: Band) -> BandView:
    return BandView(VERDICT_LABELS[band.verdict], f"{decimal_text(band.min_percent)}%")


def _item_view(number: int, item: Item) -> ItemView:
    options: tuple[OptionView, ...] = ()
    if isinstance(item, SingleChoiceItem):
        options = tuple(OptionView(option, option.id == item.correct) for option in item.options)
    flagged = tuple(view for view in options if view.option.red_flag is not None)
    return ItemView(number, item, KIND_LABELS[item.kind], rubric_words(item), options, flagged)


# --- problems -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExcerptLine:
    number: int
    text: str
    is_problem: bool


@dataclass(frozen=True)
class DescribedProblem:
    """A loader problem worded for the page, with the lines of the text around it."""

    text: str
    line: int
    column: int
    excerpt: tuple[ExcerptLine, ...]

    @property
    def caret(self) -> str:
        """A ``^`` under the problem's column, for the line below the excerpt's problem line."""
        return " " * (self.column - 1) + "^" if self.column else ""


def problem_words(problem: Problem) -> str:
    """``line 42, column 7 - assessment.items[2].key: expected a number ...``."""
    where = f"line {problem.line}, column {problem.column} - " if problem.line else ""
    what = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return where + what


def described_problems(problems: tuple[Problem, ...], text: str) -> list[DescribedProblem]:
    """Each problem in words, with the lines of ``text`` around the line it names (if any)."""
    lines = text.splitlines()
    return [
        DescribedProblem(
            problem_words(problem), problem.line, problem.column, _excerpt(lines, problem.line)
        )
        for problem in problems
    ]


def _excerpt(lines: list[str], line: int) -> tuple[ExcerptLine, ...]:
    if not 1 <= line <= len(lines):
        return ()
    first = max(1, line - _EXCERPT_CONTEXT)
    last = min(len(lines), line + _EXCERPT_CONTEXT)
    return tuple(
        ExcerptLine(number, lines[number - 1], number == line) for number in range(first, last + 1)
    )
