"""Deterministic scoring and decisions: pure functions, exact arithmetic, explained results.

- ``evaluate_item(item, answer)``: one answer to one item, with evidence and an explanation.
- ``score(playbook, responses)``: a whole answer sheet -> ``Scorecard`` (JSON + SHA-256).
- ``decide(playbook, scorecard, interviews)``: the test plus interviews -> ``Recommendation``.

No clock, no I/O, no floats: the same inputs give byte-identical JSON on every machine.
"""

from __future__ import annotations

from .decision import Recommendation, decide
from .formatting import decimal_string, percent_string
from .interviews import (
    InterviewFlag,
    InterviewScorecard,
    check_interviews,
    interview_percent,
    mean_rating,
)
from .items import EVALUATORS, ItemEvaluation, Outcome, evaluate_item
from .normalise import Evidence, NormalisedText, normalise
from .numbers import FoundNumber, find_numbers, within_tolerance
from .plan import item_maxima
from .recommendation import RecommendationKind, recommend_after_interviews, recommend_after_test
from .reference import PlaybookRef
from .scorecard import Flag, ItemResult, Scorecard, score, scorecard_from_dict

__all__ = [
    "EVALUATORS",
    "Evidence",
    "Flag",
    "FoundNumber",
    "InterviewFlag",
    "InterviewScorecard",
    "ItemEvaluation",
    "ItemResult",
    "NormalisedText",
    "Outcome",
    "PlaybookRef",
    "Recommendation",
    "RecommendationKind",
    "Scorecard",
    "check_interviews",
    "decide",
    "decimal_string",
    "evaluate_item",
    "find_numbers",
    "interview_percent",
    "item_maxima",
    "mean_rating",
    "normalise",
    "percent_string",
    "recommend_after_interviews",
    "recommend_after_test",
    "score",
    "scorecard_from_dict",
    "within_tolerance",
]
