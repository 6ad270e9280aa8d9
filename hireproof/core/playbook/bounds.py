"""What one uploaded playbook may ask of the scorer, and what one answer may hold.

Scoring a submission runs every rule of an item on its answer; checking a playbook at upload
runs every rule on its rubric examples. Each bound below caps one factor of that work, so the
work of the worst playbook an upload can hold, on the longest answers, is bounded and measured
(``bench/regex.py`` prints it). A version published before a bound existed still loads and
scores as it did (``load_playbook_text(..., published=True)``): scores never change.
"""

from __future__ import annotations

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
]

# An answer, as the candidate typed it and once normalised (NFKC and case folding spell out
# ligatures and letters like "ß": one character can become eighteen), and each rubric example.
MAX_ANSWER_CHARS = 10_000

# A pattern is a few words with some alternatives; 500 characters is ten times what the rubrics
# we know use.
MAX_PATTERN_LENGTH = 500
# The size of a pattern's RE2 program, in instructions, forward and reversed. RE2's time is
# linear in the answer, but its factor is the program: on an answer that makes every character
# a new automaton state (a[ab]{100}c on random a's and b's), each character costs a step per
# instruction alive. bench/regex.py measures the worst patterns of this size (about 15 ms on a
# 10,000-character answer); rubrics' patterns are 10 to 60 instructions. "." is any character
# in UTF-8, about nine instructions per repetition (".{0,15}" is 140); "[a-z ]" is one.
MAX_PROGRAM_SIZE = 150
# Regex rules in one playbook: a submission runs each on its item's answer.
MAX_REGEX_RULES = 100

# contains_phrase: each phrase is searched as whole words, one after the other (Python's re, as
# when the rule was first scored), in the order written.
MAX_PHRASES_PER_RULE = 50
MAX_PHRASES = 500
MAX_PHRASE_LENGTH = 100

# Numeric items and contains_number rules of one playbook, in all: each reads every number of
# its answer and its scorecard line lists those it found (a 10,000-character answer holds up to
# 5,000 numbers: about 300 kB of scorecard and 50 ms of scoring each).
MAX_NUMBER_RULES = 50

# Every rule of a text item (all_of, any_of, none_of included) is checked on every answer; 50
# is several times a thorough rubric.
MAX_RULES_PER_ITEM = 50
# Items of one assessment: a submission scores one answer per item, and an attempt stores one.
MAX_ITEMS = 100
# The rubric examples of one playbook, in characters in all: each is scored at upload (and at
# every load of the version) with its item's rules; two answers of the longest length.
MAX_EXAMPLE_CHARS = 2 * MAX_ANSWER_CHARS
