"""The regular expressions of ``regex`` rules: RE2, which matches in time linear in the answer.

A pattern is written in the part of regular-expression syntax that Python's ``re`` and RE2
both read, and read the same way on a normalised answer (NFKC, case-folded, one space between
words, never a newline; see ``hireproof.core.scoring.normalise``). On such text ``$``, ``\\Z``,
``.``, ``\\s`` and the ``m`` and ``s`` flags mean the same in both engines. What they read
differently is refused when a playbook is uploaded (``pattern_problem``), and so is what RE2
cannot do at all (lookarounds, backreferences, atomic groups, possessive quantifiers: the
constructs that make a backtracking engine take exponential time).

RE2's time is linear in the answer, with a factor that grows with the compiled program, so an
upload is also refused for a pattern whose program is larger than ``MAX_PROGRAM_SIZE``
instructions. Patterns are compiled without capture groups (scoring reads only where the match
starts and ends, which groups never change; RE2 then never runs a second pass to fill them in)
and with a DFA memory budget of ``_SCORING_MEMORY``: when an answer makes RE2's automaton
outgrow it, RE2 goes on with its NFA, in time bounded by program times answer, and keeps little
memory per cached pattern.

Versions published before patterns were checked this way may hold a pattern outside that part.
Their scores never change: ``compiled_pattern`` gives such a pattern (and only such a pattern,
which can no longer be uploaded) to Python's ``re``, exactly as it was scored when published;
every other pattern goes to RE2, which finds the same match ``re`` would, whatever its size.
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import Protocol

import re2

from .bounds import MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE

__all__ = [
    "PatternMatch",
    "PatternMatcher",
    "compiled_pattern",
    "legacy_pattern_problem",
    "pattern_problem",
    "program_size",
]


class PatternMatch(Protocol):
    """What scoring reads of a match: where it starts and ends in the searched text."""

    def start(self) -> int: ...

    def end(self) -> int: ...


class PatternMatcher(Protocol):
    """A compiled pattern: ``search`` finds the leftmost match, as ``re.search`` does."""

    def search(self, text: str) -> PatternMatch | None: ...


def pattern_problem(pattern: str) -> str:
    """Why ``pattern`` cannot be used in a playbook uploaded now, in words; ``""`` if it can."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return (
            f"the pattern is {len(pattern)} characters long; at most {MAX_PATTERN_LENGTH} "
            "are allowed (split it into several rules under any_of or all_of)"
        )
    not_python = legacy_pattern_problem(pattern)
    if not_python:
        return not_python
    unsupported = _re2_error(pattern)
    if unsupported:
        return f"the regular expression uses what RE2 does not support: {unsupported}"
    differently = _read_differently(pattern)
    if differently:
        return differently
    size = program_size(pattern)
    if size > MAX_PROGRAM_SIZE:
        return (
            f"the pattern compiles to {size:,} RE2 instructions; at most {MAX_PROGRAM_SIZE} are "
            'allowed, since scoring time grows with them ("." and classes of non-ASCII '
            "characters cost about nine instructions per repetition, an ASCII class such as "
            "[a-z ] one: shorten counted repetitions like {0,40}, or split the pattern into "
            "several rules)"
        )
    return ""


def program_size(pattern: str) -> int:
    """The size of ``pattern``'s RE2 program as scoring compiles it, forward or reversed (the
    larger): what an upload bounds. ``pattern`` must compile in RE2."""
    compiled = re2.compile(pattern, _UNBOUNDED)
    sizes: tuple[int, int] = (compiled.programsize, compiled.reverseprogramsize)
    return max(sizes)


def legacy_pattern_problem(pattern: str) -> str:
    """Why ``pattern`` cannot be read at all (what was checked before RE2), or ``""``.

    For the text of a version already published, which is loaded as it was published.
    """
    try:
        _python(pattern)
    except re.error as error:
        return f"the regular expression does not compile: {error.msg} at position {error.pos}"
    return ""


def compiled_pattern(pattern: str) -> PatternMatcher:
    """``pattern`` compiled for scoring: by RE2, or by ``re`` for a pattern RE2 cannot read the
    same way (only found in versions published before patterns were checked for RE2)."""
    return _compiled(pattern)


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> PatternMatcher:
    if _re2_error(pattern) or _read_differently(pattern):
        return _python(pattern)
    matcher: PatternMatcher
    try:
        matcher = re2.compile(pattern, _SCORING)
    except re2.error:
        # Too large for the scoring budget: only a version published before programs were
        # bounded holds such a pattern; RE2 finds the same match with its default budget.
        matcher = re2.compile(pattern, _UNBOUNDED)
    return matcher


def _python(pattern: str) -> re.Pattern[str]:
    with warnings.catch_warnings():  # "possible nested set": such a pattern is refused in words
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(pattern)


