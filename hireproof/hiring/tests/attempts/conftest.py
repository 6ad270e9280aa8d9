"""Fixtures of the candidate-side tests: a published playbook, an opening, invited candidates.

Time is fixed with ``time_machine`` (``clock``) so deadlines are exact; each test gets its own
audit key files (``isolated_audit_keys``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.candidates import Invitation, hash_token
from hireproof.hiring.models.openings import Opening
from hireproof.testing.personas import TEST_START

START = TEST_START
GRACE_TOKEN = "grace-token-0123456789abcdefghijklmnopqrstuv"
ALAN_TOKEN = "alan-token-0123456789abcdefghijklmnopqrstuvwx"


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@dataclass
class Link:
    """A candidate's personal link: the token only they hold, and their invitation row."""

    token: str
    invitation: Invitation

    def url(self, name: str = "start", *args: str) -> str:
        """The URL of the candidate page ``name`` under this link."""
        return reverse(f"assessments:{name}", args=[self.token, *args])

    @property
    def attempt(self) -> Attempt:
        """The attempt, read afresh from the database."""
        return Attempt.objects.get(invitation=self.invitation)

    @property
    def subject(self) -> Any:
        """The candidate's audit subject."""
        return self.invitation.candidate.subject


InviteFn = Callable[..., Link]


@pytest.fixture
def invite(opening: Opening, recruiter: User) -> InviteFn:
    """``invite(name, email, token, extra_percent=0, extra_minutes=0, valid_for=7 days)``."""

    def make(
        name: str,
        email: str,
        token: str,
        *,
        extra_percent: int = 0,
        extra_minutes: int = 0,
        valid_for: timedelta = timedelta(days=7),
    ) -> Link:
        candidate = do_add_candidate(
            actor=recruiter, opening=opening, candidate=NewCandidate(name, email)
        )
        invitation = Invitation.objects.create(
            candidate=candidate,
            token_hash=hash_token(token),
            expires_at=datetime.now(UTC) + valid_for,
            extra_time_percent=extra_percent,
            extra_minutes=extra_minutes,
        )
        return Link(token, invitation)

    return make


@pytest.fixture
def grace(clock: Any, invite: InviteFn) -> Link:
    """Grace Hopper's link (no extra time), invited at ``START``."""
    return invite("Grace Hopper", "grace@example.org", GRACE_TOKEN)


@pytest.fixture
def alan(clock: Any, invite: InviteFn) -> Link:
    """Alan Turing's link, another candidate of the same opening."""
    return invite("Alan Turing", "alan@example.org", ALAN_TOKEN)


@pytest.fixture
def candidate_client(db: Any) -> Client:
    """The candidate's browser: no account, no session."""
    return Client()


def started(client: Client, link: Link) -> Attempt:
    """Press Start on ``link``'s page and return the attempt."""
    response = client.post(link.url())
    assert response.status_code == 302
    return link.attempt


def save(client: Client, link: Link, item_id: str, text: str) -> Any:
    """The htmx autosave of one field."""
    return client.post(
        link.url("save", item_id), {f"answer-{item_id}": text}, HTTP_HX_REQUEST="true"
    )
