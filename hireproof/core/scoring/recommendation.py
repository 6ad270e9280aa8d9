"""The recommendation rules, in one place, reading every threshold from the playbook.

After the written test alone:

- ``advance``: the verdict is ``strong_pass`` and no red flag was raised;
- ``review``: the verdict is ``borderline``, or a warning was raised;
- ``reject``: the verdict is ``fail`` or ``critical_fail``.

After interviews (``combined = test_weight * test% + interview_weight * interview%``):

- ``no_hire``: ``critical_fail``, a test ``fail``, or combined below ``no_hire_below_combined``;
- ``hire``: combined at least ``hire_min_combined``, test ``strong_pass`` and no red flag
  anywhere (no test warning, no interview red flag);
- ``review``: anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from hireproof.core.playbook.model import Band, DecisionRules, Severity, Verdict

from .formatting import decimal_string

__all__ = [
    "RecommendationKind",
    "band_words",
    "recommend_after_interviews",
    "recommend_after_test",
]


class RecommendationKind(StrEnum):
    ADVANCE = "advance"  # after the test: invite to interview
    REVIEW = "review"  # a person decides
    REJECT = "reject"  # after the test: stop here
    HIRE = "hire"  # after interviews
    NO_HIRE = "no_hire"  # after interviews


def recommend_after_test(
    verdict: Verdict, severities: Sequence[Severity]
) -> tuple[RecommendationKind, str]:
    """The recommendation from the test alone, and why, given the verdict and the flags raised."""
    warnings = sum(1 for severity in severities if severity is Severity.WARNING)
    if verdict in (Verdict.FAIL, Verdict.CRITICAL_FAIL):
        return RecommendationKind.REJECT, f"reject: the test verdict is {verdict}"
    if verdict is Verdict.BORDERLINE:
        return RecommendationKind.REVIEW, "review: the test verdict is borderline"
    if warnings:
        plural = "warning" if warnings == 1 else "warnings"
        return RecommendationKind.REVIEW, f"review: strong_pass, but {warnings} {plural} to review"
    return RecommendationKind.ADVANCE, "advance: strong_pass with no red flags"


def recommend_after_interviews(
    rules: DecisionRules, verdict: Verdict, combined: Fraction, red_flags: int
) -> tuple[RecommendationKind, str]:
    """The recommendation after interviews, and why (its causes, joined by ``"; "``).

    ``red_flags`` counts every red flag not already fatal: test warnings plus interview flags.
    """
    no_hire = _no_hire_causes(rules, verdict, combined)
    if no_hire:
        return RecommendationKind.NO_HIRE, "; ".join(no_hire)
    blockers = _hire_blockers(rules, verdict, combined, red_flags)
    if blockers:
        return RecommendationKind.REVIEW, "; ".join(blockers)
    hire_min = decimal_string(rules.hire_min_combined)
    return RecommendationKind.HIRE, f"combined at least {hire_min}%, strong_pass, no red flags"


def band_words(band: Band, bands: Sequence[Band]) -> str:
    """The band and its range, e.g. ``"borderline (at least 60%, below 80%)"``."""
    higher = [b.min_percent for b in bands if b.min_percent > band.min_percent]
    parts = []
    if band.min_percent:
        parts.append(f"at least {decimal_string(band.min_percent)}%")
    if higher:
        parts.append(f"below {decimal_string(min(higher))}%")
    return f"{band.verdict} ({', '.join(parts)})" if parts else str(band.verdict)


def _no_hire_causes(rules: DecisionRules, verdict: Verdict, combined: Fraction) -> list[str]:
    causes = []
    if verdict is Verdict.CRITICAL_FAIL:
        causes.append("a critical red flag on the test")
    if verdict is Verdict.FAIL:
        causes.append("the test verdict is fail")
    if combined < _exact(rules.no_hire_below_combined):
        causes.append(f"combined below {decimal_string(rules.no_hire_below_combined)}%")
    return causes


def _hire_blockers(
    rules: DecisionRules, verdict: Verdict, combined: Fraction, red_flags: int
) -> list[str]:
    blockers = []
    if combined < _exact(rules.hire_min_combined):
        blockers.append(f"combined below {decimal_string(rules.hire_min_combined)}%")
    if verdict is not Verdict.STRONG_PASS:
        blockers.append(f"the test verdict is {verdict}, not strong_pass")
    if red_flags:
        plural = "red flag" if red_flags == 1 else "red flags"
        blockers.append(f"{red_flags} {plural} to review")
    return blockers


def _exact(value: Decimal) -> Fraction:
    return Fraction(value)
