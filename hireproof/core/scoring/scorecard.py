"""``score(playbook, responses) -> Scorecard``: the whole answer sheet, scored exactly.

- Every item of the playbook gets a result, in the playbook's order; a missing answer is
  ``no_answer``. An answer for an item the playbook does not have, or an answer that is not a
  string, is an ``AnswersError``.
- An item's maximum is ``section.weight * item.points / (sum of item.points in its section)``;
  the test's maximum is the sum of the section weights. Points are exact fractions.
- The percent is exact; the band is the highest band whose ``min_percent`` it reaches; any
  ``critical`` red flag makes the verdict ``critical_fail`` whatever the score.
- ``Scorecard.to_dict()`` is the JSON the CLI and API print (decimal strings, percent to two
  places); ``Scorecard.hash`` is SHA-256 over its canonical JSON, so the same answers to the
  same playbook give byte-identical JSON and the same hash on every machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from hireproof.core.canonical import canonical_json, sha256_hex
from hireproof.core.errors import AnswersError
from hireproof.core.playbook.model import Item, Playbook, Severity, Verdict

from .formatting import decimal_string, percent_string
from .items import ItemEvaluation, Outcome, evaluate_item, explain
from .normalise import Evidence, is_text
from .plan import ItemPlan, ScoringPlan, scoring_plan
from .recommendation import RecommendationKind, recommend_after_test
from .reference import PlaybookRef

__all__ = [
    "Flag",
    "ItemResult",
    "Scorecard",
    "score",
    "scorecard_from_dict",
]

_ZERO = Fraction(0)


@dataclass(frozen=True)
class Flag:
    """A red flag raised by an answer to an item."""

    item: str
    severity: Severity
    reason: str


@dataclass(frozen=True)
class ItemResult:
    """One item on the scorecard, in section-weighted points."""

    id: str
    section: str
    points: Fraction
    max_points: Fraction
    outcome: Outcome
    flags: tuple[Flag, ...]
    explanation: str
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        """The item as it appears in ``Scorecard.to_dict()["items"]``."""
        return {
            "id": self.id,
            "section": self.section,
            "points": decimal_string(self.points),
            "max_points": decimal_string(self.max_points),
            "outcome": str(self.outcome),
            "flags": [{"severity": str(f.severity), "reason": f.reason} for f in self.flags],
            "explanation": self.explanation,
            "evidence": [{"text": e.text, "start": e.start, "end": e.end} for e in self.evidence],
        }


@dataclass(frozen=True)
class Scorecard:
    """A scored answer sheet: every item explained, the total, the verdict and what to do next."""

    playbook: PlaybookRef
    items: tuple[ItemResult, ...]
    points: Fraction
    max_points: Fraction
    percent: Fraction
    band: Verdict
    verdict: Verdict
    flags: tuple[Flag, ...]
    recommendation: RecommendationKind
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The scorecard's JSON: decimal strings, percent to two places, and its own hash."""
        data = self._content()
        data["scorecard_hash"] = self.hash
        return data

    @cached_property
    def hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of ``to_dict()`` without ``scorecard_hash``."""
        return sha256_hex(canonical_json(self._content()))

    def _content(self) -> dict[str, Any]:
        return {
            "playbook": self.playbook.to_dict(),
            "items": [item.to_dict() for item in self.items],
            "score": {
                "points": decimal_string(self.points),
                "max_points": decimal_string(self.max_points),
                "percent": percent_string(self.percent),
            },
            "band": str(self.band),
            "verdict": str(self.verdict),
            "flags": [
                {"item": f.item, "severity": str(f.severity), "reason": f.reason}
                for f in self.flags
            ],
            "recommendation": str(self.recommendation),
            "reasons": list(self.reasons),
        }


def score(playbook: Playbook, responses: Mapping[str, str]) -> Scorecard:
    """Score an answer sheet (item id -> answer string) against ``playbook``. Pure and exact."""
    plan = scoring_plan(playbook)
    _check_responses(plan, responses)
    results = tuple(
        _item_result(item_plan, responses.get(item_plan.item.id)) for item_plan in plan.items
    )
    standing = plan.standing(*_total(plan, results))
    flags = tuple(flag for r in results for flag in r.flags)
    critical = any(f.severity is Severity.CRITICAL for f in flags)
    verdict = Verdict.CRITICAL_FAIL if critical else standing.band
    recommendation, why = recommend_after_test(verdict, [f.severity for f in flags])
    return Scorecard(
        plan.ref,
        results,
        standing.points,
        plan.max_points,
        standing.percent,
        standing.band,
        verdict,
        flags,
        recommendation,
        (standing.reason, *(_flag_reason(f) for f in flags), why),
    )


def _total(plan: ScoringPlan, results: tuple[ItemResult, ...]) -> tuple[int, Fraction]:
    """The points as whole units of ``1/plan.denominator``, plus any partial credit.

    Adding integers rather than fractions keeps the common case fast.
    """
    units = 0
    partial = _ZERO
    for item_plan, result in zip(plan.items, results, strict=True):
        if result.points is item_plan.max_points:
            units += item_plan.units
        elif result.points:
            partial += result.points  # partial credit: no kind gives it yet
    return units, partial


def _check_responses(plan: ScoringPlan, responses: Mapping[str, str]) -> None:
    if not isinstance(responses, Mapping):
        raise AnswersError(
            f"answers must map item ids to answer strings, got {_kind_of(responses)}"
        )
    unknown = sorted(str(item_id) for item_id in responses if item_id not in plan.item_ids)
    if unknown:
        playbook = plan.playbook
        raise AnswersError(
            f"answers for items the playbook {playbook.id} does not have: {', '.join(unknown)} "
            f"(its items are {', '.join(item.id for item in playbook.assessment.items)})"
        )
    for item_id, answer in responses.items():
        if not isinstance(answer, str):
            raise AnswersError(f"the answer to {item_id} must be a string, got {_kind_of(answer)}")
        if not is_text(answer):
            raise AnswersError(
                f"the answer to {item_id} is not valid text (it holds an unpaired surrogate, "
                "like \\ud800)"
            )


def _kind_of(value: object) -> str:
    """A JSON-ish name for what was given instead of a string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _item_result(plan: ItemPlan, answer: str | None) -> ItemResult:
    item = plan.item
    evaluation = evaluate_item(item, answer)
    if evaluation.points == item.points:
        points = plan.max_points  # the common cases, without fraction arithmetic
    elif not evaluation.points:
        points = _ZERO
    else:
        points = Fraction(evaluation.points) * plan.scale
    if plan.same_scale:
        explanation = evaluation.explanation
    else:
        explanation = explain(evaluation.finding, points, evaluation.red_flag)
    return ItemResult(
        item.id,
        item.section,
        points,
        plan.max_points,
        evaluation.outcome,
        _flags(item, evaluation),
        explanation,
        evaluation.evidence,
    )


