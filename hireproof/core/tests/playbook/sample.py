"""A small valid playbook that the tests change one line at a time to make each kind of error."""

from __future__ import annotations

from hireproof.core.errors import PlaybookError
from hireproof.core.playbook import Playbook, load_playbook_text

SAMPLE = """\
id: tiny
version: "1.0.0"
title: Tiny playbook
role:
  title: Analyst
  department: Data
  level: Junior
  summary: A small playbook for tests.
  overview: Looks at numbers.
  responsibilities:
    - {title: Analysis, description: Analyse data.}
  skills:
    soft: [{name: Communication, description: Explains clearly.}]
    attitude: [{name: Curiosity, description: Asks why.}]
    technical: [{name: SQL, description: Writes queries.}]
  tools:
    - {name: Python, description: pandas and friends.}
  when_to_use: When numbers matter.
assessment:
  title: Test
  time_limit_minutes: 10
  instructions: Answer every question.
  notice: Some answers disqualify.
  sections:
    - {id: maths, title: Maths, weight: 1}
    - {id: judgment, title: Judgment, weight: 2, description: Choices.}
  items:
    - id: sum
      kind: numeric
      section: maths
      prompt: What is 2 + 2?
      answer_key: "4"
      grading: 1 point for 4.
      key: 4
      examples: {accept: ["4"], reject: ["5"]}
    - id: choice
      kind: single_choice
      section: judgment
      prompt: Pick one.
      answer_key: B
      grading: 1 point for B.
      rationale: Honesty.
      audit_note: A disqualifies.
      options:
        - {id: A, text: Lie., red_flag: {severity: critical, reason: Dishonest.}}
        - {id: B, text: Tell the truth.}
      correct: B
      examples: {accept: ["B"], reject: ["A"]}
    - id: outlier
      kind: text
      section: maths
      points: 2
      prompt: Which is the outlier in 1, 2, 99?
      answer_key: "99"
      grading: 2 points for 99 named as an outlier or error.
      rule:
        all_of:
          - contains_number: {value: 99, tolerance: {kind: relative, value: 0.01}}
          - any_of: [{contains_phrase: [outlier, error]}, {regex: "wrong"}]
          - none_of: [{contains_phrase: ["not"]}]
      examples: {accept: ["99 is an outlier"], reject: ["99 is not an outlier"]}
interview:
  scale:
    - {value: 1, label: "no"}
    - {value: 2, label: "yes"}
  questions:
    - id: story
      competency: Communication
      text: Tell us a story.
      look_for: [A clear story]
      strong_answer: Clear.
      weak_answer: Vague.
      red_flags: [{id: rude, text: Is rude.}]
decision:
  bands:
    - {verdict: strong_pass, min_percent: 80}
    - {verdict: fail, min_percent: 0}
  red_flags: {critical: Disqualifies., warning: Reviewed.}
  test_weight: 0.4
  interview_weight: 0.6
  hire_min_combined: 75
  no_hire_below_combined: 60
  summary: Numbers decide.
"""


def sample_with(old: str, new: str) -> str:
    """The sample with the one occurrence of ``old`` replaced by ``new``."""
    assert SAMPLE.count(old) == 1, f"{old!r} must occur exactly once in the sample"
    return SAMPLE.replace(old, new)


def load_sample(text: str = SAMPLE) -> Playbook:
    """Load sample text as ``tiny.yaml``."""
    return load_playbook_text(text, "tiny.yaml")


def problems(text: str) -> list[str]:
    """Every problem the loader reports for ``text``, as printed."""
    try:
        load_sample(text)
    except PlaybookError as error:
        return [str(problem) for problem in error.problems]
    raise AssertionError("the playbook loaded; a problem was expected")
