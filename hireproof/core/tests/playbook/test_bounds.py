"""What an upload may ask of the scorer: each bound refused where it is passed, with the sizes.

Every refusal names the file, line and column, the field path (so the item and the rule), the
bound and the size found. A version published before a bound existed still loads and scores
exactly as it did.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hireproof.core.playbook import (
    MAX_ANSWER_CHARS,
    MAX_EXAMPLE_CHARS,
    MAX_ITEMS,
    MAX_NUMBER_RULES,
    MAX_PHRASE_LENGTH,
    MAX_PHRASES,
    MAX_PHRASES_PER_RULE,
    MAX_PROGRAM_SIZE,
    MAX_REGEX_RULES,
    TextItem,
    load_playbook_text,
)
from hireproof.core.playbook.patterns import compiled_pattern, pattern_problem, program_size
from hireproof.core.scoring import evaluate_item, normalise, score
from hireproof.core.scoring.text import _phrase_pattern

from .sample import load_sample, problems, sample_with

REGEX_PLACE = "tiny.yaml:59:67: assessment.items[2].rule.all_of[1].any_of[1].regex: "


def with_pattern(pattern: str) -> str:
    return sample_with('{regex: "wrong"}', f"{{regex: '{pattern}'}}")


def with_rules(rules: list[str]) -> str:
    """The sample with its ``{regex: "wrong"}`` rule replaced by ``any_of: rules``."""
    return sample_with('{regex: "wrong"}', "{any_of: [" + ", ".join(rules) + "]}")


def published(text: str) -> TextItem:
    item = load_playbook_text(text, "tiny.yaml", published=True).assessment.items[2]
    assert isinstance(item, TextItem)
    return item


# --- the size of a pattern's program ------------------------------------------------------------


def test_a_pattern_whose_program_passes_the_bound_is_refused_with_its_size() -> None:
    # a[ab]{n}c makes RE2 build a new state at every character of a random a/b answer: its
    # time grows with n; n = 144 is the largest accepted.
    assert program_size("a[ab]{144}c") == MAX_PROGRAM_SIZE
    assert pattern_problem("a[ab]{144}c") == ""
    assert problems(with_pattern("a[ab]{145}c")) == [
        REGEX_PLACE + f"the pattern compiles to 151 RE2 instructions; at most {MAX_PROGRAM_SIZE} "
        'are allowed, since scoring time grows with them ("." and classes of non-ASCII '
        "characters cost about nine instructions per repetition, an ASCII class such as "
        "[a-z ] one: shorten counted repetitions like {0,40}, or split the pattern into "
        "several rules)"
    ]


@pytest.mark.parametrize(
    ("pattern", "size"),
    [
        # What took 0.3 s to 55 s on one 10,000-character answer before programs were bounded,
        # although every one of them was short enough and read alike by both engines.
        ("(.{0,999})" * 48 + "z", 431_573),
        ("(.{0,999})" * 16 + "z", 143_861),
        ("(.{0,999})(.{0,999})z", 17_987),
        ("[^x]{999}[^y]{999}z", 15_989),
        ("(?:(?:a|b)(?:a|b)?){1,999}c", 4_000),
        ("a.{100}c", 806),
    ],
)
def test_the_patterns_that_stalled_scoring_are_refused(pattern: str, size: int) -> None:
    assert len(pattern) <= 500
    assert pattern_problem(pattern).startswith(f"the pattern compiles to {size:,} RE2 ")


def test_a_published_pattern_beyond_the_bound_is_scored_as_before() -> None:
    # Even past RE2's memory budget for scoring: it is compiled with the default budget, as
    # when it was published, and finds the match Python's re finds.
    pattern = "(.{0,999})" * 8 + "z"
    assert program_size(pattern) == 71_933
    item = published(with_pattern(pattern))
    answer = "99 is an outlier, or wrong: z"
    assert evaluate_item(item, answer).points == 2
    text = normalise(answer).text
    match, expected = compiled_pattern(pattern).search(text), re.search(pattern, text)
    assert not isinstance(compiled_pattern(pattern), re.Pattern)
    assert match is not None
    assert expected is not None
    assert (match.start(), match.end()) == expected.span()


# --- rules in one playbook ----------------------------------------------------------------------


def place(text: str, needle: str, nth: int = 0) -> str:
    """``tiny.yaml:line:column`` of the ``nth`` occurrence of ``needle`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return f"tiny.yaml:{line}:{at - text.rfind(chr(10), 0, at)}"


def with_items(rule_lists: list[list[str]]) -> str:
    """The sample with one more text item per list of rules (under ``any_of``)."""
    extra = "".join(
        f"    - {{id: t{n}, kind: text, section: maths, prompt: P, answer_key: K, grading: G, "
        f"rule: {{any_of: [{', '.join(rules)}]}}}}\n"
        for n, rules in enumerate(rule_lists)
    )
    return sample_with("interview:\n", extra + "interview:\n")


def spread(rules: list[str], per_item: int = 40) -> list[list[str]]:
    return [rules[start : start + per_item] for start in range(0, len(rules), per_item)]


def test_a_playbook_may_hold_at_most_the_bound_of_regex_rules() -> None:
    # The sample holds one regex rule: the rules added bring the playbook one past the bound.
    rules = [f'{{regex: "w{n}"}}' for n in range(MAX_REGEX_RULES)]
    text = with_items(spread(rules))
    passed = MAX_REGEX_RULES - 1  # the sample's rule comes first
    item, index = 3 + passed // 40, passed % 40
    where = place(text, f'"w{passed}"')
    assert problems(text) == [
        f"{where}: assessment.items[{item}].rule.any_of[{index}].regex: "
        f"the playbook has {MAX_REGEX_RULES + 1} regex rules; at most {MAX_REGEX_RULES} are "
        "allowed in one playbook (a submission runs each on its item's answer); the bound is "
        "passed here"
    ]
    assert load_sample(with_items(spread(rules[:-1]))).id == "tiny"
    assert published(text).id == "outlier"


def test_a_playbook_may_hold_at_most_the_bound_of_number_rules() -> None:
    # The sample holds a numeric item and one contains_number rule.
    rules = [f"{{contains_number: {{value: {n}}}}}" for n in range(MAX_NUMBER_RULES - 1)]
    text = with_items([rules])
    where = place(text, f"{{value: {MAX_NUMBER_RULES - 2}}}")
    assert problems(text) == [
        f"{where}: assessment.items[3].rule.any_of[{MAX_NUMBER_RULES - 2}].contains_number: the "
        f"playbook has {MAX_NUMBER_RULES + 1} numeric items and contains_number rules; at most "
        f"{MAX_NUMBER_RULES} are allowed in one playbook (each lists every number of its answer "
        "in the scorecard); the bound is passed here"
    ]
    assert load_sample(with_items([rules[:-1]])).id == "tiny"
    assert published(text).id == "outlier"


def test_a_contains_phrase_rule_may_list_at_most_the_bound_of_phrases() -> None:
    phrases = ", ".join(f"w{n}" for n in range(MAX_PHRASES_PER_RULE + 1))
    text = with_items([[f"{{contains_phrase: [{phrases}]}}"]])
    assert problems(text) == [
        f"{place(text, '[w0,')}: assessment.items[3].rule.any_of[0].contains_phrase: the rule "
        f"lists {MAX_PHRASES_PER_RULE + 1} phrases; at most {MAX_PHRASES_PER_RULE} are allowed "
        "in one contains_phrase (split them into several rules under any_of)"
    ]
    fewer = ", ".join(f"w{n}" for n in range(MAX_PHRASES_PER_RULE))
    assert load_sample(with_items([[f"{{contains_phrase: [{fewer}]}}"]])).id == "tiny"
    assert published(text).id == "outlier"


def test_a_playbook_may_hold_at_most_the_bound_of_phrases() -> None:
    # The sample holds 3 phrases; the rules added bring the playbook one past the bound.
    per_rule = MAX_PHRASES_PER_RULE
    words = [f"w{n}" for n in range(MAX_PHRASES - 3 + 1)]
    rules = [
        "{contains_phrase: [" + ", ".join(words[start : start + per_rule]) + "]}"
        for start in range(0, len(words), per_rule)
    ]
    text = with_items(spread(rules, 5))
    last = len(rules) - 1
    assert problems(text) == [
        f"{place(text, words[-1])}: assessment.items[{3 + last // 5}].rule.any_of[{last % 5}]"
        f".contains_phrase[{(len(words) - 1) % per_rule}]: the playbook has {MAX_PHRASES + 1} "
        f"contains_phrase phrases; at most {MAX_PHRASES} are allowed in one playbook (a "
        "submission searches each in its item's answer); the bound is passed here"
    ]
    assert published(text).id == "outlier"


def test_a_phrase_is_at_most_the_bound_long_once_normalised() -> None:
    # U+FDFA is one character, and eighteen once normalised.
    long = "\ufdfa" * (MAX_PHRASE_LENGTH // 18 + 1)
    assert len(long) < MAX_PHRASE_LENGTH
    text = with_items([[f'{{contains_phrase: ["{long}"]}}']])
    where = place(text, f'"{long}"')
    assert problems(text) == [
        f"{where}: "
        f"assessment.items[3].rule.any_of[0].contains_phrase[0]: the phrase is "
        f"{len(normalise(long).text)} characters long (normalised); at most "
        f"{MAX_PHRASE_LENGTH} are allowed (a phrase is a few words)"
    ]
    longest = "a" * MAX_PHRASE_LENGTH
    assert load_sample(with_items([[f'{{contains_phrase: ["{longest}"]}}']])).id == "tiny"
    assert published(text).id == "outlier"


# --- items and examples -------------------------------------------------------------------------


def test_an_assessment_may_hold_at_most_the_bound_of_items() -> None:
    text = with_items([['{contains_phrase: ["w"]}']] * (MAX_ITEMS - 3 + 1))
    where = place(text, f"{{id: t{MAX_ITEMS - 3},")
    assert problems(text) == [
        f"{where}: assessment.items[{MAX_ITEMS}]: the "
        f"assessment has {MAX_ITEMS + 1} items; at most {MAX_ITEMS} are allowed (this is item "
        f"{MAX_ITEMS + 1})"
    ]
    published_items = load_playbook_text(text, "tiny.yaml", published=True).assessment.items
    assert len(published_items) == MAX_ITEMS + 1


def with_examples(reject: list[str]) -> str:
    listed = ", ".join(f'"{example}"' for example in reject)
    return sample_with('reject: ["99 is not an outlier"]', f"reject: [{listed}]")


@pytest.mark.parametrize(
    ("example", "length"),
    [
        ("x" * (MAX_ANSWER_CHARS + 1), MAX_ANSWER_CHARS + 1),
        ("\ufdfa" * (MAX_ANSWER_CHARS // 18 + 1), 18 * (MAX_ANSWER_CHARS // 18 + 1)),
    ],
)
def test_a_rubric_example_is_at_most_an_answer_long_as_typed_and_normalised(
    example: str, length: int
) -> None:
    text = with_examples([example])
    where = place(text, f'"{example}"')
    assert problems(text) == [
        f"{where}: "
        f"assessment.items[2].examples.reject[0]: the example is {length:,} characters long "
        f"(as typed or normalised, the longer); an answer is at most {MAX_ANSWER_CHARS:,}"
    ]
    assert load_sample(with_examples(["x" * MAX_ANSWER_CHARS])).id == "tiny"
    assert published(text).id == "outlier"


def test_the_rubric_examples_of_a_playbook_are_bounded_in_all() -> None:
    # The sample's other examples hold 20 characters; these bring it to the bound, then past.
    examples = ["x" * MAX_ANSWER_CHARS, "x" * (MAX_EXAMPLE_CHARS - MAX_ANSWER_CHARS - 20), "y"]
    text = with_examples(examples)
    where = place(text, '"y"')
    assert problems(text) == [
        f"{where}: assessment.items[2].examples.reject[2]: the playbook has "
        f"{MAX_EXAMPLE_CHARS + 1:,} characters of rubric examples (normalised); at most "
        f"{MAX_EXAMPLE_CHARS:,} are allowed in one playbook (each example is scored when the "
        "playbook is loaded: keep them short); the bound is passed here"
    ]
    assert load_sample(with_examples(examples[:2])).id == "tiny"
    assert published(text).id == "outlier"


# --- phrases: one search for the phrase itself -----------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    phrase=st.text(alphabet="ab _é1.", min_size=0, max_size=4),
    answer=st.text(alphabet="ab _é1.", max_size=16),
)
def test_a_phrase_matches_exactly_where_the_whole_word_pattern_matches(
    phrase: str, answer: str
) -> None:
    literal = re.escape(normalise(phrase).text)
    text = normalise(answer).text
    expected = re.search(rf"(?<!\w){literal}(?!\w)", text)
    found = _phrase_pattern(phrase).search(text)
    assert (found and found.span()) == (expected and expected.span())


@pytest.mark.parametrize(
    ("text", "scorecard_hash"),
    [
        # Scored before phrases were searched this way: the same scorecards, to the byte.
        (
            "99: an error, not an outlier",
            "cb17734db65e17051da6f0cdfa298d417a898c36eccbc1778df2469a48dfdc4f",
        ),
        (
            "99 is an Outlier; an_error? errors, not-an error",
            "55556042d58971f741e9c4f9974225b6b75f7054001325ea9b4a84e28e59b52a",
        ),
        (
            "99 ÉRROR outliers error",
            "d881098f7653095a3a3458eaf9f73fa1ad9543d466961e5db1b8ec84ea9155db",
        ),
    ],
)
def test_phrase_rules_score_as_they_did(text: str, scorecard_hash: str) -> None:
    answers = {"outlier": text, "sum": "4", "choice": "B"}
    assert score(load_sample(), answers).hash == scorecard_hash
