"""Every kind of problem in a playbook file is reported with its file, line, column and path."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from hireproof.core.errors import PlaybookError
from hireproof.core.playbook import load_builtin, load_playbook, load_playbook_text
from hireproof.core.playbook.loader import MAX_ALIAS_EXPANSION

from .sample import SAMPLE, load_sample, problems, sample_with

# (what is wrong, text replaced in the sample, replacement, every problem reported)
CASES = [
    (
        "a number written in words",
        "key: 4\n",
        "key: seventy\n",
        ['tiny.yaml:34:12: assessment.items[0].key: expected a number, got "seventy"'],
    ),
    (
        "a number in a notation other than plain decimals",
        "key: 4\n",
        "key: 0x10\n",
        ["tiny.yaml:34:12: assessment.items[0].key: expected a number, got 0x10"],
    ),
    (
        "a number too large to be a key",
        "key: 4\n",
        "key: 1e15\n",
        [
            "tiny.yaml:34:12: assessment.items[0].key: expected a number with at most 15 digits "
            "before the point and 12 after it, got 1e15"
        ],
    ),
    (
        "a number more precise than a key needs",
        "key: 4\n",
        "key: 0.0000000000001\n",
        [
            "tiny.yaml:34:12: assessment.items[0].key: expected a number with at most 15 digits "
            "before the point and 12 after it, got 0.0000000000001"
        ],
    ),
    (
        "a band without a verdict",
        "    - {verdict: fail, min_percent: 0}",
        "    - {min_percent: 0}",
        ["tiny.yaml:77:7: decision.bands[1]: missing required field 'verdict'"],
    ),
    (
        "a misspelt field",
        "key: 4\n",
        "key: 4\n      tolerence: {kind: absolute, value: 0}\n",
        [
            "tiny.yaml:35:7: assessment.items[0]: unknown field 'tolerence' "
            "(did you mean 'tolerance'?)"
        ],
    ),
    (
        "an unknown field like no known one",
        "title: Tiny playbook\n",
        "title: Tiny playbook\nzzz: 1\n",
        ["tiny.yaml:4:1: unknown field 'zzz'"],
    ),
    (
        "a field given twice",
        "title: Tiny playbook\n",
        "title: Tiny playbook\ntitle: Again\n",
        ["tiny.yaml:4:1: duplicate field 'title' (first given on line 3)"],
    ),
    (
        "a missing required field",
        "  notice: Some answers disqualify.\n",
        "",
        ["tiny.yaml:20:3: assessment: missing required field 'notice'"],
    ),
    (
        "two items with one id",
        "    - id: choice\n",
        "    - id: sum\n",
        ["tiny.yaml:36:11: assessment.items[1].id: duplicate item id 'sum'"],
    ),
    (
        "two sections with one id",
        "{id: judgment, title: Judgment,",
        "{id: maths, title: Judgment,",
        [
            "tiny.yaml:26:12: assessment.sections[1].id: duplicate section id 'maths'",
            "tiny.yaml:38:16: assessment.items[1].section: unknown section 'judgment' "
            "(sections: maths)",
        ],
    ),
    (
        "two options whose ids differ only by case",
        "        - {id: B, text: Tell the truth.}",
        "        - {id: a, text: Tell the truth.}",
        [
            "tiny.yaml:46:16: assessment.items[1].options[1].id: duplicate option id 'a' "
            "(option ids ignore case)",
            "tiny.yaml:47:16: assessment.items[1].correct: 'B' is not one of the options (A, a)",
        ],
    ),
    (
        "two red flags of a question with one id",
        "      red_flags: [{id: rude, text: Is rude.}]",
        "      red_flags: [{id: rude, text: Is rude.}, {id: rude, text: Again.}]",
        ["tiny.yaml:73:52: interview.questions[0].red_flags[1].id: duplicate red flag id 'rude'"],
    ),
    (
        "an item in a section that does not exist",
        "      section: judgment\n",
        "      section: judgement\n",
        [
            "tiny.yaml:26:7: assessment.sections[1]: the section 'judgment' has no items",
            "tiny.yaml:38:16: assessment.items[1].section: unknown section 'judgement' "
            "(sections: maths, judgment)",
        ],
    ),
    (
        "a correct option that is not an option",
        "      correct: B\n",
        "      correct: E\n",
        ["tiny.yaml:47:16: assessment.items[1].correct: 'E' is not one of the options (A, B)"],
    ),
    (
        "a correct option that raises a red flag",
        "      correct: B\n",
        "      correct: A\n",
        ["tiny.yaml:47:16: assessment.items[1].correct: the correct option 'A' carries a red flag"],
    ),
    (
        "too few options",
        "        - {id: B, text: Tell the truth.}\n",
        "",
        [
            "tiny.yaml:45:9: assessment.items[1].options: must list at least 2",
            "tiny.yaml:46:16: assessment.items[1].correct: 'B' is not one of the options (A)",
        ],
    ),
    (
        "bands out of order",
        "    - {verdict: fail, min_percent: 0}",
        "    - {verdict: fail, min_percent: 90}",
        [
            "tiny.yaml:77:7: decision.bands[1]: the last band must start at 0, not 90",
            "tiny.yaml:77:36: decision.bands[1].min_percent: bands must be listed highest first: "
            "90 is not below 80",
        ],
    ),
    (
        "a last band above 0",
        "    - {verdict: fail, min_percent: 0}",
        "    - {verdict: fail, min_percent: 10}",
        ["tiny.yaml:77:7: decision.bands[1]: the last band must start at 0, not 10"],
    ),
    (
        "a band given twice",
        "    - {verdict: fail, min_percent: 0}",
        "    - {verdict: strong_pass, min_percent: 0}",
        ["tiny.yaml:77:17: decision.bands[1].verdict: the band 'strong_pass' is given twice"],
    ),
    (
        "a percent above 100",
        "{verdict: strong_pass, min_percent: 80}",
        "{verdict: strong_pass, min_percent: 180}",
        ["tiny.yaml:76:43: decision.bands[0].min_percent: must be at most 100, got 180"],
    ),
    (
        "a section weight of 0",
        "{id: maths, title: Maths, weight: 1}",
        "{id: maths, title: Maths, weight: 0}",
        ["tiny.yaml:25:41: assessment.sections[0].weight: must be more than 0, got 0"],
    ),
    (
        "negative points",
        "      points: 2\n",
        "      points: -1\n",
        ["tiny.yaml:52:15: assessment.items[2].points: must be more than 0, got -1"],
    ),
    (
        "test and interview weights that do not add up to 1",
        "  interview_weight: 0.6\n",
        "  interview_weight: 0.5\n",
        [
            "tiny.yaml:80:21: decision.interview_weight: test_weight + interview_weight must be 1, "
            "got 0.4 + 0.5 = 0.9"
        ],
    ),
    (
        "a no-hire threshold above the hire threshold",
        "  no_hire_below_combined: 60\n",
        "  no_hire_below_combined: 80\n",
        [
            "tiny.yaml:82:27: decision.no_hire_below_combined: must not be above "
            "hire_min_combined (75), got 80"
        ],
    ),
    (
        "a rating scale that is not ascending",
        '    - {value: 2, label: "yes"}',
        '    - {value: 1, label: "yes"}',
        ["tiny.yaml:65:15: interview.scale[1].value: the scale must be ascending: 1 comes after 1"],
    ),
    (
        "a regular expression that does not compile",
        '{regex: "wrong"}',
        '{regex: "(wrong"}',
        [
            "tiny.yaml:59:67: assessment.items[2].rule.all_of[1].any_of[1].regex: the regular "
            "expression does not compile: missing ), unterminated subpattern at position 0"
        ],
    ),
    (
        "a rule with two kinds",
        "    - contains_number: {value: 99, tolerance: {kind: relative, value: 0.01}}",
        "    - {contains_number: {value: 99}, regex: x}",
        [
            "tiny.yaml:58:13: assessment.items[2].rule.all_of[0]: a rule takes exactly one of "
            "contains_number, contains_phrase, regex, all_of, any_of, none_of; got 2"
        ],
    ),
    (
        "a rule with no kind",
        "    - contains_number: {value: 99, tolerance: {kind: relative, value: 0.01}}",
        "    - {}",
        [
            "tiny.yaml:58:13: assessment.items[2].rule.all_of[0]: a rule takes exactly one of "
            "contains_number, contains_phrase, regex, all_of, any_of, none_of; got 0"
        ],
    ),
    (
        "an unknown item kind",
        "      kind: numeric\n",
        "      kind: essay\n",
        [
            "tiny.yaml:29:13: assessment.items[0].kind: expected one of 'single_choice', "
            "'numeric', 'text', got \"essay\""
        ],
    ),
    (
        "an item without a kind",
        "      kind: numeric\n",
        "",
        [
            "tiny.yaml:28:7: assessment.items[0]: missing required field 'kind' "
            "(one of 'single_choice', 'numeric', 'text')"
        ],
    ),
    (
        "an item that is not a mapping",
        "    - id: sum\n",
        "    - 5\n    - id: sum\n",
        ["tiny.yaml:28:7: assessment.items[0]: expected a mapping of fields, got 5"],
    ),
    (
        "a fraction where a whole number goes",
        "  time_limit_minutes: 10\n",
        "  time_limit_minutes: 1.5\n",
        ["tiny.yaml:21:23: assessment.time_limit_minutes: expected a whole number, got 1.5"],
    ),
    (
        "a whole number under its minimum",
        "  time_limit_minutes: 10\n",
        "  time_limit_minutes: 0\n",
        ["tiny.yaml:21:23: assessment.time_limit_minutes: must be at least 1, got 0"],
    ),
    (
        "a time limit over a week",
        "  time_limit_minutes: 10\n",
        "  time_limit_minutes: 100000\n",
        ["tiny.yaml:21:23: assessment.time_limit_minutes: must be at most 10080, got 100000"],
    ),
    (
        "a negative time limit",
        "  time_limit_minutes: 10\n",
        "  time_limit_minutes: -5\n",
        ["tiny.yaml:21:23: assessment.time_limit_minutes: must be at least 1, got -5"],
    ),
    (
        "a whole number too long to be one",
        "  time_limit_minutes: 10\n",
        "  time_limit_minutes: 1000000000000000000000000000000\n",
        [
            "tiny.yaml:21:23: assessment.time_limit_minutes: expected a whole number of at most "
            "15 digits, got 1000000000000000000000000000000"
        ],
    ),
    (
        "a negative rating",
        '    - {value: 1, label: "no"}',
        '    - {value: -1, label: "no"}',
        ["tiny.yaml:64:15: interview.scale[0].value: must be at least 0, got -1"],
    ),
    (
        "a rating over 100",
        '    - {value: 2, label: "yes"}',
        '    - {value: 1000, label: "yes"}',
        ["tiny.yaml:65:15: interview.scale[1].value: must be at most 100, got 1000"],
    ),
    (
        "an unpaired surrogate in text",
        "  title: Analyst\n",
        '  title: "Analyst \\ud800"\n',
        [
            "tiny.yaml:5:10: role.title: holds an unpaired surrogate (an escape like \\ud800), "
            "not text"
        ],
    ),
    (
        "an unpaired surrogate in a field name",
        "  title: Analyst\n",
        '  title: Analyst\n  "\\ud800x": 1\n',
        ["tiny.yaml:6:3: role: unknown field '\\ud800x'"],
    ),
    (
        "rules nested too deeply",
        '          - none_of: [{contains_phrase: ["not"]}]',
        "          - none_of: ["
        + "{any_of: [" * 15
        + '{contains_phrase: ["not"]}'
        + "]}" * 15
        + "]",
        [
            "tiny.yaml:60:163: assessment.items[2].rule.all_of[2].none_of[0]"
            + ".any_of[0]" * 14
            + ": rules may nest at most 16 levels deep"
        ],
    ),
    (
        "a rule that holds an alias to itself",
        '          - none_of: [{contains_phrase: ["not"]}]',
        "          - &loop\n            none_of: [*loop]",
        [
            "tiny.yaml:60:13: YAML anchors and aliases are not allowed in a playbook (&loop): "
            "write the value out where it is used"
        ],
    ),
    (
        "a version that is not x.y.z",
        'version: "1.0.0"',
        "version: 1.0",
        ["tiny.yaml:2:10: version: expected a version like '1.0.0', got 1.0"],
    ),
    (
        "an id with capitals",
        "id: tiny\n",
        "id: Tiny\n",
        [
            "tiny.yaml:1:5: id: expected an id of lower-case letters, digits and hyphens, "
            "like 'sql-basics', got \"Tiny\""
        ],
    ),
    (
        "an option id with punctuation",
        "        - {id: B, text: Tell the truth.}",
        "        - {id: B!, text: Tell the truth.}",
        [
            "tiny.yaml:46:16: assessment.items[1].options[1].id: expected an option id of "
            "letters and digits, like 'B', got \"B!\"",
            "tiny.yaml:47:16: assessment.items[1].correct: 'B' is not one of the options (A, B!)",
        ],
    ),
    (
        "an unknown severity",
        "{severity: critical,",
        "{severity: fatal,",
        [
            "tiny.yaml:45:52: assessment.items[1].options[0].red_flag.severity: expected one of "
            "'critical', 'warning', got \"fatal\""
        ],
    ),
    (
        "an unknown tolerance kind and a negative tolerance",
        "{kind: relative, value: 0.01}",
        "{kind: percent, value: -0.01}",
        [
            "tiny.yaml:58:60: assessment.items[2].rule.all_of[0].contains_number.tolerance.kind: "
            "expected one of 'absolute', 'relative', got \"percent\"",
            "tiny.yaml:58:76: assessment.items[2].rule.all_of[0].contains_number.tolerance.value: "
            "must be at least 0, got -0.01",
        ],
    ),
    (
        "a list where text goes",
        "  title: Analyst\n",
        "  title: [Analyst]\n",
        ["tiny.yaml:5:10: role.title: expected text, got a list"],
    ),
    (
        "nothing where text goes",
        "  title: Analyst\n",
        "  title:\n",
        ["tiny.yaml:5:9: role.title: expected text, got nothing"],
    ),
    (
        "blank text",
        "  title: Analyst\n",
        "  title: '  '\n",
        ["tiny.yaml:5:10: role.title: must not be empty"],
    ),
    (
        "a mapping where a list goes",
        "    - {title: Analysis, description: Analyse data.}",
        "    {title: Analysis, description: Analyse data.}",
        ["tiny.yaml:11:5: role.responsibilities: expected a list, got a mapping"],
    ),
    (
        "field names that are not text",
        "  title: Analyst\n",
        "  title: Analyst\n  ? [a]\n  : 1\n  ~: 2\n",
        [
            "tiny.yaml:6:5: role: expected a field name, got a list",
            "tiny.yaml:8:3: role: expected a field name, got nothing",
        ],
    ),
    (
        "a number where a mapping goes",
        "role:\n",
        "role: 5\nrole_x:\n",
        [
            "tiny.yaml:4:7: role: expected a mapping of fields, got 5",
            "tiny.yaml:5:1: unknown field 'role_x' (did you mean 'role'?)",
        ],
    ),
    (
        "a tab",
        "  instructions: Answer every question.\n",
        "\tinstructions: Answer every question.\n",
        [
            "tiny.yaml:22:1: not valid YAML: found character '\\t' that cannot start any token "
            "(while scanning for the next token); indent with spaces, not tabs"
        ],
    ),
    (
        "a YAML syntax error",
        "  level: Junior\n",
        "  level: Junior: yes\n",
        ["tiny.yaml:7:16: not valid YAML: mapping values are not allowed here"],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_it_reports_each_problem_with_its_place(old: str, new: str, expected: list[str]) -> None:
    assert problems(sample_with(old, new)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["tiny.yaml: the file holds no playbook (it is empty)"]),
        ("- a\n- b\n", ["tiny.yaml:1:1: expected a mapping of fields, got a list"]),
        (
            "a: 1\n---\nb: 2\n",
            [
                "tiny.yaml:2:1: not valid YAML: but found another document "
                "(expected a single document in the stream)"
            ],
        ),
        (
            "a: 1\nb: c\x07\n",
            [
                "tiny.yaml:2:5: not valid YAML: unacceptable character #x0007: "
                "special characters are not allowed"
            ],
        ),
        (
            "a: " + "[" * 3000 + "]" * 3000,
            ["tiny.yaml: lists and mappings are nested too deeply to be a playbook"],
        ),
        (
            "a: [1,\n",
            [
                "tiny.yaml:2:1: not valid YAML: expected the node content, but found "
                "'<stream end>' (while parsing a flow node)"
            ],
        ),
    ],
    ids=[
        "empty",
        "a list",
        "two documents",
        "a control character",
        "nesting too deep to read",
        "unclosed bracket",
    ],
)
def test_it_reports_text_that_is_not_a_playbook(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_it_collects_every_problem_in_file_order() -> None:
    text = sample_with("key: 4\n", "key: seventy\n      tolerence: 1\n").replace(
        "  time_limit_minutes: 10\n", "  time_limit_minutes: ten\n"
    )
    assert problems(text) == [
        'tiny.yaml:21:23: assessment.time_limit_minutes: expected a whole number, got "ten"',
        'tiny.yaml:34:12: assessment.items[0].key: expected a number, got "seventy"',
        "tiny.yaml:35:7: assessment.items[0]: unknown field 'tolerence' "
        "(did you mean 'tolerance'?)",
    ]


def test_it_lists_every_missing_field_of_an_empty_mapping() -> None:
    assert problems("{}") == [
        "tiny.yaml:1:1: missing required field 'id'",
        "tiny.yaml:1:1: missing required field 'version'",
        "tiny.yaml:1:1: missing required field 'title'",
        "tiny.yaml:1:1: missing required field 'role'",
        "tiny.yaml:1:1: missing required field 'assessment'",
        "tiny.yaml:1:1: missing required field 'interview'",
        "tiny.yaml:1:1: missing required field 'decision'",
    ]


def test_it_refuses_a_rubric_that_disagrees_with_its_examples() -> None:
    text = sample_with(
        'examples: {accept: ["4"], reject: ["5"]}',
        'examples: {accept: ["4", "5"], reject: ["5", "4.0"]}',
    )
    assert problems(text) == [
        "tiny.yaml:35:32: assessment.items[0].examples.accept[1]: the rubric of item 'sum' "
        'gives "5" 0 points (incorrect) but the example says it must be accepted',
        "tiny.yaml:35:52: assessment.items[0].examples.reject[1]: the rubric of item 'sum' "
        'gives "4.0" 1 point (correct) but the example says it must be rejected',
    ]


def test_it_refuses_a_partly_accepted_example() -> None:
    text = sample_with(
        'examples: {accept: ["99 is an outlier"]', 'examples: {accept: ["99 is an outlier", "99"]'
    )
    assert problems(text) == [
        "tiny.yaml:61:47: assessment.items[2].examples.accept[1]: the rubric of item 'outlier' "
        'gives "99" 0 points (incorrect) but the example says it must be accepted'
    ]


def test_it_runs_no_examples_while_the_rubric_itself_is_wrong() -> None:
    text = sample_with('reject: ["5"]', 'reject: ["4"]').replace("key: 4\n", "key: four\n")
    assert problems(text) == [
        'tiny.yaml:34:12: assessment.items[0].key: expected a number, got "four"'
    ]


def test_it_names_an_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(PlaybookError) as raised:
        load_playbook(missing)
    assert str(raised.value) == f"{missing}: cannot read the file: No such file or directory"


def test_it_names_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Café".encode("latin-1"))
    with pytest.raises(PlaybookError) as raised:
        load_playbook(latin)
    assert str(raised.value) == f"{latin}: cannot read the file: it is not UTF-8 text"


def test_it_loads_a_file_and_names_it_in_problems(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    assert load_playbook(path).id == "tiny"
    path.write_text(SAMPLE.replace("id: tiny", "id: Tiny"), encoding="utf-8")
    with pytest.raises(PlaybookError) as raised:
        load_playbook(str(path))
    assert [problem.file for problem in raised.value.problems] == [str(path)]


def test_it_refuses_an_unknown_builtin() -> None:
    with pytest.raises(PlaybookError) as raised:
        load_builtin("nope")
    assert str(raised.value) == (
        "nope: no built-in playbook by this name "
        "(built-ins: data-scientist-mid, data-scientist-mid-weighted)"
    )


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict | list):
        entries = value.items() if isinstance(value, dict) else enumerate(value)
        for key, entry in entries:
            found += _paths(entry, (*path, key))
    return found


ODD_VALUES: list[Any] = [None, "", [], {}, 5, "x", -1, ["x"], {"a": 1}, True, "1e999999"]
SAMPLE_PATHS = _paths(yaml.safe_load(SAMPLE))


@pytest.mark.parametrize("delete", [True, False], ids=["deleted", "odd value"])
def test_it_reports_rather_than_crashes_whatever_a_field_holds(delete: bool) -> None:
    for index, path in enumerate(SAMPLE_PATHS):
        document = yaml.safe_load(SAMPLE)
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if delete:
            del parent[path[-1]]
        else:
            parent[path[-1]] = ODD_VALUES[index % len(ODD_VALUES)]
        # Loading may succeed (an optional field) or raise PlaybookError; anything else fails.
        with contextlib.suppress(PlaybookError):
            load_sample(yaml.safe_dump(document))


def test_it_refuses_an_alias_that_repeats_a_mapping() -> None:
    # Aliases of lists and mappings are how a small file expands to billions of rules.
    text = sample_with(
        "    attitude: [{name: Curiosity, description: Asks why.}]", "    attitude: [*skill]"
    ).replace("    soft: [{name", "    soft: [&skill {name")
    assert problems(text) == [
        "tiny.yaml:13:12: YAML anchors and aliases are not allowed in a playbook (&skill): "
        "write the value out where it is used"
    ]
    with pytest.raises(PlaybookError) as refused:
        load_playbook_text(text, "tiny.yaml", published=True)
    assert [str(problem) for problem in refused.value.problems] == [
        "tiny.yaml:14:16: the alias *skill repeats a whole list or mapping; write its content "
        "out (an alias may only repeat a single value)"
    ]


SINGLE_VALUE_ALIAS = sample_with("  title: Analyst\n", "  title: &job Analyst\n").replace(
    "  level: Junior\n", "  level: *job\n"
)


def test_it_refuses_an_alias_of_a_single_value_in_an_upload() -> None:
    assert problems(SINGLE_VALUE_ALIAS) == [
        "tiny.yaml:5:10: YAML anchors and aliases are not allowed in a playbook (&job): "
        "write the value out where it is used"
    ]


def test_it_refuses_an_alias_without_its_anchor() -> None:
    # Not valid YAML for the composer either, but the alias is refused first, at its place.
    text = sample_with("  level: Junior\n", "  level: *job\n")
    assert problems(text) == [
        "tiny.yaml:7:10: YAML aliases are not allowed in a playbook (*job): "
        "write the value out where it is used"
    ]


def test_a_published_version_keeps_its_aliases_of_single_values() -> None:
    # Published before aliases were refused: the stored text still loads, to the same content.
    loaded = load_playbook_text(SINGLE_VALUE_ALIAS, "tiny.yaml", published=True)
    assert loaded.role.level == "Analyst"
    assert loaded.hash == load_sample(SAMPLE.replace("level: Junior", "level: Analyst")).hash


def test_a_published_version_may_not_expand_past_the_bound() -> None:
    anchored = "x" * 100_000
    text = sample_with("  title: Analyst\n", f"  title: &big {anchored}\n").replace(
        "  overview: Looks at numbers.\n",
        "  overview: Looks at numbers.\n  when_to_use: [" + ", ".join(["*big"] * 11) + "]\n",
    )
    with pytest.raises(PlaybookError) as refused:
        load_playbook_text(text, "tiny.yaml", published=True)
    assert [str(problem) for problem in refused.value.problems] == [
        f"tiny.yaml:10:{17 + 6 * 10}: the aliases repeat more than {MAX_ALIAS_EXPANSION:,} "
        "characters in all; write the values out"
    ]


def test_the_billion_laughs_file_is_refused_fast_and_never_expanded() -> None:
    # The 138 kB file of the report: a 100 kB scalar, anchored, referenced 1,000 times.
    anchored, name = "ha" * 50_000, "laughing-all-the-way-to-the-limit"
    text = sample_with("  title: Analyst\n", f"  title: &{name} {anchored}\n").replace(
        "  overview: Looks at numbers.\n",
        "  overview: Looks at numbers.\n  when_to_use: [" + ", ".join([f"*{name}"] * 1000) + "]\n",
    )
    assert 130_000 < len(text.encode()) < 140_000
    started = time.perf_counter()
    assert problems(text) == [
        f"tiny.yaml:5:10: YAML anchors and aliases are not allowed in a playbook (&{name}): "
        "write the value out where it is used"
    ]
    assert time.perf_counter() - started < 1.0  # refused at the anchor (measured: milliseconds)


@pytest.mark.parametrize(
    ("pattern", "character", "instead"),
    [
        ("Wrong", "W", "w"),
        ("[A-Z]+ wrong", "A", "a"),
        ("stra\u00dfe", "\u00df", "ss"),
        ("\uff57rong", "\uff57", "w"),
    ],
    ids=["a capital", "a capital range", "a letter that folds to two", "a full-width letter"],
)
def test_it_refuses_a_pattern_that_could_never_match_a_normalised_answer(
    pattern: str, character: str, instead: str
) -> None:
    text = sample_with('{regex: "wrong"}', f'{{regex: "{pattern}"}}')
    assert problems(text) == [
        "tiny.yaml:59:67: assessment.items[2].rule.all_of[1].any_of[1].regex: answers are "
        f"matched after Unicode NFKC normalisation and case folding, so {character!r} in the "
        f"pattern can never match; write {instead!r}"
    ]


@pytest.mark.parametrize(
    "pattern",
    ["\\\\S\\\\A wrong", "(?P<Word>wrong)", "\\\\x77rong", "[\\\\S]rong", "(?-i:wrong)"],
)
def test_it_accepts_patterns_whose_capitals_are_not_letters_to_match(pattern: str) -> None:
    text = sample_with('{regex: "wrong"}', f'{{regex: "{pattern}"}}')
    assert load_sample(text).assessment.items[2].id == "outlier"


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("!!binary R3VpZGU=", "!!binary"),
        ("!custom Analyst", "!custom"),
        ("!!python/object:os.system Analyst", "!!python/object:os.system"),
        ("!!str Analyst", "!!str"),
        ("! Analyst", "!"),
    ],
)
def test_it_refuses_an_explicit_tag_on_a_value_with_its_place(written: str, shown: str) -> None:
    # Another YAML reader would build something else from a tagged value (b"Guide" from the
    # binary one) than this loader, which reads the text as written.
    text = sample_with("  title: Analyst\n", f"  title: {written}\n")
    assert problems(text) == [
        f"tiny.yaml:5:10: YAML tags are not allowed in a playbook ({shown}): write the "
        "value plainly, without a tag"
    ]


def test_it_refuses_an_explicit_tag_on_a_list_or_a_mapping() -> None:
    text = sample_with("  title: Analyst\n", "  title: Analyst\n  when_to_use: !!seq [a]\n")
    assert problems(text) == [
        "tiny.yaml:6:16: YAML tags are not allowed in a playbook (!!seq): write the value "
        "plainly, without a tag"
    ]
    tagged_root = "--- !playbook\n" + SAMPLE
    assert problems(tagged_root) == [
        "tiny.yaml:1:5: YAML tags are not allowed in a playbook (!playbook): write the value "
        "plainly, without a tag"
    ]


def test_a_published_version_keeps_reading_its_tags_as_written() -> None:
    # Published before tags were refused: the stored text loads as it did, the tag ignored.
    text = sample_with("  title: Analyst\n", "  title: !!str Analyst\n")
    assert load_playbook_text(text, "tiny.yaml", published=True).hash == load_sample(SAMPLE).hash
