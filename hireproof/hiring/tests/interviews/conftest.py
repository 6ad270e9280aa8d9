"""Fixtures of the interviews tests: an opening on the built-in playbook, candidates whose
written test was really taken and scored, two interviewers, and the audit log's events.

Personas: the shared ones (Ada the administrator, Rosa the recruiter, Ivan the interviewer,
Audrey the auditor) plus Nadia, a second interviewer, and Omar, a recruiter who also assigns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.accounts.roles import Role
from hireproof.audit.models import LogLeaf
from hireproof.audit.tests.factories import without_event_time
from hireproof.core.audit import parse_leaf
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions.attempts import do_save_answer, do_start_attempt, do_submit_attempt
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.interviews import do_assign_interviewer, do_submit_scorecard
from hireproof.hiring.actions.invitations import do_invite_candidate
from hireproof.hiring.models.accommodation import NO_ACCOMMODATION
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.interviews import Assignment, ScorecardVersion
from hireproof.hiring.models.openings import Opening
from hireproof.testing.personas import make_staff

BASE_URL = "http://testserver/"
QUESTIONS = (
    "past-project",
    "overfitting",
    "deployment",
    "ill-defined-request",
    "continuous-learning",
)
IVAN_RATINGS = {
    "past-project": 4,
    "overfitting": 5,
    "deployment": 3,
    "ill-defined-request": 4,
    "continuous-learning": 2,
}
NADIA_RATINGS = {
    "past-project": 1,
    "overfitting": 2,
    "deployment": 2,
    "ill-defined-request": 1,
    "continuous-learning": 1,
}


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


def example_answers(name: str) -> dict[str, str]:
    """One of the built-in playbook's example answer sheets (``strong-pass``, ...)."""
    folder = resources.files("hireproof.core.playbook.builtin").joinpath("examples")
    answers: dict[str, str] = json.loads(folder.joinpath(f"{name}.json").read_text("utf-8"))
    return answers


def add_candidate(opening: Opening, actor: User, name: str, email: str) -> Candidate:
    """A candidate added and invited through the openings actions (not tested here)."""
    candidate = do_add_candidate(actor=actor, opening=opening, candidate=NewCandidate(name, email))
    do_invite_candidate(
        actor=actor, candidate=candidate, accommodation=NO_ACCOMMODATION, base_url=BASE_URL
    )
    return Candidate.objects.select_related("subject", "opening", "invitation").get(pk=candidate.pk)


def take_test(candidate: Candidate, answers: dict[str, str]) -> Candidate:
    """The candidate starts, answers and submits; the attempt is scored by the core."""
    attempt = do_start_attempt(candidate.invitation)
    for item_id, text in answers.items():
        do_save_answer(attempt, item_id, text)
    do_submit_attempt(attempt)
    return fresh(candidate)


def fresh(candidate: Candidate) -> Candidate:
    """The candidate read again with their invitation and attempt."""
    return Candidate.objects.select_related(
        "subject", "opening", "opening__playbook_version", "invitation", "invitation__attempt"
    ).get(pk=candidate.pk)


@pytest.fixture
def nadia(db: Any) -> User:
    """Nadia, a second interviewer."""
    return make_staff("Nadia Boateng", "nadia@example.org", Role.INTERVIEWER)


@pytest.fixture
def omar(db: Any) -> User:
    """Omar, a second recruiter."""
    return make_staff("Omar Haddad", "omar@example.org", Role.RECRUITER)


@pytest.fixture
def grace(opening: Opening, recruiter: User) -> Candidate:
    """Grace Hopper: strong pass, no flag; ready for interviews."""
    return take_test(
        add_candidate(opening, recruiter, "Grace Hopper", "grace@example.org"),
        example_answers("strong-pass"),
    )


@pytest.fixture
def alan(opening: Opening, recruiter: User) -> Candidate:
    """Alan Turing: another strong pass in the same opening."""
    return take_test(
        add_candidate(opening, recruiter, "Alan Turing", "alan@example.org"),
        example_answers("strong-pass"),
    )


Assign = Callable[..., Assignment]


@pytest.fixture
def assign(recruiter: User) -> Assign:
    """``assign(candidate, interviewer, **kwargs)`` by Rosa."""

    def make(candidate: Candidate, interviewer: User, **kwargs: Any) -> Assignment:
        return do_assign_interviewer(
            actor=recruiter, candidate=candidate, interviewer=interviewer, **kwargs
        )

    return make


def submit(
    assignment: Assignment,
    ratings: dict[str, int],
    red_flags: tuple[str, ...] = (),
    notes: str = "",
) -> ScorecardVersion:
    """The assignment's interviewer submits this scorecard."""
    return do_submit_scorecard(
        actor=assignment.interviewer,
        assignment=assignment,
        card=InterviewScorecard("", ratings=ratings, red_flags=tuple(red_flags), notes=notes),
    )


def rating_post(ratings: dict[str, int], **extra: Any) -> dict[str, Any]:
    """The kit form's POST data for these ratings."""
    data: dict[str, Any] = {f"rating-{q}": str(v) for q, v in ratings.items()}
    data.update(extra)
    return data


def recorded(event_type: str) -> list[Any]:
    """The parsed leaves of this event type, oldest first."""
    return [
        parsed
        for parsed in (
            without_event_time(parse_leaf(bytes(leaf.data)))
            for leaf in LogLeaf.objects.order_by("index")
        )
        if parsed.event_type == event_type
    ]
