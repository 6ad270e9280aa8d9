"""API keys: stored hashed, audited, scoped by the owner's role, refused when revoked, expired
or owned by someone deactivated; the settings page shows a new key once; the command line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hireproof.accounts.actions import (
    ApiKeyRefused,
    do_create_api_key,
    do_deactivate_staff,
    do_revoke_api_key,
)
from hireproof.accounts.api_keys import hash_key
from hireproof.accounts.models import ApiKey, User
from hireproof.accounts.roles import SCOPE_PERMISSIONS, Permission, Scope
from hireproof.api.tests.conftest import ApiClient
from hireproof.audit.models import LogLeaf
from hireproof.cli.api_key import SCOPES
from hireproof.core.audit import parse_leaf

pytestmark = pytest.mark.django_db


def _last_event() -> tuple[str, str | None, dict[str, Any]]:
    leaf = parse_leaf(bytes(LogLeaf.objects.order_by("-index").first().data))  # type: ignore[union-attr]
    return str(leaf.event_type), leaf.actor, dict(leaf.public)


def test_a_key_is_stored_only_as_its_hash_and_its_creation_is_audited(
    administrator: User, recruiter: User
) -> None:
    key, raw = do_create_api_key(
        actor=administrator, name="ATS sync", owner=recruiter, scopes=["read", "candidates"]
    )
    assert raw.startswith("hpk_")
    assert len(raw) > 40
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hash_key(raw)
    assert raw not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    kind, actor, public = _last_event()
    assert (kind, actor) == ("api_key.created", administrator.audit_actor)
    public.pop("occurred_at", None)
    assert public == {
        "api_key_id": key.pk,
        "owner_id": recruiter.pk,
        "scopes": ["candidates", "read"],
        "expires_at": None,
    }
    assert raw not in str(public)


@pytest.mark.parametrize(
    ("scopes", "days", "message"),
    [
        ([], None, "at least one scope"),
        (["root"], None, "Unknown scope 'root'"),
        (["audit"], None, "opens nothing a recruiter may do"),
        (["read"], 0, "1 to 3650 days"),
    ],
)
def test_keys_that_could_do_nothing_or_are_malformed_are_refused(
    recruiter: User, scopes: list[str], days: int | None, message: str
) -> None:
    with pytest.raises(ApiKeyRefused, match=message):
        do_create_api_key(
            actor=None, name="k", owner=recruiter, scopes=scopes, expires_in_days=days
        )
    assert not ApiKey.objects.exists()


def test_a_revoked_an_expired_key_and_a_deactivated_owner_are_all_401(
    administrator: User, recruiter: User, clock: Any
) -> None:
    revoked, revoked_raw = do_create_api_key(actor=None, name="a", owner=recruiter, scopes=["read"])
    _, expiring_raw = do_create_api_key(
        actor=None, name="b", owner=recruiter, scopes=["read"], expires_in_days=1
    )
    assert ApiClient(revoked_raw).get("/openings").status_code == 200
    do_revoke_api_key(actor=administrator, key=revoked)
    assert _last_event()[:2] == ("api_key.revoked", administrator.audit_actor)
    answer = ApiClient(revoked_raw).get("/openings")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert ApiClient(expiring_raw).get("/openings").status_code == 200
    clock.move_to(timezone.now() + timedelta(days=1, seconds=1))
    assert ApiClient(expiring_raw).get("/openings").status_code == 401
    _, owned_raw = do_create_api_key(actor=None, name="c", owner=recruiter, scopes=["read"])
    do_deactivate_staff(actor=administrator, member=recruiter)
    assert ApiClient(owned_raw).get("/openings").status_code == 401
    assert ApiClient("hpk_not-a-key").get("/openings").status_code == 401
    assert Client().get("/api/v1/openings").status_code == 401


def test_the_settings_page_shows_a_new_key_once_and_revokes_it(
    administrator_client: Client, recruiter: User
) -> None:
    answer = administrator_client.post(
        "/accounts/api-keys/",
        {"name": "Greenhouse", "owner": recruiter.pk, "scopes": ["read", "greenhouse"]},
    )
    assert answer.status_code == 201
    key = ApiKey.objects.get()
    page = answer.content.decode()
    raw = page.split('<code id="new-api-key">')[1].split("</code>")[0]
    assert hash_key(raw) == key.key_hash
    listing = administrator_client.get("/accounts/api-keys/").content.decode()
    assert raw not in listing
    assert key.prefix in listing
    assert ApiClient(raw).get("/openings").status_code == 200
    administrator_client.post(f"/accounts/api-keys/{key.pk}/revoke/")
    assert ApiClient(raw).get("/openings").status_code == 401


def test_the_settings_page_is_for_administrators_only(recruiter_client: Client) -> None:
    assert recruiter_client.get("/accounts/api-keys/").status_code == 404


def test_the_command_line_creates_lists_and_revokes_keys(
    administrator: User, recruiter: User, settings: Any
) -> None:
    from hireproof.cli import main

    assert (
        main(
            [
                "api-key",
                "create",
                "--name",
                "sync",
                "--scope",
                "read",
                "--scope",
                "candidates",
                "--owner",
                recruiter.email,
                "--expires",
                "30",
            ]
        )
        == 0
    )
    key = ApiKey.objects.get()
    assert key.owner == recruiter
    assert key.scope_set == {Scope.READ, Scope.CANDIDATES}
    assert key.expires_at is not None
    assert _last_event()[:2] == ("api_key.created", "cli")
    assert main(["api-key", "list"]) == 0
    assert main(["api-key", "revoke", str(key.pk)]) == 0
    assert ApiKey.objects.get().revoked_at is not None
    assert main(["api-key", "revoke", "999"]) == 2
    assert (
        main(["api-key", "create", "--name", "x", "--scope", "audit", "--owner", recruiter.email])
        == 2
    )


def test_the_command_line_knows_every_scope() -> None:
    assert set(SCOPES) == {scope.value for scope in Scope}


def test_a_key_acts_only_within_the_endpoint_scope_and_its_owner_role(recruiter: User) -> None:
    from hireproof.accounts.api_keys import acting_user
    from hireproof.hiring.access import may

    key, _ = do_create_api_key(actor=None, name="k", owner=recruiter, scopes=["read"])
    reader = acting_user(key, Scope.READ)
    assert may(reader, Permission.READ_CANDIDATES)
    assert not may(reader, Permission.MANAGE_OPENINGS)  # the role holds it, the scope not
    assert not may(acting_user(key, Scope.CANDIDATES), Permission.MANAGE_OPENINGS)
    assert reader.audit_actor == f"api-key:{key.pk}/staff:{recruiter.pk}"
    assert SCOPE_PERMISSIONS[Scope.READ] >= {Permission.READ_CANDIDATES}
