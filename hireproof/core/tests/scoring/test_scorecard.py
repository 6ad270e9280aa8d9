"""score(): the whole answer sheet, exact points, bands, verdicts, the JSON and its hash."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
import rfc8785

from hireproof.core.errors import AnswersError
from hireproof.core.playbook.model import Band, Section, Severity, Verdict
from hireproof.core.scoring import (
    Flag,
    Outcome,
    RecommendationKind,
    score,
    scorecard_from_dict,
)
from hireproof.core.scoring.recommendation import recommend_after_test

from .factory import ALL_CORRECT, decision_rules, make_playbook, numeric_item, seed_sections

WEIGHTED = seed_sections(("1", "3", "2", "3", "1"))


def answers(**changes: str) -> dict[str, str]:
    sheet = dict(ALL_CORRECT)
    sheet.update({key.replace("_", "-"): value for key, value in changes.items()})
    return sheet


def test_a_full_marks_sheet_is_a_strong_pass_to_advance() -> None:
    card = score(make_playbook(), ALL_CORRECT)
    assert (card.points, card.max_points, card.percent) == (5, 5, 100)
    assert (card.band, card.verdict) == (Verdict.STRONG_PASS, Verdict.STRONG_PASS)
    assert card.flags == ()
    assert card.recommendation is RecommendationKind.ADVANCE
    assert card.reasons == (
        "score 5 of 5 points = 100.00% -> strong_pass (at least 80%)",
        "advance: strong_pass with no red flags",
    )


def test_the_json_is_exactly_the_documented_shape() -> None:
    card = score(make_playbook(), answers(sjt_incomplete_data="A", outlier_ages="1410"))
    data = card.to_dict()
    assert list(data) == [
        "playbook",
        "items",
        "score",
        "band",
        "verdict",
        "flags",
        "recommendation",
        "reasons",
        "scorecard_hash",
    ]
    assert data["playbook"] == {"id": "data-scientist-test", "version": "1", "hash": "0" * 64}
    assert data["items"][2] == {
        "id": "sjt-incomplete-data",
        "section": "sjt",
        "points": "0",
        "max_points": "1",
        "outcome": "incorrect",
        "flags": [{"severity": "warning", "reason": "rushing low-quality work"}],
        "explanation": "chose A (Do it quickly anyway): not the correct option (B) -> 0 points; "
        "warning red flag: rushing low-quality work",
        "evidence": [],
    }
    assert data["items"][3]["evidence"] == [{"text": "1410", "start": 0, "end": 4}]
    assert data["score"] == {"points": "3", "max_points": "5", "percent": "60.00"}
    assert (data["band"], data["verdict"]) == ("borderline", "borderline")
    assert data["flags"] == [
        {"item": "sjt-incomplete-data", "severity": "warning", "reason": "rushing low-quality work"}
    ]
    assert data["recommendation"] == "review"
    assert data["reasons"] == [
        "score 3 of 5 points = 60.00% -> borderline (at least 60%, below 80%)",
        "warning on sjt-incomplete-data (for a person to review): rushing low-quality work",
        "review: the test verdict is borderline",
    ]
    assert data["scorecard_hash"] == card.hash


def test_the_hash_is_sha256_of_the_canonical_json_without_the_hash() -> None:
    data = score(make_playbook(), ALL_CORRECT).to_dict()
    claimed = data.pop("scorecard_hash")
    assert claimed == hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def test_the_hash_is_pinned_so_the_json_is_the_same_on_every_machine() -> None:
    card = score(make_playbook(), ALL_CORRECT)
    assert card.hash == "330efd5083b5f12056a7f5b0a59875f7433452ecbe494fef85b56dd04a092db8"


def test_scoring_twice_gives_byte_identical_json() -> None:
    first = json.dumps(score(make_playbook(), ALL_CORRECT).to_dict())
    second = json.dumps(score(make_playbook(), dict(reversed(ALL_CORRECT.items()))).to_dict())
    assert first == second


def test_the_hash_changes_with_the_answers_and_with_the_playbook() -> None:
    base = score(make_playbook(), ALL_CORRECT).hash
    assert score(make_playbook(), answers(pandas_filter_sum="70.0")).hash != base
    assert score(make_playbook(playbook_hash="1" * 64), ALL_CORRECT).hash != base


def test_missing_answers_score_zero_as_no_answer() -> None:
    card = score(make_playbook(), {"pandas-filter-sum": "70"})
    assert [item.outcome for item in card.items] == [
        Outcome.NO_ANSWER,
        Outcome.CORRECT,
        Outcome.NO_ANSWER,
        Outcome.NO_ANSWER,
        Outcome.NO_ANSWER,
    ]
    assert card.points == 1
    assert card.verdict is Verdict.FAIL
    assert card.recommendation is RecommendationKind.REJECT
    assert card.reasons[-1] == "reject: the test verdict is fail"


def test_option_d_is_a_critical_fail_whatever_the_score() -> None:
    card = score(make_playbook(), answers(sjt_incomplete_data="D"))
    assert card.percent == 80
    assert (card.band, card.verdict) == (Verdict.STRONG_PASS, Verdict.CRITICAL_FAIL)
    assert card.flags == (Flag("sjt-incomplete-data", Severity.CRITICAL, "fabricating data"),)
    assert card.recommendation is RecommendationKind.REJECT
    assert card.reasons == (
        "score 4 of 5 points = 80.00% -> strong_pass (at least 80%)",
        "critical red flag on sjt-incomplete-data (critical_fail whatever the score): "
        "fabricating data",
        "reject: the test verdict is critical_fail",
    )


def test_a_warning_on_a_strong_pass_sends_it_to_review() -> None:
    card = score(make_playbook(), answers(communication_summary="C"))
    assert card.verdict is Verdict.STRONG_PASS
    assert card.recommendation is RecommendationKind.REVIEW
    assert card.reasons[-1] == "review: strong_pass, but 1 warning to review"


def test_sections_are_weighted_and_items_share_their_section() -> None:
    card = score(make_playbook(sections=WEIGHTED), answers(outlier_ages="1410"))
    assert [item.max_points for item in card.items] == [1, 3, 2, 3, 1]
    assert [item.points for item in card.items] == [1, 3, 2, 0, 1]
    assert (card.points, card.max_points, card.percent) == (7, 10, 70)
    assert card.items[1].explanation == (
        "found the number 70 at characters 1-2; equals the key 70 -> 3 points"
    )
    assert card.verdict is Verdict.BORDERLINE


def test_points_that_never_end_in_decimal_are_exact_inside_and_rounded_in_json() -> None:
    items = (
        numeric_item("a", "1", section="only"),
        numeric_item("b", "2", section="only"),
        numeric_item("c", "3", section="only", points="4"),
    )
    playbook = make_playbook(items=items, sections=(Section("only", "Only", Decimal(1)),))
    card = score(playbook, {"a": "1", "b": "2"})
    assert card.items[0].max_points == Fraction(1, 6)
    assert card.points == Fraction(1, 3)
    assert card.to_dict()["items"][0]["points"] == "0.166667"
    assert card.to_dict()["score"] == {"points": "0.333333", "max_points": "1", "percent": "33.33"}


def test_bands_compare_the_exact_percent_not_the_rounded_one() -> None:
    items = tuple(numeric_item(name, "1", section="only") for name in "abc")
    rules = decision_rules()
    rules = rules.__class__(
        **{
            **rules.__dict__,
            "bands": (Band(Verdict.STRONG_PASS, Decimal("66.67")), Band(Verdict.FAIL, Decimal(0))),
        }
    )
    sections = (Section("only", "Only", Decimal(3)),)
    card = score(
        make_playbook(items=items, sections=sections, decision=rules), {"a": "1", "b": "1"}
    )
    assert card.to_dict()["score"]["percent"] == "66.67"
    assert card.band is Verdict.FAIL  # 66.666...% is below 66.67%


def test_exactly_on_a_threshold_reaches_the_band() -> None:
    card = score(make_playbook(), answers(outlier_ages="none"))
    assert card.percent == 80
    assert card.band is Verdict.STRONG_PASS


def test_a_percent_below_every_band_is_a_fail() -> None:
    rules = decision_rules()
    rules = rules.__class__(
        **{**rules.__dict__, "bands": (Band(Verdict.STRONG_PASS, Decimal(80)),)}
    )
    card = score(make_playbook(decision=rules), {})
    assert card.band is Verdict.FAIL
    assert card.reasons[0] == "score 0 of 5 points = 0.00% -> fail"


def test_a_single_band_from_zero_is_named_without_a_range() -> None:
    rules = decision_rules()
    rules = rules.__class__(**{**rules.__dict__, "bands": (Band(Verdict.BORDERLINE, Decimal(0)),)})
    card = score(make_playbook(decision=rules), {})
    assert card.reasons[0] == "score 0 of 5 points = 0.00% -> borderline"


def test_a_test_worth_nothing_scores_zero_percent() -> None:
    card = score(make_playbook(sections=seed_sections(("0", "0", "0", "0", "0"))), ALL_CORRECT)
    assert (card.points, card.max_points, card.percent) == (0, 0, 0)


def test_unknown_item_ids_are_refused_naming_them() -> None:
    with pytest.raises(AnswersError) as raised:
        score(make_playbook(), {"pandas-filter-sum": "70", "zeta": "1", "alpha": "2"})
    assert str(raised.value) == (
        "answers for items the playbook data-scientist-test does not have: alpha, zeta "
        "(its items are cognitive-growth, pandas-filter-sum, sjt-incomplete-data, "
        "outlier-ages, communication-summary)"
    )


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (70, "the number 70"),
        (70.5, "the number 70.5"),
        (None, "null"),
        (True, "true/false"),
        (["70"], "a list"),
        ({"value": "70"}, "an object"),
        (b"70", "bytes"),
    ],
)
def test_an_answer_that_is_not_a_string_is_refused(answer: Any, words: str) -> None:
    with pytest.raises(AnswersError) as raised:
        score(make_playbook(), {"pandas-filter-sum": answer})
    assert str(raised.value) == f"the answer to pandas-filter-sum must be a string, got {words}"


def test_an_answer_sheet_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(AnswersError) as raised:
        score(make_playbook(), ["70"])  # type: ignore[arg-type]  # a list on purpose
    assert str(raised.value) == "answers must map item ids to answer strings, got a list"


def test_a_scorecard_round_trips_through_its_json() -> None:
    for sheet in (ALL_CORRECT, answers(sjt_incomplete_data="D", outlier_ages="1410"), {}):
        card = score(make_playbook(sections=WEIGHTED), sheet)
        data = json.loads(json.dumps(card.to_dict()))
        again = scorecard_from_dict(data)
        assert again == card
        assert again.to_dict() == data


def test_a_scorecard_whose_content_was_changed_is_refused() -> None:
    data = score(make_playbook(), ALL_CORRECT).to_dict()
    data["score"]["points"] = "4"
    with pytest.raises(ValueError, match="does not match its scorecard_hash"):
        scorecard_from_dict(data)


def test_a_scorecard_without_a_hash_is_rebuilt_as_given() -> None:
    data = score(make_playbook(), ALL_CORRECT).to_dict()
    del data["scorecard_hash"]
    assert (
        scorecard_from_dict(data).to_dict()["scorecard_hash"]
        == score(make_playbook(), ALL_CORRECT).hash
    )


@pytest.mark.parametrize(
    ("verdict", "severities", "kind", "why"),
    [
        (
            Verdict.STRONG_PASS,
            [],
            RecommendationKind.ADVANCE,
            "advance: strong_pass with no red flags",
        ),
        (
            Verdict.STRONG_PASS,
            [Severity.WARNING, Severity.WARNING],
            RecommendationKind.REVIEW,
            "review: strong_pass, but 2 warnings to review",
        ),
        (
            Verdict.BORDERLINE,
            [],
            RecommendationKind.REVIEW,
            "review: the test verdict is borderline",
        ),
        (Verdict.FAIL, [], RecommendationKind.REJECT, "reject: the test verdict is fail"),
        (
            Verdict.CRITICAL_FAIL,
            [Severity.CRITICAL],
            RecommendationKind.REJECT,
            "reject: the test verdict is critical_fail",
        ),
    ],
)
def test_the_test_only_recommendation(
    verdict: Verdict, severities: list[Severity], kind: RecommendationKind, why: str
) -> None:
    assert recommend_after_test(verdict, severities) == (kind, why)


@pytest.mark.parametrize("answer", ["\ud800", "70 \udc00", "caf\u00e9 \ud83d"])
def test_an_answer_with_an_unpaired_surrogate_is_refused(answer: str) -> None:
    with pytest.raises(AnswersError) as raised:
        score(make_playbook(), {"pandas-filter-sum": answer})
    assert str(raised.value) == (
        "the answer to pandas-filter-sum is not valid text (it holds an unpaired surrogate, "
        "like \\ud800)"
    )


def test_any_real_unicode_answer_is_scored_and_hashed() -> None:
    card = score(make_playbook(), {"pandas-filter-sum": "caf\u00e9 \U0001f600 70"})
    assert card.items[1].points == 1
    assert len(card.hash) == 64
