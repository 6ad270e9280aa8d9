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
        "decide",
        "evaluate_item",
        "find_numbers",
        "normalise",
        "recommend_after_interviews",
        "recommend_after_test",
        "score",
        "scorecard_from_dict",
        "within_tolerance",
    ]
    for name in scoring.__all__:
        assert getattr(scoring, name) is not None