def _options(*, scoring: bool = False, memory: int = 0) -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported to the uploader, not to stderr
    options.never_capture = scoring  # only the match's start and end are read
    if memory:
        options.max_mem = memory
    return options


# RE2's memory for one compiled pattern: its program and its automata's states. The default
# (8 MiB) decides which patterns RE2 reads at all, as it did when every version was published;
# scoring runs with a smaller budget, which bounded programs fit hundreds of times over.
_SCORING_MEMORY = 1 << 20
_OPTIONS = _options()
_SCORING = _options(scoring=True, memory=_SCORING_MEMORY)
_UNBOUNDED = _options(scoring=True)

# RE2's words for what it refuses -> what to write instead.
_RE2_HINTS = (
    ("(?=", "lookahead (?=...) is not supported"),
    ("(?!", "negative lookahead (?!...) is not supported"),
    ("(?<=", "lookbehind (?<=...) is not supported"),
    ("(?<!", "negative lookbehind (?<!...) is not supported"),
    ("(?>", "atomic groups (?>...) are not supported"),
    ("(?P", "backreferences (?P=name) are not supported"),
    ("(?(", "conditional groups are not supported"),
    ("(?#", "comments (?#...) are not supported"),
    ("\\Z", "\\Z is not supported: write $ (a normalised answer never ends in a newline)"),
    ("\\u", "\\uXXXX is not supported: write the character itself"),
    ("\\U", "\\UXXXXXXXX is not supported: write the character itself"),
    ("\\N", "\\N{...} is not supported: write the character itself"),
    ("*+", "possessive quantifiers are not supported"),
    ("++", "possessive quantifiers are not supported"),
    ("?+", "possessive quantifiers are not supported"),
    ("}+", "possessive quantifiers are not supported"),
)
_BACKREFERENCE = re.compile(r"invalid escape sequence: \\[1-9]")
_FLAG = re.compile(r"invalid perl operator: \(\?[aiLmsux-]")


def _re2_error(pattern: str) -> str:
    """RE2's reason for refusing ``pattern``, with what to do instead; ``""`` if it compiles."""
    try:
        re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0].decode() if isinstance(error.args[0], bytes) else str(error)
        return _with_hint(reason)
    return ""


def _with_hint(reason: str) -> str:
    if _BACKREFERENCE.search(reason):
        return f"{reason} (backreferences are not supported)"
    if _FLAG.search(reason):
        return f"{reason} (of the inline flags only m and s are supported)"
    for construct, hint in _RE2_HINTS:
        if construct in reason:
            return f"{reason} ({hint})"
    return reason


# Escapes whose meaning depends on the engine: Python's classes are Unicode, RE2's are ASCII.
_UNICODE_CLASSES = {
    "w": "\\w is any Unicode letter or digit in Python's re but only [0-9A-Za-z_] in RE2: "
    "write [a-z0-9_] (or list the letters)",
    "W": "\\W is Unicode in Python's re but ASCII in RE2: write [^a-z0-9_]",
    "d": "\\d is any Unicode digit in Python's re but only 0-9 in RE2: write [0-9]",
    "D": "\\D is Unicode in Python's re but ASCII in RE2: write [^0-9]",
    "b": "\\b is a Unicode word boundary in Python's re but an ASCII one in RE2: use "
    "contains_phrase for whole words, or write the boundary out, e.g. (?:^|[^a-z0-9_])",
    "B": "\\B is Unicode in Python's re but ASCII in RE2: write what may stand there instead",
}


def _read_differently(pattern: str) -> str:
    """What in ``pattern`` the two engines read differently (a pattern both compile), or ``""``.

    A small scanner, not a parser: it only needs to tell escapes, classes and the rest apart.
    """
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1 : index + 2]
            if escaped in _UNICODE_CLASSES:
                return _UNICODE_CLASSES[escaped]
            index += 2
            continue
        if in_class:
            if char == "[":
                return (
                    "'[' inside a character class: RE2 reads [:name:] as a POSIX class, "
                    "Python's re as characters; write \\[ for the character"
                )
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += 1
            # A ] first in the class (after an optional ^) is a character in both engines.
            index += pattern.startswith("^", index)
            index += pattern.startswith("]", index)
            continue
        elif pattern.startswith("{,", index):
            return "{,n}: Python's re reads it as {0,n}, RE2 as the characters; write {0,n}"
        elif pattern.startswith("(?", index) and _sets_ignore_case(pattern, index):
            return (
                "the i flag: answers are already case-folded, and the engines fold a few "
                "letters differently; write the pattern in lower case"
            )
        index += 1
    return ""


def _sets_ignore_case(pattern: str, index: int) -> bool:
    flags = re.match(r"\(\?([a-zA-Z-]*)[:)]", pattern[index:])
    return flags is not None and "i" in flags.group(1).split("-")[0]
