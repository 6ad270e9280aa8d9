"""Fixtures of the openings tests: a published playbook, an opening, candidates, the log."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.assessments.models import Attempt
from hireproof.audit.models import LogLeaf
from hireproof.core.audit.events import EventType, parse_leaf
from hireproof.openings.accommodation import NO_ACCOMMODATION, Accommodation
from hireproof.openings.actions import (
    NewCandidate,
    do_add_candidate,
    do_create_opening,
    do_invite_candidate,
)
from hireproof.openings.models import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT, Candidate, Opening
from hireproof.playbooks.actions import load_builtin_playbooks
from hireproof.playbooks.models import PlaybookVersion

BASE_URL = "http://testserver/"
LINK = re.compile(r"http://testserver(/a/([A-Za-z0-9_-]+)/)")


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture
def playbook_version(db: Any) -> PlaybookVersion:
    """The built-in mid-level data scientist playbook, published as hireproof does at start."""
    load_builtin_playbooks()
    return PlaybookVersion.objects.get(playbook_id="data-scientist-mid")


def make_opening(actor: User, playbook_version: PlaybookVersion, title: str) -> Opening:
    """An opening created through its action, with the default email."""
    return do_create_opening(
        actor=actor,
        title=title,
        playbook_version=playbook_version,
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )


@pytest.fixture
def opening(recruiter: User, playbook_version: PlaybookVersion) -> Opening:
    """ "Data Scientist (Berlin)", created by the recruiter."""
    return make_opening(recruiter, playbook_version, "Data Scientist (Berlin)")


@pytest.fixture
def other_opening(recruiter: User, playbook_version: PlaybookVersion) -> Opening:
    """A second opening, whose candidates must never be reachable through the first one."""
    return make_opening(recruiter, playbook_version, "ML Engineer (Lisbon)")


def add(opening: Opening, actor: User, name: str, email: str) -> Candidate:
    """A candidate added through the action."""
    return do_add_candidate(
        actor=actor, opening=opening, candidate=NewCandidate(name=name, email=email)
    )


def invite(
    candidate: Candidate, actor: User, accommodation: Accommodation = NO_ACCOMMODATION
) -> None:
    """Invite through the action (the email goes to ``mail.outbox``)."""
    do_invite_candidate(
        actor=actor, candidate=candidate, accommodation=accommodation, base_url=BASE_URL
    )


def start_attempt(candidate: Candidate, at: datetime | None = None) -> Attempt:
    """An attempt row in progress, as the candidate side would create it."""
    started = at or timezone.now()
    return Attempt.objects.create(
        invitation=candidate.invitation,
        started_at=started,
        deadline=started + timedelta(minutes=30),
    )


def score_attempt(attempt: Attempt, percent: str, verdict: str, warnings: int = 0) -> Attempt:
    """Mark an attempt submitted and scored with these results."""
    attempt.submitted_at = attempt.started_at + timedelta(minutes=20)
    attempt.submission = "candidate"
    attempt.scorecard_hash = "ab" * 32
    attempt.score_percent = Decimal(percent)
    attempt.verdict = verdict
    attempt.warning_count = warnings
    attempt.save()
    return attempt


@pytest.fixture
def add_candidate(recruiter: User) -> Callable[[Opening, str, str], Candidate]:
    """``add_candidate(opening, name, email)``, added by the recruiter."""
    return lambda opening, name, email: add(opening, recruiter, name, email)


def recorded_events() -> list[tuple[str, str | None, str | None, dict[str, Any], list[str]]]:
    """(type, actor, subject, public, committed field names) of each event after the first."""
    events = []
    for leaf in LogLeaf.objects.order_by("index"):
        parsed = parse_leaf(bytes(leaf.data))
        if parsed.event_type not in (EventType.LOG_CREATED, EventType.PLAYBOOK_PUBLISHED):
            events.append(
                (
                    str(parsed.event_type),
                    parsed.actor,
                    parsed.subject,
                    dict(parsed.public),
                    sorted(parsed.commitments),
                )
            )
    return events


@pytest.fixture
def events() -> Callable[[], list[tuple[str, str | None, str | None, dict[str, Any], list[str]]]]:
    """``events()``: the audit events recorded so far (playbook publishing left out)."""
    return recorded_events
