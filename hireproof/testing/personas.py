"""Named personas for every app's tests (a pytest plugin, loaded by ``hireproof/conftest.py``).

Fixtures: ``administrator``, ``recruiter``, ``interviewer``, ``auditor`` (active staff users
whose password is ``PERSONA_PASSWORD``), ``<persona>_client`` (a test client signed in as
that persona), ``outsider`` (an anonymous client), ``client_as(user)`` for anyone else, and
``isolated_audit_keys`` (per-test audit key files: use it, e.g. autouse in an app's
``tests/conftest.py``, in tests that record audit events, because the test database rolls
back after each test but key files and the last-signed checkpoint record would not).
Django is imported inside the functions: this module is imported before Django is set up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django.fixtures import Settings
    from time_machine import TimeMachineFixture

    from hireproof.accounts.models import User
    from hireproof.hiring.models.openings import Opening
    from hireproof.hiring.models.playbooks import PlaybookVersion

PERSONA_PASSWORD = "kettle-orchard-47-lantern"  # noqa: S105 - test personas only


@dataclass(frozen=True)
class Persona:
    """A named member of staff used across the test suites."""

    full_name: str
    email: str
    role: str


PERSONAS = {
    "administrator": Persona("Ada Lovelace", "ada@example.org", "administrator"),
    "recruiter": Persona("Rosa Parks", "rosa@example.org", "recruiter"),
    "interviewer": Persona("Ivan Petrov", "ivan@example.org", "interviewer"),
    "auditor": Persona("Audrey Hepburn", "audrey@example.org", "auditor"),
}


@cache
def _persona_password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per test run.
    from django.contrib.auth.hashers import make_password

    return make_password(PERSONA_PASSWORD)


def make_staff(
    full_name: str, email: str, role: str, *, is_active: bool = True, with_password: bool = True
) -> User:
    """Create a staff user directly (no audit event), with ``PERSONA_PASSWORD`` by default."""
    from hireproof.accounts.models import User

    user = User(email=email, full_name=full_name, role=role, is_active=is_active)
    if with_password:
        user.password = _persona_password_hash()
    else:
        user.set_unusable_password()
    user.save()
    return user


def make_persona(name: str) -> User:
    """The persona ``name`` (a key of ``PERSONAS``) as a saved user."""
    persona = PERSONAS[name]
    return make_staff(persona.full_name, persona.email, persona.role)


def signed_in_client(user: User) -> Client:
    """A test client with a session for ``user`` (no sign-in form, no audit event)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def administrator(db: None) -> User:
    """Ada, an administrator."""
    return make_persona("administrator")


@pytest.fixture
def recruiter(db: None) -> User:
    """Rosa, a recruiter."""
    return make_persona("recruiter")


@pytest.fixture
def interviewer(db: None) -> User:
    """Ivan, an interviewer."""
    return make_persona("interviewer")


@pytest.fixture
def auditor(db: None) -> User:
    """Audrey, an auditor (read-only)."""
    return make_persona("auditor")


@pytest.fixture
def client_as(db: None) -> Callable[[User], Client]:
    """``client_as(user)``: a test client signed in as ``user``."""
    return signed_in_client


@pytest.fixture
def administrator_client(administrator: User) -> Client:
    """A client signed in as the administrator."""
    return signed_in_client(administrator)


@pytest.fixture
def recruiter_client(recruiter: User) -> Client:
    """A client signed in as the recruiter."""
    return signed_in_client(recruiter)


@pytest.fixture
def interviewer_client(interviewer: User) -> Client:
    """A client signed in as the interviewer."""
    return signed_in_client(interviewer)


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    """A client signed in as the auditor."""
    return signed_in_client(auditor)


@pytest.fixture
def outsider(db: None) -> Client:
    """An anonymous visitor: no account, no session."""
    from django.test import Client

    return Client()


@pytest.fixture
def isolated_audit_keys(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """Audit signing key and KEK files of this test only, created on first use."""
    from hireproof.audit import keys

    key_dir = tmp_path / "keys"
    settings.HIREPROOF_AUDIT_SIGNING_KEY = key_dir / "audit-signing.key"
    settings.HIREPROOF_KEK = key_dir / "kek.key"
    keys.forget_cached_keys()
    yield key_dir
    keys.forget_cached_keys()


# --- the hiring pipeline's common ground ------------------------------------------------------

TEST_START = datetime(2026, 5, 4, 9, 0, 0, tzinfo=UTC)
"""When the shared ``clock`` stands still: a Monday morning, 09:00 UTC."""


@pytest.fixture
def clock(time_machine: TimeMachineFixture) -> TimeMachineFixture:
    """Time stands still at ``TEST_START`` until a test moves it."""
    time_machine.move_to(TEST_START, tick=False)
    return time_machine


@pytest.fixture
def playbook_version(db: None) -> PlaybookVersion:
    """The built-in data-scientist-mid playbook, published as ``hireproof serve`` does."""
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.hiring.models.playbooks import PlaybookVersion

    load_builtin_playbooks()
    return PlaybookVersion.objects.get(playbook_id="data-scientist-mid")


def make_opening(actor: User, version: PlaybookVersion, title: str) -> Opening:
    """An opening created through its action, with the default invitation email."""
    from hireproof.hiring.actions.openings import do_create_opening
    from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT

    return do_create_opening(
        actor=actor,
        title=title,
        playbook_version=version,
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )


@pytest.fixture
def opening(recruiter: User, playbook_version: PlaybookVersion) -> Opening:
    """Rosa's "Data Scientist (Berlin)" on the built-in playbook."""
    return make_opening(recruiter, playbook_version, "Data Scientist (Berlin)")


@pytest.fixture
def other_opening(recruiter: User, playbook_version: PlaybookVersion) -> Opening:
    """A second opening, whose candidates must never be reachable through the first."""
    return make_opening(recruiter, playbook_version, "ML Engineer (Lisbon)")


def pytest_configure(config: pytest.Config) -> None:
    # Tests never run collectstatic, so WhiteNoise finds no static folder; that is expected.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
