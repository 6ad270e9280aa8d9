"""Re-scoring with the product's real playbook loader and scorer, on the built-in playbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from hireproof.core.audit.bundle import Bundle, PlaybookText
from hireproof.core.audit.commitments import commit_fields, open_field
from hireproof.core.audit.events import EventType, scoring_public
from hireproof.core.audit.verify import verify_bundle

from .builders import SECRET, event_leaf, make_bundle, plain_leaves

playbook_module = pytest.importorskip("hireproof.core.playbook")
scoring_module = pytest.importorskip("hireproof.core.scoring")

YAML_PATH = Path(playbook_module.__file__).parent / "builtin" / "data-scientist-mid.yaml"


def _scored_bundle(recorded_answers: dict[str, str], disclosed: dict[str, str]) -> Bundle:
    text = YAML_PATH.read_text(encoding="utf-8")
    playbook = playbook_module.load_playbook_text(text, YAML_PATH.name)
    scorecard = scoring_module.score(playbook, recorded_answers)
    leaf = event_leaf(
        3,
        EventType.ATTEMPT_SCORED,
        # The format before scorecard hashes were committed: the verifier still re-scores it.
        public={
            **scoring_public(
                playbook_id=playbook.id,
                playbook_version=playbook.version,
                playbook_hash=playbook.hash,
            ),
            "scorecard_hash": scorecard.hash,
        },
        commitments=commit_fields(SECRET, "3", {"answers": disclosed}),
    )
    return make_bundle(
        [*plain_leaves(3), leaf],
        openings={3: (open_field(SECRET, "3", "answers", disclosed),)},
        playbooks={playbook.hash: PlaybookText(YAML_PATH.name, text)},
    )


def _answers(first_answer: str) -> dict[str, str]:
    playbook = playbook_module.load_playbook_text(
        YAML_PATH.read_text(encoding="utf-8"), YAML_PATH.name
    )
    first = playbook.assessment.items[0].id
    return {first: first_answer}


def test_a_disclosed_scoring_event_re_scores_to_the_logged_scorecard() -> None:
    answers = _answers("70")
    report = verify_bundle(_scored_bundle(answers, answers))
    assert report.failures == ()
    assert report.rescored == 1


def test_answers_that_score_differently_from_the_log_are_named() -> None:
    report = verify_bundle(_scored_bundle(_answers("70"), _answers("no idea")))
    assert len(report.failures) == 1
    assert str(report.failures[0]).startswith(
        "leaf 3 (attempt.scored): field answers: re-scoring the disclosed answers gives "
        "scorecard hash "
    )
