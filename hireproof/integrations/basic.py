"""The door of every ATS endpoint: HTTP Basic auth whose user name is an API key.

Greenhouse sends ``Authorization: Basic base64(<key>:)``, the key as the user name and an empty
password. ``gated(view)`` finds the key (``accounts.api_keys.find_key``: not revoked, not
expired, its owner active) and counts the request against its rate limit; a missing, malformed
or unknown key, or a password that is not empty, is a 401 (the same for all, so a key cannot be
probed) with ``WWW-Authenticate: Basic``. The endpoint then asks for the owner acting within its
one scope (``acting``) and asks the funnel, as an API endpoint does.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils import timezone

from hireproof.accounts.api_keys import acting_user, count_request, find_key
from hireproof.accounts.models import ApiKey, User
from hireproof.accounts.roles import Scope

View = Callable[..., HttpResponseBase]


def errors(status: int, *messages: str, headers: dict[str, str] | None = None) -> JsonResponse:
    """An error answer: ``{"errors": [...]}`` with ``status``."""
    response = JsonResponse({"errors": list(messages)}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def basic_key(request: HttpRequest) -> str:
    """The key given as the Basic user name with an empty password, or ""."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    username, colon, password = decoded.partition(":")
    return username if colon and not password else ""


def raw_key(request: HttpRequest) -> str:
    """The key this request came with (``gated`` checked it)."""
    key: str = request.raw_api_key  # type: ignore[attr-defined]  # set by the gate
    return key


def acting(request: HttpRequest, scope: Scope) -> User:
    """The key's owner acting within ``scope`` (without the scope, holding no permission)."""
    key: ApiKey = request.api_key  # type: ignore[attr-defined]  # set by the gate
    return acting_user(key, scope)


def gated(view: View) -> View:
    """``view`` behind a Basic-auth API key and its rate limit."""

    def gate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        now = timezone.now()
        token = basic_key(request)
        key = find_key(token, now) if token else None
        if key is None:
            return errors(
                401,
                "Send a valid API key as the HTTP Basic user name with an empty password; this"
                " one is missing, unknown, revoked or expired, or its owner is deactivated.",
                headers={"WWW-Authenticate": 'Basic realm="hireproof"'},
            )
        window = count_request(key, now)
        if not window.allowed:
            return errors(
                429,
                f"This key may make {window.limit} requests every window; wait"
                f" {window.resets_in} seconds.",
                headers={"Retry-After": str(window.resets_in)},
            )
        request.api_key = key  # type: ignore[attr-defined]  # read by ``acting``
        request.raw_api_key = token  # type: ignore[attr-defined]  # read by ``raw_key``
        return view(request, *args, **kwargs)

    gate.csrf_exempt = True  # type: ignore[attr-defined]  # a key, never a cookie, authenticates
    return gate
