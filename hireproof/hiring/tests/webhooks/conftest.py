"""Fixtures of the webhook tests: a real receiver on 127.0.0.1 (the tests allow private
addresses for it), an endpoint subscribed to every event, and candidates who go through the
pipeline's own actions.

Time stands still at ``START`` (``clock``) until a test moves it; each test has its own audit
key files (and so its own KEK, which seals the endpoints' secrets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.hiring.actions.attempts import do_save_answer, do_start_attempt, do_submit_attempt
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.invitations import do_invite_candidate
from hireproof.hiring.actions.webhooks import do_create_webhook_endpoint
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.webhooks import WebhookEndpoint
from hireproof.hiring.webhooks import EVENT_NAMES
from hireproof.testing.personas import TEST_START
from hireproof.testing.webhook_receiver import Receiver, running_receiver

START = TEST_START

# The seed playbook's five items, all answered correctly: 100%, strong_pass, advance.
STRONG = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141, nobody is that old",
    "communication-summary": "B",
}


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture
def allow_private(settings: Any) -> None:
    """The receiver listens on 127.0.0.1: a self-hosted receiver, as the operator allows."""
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


Subscribe = Callable[..., WebhookEndpoint]


@pytest.fixture
def subscribe(administrator: User, receiver: Receiver, allow_private: None) -> Subscribe:
    """``subscribe(events=EVENT_NAMES)``: the receiver's URL subscribed; it verifies with the
    endpoint's secret."""

    def make(events: tuple[str, ...] = EVENT_NAMES) -> WebhookEndpoint:
        endpoint, secret = do_create_webhook_endpoint(
            actor=administrator, url=receiver.url, events=list(events)
        )
        receiver.secrets.append(secret)
        return endpoint

    return make


def invited(opening: Opening, recruiter: User, name: str = "Grace Hopper") -> Candidate:
    """A candidate added and invited through the actions (the email waits in the outbox)."""
    email = name.lower().replace(" ", ".") + "@example.org"
    candidate = do_add_candidate(
        actor=recruiter, opening=opening, candidate=NewCandidate(name, email)
    )
    do_invite_candidate(
        actor=recruiter,
        candidate=candidate,
        accommodation=Accommodation(),
        base_url="http://testserver/",
    )
    return Candidate.objects.select_related("invitation", "opening").get(pk=candidate.pk)


def take_test(candidate: Candidate, answers: Mapping[str, str] = STRONG) -> Candidate:
    """The candidate starts, answers and submits (through the actions, at the clock's time)."""
    from django.utils import timezone

    now = timezone.now()
    attempt = do_start_attempt(candidate.invitation, now=now)
    for item_id, text in answers.items():
        do_save_answer(attempt, item_id, text, now=now + timedelta(minutes=5))
    do_submit_attempt(attempt, now=now + timedelta(minutes=20))
    return Candidate.objects.get(pk=candidate.pk)
