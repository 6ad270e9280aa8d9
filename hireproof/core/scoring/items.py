"""One item, one answer, one explained result: ``evaluate_item``.

Each item kind has its own evaluator, found through ``EVALUATORS`` (kind -> function); a new kind
(say ``code``) adds a model class and one entry here without touching the others. Points are on
the item's own scale (0 to ``item.points``); the scorecard rescales them by section weight.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypeVar

from hireproof.core.playbook.model import (
    Item,
    ItemKind,
    NumericItem,
    Option,
    RedFlag,
    SingleChoiceItem,
    TextItem,
)

from .formatting import points_words, span_words
from .normalise import Evidence, normalise
from .numbers import FoundNumber, find_numbers, tolerance_words, within_tolerance
from .text import check_rule, rule_reads_words

__all__ = [
    "EVALUATORS",
    "NORMALISATION_NOTE",
    "ItemEvaluation",
    "Outcome",
    "evaluate_item",
    "explain",
]

NORMALISATION_NOTE = "compared after Unicode NFKC normalisation, case folding and collapsing spaces"

_Item = TypeVar("_Item", SingleChoiceItem, NumericItem, TextItem)
_SEVERAL_OPTIONS = re.compile(r"[\s,;/&+]+|\b(?:and|or)\b")
_LABEL_LENGTH = 40


class Outcome(StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    NO_ANSWER = "no_answer"
    INVALID = "invalid"  # not a possible answer to this item (e.g. two options, or no such option)


@dataclass(frozen=True)
class ItemEvaluation:
    """The result of one answer to one item.

    ``finding`` is the explanation without its points, so a scorecard can restate it with the
    section-weighted points; ``explanation`` is the full sentence on the item's own scale.
    """

    outcome: Outcome
    points: Decimal
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    red_flag: RedFlag | None = None
    finding: str = ""


ItemEvaluator = Callable[[Any, str], ItemEvaluation]

_Prepared = TypeVar("_Prepared")
_PREPARED_SIZE = 1024
_prepared_memo: dict[tuple[int, Callable[..., Any]], tuple[Item, Any]] = {}


def evaluate_item(item: Item, answer: str | None) -> ItemEvaluation:
    """Score one answer to one item, with the evidence and a recruiter-readable explanation.

    ``None`` or a blank answer is ``no_answer`` (0 points) for every kind.
    """
    if answer is None or not answer.strip():
        return _evaluation(Outcome.NO_ANSWER, Decimal(0), "no answer given")
    evaluator: ItemEvaluator = EVALUATORS[item.kind]
    return evaluator(item, answer)


def explain(finding: str, points: Fraction | Decimal, red_flag: RedFlag | None) -> str:
    """``"<finding> -> 1 point"``, plus ``"; critical red flag: <reason>"`` when one was raised."""
    sentence = f"{finding} -> {points_words(points)}"
    if red_flag is not None:
        sentence += f"; {red_flag.severity} red flag: {red_flag.reason}"
    return sentence


def _evaluation(
    outcome: Outcome,
    points: Decimal,
    finding: str,
    evidence: tuple[Evidence, ...] = (),
    red_flag: RedFlag | None = None,
) -> ItemEvaluation:
    return ItemEvaluation(
        outcome, points, explain(finding, points, red_flag), evidence, red_flag, finding
    )


def _prepared(item: _Item, prepare: Callable[[_Item], _Prepared]) -> _Prepared:
    """``prepare(item)``, worked out once per item object: what does not depend on answers.

    Remembered by identity (the item is held, so its id cannot be reused); items are frozen,
    so what was prepared never goes stale.
    """
    key = (id(item), prepare)
    known = _prepared_memo.get(key)
    if known is not None and known[0] is item:
        prepared: _Prepared = known[1]
        return prepared
    if len(_prepared_memo) >= _PREPARED_SIZE:
        _prepared_memo.clear()
    prepared = prepare(item)
    _prepared_memo[key] = (item, prepared)
    return prepared


# --- numeric ----------------------------------------------------------------------------------


def _evaluate_numeric(item: NumericItem, answer: str) -> ItemEvaluation:
    numbers = find_numbers(normalise(answer))
    if not numbers:
        finding = "found no number in the answer (numbers must be written in digits, like 70)"
        return _evaluation(Outcome.INCORRECT, Decimal(0), finding)
    evidence = tuple(number.evidence for number in numbers)
    wrong = [n for n in numbers if not within_tolerance(n.value, item.key, item.tolerance)]
    found = _found_numbers_words(numbers)
    relation = _prepared(item, _key_words)
    exact = not item.tolerance.value
    if not wrong:
        verb = (
            ("equals" if exact else "is within")
            if len(numbers) == 1
            else ("each equals" if exact else "each is within")
        )
        return _evaluation(Outcome.CORRECT, item.points, f"{found}; {verb} {relation}", evidence)
    misses = " and ".join(n.evidence.text for n in wrong)
    if len(wrong) == 1:
        verb = "does not equal" if exact else "is not within"
    else:
        verb = "do not equal" if exact else "are not within"
    return _evaluation(
        Outcome.INCORRECT, Decimal(0), f"{found}; {misses} {verb} {relation}", evidence
    )


def _key_words(item: NumericItem) -> str:
    return tolerance_words(item.key, item.tolerance)


def _found_numbers_words(numbers: tuple[FoundNumber, ...]) -> str:
    places = [
        f"{n.evidence.text} at {span_words(n.evidence.start, n.evidence.end)}" for n in numbers
    ]
    if len(places) == 1:
        return f"found the number {places[0]}"
    return f"found the numbers {', '.join(places[:-1])} and {places[-1]}"


# --- text -------------------------------------------------------------------------------------


def _evaluate_text(item: TextItem, answer: str) -> ItemEvaluation:
    result = check_rule(item.rule, normalise(answer))
    finding = result.detail + _prepared(item, _normalisation_suffix)
    if result.passed:
        return _evaluation(Outcome.CORRECT, item.points, finding, result.evidence)
    return _evaluation(Outcome.INCORRECT, Decimal(0), finding, result.evidence)


def _normalisation_suffix(item: TextItem) -> str:
    """The note on normalisation, for rules where case and Unicode matter (else nothing)."""
    return f" ({NORMALISATION_NOTE})" if rule_reads_words(item.rule) else ""


# --- single choice ----------------------------------------------------------------------------


def _evaluate_single_choice(item: SingleChoiceItem, answer: str) -> ItemEvaluation:
    choices = _prepared(item, _choice_evaluations)
    typed = answer.strip()
    evaluation = choices.get(typed.casefold())
    if evaluation is None:
        options = {option.id.casefold(): option for option in item.options}
        return _evaluation(Outcome.INVALID, Decimal(0), _not_an_option(typed, item, options))
    return evaluation


def _choice_evaluations(item: SingleChoiceItem) -> dict[str, ItemEvaluation]:
    """The evaluation of each option, by its case-folded id (an item has only a few)."""
    return {option.id.casefold(): _choice_evaluation(item, option) for option in item.options}


def _choice_evaluation(item: SingleChoiceItem, option: Option) -> ItemEvaluation:
    chosen = f"chose {option.id} ({_option_label(option)})"
    if option.id.casefold() == item.correct.casefold():
        return _evaluation(
            Outcome.CORRECT, item.points, f"{chosen}: the correct option", red_flag=option.red_flag
        )
    finding = f"{chosen}: not the correct option ({item.correct})"
    return _evaluation(Outcome.INCORRECT, Decimal(0), finding, red_flag=option.red_flag)


def _not_an_option(typed: str, item: SingleChoiceItem, options: Mapping[str, Option]) -> str:
    several = _several_options(typed, options)
    if several:
        return f"chose several options ({', '.join(several)}); exactly one may be chosen"
    ids = ", ".join(option.id for option in item.options)
    return (
        f'the answer "{_shortened(typed)}" is not one of the options ({ids}); '
        "exactly one may be chosen"
    )


def _several_options(typed: str, options: Mapping[str, Option]) -> list[str]:
    """The option ids in an answer like ``"B, D"``, ``"B or D"`` or ``"BD"`` (else empty)."""
    folded = typed.casefold()
    parts = [part for part in _SEVERAL_OPTIONS.split(folded) if part]
    if len(parts) < 2:
        parts = list(folded)
    if len(parts) >= 2 and all(part in options for part in parts):
        return [options[part].id for part in parts]
    return []


def _option_label(option: Option) -> str:
    """A short name for the option: its title before a colon, or its first words."""
    title, colon, _ = option.text.partition(":")
    if colon and len(title) <= _LABEL_LENGTH:
        return title.strip()
    return _shortened(option.text.strip())


def _shortened(text: str) -> str:
    """``text`` cut to a label's length, with an ellipsis when something was cut."""
    if len(text) <= _LABEL_LENGTH:
        return text
    return text[: _LABEL_LENGTH - 3].rstrip() + "..."


EVALUATORS: Mapping[ItemKind, ItemEvaluator] = MappingProxyType(
    {
        ItemKind.SINGLE_CHOICE: _evaluate_single_choice,
        ItemKind.NUMERIC: _evaluate_numeric,
        ItemKind.TEXT: _evaluate_text,
    }
)
