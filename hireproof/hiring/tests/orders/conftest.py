"""Fixtures of the assessment-order tests: isolated audit keys (the KEK seals callback
credentials and signs report links), outbound calls allowed to 127.0.0.1 (the fake ATS), a
fake Greenhouse holding a key with the ``greenhouse`` scope, talking to the live server, and a
fake Lever whose connection an administrator saved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hireproof.accounts.actions import do_create_api_key
from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.hiring.access import access_invitation_for_candidate
from hireproof.hiring.actions.attempts import do_save_answer, do_start_attempt, do_submit_attempt
from hireproof.hiring.actions.connections import ConnectionChange, do_save_connection
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.orders import Ats
from hireproof.hiring.tests.webhooks.conftest import STRONG
from hireproof.testing.fake_greenhouse import FakeGreenhouse, running_greenhouse
from hireproof.testing.fake_lever import FakeLever, running_lever

LEVER_KEY = "lever-api-key-0123456789"
LEVER_SIGNATURE_TOKEN = "lever-signature-token-abcdef"
TRIGGER_STAGE = "stage-assessment"


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture
def allow_private(settings: Any) -> None:
    """The fake ATS listens on 127.0.0.1, as the operator may allow."""
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = True


def greenhouse_key(owner: User, *scopes: Scope) -> str:
    """A new key of ``owner`` with ``scopes`` (the ``greenhouse`` scope when none is named)."""
    _, raw = do_create_api_key(
        actor=None, name="Greenhouse", owner=owner, scopes=list(scopes or [Scope.GREENHOUSE])
    )
    return raw


@pytest.fixture
def greenhouse(
    live_server: Any, settings: Any, recruiter: User, allow_private: None
) -> Iterator[FakeGreenhouse]:
    """A fake Greenhouse with a recruiter's ``greenhouse`` key, calling the live server (whose
    address the links hireproof gives out carry)."""
    settings.HIREPROOF_SITE_URL = live_server.url
    with running_greenhouse(
        f"{live_server.url}/integrations/greenhouse", greenhouse_key(recruiter)
    ) as fake:
        yield fake


def connect_lever(actor: User, fake: FakeLever, **options: Any) -> None:
    """Save the Lever connection as ``actor``: the fake's API, key and signature token."""
    do_save_connection(
        actor=actor,
        ats=Ats.LEVER,
        change=ConnectionChange(
            api_base_url=fake.base_url,
            ats_secret=fake.api_key,
            signing_secret=fake.signature_token,
            options={"trigger_stage_id": TRIGGER_STAGE, **options},
        ),
    )


@pytest.fixture
def lever(
    live_server: Any, settings: Any, administrator: User, allow_private: None
) -> Iterator[FakeLever]:
    """A fake Lever sending its webhooks to the live server, connected by an administrator."""
    settings.HIREPROOF_SITE_URL = live_server.url
    with running_lever(
        f"{live_server.url}/integrations/lever/webhook", LEVER_KEY, LEVER_SIGNATURE_TOKEN
    ) as fake:
        connect_lever(administrator, fake)
        yield fake


def link_token(mailoutbox: Any, address: str) -> str:
    """The token of the link in the invitation hireproof emailed to ``address``."""
    [email] = [mail for mail in mailoutbox if address in mail.to]
    found = re.search(r"/a/([A-Za-z0-9_-]+)/", email.body)
    assert found is not None  # the invitation carries its link
    return found.group(1)


def take_the_test(mailoutbox: Any, address: str, *, submit: bool = True) -> Candidate:
    """The candidate at ``address`` follows the link of the email hireproof sent and answers
    every item strongly (and submits, unless told not to); the candidate."""
    invitation = access_invitation_for_candidate(link_token(mailoutbox, address))
    attempt = do_start_attempt(invitation)
    for item_id, text in STRONG.items():
        do_save_answer(attempt, item_id, text)
    if submit:
        do_submit_attempt(attempt)
    return invitation.candidate


def ats_events() -> list[dict[str, Any]]:
    """The ``ats.*`` events of the audit log, in order: each one's type and public fields."""
    leaves = [parse_leaf(bytes(row.data)) for row in LogLeaf.objects.order_by("index")]
    return [
        {"type": str(leaf.event_type), **leaf.public}
        for leaf in leaves
        if str(leaf.event_type).startswith("ats.")
    ]


def ats_calls() -> list[tuple[str, str, int | None]]:
    """The exchanges the audit log holds, in order: direction, call and status."""
    return [(e["direction"], e["call"], e["status"]) for e in ats_events() if "call" in e]
