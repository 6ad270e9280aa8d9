"""decide(): the test and the interviews combined into hire / review / no_hire, with the sums."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from hireproof.core.errors import AnswersError, InterviewsError
from hireproof.core.playbook.model import InterviewKit, RatingAnchor, Verdict
from hireproof.core.scoring import (
    InterviewFlag,
    InterviewScorecard,
    RecommendationKind,
    decide,
    score,
)

from .factory import ALL_CORRECT, make_playbook

PLAYBOOK = make_playbook()
QUESTIONS = ("project", "overfitting", "deployment", "ambiguity")


def sheet(**changes: str) -> dict[str, str]:
    answers = dict(ALL_CORRECT)
    answers.update({key.replace("_", "-"): value for key, value in changes.items()})
    return answers


def rated(*values: int, who: str = "Ana", red_flags: tuple[str, ...] = ()) -> InterviewScorecard:
    return InterviewScorecard(who, dict(zip(QUESTIONS, values, strict=True)), red_flags)


def test_the_arithmetic_is_spelled_out_in_the_reasons() -> None:
    card = score(PLAYBOOK, sheet(outlier_ages="none"))
    result = decide(PLAYBOOK, card, [rated(4, 4, 4, 3)])
    assert result.kind is RecommendationKind.REVIEW
    assert result.test_percent == 80
    assert result.interview_percent == Fraction(6875, 100)
    assert result.combined_percent == Fraction(7325, 100)
    assert result.reasons == (
        "test 80.00% (strong_pass) x 40% + interview 68.75% x 60% = 73.25% -> review: "
        "combined below 75%",
        "interview: 1 interviewer, mean rating 3.75 on the 1-5 scale -> 68.75%",
    )


def test_a_strong_pass_with_strong_interviews_and_no_flags_is_a_hire() -> None:
    card = score(PLAYBOOK, ALL_CORRECT)
    result = decide(PLAYBOOK, card, [rated(5, 5, 4, 5), rated(4, 5, 5, 4, who="Bo")])
    assert result.kind is RecommendationKind.HIRE
    assert result.reasons[0] == (
        "test 100.00% (strong_pass) x 40% + interview 90.62% x 60% = 94.38% -> hire: "
        "combined at least 75%, strong_pass, no red flags"
    )
    assert result.reasons[1] == (
        "interview: 2 interviewers, mean rating 4.625 on the 1-5 scale -> 90.62%"
    )


def test_exactly_the_hire_threshold_is_a_hire() -> None:
    card = score(PLAYBOOK, ALL_CORRECT)  # 100% x 40% + 58.33..% x 60% = 75% exactly
    interviews = [rated(3, 3, 4, 3), rated(3, 4, 3, 4, who="Bo"), rated(3, 3, 4, 3, who="Cy")]
    result = decide(PLAYBOOK, card, interviews)
    assert result.combined_percent == 75
    assert result.kind is RecommendationKind.HIRE


@pytest.mark.parametrize(
    ("changes", "ratings", "why"),
    [
        ({"sjt_incomplete_data": "D"}, (5, 5, 5, 5), "a critical red flag on the test"),
        (
            {"pandas_filter_sum": "7", "outlier_ages": "1", "cognitive_growth": ""},
            (5, 5, 5, 5),
            "the test verdict is fail",
        ),
        ({"outlier_ages": "none"}, (1, 1, 1, 1), "combined below 60%"),
        (
            {"sjt_incomplete_data": "D", "pandas_filter_sum": "7", "outlier_ages": "1"},
            (1, 1, 1, 1),
            "a critical red flag on the test; combined below 60%",
        ),
    ],
)
def test_no_hire_rules(changes: dict[str, str], ratings: tuple[int, ...], why: str) -> None:
    card = score(PLAYBOOK, sheet(**changes))
    result = decide(PLAYBOOK, card, [rated(*ratings)])
    assert result.kind is RecommendationKind.NO_HIRE
    assert result.reasons[0].endswith(f"-> no_hire: {why}")


def test_a_test_fail_is_named_along_with_a_low_combined_score() -> None:
    card = score(PLAYBOOK, {"pandas-filter-sum": "70"})
    result = decide(PLAYBOOK, card, [rated(1, 1, 1, 1)])
    assert result.reasons[0] == (
        "test 20.00% (fail) x 40% + interview 0.00% x 60% = 8.00% -> no_hire: "
        "the test verdict is fail; combined below 60%"
    )


def test_a_borderline_test_cannot_be_a_hire() -> None:
    card = score(PLAYBOOK, sheet(outlier_ages="none", pandas_filter_sum="7"))
    result = decide(PLAYBOOK, card, [rated(5, 5, 5, 5)])
    assert result.kind is RecommendationKind.REVIEW
    assert result.reasons[0].endswith(
        "= 84.00% -> review: the test verdict is borderline, not strong_pass"
    )


def test_an_interview_red_flag_sends_a_strong_candidate_to_review() -> None:
    card = score(PLAYBOOK, ALL_CORRECT)
    result = decide(PLAYBOOK, card, [rated(5, 5, 5, 5, red_flags=("ambiguity/blames-others",))])
    assert result.kind is RecommendationKind.REVIEW
    assert result.interview_flags == (
        InterviewFlag("Ana", "ambiguity", "blames-others", "blames the stakeholder"),
    )
    assert result.reasons[0].endswith("-> review: 1 red flag to review")
    assert result.reasons[2] == "interview red flag from Ana on ambiguity: blames the stakeholder"


def test_a_test_warning_counts_as_a_red_flag_after_interviews() -> None:
    card = score(PLAYBOOK, sheet(communication_summary="C"))
    result = decide(PLAYBOOK, card, [rated(5, 5, 5, 5, red_flags=("overfitting/no-validation",))])
    assert result.kind is RecommendationKind.REVIEW
    assert result.reasons[0].endswith("-> review: 2 red flags to review")
    assert result.reasons[2] == (
        "test warning red flag on communication-summary: dismissing the stakeholder's question"
    )


def test_without_interviews_the_test_recommendation_stands() -> None:
    card = score(PLAYBOOK, sheet(sjt_incomplete_data="A"))
    result = decide(PLAYBOOK, card, [])
    assert result.kind is RecommendationKind.REVIEW
    assert result.reasons == card.reasons
    assert (result.interview_percent, result.combined_percent) == (None, None)


def test_the_recommendation_json_and_hash() -> None:
    card = score(PLAYBOOK, sheet(outlier_ages="none"))
    result = decide(PLAYBOOK, card, [rated(4, 4, 4, 3, red_flags=("ambiguity/blames-others",))])
    data = result.to_dict()
    assert data == {
        "playbook": {"id": "data-scientist-test", "version": "1", "hash": "0" * 64},
        "scorecard_hash": card.hash,
        "test": {"percent": "80.00", "verdict": "strong_pass"},
        "interviews": {
            "interviewers": ["Ana"],
            "percent": "68.75",
            "red_flags": [
                {
                    "interviewer": "Ana",
                    "question": "ambiguity",
                    "flag": "blames-others",
                    "text": "blames the stakeholder",
                }
            ],
        },
        "combined_percent": "73.25",
        "recommendation": "review",
        "reasons": [
            "test 80.00% (strong_pass) x 40% + interview 68.75% x 60% = 73.25% -> review: "
            "combined below 75%; 1 red flag to review",
            "interview: 1 interviewer, mean rating 3.75 on the 1-5 scale -> 68.75%",
            "interview red flag from Ana on ambiguity: blames the stakeholder",
        ],
        "recommendation_hash": result.hash,
    }
    assert len(result.hash) == 64
    assert decide(PLAYBOOK, card, []).to_dict()["combined_percent"] is None


def test_a_scorecard_from_another_playbook_is_refused() -> None:
    card = score(make_playbook(playbook_hash="1" * 64), ALL_CORRECT)
    with pytest.raises(AnswersError) as raised:
        decide(PLAYBOOK, card, [])
    assert str(raised.value) == (
        "the scorecard was scored with playbook data-scientist-test version 1 (hash 111111111111), "
        "not with data-scientist-test version 1 (hash 000000000000)"
    )


@pytest.mark.parametrize(
    ("interview", "message"),
    [
        (
            InterviewScorecard("Ana", {"project": 4, "overfitting": 4, "deployment": 4}),
            "interview 1 (Ana): no rating for ambiguity",
        ),
        (
            InterviewScorecard("Ana", {**dict.fromkeys(QUESTIONS, 3), "sql": 4, "git": 2}),
            "interview 1 (Ana): no such interview question: git, sql",
        ),
        (
            rated(4, 4, 6, 4),
            "interview 1 (Ana): the rating for deployment must be one of 1, 2, 3, 4, 5, got 6",
        ),
        (
            rated(0, 4, 4, 4),
            "interview 1 (Ana): the rating for project must be one of 1, 2, 3, 4, 5, got 0",
        ),
        (
            InterviewScorecard("Ana", {**dict.fromkeys(QUESTIONS, 3), "project": 4.0}),  # type: ignore[dict-item]  # wrong on purpose
            "interview 1 (Ana): the rating for project must be one of 1, 2, 3, 4, 5, got 4.0",
        ),
        (
            InterviewScorecard("Ana", {**dict.fromkeys(QUESTIONS, 3), "project": True}),
            "interview 1 (Ana): the rating for project must be one of 1, 2, 3, 4, 5, got True",
        ),
        (
            InterviewScorecard("Ana", {**dict.fromkeys(QUESTIONS, 3), "project": "4"}),  # type: ignore[dict-item]  # wrong on purpose
            "interview 1 (Ana): the rating for project must be one of 1, 2, 3, 4, 5, got '4'",
        ),
        (
            rated(4, 4, 4, 4, red_flags=("blames-others",)),
            'interview 1 (Ana): no such red flag "blames-others" (write question-id/flag-id, '
            "one of: overfitting/no-validation, ambiguity/blames-others)",
        ),
        (rated(4, 4, 4, 4, who="  "), "interview 1 (no name): the interviewer's name is empty"),
        (
            rated(4, 4, 4, 4, who="Ana \udc00"),
            "interview 1 (Ana \udc00): the interviewer's name is not valid text",
        ),
    ],
)
def test_interview_ratings_that_do_not_fit_the_kit_are_refused(
    interview: InterviewScorecard, message: str
) -> None:
    card = score(PLAYBOOK, ALL_CORRECT)
    with pytest.raises(InterviewsError) as raised:
        decide(PLAYBOOK, card, [rated(3, 3, 3, 3, who="Zed"), interview])
    assert str(raised.value) == message.replace("interview 1", "interview 2")


def test_a_kit_without_red_flags_says_so() -> None:
    kit = PLAYBOOK.interview
    bare = InterviewKit(
        tuple(q.__class__(**{**q.__dict__, "red_flags": ()}) for q in kit.questions), kit.scale
    )
    playbook = PLAYBOOK.__class__(**{**PLAYBOOK.__dict__, "interview": bare})
    card = score(playbook, ALL_CORRECT)
    with pytest.raises(InterviewsError, match=r"one of: none in this kit\)$"):
        decide(playbook, card, [rated(4, 4, 4, 4, red_flags=("ambiguity/blames-others",))])


def test_the_interview_percent_follows_the_playbooks_scale() -> None:
    scale = tuple(RatingAnchor(value, str(value)) for value in (0, 5, 10))
    playbook = PLAYBOOK.__class__(
        **{**PLAYBOOK.__dict__, "interview": InterviewKit(PLAYBOOK.interview.questions, scale)}
    )
    card = score(playbook, ALL_CORRECT)
    result = decide(playbook, card, [rated(10, 5, 5, 0)])
    assert result.interview_percent == 50
    assert (
        result.reasons[1] == "interview: 1 interviewer, mean rating 5 on the 0-10 scale -> 50.00%"
    )


def test_an_interview_scorecard_keeps_its_own_copy_of_the_ratings() -> None:
    ratings: dict[str, Any] = dict.fromkeys(QUESTIONS, 4)
    interview = InterviewScorecard("Ana", ratings)
    ratings["project"] = 1
    assert interview.ratings["project"] == 4
    card = score(PLAYBOOK, ALL_CORRECT)
    assert decide(PLAYBOOK, card, [interview]).interview_percent == 75


def test_the_scorecard_verdict_not_the_band_drives_the_decision() -> None:
    card = score(PLAYBOOK, sheet(sjt_incomplete_data="D"))
    assert card.band is Verdict.STRONG_PASS
    assert decide(PLAYBOOK, card, [rated(5, 5, 5, 5)]).kind is RecommendationKind.NO_HIRE
