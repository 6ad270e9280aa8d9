"""Hashes derived from the answers are committed under the candidate's salt, never public.

An unsalted scorecard hash in a public leaf would let anyone score guessed answers (a public
example sheet, say) and match the leaf, learning every question's outcome, even after the
candidate was erased. Two candidates who gave the same answers must share no answer-derived
value in their leaves' public parts; after an erasure nothing in the log links her leaves to
an answer sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf, LogPrivate
from hireproof.audit.vault import SubjectErasedError, commitment_secret
from hireproof.core.audit import RECOMMENDATION_HASH_FIELD, SCORECARD_HASH_FIELD, Leaf, parse_leaf
from hireproof.core.scoring import decide, score
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import latest_recommendation
from hireproof.hiring.models.interviews import counted_scorecards
from hireproof.hiring.tests.decisions.conftest import STRONG, MakeCandidate

pytestmark = pytest.mark.django_db

HEX_DIGEST = re.compile(r"\b[0-9a-f]{64}\b")
# Shared by two candidates of one opening whatever they answered (ids, the playbook, counts of
# the playbook's items), or coarse labels the log keeps public on purpose (a verdict, a
# recommendation's kind, an outcome): none of these tells one answer sheet from another.
NOT_A_FINGERPRINT = {
    "attempt.scored": {"playbook.id", "playbook.version", "playbook.hash", "verdict"},
    "attempt.submitted": {"answered", "items"},
    "recommendation.computed": {
        "opening_id",
        "kind",
        "interview_scorecards",
        "interview_red_flags",
    },
    "decision.recorded": {
        "opening_id",
        "outcome",
        "recommendation.kind",
        "against_recommendation",
        "overrides_critical",
        "supersedes",
    },
    "answer.saved": {"item_id", "revision"},
    "attempt.started": {"opening_id", "time_limit_minutes"},
    "candidate.added": {"opening_id", "source"},
}


def _leaves_of(candidate: Candidate) -> list[Leaf]:
    rows = LogLeaf.objects.filter(subject=candidate.subject.pseudonym).order_by("index")
    return [parse_leaf(bytes(row.data)) for row in rows]


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{path}.{key}" if path else key)
    else:
        yield path, repr(value)


def _public_values(candidate: Candidate) -> set[tuple[str, str, str]]:
    return {
        (str(leaf.event_type), path, value)
        for leaf in _leaves_of(candidate)
        for path, value in _flatten(dict(leaf.public))
    }


def _decided_twin(make_candidate: MakeCandidate, recruiter: User, name: str) -> Candidate:
    candidate = make_candidate(name, f"{name.split()[0].lower()}@example.org", STRONG)
    do_record_decision(
        actor=recruiter,
        candidate=candidate,
        outcome="hire",
        reason="Strong on every question.",
        justification="Hired ahead of the interviews: the team needs her now.",
    )
    return candidate


def test_identical_answers_leave_no_common_answer_derived_value_in_public(
    make_candidate: MakeCandidate, recruiter: User
) -> None:
    grace = _decided_twin(make_candidate, recruiter, "Grace Hopper")
    twin = _decided_twin(make_candidate, recruiter, "Greta Hopper")
    sheet = score(grace.opening.playbook_version.load(), STRONG)  # what anyone can compute
    assert grace.invitation.attempt.scorecard_hash == twin.invitation.attempt.scorecard_hash

    shared = _public_values(grace) & _public_values(twin)
    unexplained = {
        (event, path)
        for event, path, _ in shared
        if path not in NOT_A_FINGERPRINT.get(event, set())
        and path != "occurred_at"  # the clock (the twins act at the same test instant)
    }
    assert unexplained == set()
    shared_digests = {value for _, path, value in shared if HEX_DIGEST.search(value)}
    assert shared_digests == {repr(grace.opening.playbook_version.content_hash)}

    log = b"".join(bytes(data) for data in LogLeaf.objects.values_list("data", flat=True))
    recommendation = latest_recommendation(grace)
    assert recommendation is not None
    for derived in (sheet.hash, recommendation.hash, recommendation.scorecard_hash):
        assert derived.encode() not in log
    # The committed values are salted per candidate and per leaf: equal sheets, unequal leaves.
    for field in (SCORECARD_HASH_FIELD, RECOMMENDATION_HASH_FIELD):
        grace_commitments = {
            leaf.commitments[field] for leaf in _leaves_of(grace) if field in leaf.commitments
        }
        twin_commitments = {
            leaf.commitments[field] for leaf in _leaves_of(twin) if field in leaf.commitments
        }
        assert grace_commitments
        assert twin_commitments
        assert grace_commitments.isdisjoint(twin_commitments)


def test_after_erasure_nothing_in_the_log_links_her_leaves_to_a_sheet(
    make_candidate: MakeCandidate, recruiter: User, administrator: User
) -> None:
    grace = _decided_twin(make_candidate, recruiter, "Grace Hopper")
    playbook = grace.opening.playbook_version.load()
    sheet = score(playbook, STRONG)
    guessed = decide(playbook, sheet, counted_scorecards(grace))

    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.REQUEST)

    log = b"".join(bytes(data) for data in LogLeaf.objects.values_list("data", flat=True))
    for derived in (sheet.hash, guessed.hash):
        assert derived.encode() not in log
    committed = [leaf for leaf in _leaves_of(grace) if SCORECARD_HASH_FIELD in leaf.commitments]
    assert {str(leaf.event_type) for leaf in committed} == {
        "attempt.scored",
        "recommendation.computed",
    }
    # What could open those commitments is gone: the sealed values and the secret of the salts.
    assert not LogPrivate.objects.filter(subject=grace.subject).exists()
    grace.subject.refresh_from_db()
    with pytest.raises(SubjectErasedError):
        commitment_secret(grace.subject)
