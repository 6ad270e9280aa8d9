"""The scoring package's public surface is explicit and pinned."""

from __future__ import annotations

import hireproof.core.scoring as scoring


def test_the_public_surface_is_pinned() -> None:
    assert scoring.__all__ == [
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
    for name in scoring.__all__:
        assert getattr(scoring, name) is not None
