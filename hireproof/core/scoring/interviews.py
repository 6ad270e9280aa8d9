"""Interview scorecards: one interviewer's ratings of the kit's questions, checked and averaged.

Every interviewer rates every question of the playbook's interview kit with one of the scale's
anchored values (1 strong no ... 5 strong yes in the built-ins) and may tick red flags, written
``"question-id/flag-id"``. The interview percent is the mean rating placed on the scale:
``(mean - lowest) / (highest - lowest) * 100``, i.e. ``(mean - 1) / 4`` on a 1-5 scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from hireproof.core.errors import InterviewsError
from hireproof.core.playbook.model import InterviewKit

from .normalise import is_text

__all__ = [
    "InterviewFlag",
    "InterviewScorecard",
    "check_interviews",
    "interview_percent",
    "mean_rating",
    "scale_bounds",
]


@dataclass(frozen=True)
class InterviewScorecard:
    """One interviewer's ratings (question id -> anchored value), red flags ticked, and notes."""

    interviewer: str
    ratings: Mapping[str, int]
    red_flags: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        # A read-only copy: the caller's dict can change later without changing this scorecard.
        object.__setattr__(self, "ratings", MappingProxyType(dict(self.ratings)))


@dataclass(frozen=True)
class InterviewFlag:
    """A red flag ticked by an interviewer, with the kit's words for it."""

    interviewer: str
    question: str
    flag: str
    text: str


def check_interviews(
    kit: InterviewKit, interviews: Sequence[InterviewScorecard]
) -> tuple[InterviewFlag, ...]:
    """Refuse ratings that do not fit the kit (``InterviewsError``); return the red flags ticked."""
    flags: list[InterviewFlag] = []
    for number, interview in enumerate(interviews, start=1):
        who = f"interview {number} ({interview.interviewer.strip() or 'no name'})"
        if not interview.interviewer.strip():
            raise InterviewsError(f"{who}: the interviewer's name is empty")
        if not is_text(interview.interviewer):
            raise InterviewsError(f"{who}: the interviewer's name is not valid text")
        _check_ratings(kit, interview, who)
        flags.extend(_checked_flags(kit, interview, who))
    return tuple(flags)


def interview_percent(kit: InterviewKit, interviews: Sequence[InterviewScorecard]) -> Fraction:
    """The mean of every rating, placed on the kit's scale as 0..100 (exact)."""
    lowest, highest = scale_bounds(kit)
    mean = mean_rating(interviews)
    return (mean - lowest) / (highest - lowest) * 100


def mean_rating(interviews: Sequence[InterviewScorecard]) -> Fraction:
    """The mean of every rating given, exact."""
    ratings = [value for interview in interviews for value in interview.ratings.values()]
    return Fraction(sum(ratings), len(ratings))


def scale_bounds(kit: InterviewKit) -> tuple[int, int]:
    """The lowest and highest anchored values of the kit's rating scale."""
    values = [anchor.value for anchor in kit.scale]
    return min(values), max(values)


def _check_ratings(kit: InterviewKit, interview: InterviewScorecard, who: str) -> None:
    questions = [question.id for question in kit.questions]
    unknown = sorted(str(q) for q in interview.ratings if q not in questions)
    if unknown:
        raise InterviewsError(f"{who}: no such interview question: {', '.join(unknown)}")
    missing = [q for q in questions if q not in interview.ratings]
    if missing:
        raise InterviewsError(f"{who}: no rating for {', '.join(missing)}")
    allowed = sorted(anchor.value for anchor in kit.scale)
    for question, value in interview.ratings.items():
        if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
            scale = ", ".join(str(v) for v in allowed)
            raise InterviewsError(
                f"{who}: the rating for {question} must be one of {scale}, got {value!r}"
            )


def _checked_flags(
    kit: InterviewKit, interview: InterviewScorecard, who: str
) -> list[InterviewFlag]:
    known = {
        f"{question.id}/{flag.id}": (question.id, flag.id, flag.text)
        for question in kit.questions
        for flag in question.red_flags
    }
    flags = []
    for ticked in interview.red_flags:
        if ticked not in known:
            raise InterviewsError(
                f'{who}: no such red flag "{ticked}" (write question-id/flag-id, one of: '
                f"{', '.join(known) or 'none in this kit'})"
            )
        question, flag, text = known[ticked]
        flags.append(InterviewFlag(interview.interviewer, question, flag, text))
    return flags
