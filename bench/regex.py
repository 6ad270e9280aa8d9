"""The worst rules an upload can hold, on 10,000-character answers::

    .venv/bin/python bench/regex.py

1. **Each accepted rule.** RE2's time is linear in the answer, but its factor grows with the
   compiled program: an answer that makes every character a new automaton state costs about
   one step per instruction alive. Each family below is one shape known to do that (counted
   repetitions after a choice, ``.`` repeated, nested counts), instantiated at the largest size
   an upload accepts (``pattern_problem`` finds nothing; ``MAX_PROGRAM_SIZE`` decides), next to
   the backtracking killers that motivated RE2. Each is scored as a text item's only rule
   (``evaluate_item``, the path submissions take: normalisation included) on answers built to
   hurt it, from cold (the compiled-pattern cache emptied first, so RE2 builds its automaton
   anew); the median of 5 runs is kept, on the scoring thread's CPU clock (the machine is
   shared: wall time also counts the waits for a CPU; it is printed for the worst rule).
   Target: the worst rule under 50 ms.
2. **What is refused.** The patterns that took seconds before programs were bounded, with the
   size of their program.
3. **Phrases.** A ``contains_phrase`` of ``MAX_PHRASES_PER_RULE`` phrases of the longest
   length, built to make Python's ``re`` compare as much as it can; and 10,000 phrases
   (refused).
4. **An item.** ``MAX_RULES_PER_ITEM`` distinct worst rules on the answer that hurts them most.
5. **A playbook and a submission.** The worst playbook an upload accepts (``MAX_ITEMS`` items
   holding ``MAX_REGEX_RULES`` worst rules, ``MAX_PHRASES`` long phrases, ``MAX_NUMBER_RULES``
   contains_number rules and ``MAX_EXAMPLE_CHARS`` of examples), loaded as an upload is, then
   one submission scored on the answers that hurt the regex rules most, and on answers of
   numbers only (each number rule lists every number found): what one submission can cost,
   in time and in the scorecard it stores.

The load average is printed first and last: wall times taken on a busy machine are high.
"""

from __future__ import annotations

import os
import random
import statistics
import string
import time
from collections.abc import Callable
from decimal import Decimal

from hireproof.core.canonical import canonical_json
from hireproof.core.errors import PlaybookError
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
    MAX_RULES_PER_ITEM,
    TextItem,
    load_playbook_text,
)
from hireproof.core.playbook.model import AnyOf, ContainsPhrase, Regex, Rule
from hireproof.core.playbook.patterns import _compiled, pattern_problem, program_size
from hireproof.core.scoring import evaluate_item, score

N = MAX_ANSWER_CHARS
TARGET_MS = 50.0
RUNS = 5
Clock = Callable[[], float]
CLOCK: Clock = time.perf_counter

_random = random.Random(20261202)
_WORDS = [
    "the",
    "data",
    "model",
    "results",
    "customer",
    "churn",
    "analysis",
    "because",
    "quality",
    "error",
    "outlier",
]


def _random_text(alphabet: str, length: int = N) -> str:
    return "".join(_random.choice(alphabet) for _ in range(length))


