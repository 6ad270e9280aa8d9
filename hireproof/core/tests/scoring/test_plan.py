"""What score() works out once per playbook and per item, and that remembering it is safe."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from hireproof.core.playbook.model import Item, Verdict
from hireproof.core.scoring import ItemEvaluation, Outcome, score
from hireproof.core.scoring import items as items_module
from hireproof.core.scoring import plan as plan_module
from hireproof.core.scoring import scorecard as scorecard_module
from hireproof.core.scoring.plan import item_maxima, scoring_plan

from .factory import ALL_CORRECT, make_playbook, seed_sections


def test_item_maxima_share_each_section_weight_by_points() -> None:
    playbook = make_playbook(sections=seed_sections(("1", "3", "2", "3", "1")))
    assert item_maxima(playbook) == {
        "cognitive-growth": 1,
        "pandas-filter-sum": 3,
        "sjt-incomplete-data": 2,
        "outlier-ages": 3,
        "communication-summary": 1,
    }


def test_a_plan_is_remembered_for_the_same_playbook_object_only() -> None:
    first = make_playbook()
    twin = make_playbook()
    assert scoring_plan(first) is scoring_plan(first)
    assert scoring_plan(twin) is not scoring_plan(first)
    assert scoring_plan(twin).playbook is twin


def test_many_playbooks_in_turn_are_each_scored_with_their_own_plan() -> None:
    weights = [(str(n), "1", "1", "1", "1") for n in range(1, 41)]
    playbooks = [make_playbook(sections=seed_sections(w)) for w in weights]
    for n, playbook in enumerate(playbooks, start=1):
        assert score(playbook, {"cognitive-growth": "1210"}).points == n
    assert score(playbooks[0], {"cognitive-growth": "1210"}).max_points == 5


def test_totals_stay_right_when_the_remembered_standings_are_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plan_module, "_STANDINGS_SIZE", 1)
    playbook = make_playbook()
    assert score(playbook, ALL_CORRECT).percent == 100
    assert score(playbook, {}).percent == 0
    assert score(playbook, ALL_CORRECT).to_dict()["score"]["percent"] == "100.00"


def test_partial_credit_is_scaled_to_the_section_and_added_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No built-in kind gives partial credit yet; a future one (say ``code``) may.
    def half_marks(item: Item, answer: str | None) -> ItemEvaluation:
        return ItemEvaluation(
            Outcome.INCORRECT, Decimal("0.5"), "half -> 0.5 points", finding="half the tests pass"
        )

    monkeypatch.setattr(scorecard_module, "evaluate_item", half_marks)
    playbook = make_playbook(sections=seed_sections(("1", "3", "2", "3", "1")))
    card = score(playbook, {})
    assert [item.points for item in card.items] == [
        Fraction(1, 2),
        Fraction(3, 2),
        1,
        Fraction(3, 2),
        Fraction(1, 2),
    ]
    assert card.points == 5
    assert card.items[1].explanation == "half the tests pass -> 1.5 points"
    assert card.items[0].explanation == "half -> 0.5 points"
    assert json.loads(json.dumps(card.to_dict()))["score"]["percent"] == "50.00"


def test_items_stay_right_when_what_was_prepared_for_them_is_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(items_module, "_PREPARED_SIZE", 1)
    playbook = make_playbook()
    first = score(playbook, ALL_CORRECT)
    assert score(playbook, ALL_CORRECT) == first
    assert score(playbook, {"sjt-incomplete-data": "D"}).verdict is Verdict.CRITICAL_FAIL
