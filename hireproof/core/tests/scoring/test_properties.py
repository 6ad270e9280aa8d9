"""Properties that hold for every answer sheet: order, idempotence, round trips, no crashes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from hireproof.core.scoring import (
    evaluate_item,
    find_numbers,
    normalise,
    score,
    scorecard_from_dict,
)

from .factory import make_playbook, numeric_item, seed_items, seed_sections, sjt_item, text_item

PLAYBOOK = make_playbook(sections=seed_sections(("1", "3", "2", "3", "1")))
ITEM_IDS = [item.id for item in PLAYBOOK.assessment.items]

realistic = st.sampled_from(
    ["70", "70.0", "The result is 70", "1,210", "141", "1410", "B", "d", "B, D", "seventy", "", " "]
)
answer_text = st.one_of(realistic, st.text(max_size=40))
sheets = st.dictionaries(st.sampled_from(ITEM_IDS), answer_text)


@given(sheets, st.data())
def test_scoring_does_not_depend_on_the_order_of_the_answers(
    sheet: dict[str, str], data: st.DataObject
) -> None:
    pairs = data.draw(st.permutations(list(sheet.items())))
    assert score(PLAYBOOK, dict(pairs)).to_dict() == score(PLAYBOOK, sheet).to_dict()


@given(sheets)
def test_scoring_is_idempotent(sheet: dict[str, str]) -> None:
    first = score(PLAYBOOK, sheet)
    assert score(PLAYBOOK, sheet) == first
    assert json.dumps(score(PLAYBOOK, sheet).to_dict()) == json.dumps(first.to_dict())


@given(sheets)
def test_any_sheet_of_strings_gets_a_hashed_scorecard(sheet: dict[str, str]) -> None:
    card = score(PLAYBOOK, sheet)
    assert len(card.hash) == 64
    assert 0 <= card.percent <= 100


@given(sheets)
def test_the_json_round_trips(sheet: dict[str, str]) -> None:
    card = score(PLAYBOOK, sheet)
    data = json.loads(json.dumps(card.to_dict()))
    assert scorecard_from_dict(data).to_dict() == data


@settings(max_examples=300)
@given(st.text())
def test_any_answer_string_is_scored_without_raising(answer: str) -> None:
    for item in (*seed_items(), numeric_item(), sjt_item(), text_item()):
        evaluation = evaluate_item(item, answer)
        assert 0 <= evaluation.points <= item.points
        for evidence in evaluation.evidence:
            assert answer[evidence.start : evidence.end] == evidence.text


@given(st.text())
def test_evidence_always_points_into_the_original_answer(answer: str) -> None:
    text = normalise(answer)
    for number in find_numbers(text):
        evidence = number.evidence
        assert 0 <= evidence.start < evidence.end <= len(answer)
        assert answer[evidence.start : evidence.end] == evidence.text


@given(st.integers(min_value=-(10**30), max_value=10**30), st.text(alphabet=" ,:;!?()", max_size=3))
def test_any_integer_written_plainly_reads_back_as_itself(value: int, around: str) -> None:
    (number,) = find_numbers(normalise(f"{around}{value}{around}"))
    assert number.value == value
