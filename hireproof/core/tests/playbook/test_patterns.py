"""Regex rules: RE2 at upload and at scoring, the bounds on an item's rules, published versions."""

from __future__ import annotations

import re
import time

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from hireproof.core.audit import rescore_with_core
from hireproof.core.errors import AuditError, PlaybookError
from hireproof.core.playbook import (
    MAX_PATTERN_LENGTH,
    MAX_RULES_PER_ITEM,
    TextItem,
    load_playbook_text,
)
from hireproof.core.playbook.patterns import compiled_pattern, pattern_problem
from hireproof.core.scoring import evaluate_item, normalise

from .sample import load_sample, problems, sample_with

PLACE = "tiny.yaml:59:67: assessment.items[2].rule.all_of[1].any_of[1].regex: "
UNSUPPORTED = "the regular expression uses what RE2 does not support: "


def with_pattern(pattern: str) -> str:
    return sample_with('{regex: "wrong"}', f"{{regex: '{pattern}'}}")


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "(?=wrong)",
            UNSUPPORTED + "invalid perl operator: (?= (lookahead (?=...) is not supported)",
        ),
        (
            "(?!right)wrong",
            UNSUPPORTED + "invalid perl operator: (?! (negative lookahead "
            "(?!...) is not supported)",
        ),
        (
            "(?<=a )wrong",
            UNSUPPORTED + "invalid perl operator: (?<= (lookbehind (?<=...) is not supported)",
        ),
        (
            "(?<!not )wrong",
            UNSUPPORTED + "invalid perl operator: (?<! (negative lookbehind "
            "(?<!...) is not supported)",
        ),
        (
            "(wr)ong \\1",
            UNSUPPORTED + "invalid escape sequence: \\1 (backreferences are not supported)",
        ),
        (
            "(?P<w>wrong) (?P=w)",
            UNSUPPORTED + "invalid perl operator: (?P (backreferences (?P=name) are not supported)",
        ),
        (
            "(?>wrong)",
            UNSUPPORTED + "invalid perl operator: (?> (atomic groups (?>...) are not supported)",
        ),
        (
            "(w)?(?(1)rong|x)",
            UNSUPPORTED + "invalid perl operator: (?( (conditional groups are not supported)",
        ),
        (
            "(?#c)wrong",
            UNSUPPORTED + "invalid perl operator: (?# (comments (?#...) are not supported)",
        ),
        (
            "wrong\\Z",
            UNSUPPORTED + "invalid escape sequence: \\Z (\\Z is not supported: write "
            "$ (a normalised answer never ends in a newline))",
        ),
        (
            "\\u0077rong",
            UNSUPPORTED + "invalid escape sequence: \\u (\\uXXXX is not supported: "
            "write the character itself)",
        ),
        (
            "\\U00000077rong",
            UNSUPPORTED + "invalid escape sequence: \\U (\\UXXXXXXXX is not "
            "supported: write the character itself)",
        ),
        (
            "\\N{LATIN SMALL LETTER W}rong",
            UNSUPPORTED + "invalid escape sequence: \\N (\\N{...} "
            "is not supported: write the character itself)",
        ),
        (
            "wro*+ng",
            UNSUPPORTED + "bad repetition operator: *+ (possessive quantifiers are not supported)",
        ),
        (
            "(?x)wrong",
            UNSUPPORTED + "invalid perl operator: (?x (of the inline flags only m and "
            "s are supported)",
        ),
        ("wr{1001}ong", UNSUPPORTED + "invalid repetition size: {1001}"),
        (
            "\\bwrong",
            "\\b is a Unicode word boundary in Python's re but an ASCII one in RE2: use "
            "contains_phrase for whole words, or write the boundary out, e.g. (?:^|[^a-z0-9_])",
        ),
        ("[\\d]", "\\d is any Unicode digit in Python's re but only 0-9 in RE2: write [0-9]"),
        (
            "wrong\\w",
            "\\w is any Unicode letter or digit in Python's re but only [0-9A-Za-z_] "
            "in RE2: write [a-z0-9_] (or list the letters)",
        ),
        (
            "[[:alpha:]]",
            "'[' inside a character class: RE2 reads [:name:] as a POSIX class, "
            "Python's re as characters; write \\[ for the character",
        ),
        ("wrong{,3}", "{,n}: Python's re reads it as {0,n}, RE2 as the characters; write {0,n}"),
        (
            "(?i)Wrong",
            "the i flag: answers are already case-folded, and the engines fold a few "
            "letters differently; write the pattern in lower case",
        ),
        (
            "wr[o",
            "the regular expression does not compile: unterminated character set at position 2",
        ),
    ],
)
def test_an_upload_is_refused_for_a_pattern_re2_cannot_read_as_python_did(
    pattern: str, message: str
) -> None:
    # Each refusal names the file, the item and the rule, and says what to write instead.
    assert problems(with_pattern(pattern)) == [PLACE + message]


@pytest.mark.parametrize(
    "pattern",
    ["[]w]rong", "[^]x]rong", "wr\\{,o", "(?s:w)rong", "(?m)^wrong$", "\\\\w?wrong", "[{,]?wrong"],
)
def test_patterns_both_engines_read_alike_are_accepted(pattern: str) -> None:
    assert pattern_problem(pattern) == ""
    assert load_sample(with_pattern(pattern)).assessment.items[2].id == "outlier"


