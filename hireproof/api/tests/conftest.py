"""Fixtures of the API's tests: isolated audit keys, the built-in playbooks, keys of every role
with every scope, and a client that sends a key."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hireproof.accounts.actions import do_create_api_key
from hireproof.accounts.models import User
from hireproof.accounts.roles import SCOPE_PERMISSIONS, Scope, role_permissions
from hireproof.hiring.actions.playbooks import load_builtin_playbooks


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture
def builtins(db: Any) -> None:
    """The built-in playbooks, published."""
    load_builtin_playbooks()


def usable_scopes(owner: User) -> list[Scope]:
    """Every scope that opens something ``owner``'s role holds."""
    held = role_permissions(owner.role)
    return [scope for scope in Scope if SCOPE_PERMISSIONS[scope] & held]


def key_for(owner: User, *scopes: Scope) -> str:
    """A new key of ``owner`` with ``scopes`` (every usable one when none are named)."""
    _, raw = do_create_api_key(
        actor=None, name="test key", owner=owner, scopes=list(scopes or usable_scopes(owner))
    )
    return raw


class ApiClient:
    """Django's test client, sending a key and JSON."""

    def __init__(self, key: str) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **extra}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self._headers({}))

    def post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        data = json.dumps({} if body is None else body)
        return self.client.post(
            "/api/v1" + path,
            data,
            content_type="application/json",
            headers=self._headers(headers or {}),
        )


@pytest.fixture
def api_as(db: Any) -> Callable[..., ApiClient]:
    """``api_as(user, *scopes)``: a client sending a new key of ``user``."""

    def make(user: User, *scopes: Scope) -> ApiClient:
        return ApiClient(key_for(user, *scopes))

    return make
