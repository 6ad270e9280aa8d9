"""The worst regex rule one can upload, on a 10,000-character answer::

    .venv/bin/python bench/regex.py

Each pattern below is accepted at upload (``pattern_problem`` finds nothing in it) and is one
of the known worst cases: nested quantifiers that take a backtracking engine exponential time,
counted repetitions that blow up an automaton, the longest alternation the length bound
allows. Each is scored as a text item's only rule (``evaluate_item``, the path submissions
take) on answers built to hurt it, and the slowest of three runs is kept (the first also
compiles the pattern; scoring keeps compiled patterns). Printed: every
rule's time, the worst, and an item of ``MAX_RULES_PER_ITEM`` copies of the worst rule.
Target: the worst rule under 50 ms.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal

from hireproof.core.playbook import MAX_PATTERN_LENGTH, MAX_RULES_PER_ITEM, TextItem
from hireproof.core.playbook.model import AnyOf, Regex, Rule
from hireproof.core.playbook.patterns import pattern_problem
from hireproof.core.scoring import evaluate_item

ANSWER_LENGTH = 10_000
TARGET_MS = 50.0

_ALTERNATION = "(?:" + "|".join(f"w{n:03d}" for n in range(200))
PATTERNS = (
    "^(a+)+$",
    "^(a|aa)+$",
    "(x+x+)+y",
    "^(a|a?)+$",
    "(.*a){20}",
    "(.*a){20}c",
    "(?:.*[ab]){30}c",
    "(?:a|b)*a(?:a|b){20}$",
    "[a-q][^u-z]{13}x",
    "(?:[a-z]{0,100}b){9}",
    "(?:[a-z]{0,100}b){9}c",
    "[a-z]{1,1000}[0-9]",
    (_ALTERNATION[: MAX_PATTERN_LENGTH - 1] + ")").rsplit("|", 1)[0] + ")",
)
ANSWERS = {
    "a's and a b": "a" * (ANSWER_LENGTH - 1) + "b",
    "x's": "x" * ANSWER_LENGTH,
    "ab repeated": "ab" * (ANSWER_LENGTH // 2),
    "words": " ".join(["lorem", "ipsum", "dolor", "w199x"] * (ANSWER_LENGTH // 24))[:ANSWER_LENGTH],
}


def item_of(rule: Rule) -> TextItem:
    return TextItem(
        id="bench",
        section="s",
        prompt="",
        answer_key="",
        grading="",
        rationale="",
        audit_note="",
        points=Decimal(1),
        rule=rule,
    )


def slowest_ms(item: TextItem, answer: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        evaluate_item(item, answer)
        times.append(time.perf_counter() - started)
    return max(times) * 1000


def main() -> int:
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"answers of {ANSWER_LENGTH:,} characters; the slowest of 3 runs\n")
    worst = (0.0, "", "")
    for pattern in PATTERNS:
        problem = pattern_problem(pattern)
        assert not problem, f"{pattern!r} would be refused at upload: {problem}"
        for name, answer in ANSWERS.items():
            assert len(answer) <= ANSWER_LENGTH
            elapsed = slowest_ms(item_of(Regex(pattern)), answer)
            shown = pattern if len(pattern) < 40 else pattern[:37] + "..."
            print(f"{elapsed:8.2f} ms  {shown:<42} on {name}")
            worst = max(worst, (elapsed, pattern, name))
    elapsed, pattern, name = worst
    verdict = "within" if elapsed < TARGET_MS else "OVER"
    print(f"\nworst rule: {elapsed:.2f} ms ({pattern[:40]!r} on {name}), {verdict} {TARGET_MS} ms")
    full = item_of(AnyOf(tuple(Regex(pattern) for _ in range(MAX_RULES_PER_ITEM - 1))))
    whole = slowest_ms(full, ANSWERS[name])
    print(f"an item of {MAX_RULES_PER_ITEM} rules, each the worst: {whole:.2f} ms")
    print(f"load average at end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
