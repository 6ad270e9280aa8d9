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
from hireproof.core.audit.rescore import Rescored, rescore_problem, rescore_with_core
from hireproof.core.errors import AuditError
from hireproof.core.playbook import load_playbook_text
from hireproof.core.scoring import score
from hireproof.core.tests.playbook.sample import sample_with

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


# --- the engine: RE2 alone, whatever the bundle's playbook says ------------------------------

# Outside RE2's dialect (\w reads differently in the two engines), so a version published with it
# is scored by the app with Python's re, where it backtracks: 2**n steps on n letters and a "!".
BACKTRACKING = sample_with('{regex: "wrong"}', "{regex: '^(\\w+\\s?)+$'}")


def test_a_bundle_playbook_with_a_pattern_outside_re2_is_not_re_scored() -> None:
    answers = {"outlier": "a" * 12 + "!", "sum": "4", "choice": "b"}
    with pytest.raises(AuditError) as refused:
        rescore_with_core(BACKTRACKING, "tiny.yaml", answers)
    assert str(refused.value) == (
        "tiny.yaml:59:67: assessment.items[2].rule.all_of[1].any_of[1].regex: \\w is any Unicode "
        "letter or digit in Python's re but only [0-9A-Za-z_] in RE2: write [a-z0-9_] (or list "
        "the letters). The verifier runs only the regular expressions the app scores with RE2, "
        "in time linear in the answer, so no playbook in a bundle can stall it"
    )


def test_a_bundle_playbook_s_pattern_is_checked_before_its_examples_run() -> None:
    # With Python's backtracking re, a reject example of n letters and a "!" takes time that
    # doubles with each letter (9 s at 27): a bundle's examples must not run before its
    # patterns are held to RE2. This reject example matches the pattern, so had it run, the
    # refusal would name it.
    stalling = BACKTRACKING.replace('reject: ["99 is not an outlier"]', 'reject: ["aaa bbb"]')
    assert stalling != BACKTRACKING
    with pytest.raises(AuditError) as refused:
        rescore_with_core(stalling, "tiny.yaml", {"outlier": "x", "sum": "4", "choice": "b"})
    assert "regex: \\w is any Unicode letter" in str(refused.value)
    assert "example" not in str(refused.value)


def test_the_refusal_is_a_located_re_scoring_failure() -> None:
    playbook = load_playbook_text(BACKTRACKING, "tiny.yaml", published=True)
    public = {
        **scoring_public(
            playbook_id=playbook.id, playbook_version=playbook.version, playbook_hash=playbook.hash
        ),
        "scorecard_hash": "0" * 64,
    }
    leaf = parse_leaf(event_leaf(3, EventType.ATTEMPT_SCORED, public=public))
    bundled = {playbook.hash: PlaybookText("tiny.yaml", BACKTRACKING)}
    problem = rescore_problem(
        leaf, {"outlier": "a" * 12 + "!"}, bundled, rescore_with_core, opened_scorecard_hash=None
    )
    assert problem is not None
    assert problem.startswith("re-scoring failed: tiny.yaml:59:67: assessment.items[2].rule")


def test_a_bundle_playbook_whose_patterns_re2_runs_is_re_scored_as_the_app_scores_it() -> None:
    text = sample_with('{regex: "wrong"}', "{regex: '^(wr|x)+ong'}")
    playbook = load_playbook_text(text, "tiny.yaml", published=True)
    answers = {"outlier": "wrong, it is an outlier", "sum": "4"}
    rescored = rescore_with_core(text, "tiny.yaml", answers)
    assert (rescored.playbook_hash, rescored.scorecard_hash) == (
        playbook.hash,
        score(playbook, answers).hash,
    )