def test_a_pattern_longer_than_the_bound_is_refused() -> None:
    pattern = "a" * (MAX_PATTERN_LENGTH + 1)
    assert problems(with_pattern(pattern)) == [
        PLACE + f"the pattern is {MAX_PATTERN_LENGTH + 1} characters long; at most "
        f"{MAX_PATTERN_LENGTH} are allowed (split it into several rules under any_of or all_of)"
    ]
    longest = "(?:)" * (MAX_PATTERN_LENGTH // 4)  # long, but an empty program
    assert len(longest) == MAX_PATTERN_LENGTH
    assert pattern_problem(longest) == ""


def many_rules(count: int) -> str:
    # all_of itself is one rule, so ``count - 1`` phrases under it make ``count`` rules.
    phrases = ", ".join(f'{{contains_phrase: ["w{n}"]}}' for n in range(count - 1))
    return sample_with('{regex: "wrong"}', "{none_of: [" + phrases + "]}")


def test_an_item_may_hold_at_most_the_bound_of_rules() -> None:
    # The sample's item holds 6 rules besides the one replaced.
    assert problems(many_rules(MAX_RULES_PER_ITEM - 6 + 1)) == [
        f"tiny.yaml:57:9: assessment.items[2].rule: the item has {MAX_RULES_PER_ITEM + 1} rules "
        f"(all_of, any_of and none_of included); at most {MAX_RULES_PER_ITEM} are allowed"
    ]
    text = many_rules(MAX_RULES_PER_ITEM - 6)
    assert load_sample(text).assessment.items[2].id == "outlier"
    load_playbook_text(many_rules(MAX_RULES_PER_ITEM + 10), "tiny.yaml", published=True)


# --- versions published before RE2 -------------------------------------------------------------

LEGACY = with_pattern("\\bwrong\\b")


def test_a_published_version_with_a_python_pattern_still_loads_and_scores_as_it_did() -> None:
    with pytest.raises(PlaybookError):
        load_sample(LEGACY)
    playbook = load_playbook_text(LEGACY, "tiny.yaml", published=True)
    item = playbook.assessment.items[2]
    assert isinstance(item, TextItem)
    # Python's \b is a Unicode boundary: "wrongé" holds no whole word "wrong" there, while
    # RE2's ASCII \b would find one. The published version keeps Python's reading.
    assert re2.search(r"\bwrong\b", "99 is wrongé") is not None
    assert evaluate_item(item, "99 is wrongé").points == 0
    assert evaluate_item(item, "99 is wrong").points == 2
    # And its content, so its hash, is what it was.
    assert playbook.hash == load_playbook_text(LEGACY, "other.yaml", published=True).hash


def test_a_published_version_still_refuses_a_pattern_python_cannot_read() -> None:
    with pytest.raises(PlaybookError) as refused:
        load_playbook_text(with_pattern("wr[o"), "tiny.yaml", published=True)
    assert [str(problem) for problem in refused.value.problems] == [
        PLACE + "the regular expression does not compile: unterminated character set at position 2"
    ]


def test_a_published_alias_to_nothing_is_still_an_error() -> None:
    text = sample_with("  level: Junior\n", "  level: *job\n")
    with pytest.raises(PlaybookError) as refused:
        load_playbook_text(text, "tiny.yaml", published=True)
    assert [str(problem) for problem in refused.value.problems] == [
        "tiny.yaml:7:10: not valid YAML: found undefined alias 'job'"
    ]


# --- scoring time -----------------------------------------------------------------------------


def test_a_catastrophic_pattern_scores_a_long_answer_at_once() -> None:
    # ^(a+)+$ takes Python's re about 2**n steps on n a's and a b; RE2 takes one pass.
    pattern = "^(a+)+$"
    assert pattern_problem(pattern) == ""
    answer = "a" * 9_999 + "b"
    started = time.perf_counter()
    result = evaluate_item(
        load_sample(with_pattern(pattern)).assessment.items[2], "99 outlier " + answer
    )
    elapsed = time.perf_counter() - started
    assert result.points == 2  # the any_of passes on "outlier"; the pattern did not match
    assert compiled_pattern(pattern).search(answer) is None
    assert compiled_pattern(pattern).search("a" * 10_000) is not None
    assert elapsed < 1.0  # measured: about a millisecond (bench/regex.py prints it)


# --- the two engines agree on what is accepted ------------------------------------------------

PIECES = st.sampled_from(
    [
        "a",
        "b",
        "é",
        " ",
        "1",
        ".",
        "a*",
        "b+",
        "(a|b)",
        "[ab]",
        "[^a]",
        "a?",
        "(?:ab)*?",
        "$",
        "^",
        "\\s",
        "\\S",
        "[0-9]",
        "x{1,3}",
        "\\.",
        "(a+)+",
        "|",
        "\\A",
        "[é-ü]",
        "a{2,}",
    ]
)
TEXT = st.text(alphabet="abé 1.xü", max_size=20)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, min_size=1, max_size=6), answer=TEXT)
def test_re2_finds_the_match_python_re_finds_for_every_accepted_pattern(
    pieces: list[str], answer: str
) -> None:
    pattern = "".join(pieces)
    if pattern_problem(pattern):
        return
    text = normalise(answer).text
    expected = re.search(pattern, text)
    found = compiled_pattern(pattern).search(text)
    spans = [(m.start(), m.end()) if m is not None else None for m in (found, expected)]
    assert spans[0] == spans[1], pattern


def test_only_patterns_outside_the_dialect_go_to_python() -> None:
    assert isinstance(compiled_pattern("\\bwrong\\b"), re.Pattern)
    assert not isinstance(compiled_pattern("wrong"), re.Pattern)


def test_the_verifier_does_not_run_a_published_pattern_outside_re2() -> None:
    # The app scores it with Python's backtracking re; the verifier reads a bundle anyone may
    # have written, and runs RE2 alone (core/tests/audit/test_rescore.py).
    with pytest.raises(AuditError, match="The verifier runs only the regular expressions"):
        rescore_with_core(LEGACY, "tiny.yaml", {"outlier": "99 is wrongé"})
