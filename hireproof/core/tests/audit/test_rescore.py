"""Where re-scoring finds the recorded scorecard hash: a committed field, or a legacy public one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from hireproof.core.audit.bundle import PlaybookText
from hireproof.core.audit.commitments import commit_fields
from hireproof.core.audit.events import (
    SCORECARD_HASH_FIELD,
    EventType,
    parse_leaf,
    scoring_private,
    scoring_public,
)
from hireproof.core.audit.rescore import Rescored, rescore_problem

from .builders import ANSWERS, PLAYBOOK_HASH, SECRET, event_leaf

SCORECARD = "5" * 64
PLAYBOOKS = {PLAYBOOK_HASH: PlaybookText("data-scientist-mid.yaml", "text")}


def _rescorer(text: str, filename: str, answers: Mapping[str, str]) -> Rescored:
    return Rescored("data-scientist-mid", "1.0.0", PLAYBOOK_HASH, SCORECARD)


def _committed_leaf() -> Any:
    public = scoring_public(
        playbook_id="data-scientist-mid", playbook_version="1.0.0", playbook_hash=PLAYBOOK_HASH
    )
    commitments = commit_fields(SECRET, "3", scoring_private(ANSWERS, SCORECARD))
    return parse_leaf(
        event_leaf(3, EventType.ATTEMPT_SCORED, public=public, commitments=commitments)
    )


def test_a_committed_scorecard_hash_is_compared_with_the_opened_value() -> None:
    leaf = _committed_leaf()
    assert "scorecard_hash" not in leaf.public
    assert set(leaf.commitments) == {"answers", SCORECARD_HASH_FIELD}
    assert (
        rescore_problem(leaf, ANSWERS, PLAYBOOKS, _rescorer, opened_scorecard_hash=SCORECARD)
        is None
    )
    assert rescore_problem(leaf, ANSWERS, PLAYBOOKS, _rescorer, opened_scorecard_hash="6" * 64) == (
        f"re-scoring the disclosed answers gives scorecard hash {SCORECARD}, "
        f"the log recorded {'6' * 64}"
    )


@pytest.mark.parametrize(
    ("opened", "problem"),
    [
        (
            None,
            "the scoring event commits its scorecard hash: the bundle must open the "
            "scorecard_hash field with the answers to re-score them",
        ),
        (42, "the opened scorecard_hash is not a string"),
    ],
)
def test_a_committed_scorecard_hash_must_be_opened_as_a_string(
    opened: object, problem: str
) -> None:
    leaf = _committed_leaf()
    assert (
        rescore_problem(leaf, ANSWERS, PLAYBOOKS, _rescorer, opened_scorecard_hash=opened)
        == problem
    )


def test_a_leaf_with_neither_a_committed_nor_a_public_scorecard_hash_is_refused() -> None:
    public = scoring_public(
        playbook_id="data-scientist-mid", playbook_version="1.0.0", playbook_hash=PLAYBOOK_HASH
    )
    leaf = parse_leaf(
        event_leaf(
            3,
            EventType.ATTEMPT_SCORED,
            public=public,
            commitments=commit_fields(SECRET, "3", {"answers": ANSWERS}),
        )
    )
    assert rescore_problem(leaf, ANSWERS, PLAYBOOKS, _rescorer) == (
        "the scoring event neither commits nor names its scorecard hash"
    )
