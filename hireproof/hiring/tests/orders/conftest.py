"""Fixtures of the assessment-order tests: isolated audit keys (the KEK seals callback
credentials and signs report links), outbound calls allowed to 127.0.0.1 (the fake ATS), and a
fake Greenhouse holding a key with the ``greenhouse`` scope, talking to the live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hireproof.accounts.actions import do_create_api_key
from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.testing.fake_greenhouse import FakeGreenhouse, running_greenhouse


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
