"""How playbook prose, rubrics and loader problems are worded and arranged for the pages."""

from __future__ import annotations

import pytest

from hireproof.core.errors import Problem
from hireproof.core.playbook import load_builtin
from hireproof.hiring.reads.playbook_guide import (
    BlockKind,
    TextBlock,
    described_problems,
    guide_of,
    problem_words,
    text_blocks,
)
from hireproof.views.templatetags.playbook_text import prose


def test_it_joins_the_lines_of_a_paragraph_and_splits_paragraphs_at_blank_lines() -> None:
    assert text_blocks("One line\nand its next.\n\nA second paragraph.\n") == [
        TextBlock(BlockKind.PARAGRAPH, "One line and its next."),
        TextBlock(BlockKind.PARAGRAPH, "A second paragraph."),
    ]


def test_it_keeps_an_indented_block_as_code_with_its_inner_blank_lines() -> None:
    text = "Run this:\n\n    import pandas as pd\n\n    print(1)\n\n(That is all.)"

    assert text_blocks(text) == [
        TextBlock(BlockKind.PARAGRAPH, "Run this:"),
        TextBlock(BlockKind.CODE, "import pandas as pd\n\nprint(1)"),
        TextBlock(BlockKind.PARAGRAPH, "(That is all.)"),
    ]


def test_an_indented_line_right_after_a_paragraph_line_continues_the_paragraph() -> None:
    assert text_blocks("First\n    second") == [TextBlock(BlockKind.PARAGRAPH, "First second")]


def test_a_code_block_at_the_end_loses_its_trailing_blank_lines() -> None:
    assert text_blocks("\tx = 1\n   \n") == [TextBlock(BlockKind.CODE, "x = 1")]


def test_the_prose_filter_escapes_text_and_puts_code_in_pre() -> None:
    html = prose("Is <b> bold?\n\n    print('<b>')")

    assert html == (
        "<p>Is &lt;b&gt; bold?</p>\n<pre><code>print(&#x27;&lt;b&gt;&#x27;)</code></pre>"
    )


def test_the_guide_puts_each_item_under_its_section_with_its_rubric_in_words() -> None:
    guide = guide_of(load_builtin("data-scientist-mid-weighted"))

    assert guide.total_weight == "10"
    assert guide.item_count == 5
    assert [(view.section.id, view.share) for view in guide.sections] == [
        ("cognitive-reasoning", "10%"),
        ("hard-technical-skills", "30%"),
        ("situational-judgment", "20%"),
        ("accuracy", "30%"),
        ("communication", "10%"),
    ]
    [cognitive], [pandas], [judgment], [accuracy], [communication] = (
        view.items for view in guide.sections
    )
    assert [entry.number for entry in (cognitive, pandas, judgment, accuracy, communication)] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert (pandas.number, pandas.kind_label) == (2, "Numeric answer")
    assert (judgment.kind_label, accuracy.kind_label) == ("Single choice", "Short text")
    assert pandas.rubric == (
        "Full points when every number in the answer is 70 exactly; anything else scores 0."
    )
    assert judgment.rubric == "Full points for option B; any other answer scores 0."
    assert [(view.option.id, view.correct) for view in judgment.options] == [
        ("A", False),
        ("B", True),
        ("C", False),
        ("D", False),
    ]
    assert [view.option.id for view in judgment.red_flags] == ["A", "C", "D"]
    assert accuracy.rubric == (
        "Full points when the answer contains the number 141 exactly; otherwise 0."
    )
    assert [(band.label, band.min_percent) for band in guide.bands] == [
        ("Strong pass", "80%"),
        ("Borderline", "60%"),
        ("Fail", "0%"),
    ]
    assert (guide.test_weight, guide.interview_weight) == ("40%", "60%")


@pytest.mark.parametrize(
    ("problem", "words"),
    [
        (
            Problem("f.yaml", 42, 7, "assessment.items[2].key", "expected a number"),
            "line 42, column 7 - assessment.items[2].key: expected a number",
        ),
        (
            Problem("f.yaml", 3, 1, "", "not valid YAML: oops"),
            "line 3, column 1 - not valid YAML: oops",
        ),
        (Problem("f.yaml", 0, 0, "decision", "is missing"), "decision: is missing"),
        (Problem("f.yaml", 0, 0, "", "the file holds no playbook"), "the file holds no playbook"),
    ],
)
def test_it_words_a_problem_with_its_line_column_and_field(problem: Problem, words: str) -> None:
    assert problem_words(problem) == words


def test_it_shows_the_lines_around_each_problem_with_their_numbers() -> None:
    text = "one\ntwo\nthree\nfour"
    problems = (
        Problem("f", 1, 1, "a", "first line"),
        Problem("f", 3, 4, "b", "middle"),
        Problem("f", 4, 2, "c", "last line"),
        Problem("f", 0, 0, "", "nowhere"),
        Problem("f", 9, 1, "", "past the end"),
    )

    described = described_problems(problems, text)

    excerpts = [
        [(line.number, line.text, line.is_problem) for line in problem.excerpt]
        for problem in described
    ]
    assert excerpts == [
        [(1, "one", True), (2, "two", False)],
        [(2, "two", False), (3, "three", True), (4, "four", False)],
        [(3, "three", False), (4, "four", True)],
        [],
        [],
    ]
    assert [problem.caret for problem in described] == ["^", "   ^", " ^", "", "^"]
