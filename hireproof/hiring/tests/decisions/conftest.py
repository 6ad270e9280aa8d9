"""Fixtures of the decisions tests: an opening on the built-in playbook and scored candidates.

Candidates take the written test through the assessments app's own actions (start, save,
submit), so their scorecards, receipts and audit events are the real ones. Time stands still
at ``START`` (``clock``); each test has its own audit key files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.audit.tests.factories import without_event_time
from hireproof.core.audit import Leaf, parse_leaf
from hireproof.hiring.actions.attempts import do_save_answer, do_start_attempt, do_submit_attempt
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.openings import do_create_opening
from hireproof.hiring.actions.reviews import do_acknowledge_flag
from hireproof.hiring.models.candidates import Candidate, Invitation, hash_token
from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT, Opening
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.testing.personas import TEST_START

START = TEST_START

# The seed playbook's five items, all answered correctly: 100%, strong_pass, advance.
STRONG = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141, nobody is that old",
    "communication-summary": "B",
}
# Option A of the judgment question raises a warning: 80%, strong_pass, review.
WITH_WARNING = {**STRONG, "sjt-incomplete-data": "A"}
# Option D advocates fabricating data: a critical flag, critical_fail, reject.
CRITICAL = {**STRONG, "sjt-incomplete-data": "D"}
# Two correct answers of five: 40%, fail, reject.
FAILING = {"cognitive-growth": "1210", "pandas-filter-sum": "70"}


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture
def opening(clock: Any, recruiter: User, playbook_version: PlaybookVersion) -> Opening:
    """Rosa's opening for a data scientist, pinned to the built-in playbook."""
    return do_create_opening(
        actor=recruiter,
        title="Data Scientist (Berlin)",
        playbook_version=playbook_version,
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )


def invite(candidate: Candidate) -> Invitation:
    """An invitation for ``candidate``, valid for a week from ``START`` (no email)."""
    return Invitation.objects.create(
        candidate=candidate,
        token_hash=hash_token(f"token-{candidate.pk}-0123456789abcdefghijklmnopqrstuvwxyz"),
        expires_at=START + timedelta(days=7),
    )


def take_test(candidate: Candidate, answers: Mapping[str, str]) -> Candidate:
    """The candidate starts, answers ``answers`` and submits; returns them read afresh."""
    attempt = do_start_attempt(invite(candidate), now=START)
    for item_id, text in answers.items():
        do_save_answer(attempt, item_id, text, now=START + timedelta(minutes=5))
    do_submit_attempt(attempt, now=START + timedelta(minutes=20))
    return Candidate.objects.select_related(
        "subject", "opening__playbook_version", "invitation__attempt"
    ).get(pk=candidate.pk)


MakeCandidate = Callable[..., Candidate]


@pytest.fixture
def make_candidate(opening: Opening, recruiter: User) -> MakeCandidate:
    """``make_candidate(name, email, answers=None)``: added, and scored when given answers."""

    def make(name: str, email: str, answers: Mapping[str, str] | None = None) -> Candidate:
        candidate = do_add_candidate(
            actor=recruiter, opening=opening, candidate=NewCandidate(name, email)
        )
        return take_test(candidate, answers) if answers is not None else candidate

    return make


@pytest.fixture
def grace(make_candidate: MakeCandidate) -> Candidate:
    """Grace Hopper: every answer right (strong_pass, advance)."""
    return make_candidate("Grace Hopper", "grace@example.org", STRONG)


@pytest.fixture
def alan(make_candidate: MakeCandidate) -> Candidate:
    """Alan Turing: a warning flag on the judgment question (strong_pass, review)."""
    return make_candidate("Alan Turing", "alan@example.org", WITH_WARNING)


@pytest.fixture
def mallory(make_candidate: MakeCandidate) -> Candidate:
    """Mallory: would fabricate data (critical_fail, reject)."""
    return make_candidate("Mallory Fabricant", "mallory@example.org", CRITICAL)


@pytest.fixture
def frank(make_candidate: MakeCandidate) -> Candidate:
    """Frank: two answers of five (fail, reject)."""
    return make_candidate("Frank Failing", "frank@example.org", FAILING)


def acknowledge(candidate: Candidate, reviewer: User, item_id: str = "sjt-incomplete-data") -> None:
    """A reviewer acknowledges the warning on ``item_id`` with a note."""
    do_acknowledge_flag(
        actor=reviewer,
        attempt=candidate.invitation.attempt,
        item_id=item_id,
        note="Talked it through with the candidate on the phone.",
    )


def leaves(event_type: str) -> list[Leaf]:
    """Every parsed leaf of ``event_type``, oldest first."""
    return [
        without_event_time(parse_leaf(bytes(leaf.data)))
        for leaf in LogLeaf.objects.filter(event_type=event_type).order_by("index")
    ]