ANSWERS = {
    "a's and a b": "a" * (N - 1) + "b",
    "a's and a c": "a" * (N - 1) + "c",
    "random a/b": _random_text("ab"),
    "random a/b, then c": _random_text("ab", N - 1) + "c",
    "random a/b/c": _random_text("abc"),
    "random a-z and spaces": _random_text(string.ascii_lowercase + " "),
    "English words": " ".join(_random.choice(_WORDS) for _ in range(N // 4))[:N],
    "mixed scripts": _random_text("aé中ж😀b"),
    "two emoji": _random_text("😀😁"),
    "mixed scripts, then z": _random_text("aé中ж😀b", N - 1) + "z",
}

# Shapes whose automaton grows with the answer, each sized by ``n``.
FAMILIES: dict[str, Callable[[int], str]] = {
    "a[ab]{n}c": lambda n: f"a[ab]{{{n}}}c",
    "[ab]?[a-z]{n}z": lambda n: f"[ab]?[a-z]{{{n}}}z",
    "[a-z][ab]?(?:a|b|c){n}x": lambda n: f"[a-z][ab]?(?:a|b|c){{{n}}}x",
    "[ab](?:[a-z]{0,n}[ab])z": lambda n: f"[ab](?:[a-z]{{0,{n}}}[ab])z",
    "(?:a|ab){0,n}(?:a|b){0,n}c": lambda n: f"(?:a|ab){{0,{n}}}(?:a|b){{0,{n}}}c",
    "(?:[ab]{n}[a-z ]){2,}": lambda n: f"(?:[ab]{{{n}}}[a-z ]){{2,}}",
    "a.{n}c": lambda n: f"a.{{{n}}}c",
    "😀[😀😁]{n}c": lambda n: f"😀[😀😁]{{{n}}}c",
    "(.{0,n})z": lambda n: f"(.{{0,{n}}})z",
    "(.{0,n})(.{0,n})z": lambda n: f"(.{{0,{n}}})(.{{0,{n}}})z",
    "[^x]{n}[^y]{n}z": lambda n: f"[^x]{{{n}}}[^y]{{{n}}}z",
    "(?:(?:a|b)(?:a|b)?){1,n}c": lambda n: f"(?:(?:a|b)(?:a|b)?){{1,{n}}}c",
    "[a-z]{1,n}[0-9]": lambda n: f"[a-z]{{1,{n}}}[0-9]",
    "(?:w000|w001|...) n words": lambda n: "(?:" + "|".join(f"w{k:03d}" for k in range(n)) + ")",
}
# Nested quantifiers: exponential for a backtracking engine, one pass for RE2.
BACKTRACKING = ("^(a+)+$", "^(a|aa)+$", "(x+x+)+y", "^(a|a?)+$", "(.*a){20}c", "(?:.*[ab]){30}c")
# What took seconds before programs were bounded.
REFUSED = (
    "(.{0,999})" * 48 + "z",
    "(.{0,999})" * 16 + "z",
    "(.{0,999})(.{0,999})z",
    "[^x]{999}[^y]{999}z",
    "(?:(?:a|b)(?:a|b)?){1,999}c",
    "a[ab]{400}c",
    "(.{0,999})z",
)


def largest(family: Callable[[int], str]) -> str | None:
    """The family's largest pattern an upload accepts (``None`` if even n=1 is refused)."""
    low, high = 0, 1000  # RE2 counts at most 1,000 repetitions
    while low < high:
        middle = (low + high + 1) // 2
        if pattern_problem(family(middle)):
            high = middle - 1
        else:
            low = middle
    return family(low) if low else None


def item_of(rule: Rule, item_id: str = "bench") -> TextItem:
    return TextItem(
        id=item_id,
        section="s",
        prompt="",
        answer_key="",
        grading="",
        rationale="",
        audit_note="",
        points=Decimal(1),
        rule=rule,
    )


def cold_ms(work: Callable[[], object], runs: int = RUNS, clock: Clock = time.thread_time) -> float:
    """The median of ``runs`` runs of ``work``, each with the compiled-pattern cache emptied.

    Timed by default on this thread's CPU clock: other processes sharing the machine delay a
    run without making it cost more (``time.perf_counter`` gives the wall time).
    """
    times = []
    for _ in range(runs):
        _compiled.cache_clear()
        started = clock()
        work()
        times.append(clock() - started)
    return statistics.median(times) * 1000


def worst_on_answers(item: TextItem, answers: dict[str, str] = ANSWERS) -> tuple[float, str]:
    return max(
        (cold_ms(lambda a=answer: evaluate_item(item, a)), name) for name, answer in answers.items()
    )


Measured = tuple[float, str, str]  # milliseconds, pattern, the answer it took longest on


def accepted_rules() -> list[Measured]:
    print(
        f"1. accepted rules (at most {MAX_PROGRAM_SIZE} instructions), cold, "
        f"CPU time, median of {RUNS}:"
    )
    measured: list[Measured] = []
    patterns = [(name, largest(family)) for name, family in FAMILIES.items()]
    patterns += [(pattern, pattern) for pattern in BACKTRACKING]
    for name, pattern in patterns:
        if pattern is None or pattern_problem(pattern):
            print(f"   {'refused':>8}     {shown(name):<44} {program_size(name):4} instructions")
            continue
        elapsed, answer = worst_on_answers(item_of(Regex(pattern)))
        size = program_size(pattern)
        print(f"   {elapsed:8.2f} ms  {shown(pattern):<44} {size:4} instructions, on {answer}")
        measured.append((elapsed, pattern, answer))
    measured.sort(reverse=True)
    elapsed, pattern, answer = measured[0]
    verdict = "within" if elapsed < TARGET_MS else "OVER"
    print(
        f"   worst rule: {elapsed:.2f} ms ({shown(pattern)} on {answer}), {verdict} {TARGET_MS} ms"
    )
    wall = cold_ms(lambda: evaluate_item(item_of(Regex(pattern)), ANSWERS[answer]), clock=CLOCK)
    print(f"   the same, with the machine's load: {wall:.2f} ms of wall time")
    print()
    return measured


def shown(pattern: str) -> str:
    return pattern if len(pattern) <= 44 else pattern[:41] + "..."


def refused() -> None:
    print("2. refused at upload (before programs were bounded, 0.3 s to 55 s on one answer):")
    for pattern in REFUSED:
        assert pattern_problem(pattern), pattern
        size = program_size(pattern)
        print(f"   {shown(pattern):<44} {len(pattern):4} characters, {size:7,} instructions")
    print()


def phrases() -> None:
    print(f"3. contains_phrase: {MAX_PHRASES_PER_RULE} phrases of {MAX_PHRASE_LENGTH} characters")
    built = long_phrases(0, MAX_PHRASES_PER_RULE)
    # The answer holds each phrase once, glued to a word (so never as whole words): Python's re
    # compares the long shared prefix at every word start before it can give up.
    tail = " ".join("x" + phrase for phrase in built)
    answers = {
        "a's, each phrase glued to a word": ("a " * N)[: N - len(tail) - 1] + " " + tail,
        "a's": ("a " * N)[:N],
    }
    assert all(len(answer) <= N for answer in answers.values())
    elapsed, answer = worst_on_answers(item_of(ContainsPhrase(built)), answers)
    print(f"   {elapsed:8.2f} ms for the rule, on {answer}")
    many = ", ".join(f'"zq{k:06d} word{k}"' for k in range(10_000))
    print(f"   10,000 phrases in one rule: {refusal(f'{{contains_phrase: [{many}]}}')}")
    print()


def long_phrases(first: int, count: int) -> tuple[str, ...]:
    """``count`` distinct phrases of ``MAX_PHRASE_LENGTH`` characters sharing a long prefix."""
    words = ("a " * MAX_PHRASE_LENGTH)[: MAX_PHRASE_LENGTH - 6]
    return tuple(f"{words} b{k:04d}" for k in range(first, first + count))


def variants(pattern_of: Callable[[int], str], count: int) -> list[str]:
    """``count`` distinct patterns of one family, each as large as an upload accepts."""
    sized = largest(lambda n: f"{pattern_of(n)}|q000q")
    assert sized is not None
    base = sized.rsplit("|", 1)[0]
    return [f"{base}|q{k:03d}q" for k in range(count)]


def worst_item(family: Callable[[int], str], answers: list[str]) -> None:
    rules = tuple(Regex(pattern) for pattern in variants(family, MAX_RULES_PER_ITEM - 1))
    chosen = {name: ANSWERS[name] for name in answers}
    elapsed, answer = worst_on_answers(item_of(AnyOf(rules)), chosen)
    print(f"4. an item of {MAX_RULES_PER_ITEM} rules (any_of, 49 distinct worst): {elapsed:.0f} ms")
    print(f"   on {answer}")
    print()


_PLAYBOOK = """\
id: bench-worst
version: "1.0.0"
title: The worst playbook an upload accepts
role:
  title: Analyst
  department: Data
  level: Junior
  summary: Bench.
  overview: Bench.
  responsibilities: [{{title: Analysis, description: Analyse.}}]
  skills:
    soft: [{{name: Communication, description: Explains.}}]
    attitude: [{{name: Curiosity, description: Asks why.}}]
    technical: [{{name: SQL, description: Queries.}}]
  tools: [{{name: Python, description: pandas.}}]
  when_to_use: Never.
assessment:
  title: Bench
  time_limit_minutes: 10
  instructions: Answer.
  notice: None.
  sections: [{{id: s, title: S, weight: 1}}]
  items:
{items}interview:
  scale: [{{value: 1, label: "no"}}, {{value: 2, label: "yes"}}]
  questions:
    - {{id: q, competency: C, text: T., look_for: [L], strong_answer: S., weak_answer: W.}}
decision:
  bands: [{{verdict: strong_pass, min_percent: 80}}, {{verdict: fail, min_percent: 0}}]
  red_flags: {{critical: C., warning: W.}}
  test_weight: 0.4
  interview_weight: 0.6
  hire_min_combined: 75
  no_hire_below_combined: 60
  summary: S.
"""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def worst_playbook(families: list[Callable[[int], str]], answer: str) -> str:
    """YAML for ``MAX_ITEMS`` text items: ``MAX_REGEX_RULES`` distinct regex rules of the worst
    ``families`` (in turn), as many per item as an item holds; ``MAX_PHRASES`` long phrases;
    ``MAX_NUMBER_RULES`` contains_number rules; and rubric examples of ``MAX_EXAMPLE_CHARS``
    characters in all, all on the first item (each is ``answer``)."""
    per_item = MAX_RULES_PER_ITEM - 1  # under one any_of
    rules: list[list[str]] = [[] for _ in range(MAX_ITEMS)]
    patterns = [variants(family, MAX_REGEX_RULES) for family in families]
    first_item_patterns = []
    for k in range(MAX_REGEX_RULES):
        pattern = patterns[k % len(families)][k]
        rules[k // per_item].append(f"{{regex: {_quoted(pattern)}}}")
        if k < per_item:
            first_item_patterns.append(pattern)
    first_free = -(-MAX_REGEX_RULES // per_item)
    per_rule = MAX_PHRASES_PER_RULE
    for k in range(MAX_PHRASES // per_rule):
        listed = ", ".join(_quoted(phrase) for phrase in long_phrases(k * per_rule, per_rule))
        rules[first_free + k].append(f"{{contains_phrase: [{listed}]}}")
    first_free += MAX_PHRASES // per_rule
    for k in range(MAX_NUMBER_RULES):
        rules[first_free + k].append(f"{{contains_number: {{value: {k + 2}}}}}")
    # The examples must agree with the rubric: accepted if one of the first item's rules
    # matches the answer, else rejected.
    first = item_of(AnyOf(tuple(Regex(pattern) for pattern in first_item_patterns)))
    verdict = "accept" if evaluate_item(first, ANSWERS[answer]).points else "reject"
    examples = [_quoted(ANSWERS[answer])] * (MAX_EXAMPLE_CHARS // N)
    items = [_item(k, held) for k, held in enumerate(rules)]
    items[0] += f"      examples: {{{verdict}: [{', '.join(examples)}]}}\n"
    return _PLAYBOOK.format(items="".join(items))


def _item(number: int, rules: list[str]) -> str:
    if not rules:  # an item with no rule to run: a choice
        return (
            f"    - {{id: i{number:03d}, kind: single_choice, section: s, prompt: P., "
            "answer_key: A, grading: G., options: [{id: A, text: A.}, {id: B, text: B.}], "
            "correct: A}\n"
        )
    return (
        f"    - id: i{number:03d}\n      kind: text\n      section: s\n      prompt: P.\n"
        f"      answer_key: K.\n      grading: G.\n"
        f"      rule: {{any_of: [{', '.join(rules)}]}}\n"
    )


def refusal(rule: str) -> str:
    """What the loader says of a one-item playbook holding ``rule``."""
    try:
        load_playbook_text(_PLAYBOOK.format(items=_item(0, [rule])), "bench.yaml")
    except PlaybookError as error:
        return error.problems[0].message
    raise AssertionError("accepted")


def worst_submission(families: list[Callable[[int], str]], answers: list[str]) -> None:
    text = worst_playbook(families, answers[0])
    _compiled.cache_clear()
    started = time.perf_counter()
    try:
        playbook = load_playbook_text(text, "bench-worst.yaml")
    except PlaybookError as error:
        raise SystemExit(f"the worst playbook was refused:\n{error}") from None
    loaded = time.perf_counter() - started
    print(f"5. the worst playbook an upload accepts ({len(text) // 1000} kB):")
    print(
        f"   {MAX_ITEMS} items, {MAX_REGEX_RULES} regex rules ({MAX_RULES_PER_ITEM - 1} per item), "
        f"{MAX_PHRASES} phrases, {MAX_NUMBER_RULES} contains_number rules, "
        f"{MAX_EXAMPLE_CHARS:,} characters of examples"
    )
    print(f"   loaded as an upload is (its examples scored): {loaded:.2f} s of wall time")
    sheets = [(name, ANSWERS[name]) for name in answers] + [("numbers", ("1 " * N)[: N - 1])]
    for name, answer in sheets:
        sheet = {item.id: answer for item in playbook.assessment.items}
        elapsed = cold_ms(lambda a=sheet: score(playbook, a), runs=3) / 1000
        size = len(canonical_json(score(playbook, sheet).to_dict())) / 1_000_000
        print(
            f"   one submission, every answer {name}: {elapsed:.2f} s, a scorecard of {size:.1f} MB"
        )


def main() -> int:
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"answers of {N:,} characters\n")
    measured = accepted_rules()
    refused()
    phrases()
    by_pattern = {largest(family): family for family in FAMILIES.values()}
    worst = [
        (by_pattern[pattern], answer) for _, pattern, answer in measured if pattern in by_pattern
    ]
    # The answers that hurt the three worst rules most (timings vary from run to run).
    answers = list(dict.fromkeys(answer for _, answer in worst[:3]))
    worst_item(worst[0][0], answers)
    worst_submission([family for family, _ in worst[:5]], answers)
    print("\n(times are the scoring thread's CPU time unless marked as wall time)")
    print(f"load average at end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