def _flags(item: Item, evaluation: ItemEvaluation) -> tuple[Flag, ...]:
    if evaluation.red_flag is None:
        return ()
    return (Flag(item.id, evaluation.red_flag.severity, evaluation.red_flag.reason),)


def _flag_reason(flag: Flag) -> str:
    if flag.severity is Severity.CRITICAL:
        return f"critical red flag on {flag.item} (critical_fail whatever the score): {flag.reason}"
    return f"warning on {flag.item} (for a person to review): {flag.reason}"


def scorecard_from_dict(data: Mapping[str, Any]) -> Scorecard:
    """Rebuild a scorecard from ``to_dict()`` output; refuses one whose hash does not match."""
    card = Scorecard(
        PlaybookRef(**data["playbook"]),
        tuple(_item_from_dict(item) for item in data["items"]),
        Fraction(data["score"]["points"]),
        Fraction(data["score"]["max_points"]),
        Fraction(data["score"]["percent"]),
        Verdict(data["band"]),
        Verdict(data["verdict"]),
        tuple(Flag(f["item"], Severity(f["severity"]), f["reason"]) for f in data["flags"]),
        RecommendationKind(data["recommendation"]),
        tuple(data["reasons"]),
    )
    if "scorecard_hash" in data and data["scorecard_hash"] != card.hash:
        raise ValueError("the scorecard's content does not match its scorecard_hash")
    return card


def _item_from_dict(data: Mapping[str, Any]) -> ItemResult:
    return ItemResult(
        data["id"],
        data["section"],
        Fraction(data["points"]),
        Fraction(data["max_points"]),
        Outcome(data["outcome"]),
        tuple(Flag(data["id"], Severity(f["severity"]), f["reason"]) for f in data["flags"]),
        data["explanation"],
        tuple(Evidence(e["text"], e["start"], e["end"]) for e in data["evidence"]),
    )
