"""Rubric examples: answers a playbook says its rubric must accept or reject, checked on load.

A playbook whose rubric disagrees with its own examples is refused, so a key or a rule that does
not do what its author meant is caught before any candidate is scored with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import yaml

from .model import Item
from .reader import NodeReader

__all__ = ["ExampleSite", "check_examples"]


@dataclass(frozen=True)
class ExampleSite:
    """One example answer and where the file gives it."""

    node: yaml.Node
    path: str
    answer: str
    accept: bool  # True: must score full points; False: must score 0


def check_examples(reader: NodeReader, sites: list[tuple[Item, ExampleSite]]) -> None:
    """Run every example through the scorer's evaluator; report each disagreement."""
    # Imported here: the scoring package imports the playbook model, so a top-level import
    # would be circular.
    from hireproof.core.scoring import evaluate_item

    for item, site in sites:
        evaluation = evaluate_item(item, site.answer)
        if site.accept and evaluation.points != item.points:
            wanted = "accepted"
        elif not site.accept and evaluation.points > 0:
            wanted = "rejected"
        else:
            continue
        answer = json.dumps(site.answer, ensure_ascii=False)
        points = _points(evaluation.points)
        reader.report(
            site.node,
            site.path,
            f"the rubric of item '{item.id}' gives {answer} {points} ({evaluation.outcome}) "
            f"but the example says it must be {wanted}",
        )


def _points(points: Decimal) -> str:
    return f"{points} point" if points == 1 else f"{points} points"
