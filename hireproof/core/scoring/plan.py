"""What ``score`` derives from a playbook once: item maxima, the test's maximum, the bands.

Scoring many answer sheets with one playbook object does this fraction arithmetic once. Plans
are remembered per playbook object (held, so its identity cannot be reused) in a small bounded
memo; a playbook is frozen, so a plan can never go stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm

from hireproof.core.playbook.model import Item, Playbook, Verdict

from .formatting import decimal_string, percent_string
from .recommendation import band_words
from .reference import PlaybookRef

__all__ = ["ItemPlan", "ScoringPlan", "Standing", "item_maxima", "scoring_plan"]

_MEMO_SIZE = 32
_STANDINGS_SIZE = 4096
_memo: dict[int, ScoringPlan] = {}


@dataclass(frozen=True)
class ItemPlan:
    """One item's share of the test: its maximum, and the same in whole ``units``."""

    item: Item
    max_points: Fraction
    units: int  # max_points * ScoringPlan.denominator, a whole number
    scale: Fraction  # scorecard points per point on the item's own scale
    same_scale: bool  # max_points == item.points: the item's own explanation stands as it is


@dataclass(frozen=True)
class Standing:
    """What a total means: the exact percent, the band, and the sentence that says so."""

    points: Fraction
    percent: Fraction
    band: Verdict
    reason: str


@dataclass(frozen=True)
class ScoringPlan:
    """Everything about a playbook that does not depend on the answers."""

    playbook: Playbook
    items: tuple[ItemPlan, ...]
    item_ids: frozenset[str]
    denominator: int  # a common denominator of every item maximum
    max_points: Fraction
    max_points_text: str
    percent_per_point: Fraction
    bands: tuple[tuple[Fraction, Verdict], ...]  # highest threshold first
    band_texts: Mapping[Verdict, str]
    ref: PlaybookRef
    _standings: dict[int, Standing] = field(default_factory=dict, compare=False)

    def standing(self, units: int, partial: Fraction) -> Standing:
        """The total of ``units / denominator + partial`` points, with its percent and band.

        Remembered per number of units when there is no partial credit (the usual case).
        """
        if partial:
            return self._work_out(Fraction(units, self.denominator) + partial)
        known = self._standings.get(units)
        if known is None:
            if len(self._standings) >= _STANDINGS_SIZE:
                self._standings.clear()
            known = self._work_out(Fraction(units, self.denominator))
            self._standings[units] = known
        return known

    def _work_out(self, points: Fraction) -> Standing:
        percent = points * self.percent_per_point
        band = next((verdict for floor, verdict in self.bands if percent >= floor), Verdict.FAIL)
        reason = (
            f"score {decimal_string(points)} of {self.max_points_text} points = "
            f"{percent_string(percent)}% -> {self.band_texts.get(band, band)}"
        )
        return Standing(points, percent, band, reason)


def scoring_plan(playbook: Playbook) -> ScoringPlan:
    """The plan for ``playbook``, remembered for the same playbook object."""
    plan = _memo.get(id(playbook))
    if plan is not None and plan.playbook is playbook:
        return plan
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    plan = _memo[id(playbook)] = _build_plan(playbook)
    return plan


def item_maxima(playbook: Playbook) -> dict[str, Fraction]:
    """Each item's maximum: its section's weight shared in proportion to the items' points."""
    section_points: dict[str, Fraction] = {}
    for item in playbook.assessment.items:
        share = section_points.get(item.section, Fraction(0)) + Fraction(item.points)
        section_points[item.section] = share
    weights = {section.id: Fraction(section.weight) for section in playbook.assessment.sections}
    return {
        item.id: weights[item.section] * Fraction(item.points) / section_points[item.section]
        for item in playbook.assessment.items
    }


def _build_plan(playbook: Playbook) -> ScoringPlan:
    maxima = item_maxima(playbook)
    denominator = lcm(*(maximum.denominator for maximum in maxima.values()))
    items = tuple(
        ItemPlan(
            item,
            maxima[item.id],
            int(maxima[item.id] * denominator),
            maxima[item.id] / Fraction(item.points),
            maxima[item.id] == item.points,
        )
        for item in playbook.assessment.items
    )
    max_points = sum((Fraction(s.weight) for s in playbook.assessment.sections), Fraction(0))
    bands = playbook.decision.bands
    return ScoringPlan(
        playbook,
        items,
        frozenset(maxima),
        denominator,
        max_points,
        decimal_string(max_points),
        100 / max_points if max_points else Fraction(0),
        tuple(
            sorted(
                ((Fraction(band.min_percent), band.verdict) for band in bands),
                key=lambda pair: pair[0],
                reverse=True,
            )
        ),
        {band.verdict: band_words(band, bands) for band in bands},
        PlaybookRef.of(playbook),
    )
