"""``decide(playbook, scorecard, interviews) -> Recommendation``: the test and the interviews.

With no interviews the recommendation is the test's own (advance / review / reject). With
interviews, ``combined = test_weight * test% + interview_weight * interview%`` (exact), and the
rules of ``recommendation.recommend_after_interviews`` give hire / review / no_hire. The
reasons spell the arithmetic out, e.g. ``"test 80.00% (strong_pass) x 40% + interview 68.75% x
60% = 73.25% -> review: combined below 75%"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from hireproof.core.canonical import canonical_json, sha256_hex
from hireproof.core.errors import AnswersError
from hireproof.core.playbook.model import Playbook, Severity, Verdict

from .formatting import decimal_string, percent_string
from .interviews import (
    InterviewFlag,
    InterviewScorecard,
    check_interviews,
    interview_percent,
    mean_rating,
    scale_bounds,
)
from .recommendation import RecommendationKind, recommend_after_interviews
from .reference import PlaybookRef
from .scorecard import Scorecard

__all__ = ["Recommendation", "decide"]


@dataclass(frozen=True)
class Recommendation:
    """What to do with a candidate, and why, from the scorecard and any interviews."""

    playbook: PlaybookRef
    scorecard_hash: str
    kind: RecommendationKind
    test_percent: Fraction
    test_verdict: Verdict
    interviewers: tuple[str, ...]
    interview_percent: Fraction | None
    combined_percent: Fraction | None
    interview_flags: tuple[InterviewFlag, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The recommendation's JSON (decimal strings, percents to two places) and its hash."""
        data = self._content()
        data["recommendation_hash"] = self.hash
        return data

    @cached_property
    def hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of ``to_dict()`` without ``recommendation_hash``."""
        return sha256_hex(canonical_json(self._content()))

    def _content(self) -> dict[str, Any]:
        return {
            "playbook": self.playbook.to_dict(),
            "scorecard_hash": self.scorecard_hash,
            "test": {
                "percent": percent_string(self.test_percent),
                "verdict": str(self.test_verdict),
            },
            "interviews": {
                "interviewers": list(self.interviewers),
                "percent": _optional_percent(self.interview_percent),
                "red_flags": [
                    {
                        "interviewer": f.interviewer,
                        "question": f.question,
                        "flag": f.flag,
                        "text": f.text,
                    }
                    for f in self.interview_flags
                ],
            },
            "combined_percent": _optional_percent(self.combined_percent),
            "recommendation": str(self.kind),
            "reasons": list(self.reasons),
        }


def decide(
    playbook: Playbook, scorecard: Scorecard, interviews: Sequence[InterviewScorecard]
) -> Recommendation:
    """Combine the written test and the interviews into a recommendation. Pure and exact."""
    if PlaybookRef.of(playbook) != scorecard.playbook:
        raise AnswersError(
            f"the scorecard was scored with playbook {_named(scorecard.playbook)}, "
            f"not with {_named(PlaybookRef.of(playbook))}"
        )
    interview_flags = check_interviews(playbook.interview, interviews)
    if not interviews:
        return _recommendation(playbook, scorecard, scorecard.recommendation, scorecard.reasons)
    rules = playbook.decision
    interview = interview_percent(playbook.interview, interviews)
    combined = (
        Fraction(rules.test_weight) * scorecard.percent
        + Fraction(rules.interview_weight) * interview
    )
    test_warnings = sum(1 for f in scorecard.flags if f.severity is Severity.WARNING)
    kind, why = recommend_after_interviews(
        rules, scorecard.verdict, combined, test_warnings + len(interview_flags)
    )
    arithmetic = (
        f"test {percent_string(scorecard.percent)}% ({scorecard.verdict}) x "
        f"{decimal_string(rules.test_weight * 100)}% + interview {percent_string(interview)}% x "
        f"{decimal_string(rules.interview_weight * 100)}% = {percent_string(combined)}% "
        f"-> {kind}: {why}"
    )
    reasons = (
        arithmetic,
        _interview_reason(playbook, interviews, interview),
        *(f"test {f.severity} red flag on {f.item}: {f.reason}" for f in scorecard.flags),
        *(
            f"interview red flag from {f.interviewer} on {f.question}: {f.text or f.flag}"
            for f in interview_flags
        ),
    )
    return _recommendation(
        playbook, scorecard, kind, reasons, interviews, interview, combined, interview_flags
    )


def _recommendation(
    playbook: Playbook,
    scorecard: Scorecard,
    kind: RecommendationKind,
    reasons: Sequence[str],
    interviews: Sequence[InterviewScorecard] = (),
    interview: Fraction | None = None,
    combined: Fraction | None = None,
    interview_flags: tuple[InterviewFlag, ...] = (),
) -> Recommendation:
    return Recommendation(
        PlaybookRef.of(playbook),
        scorecard.hash,
        kind,
        scorecard.percent,
        scorecard.verdict,
        tuple(i.interviewer for i in interviews),
        interview,
        combined,
        interview_flags,
        tuple(reasons),
    )


def _interview_reason(
    playbook: Playbook, interviews: Sequence[InterviewScorecard], percent: Fraction
) -> str:
    lowest, highest = scale_bounds(playbook.interview)
    count = len(interviews)
    who = "1 interviewer" if count == 1 else f"{count} interviewers"
    return (
        f"interview: {who}, mean rating {decimal_string(mean_rating(interviews))} on the "
        f"{lowest}-{highest} scale -> {percent_string(percent)}%"
    )


def _named(ref: PlaybookRef) -> str:
    return f"{ref.id} version {ref.version} (hash {ref.hash[:12]})"


def _optional_percent(value: Fraction | None) -> str | None:
    return None if value is None else percent_string(value)
