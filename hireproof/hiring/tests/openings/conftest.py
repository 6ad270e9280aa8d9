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
from hireproof.audit.models import LogLeaf
from hireproof.audit.tests.factories import without_event_time
from hireproof.core.audit import EventType, parse_leaf
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.invitations import do_invite_candidate
from hireproof.hiring.models.accommodation import NO_ACCOMMODATION, Accommodation
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening

BASE_URL = "http://testserver/"
LINK = re.compile(r"http://testserver(/a/([A-Za-z0-9_-]+)/)")


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


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
        parsed = without_event_time(parse_leaf(bytes(leaf.data)))
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
