"""The door of every ATS endpoint: an API key, sent the way the ATS's contract sends it.

One gate, two schemes (a ``Door`` each: how the key is read, and how the contract writes an
error). ``BASIC``: Greenhouse sends ``Authorization: Basic base64(<key>:)``, the key as the user
name and an empty password; errors are ``{"errors": [...]}``. ``BEARER``: Workable sends
``Authorization: Bearer <key>``; errors are ``{"status": <code>, "message": "<text>"}``.
``gated(view, door)`` finds the key (``accounts.api_keys.find_key``: not revoked, not expired,
its owner active) and counts the request against its rate limit; a missing, malformed or
unknown key (or, for Basic, a password that is not empty) is a 401 (the same for all, so a key
cannot be probed) with ``WWW-Authenticate`` naming the scheme. The endpoint then asks for the
owner acting within its one scope (``acting``) and asks the funnel, as an API endpoint does.

What the endpoints share besides: ``only`` (a 405 for another method), ``read_json`` and
``schema_problems`` (a body read, and what did not fit named field by field),
``address_problems`` (the candidate's email and the callback URL checked), ``record`` (the call
kept as an exchange, by the key's id).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils import timezone
from pydantic import ValidationError as SchemaError

from hireproof.accounts.api_keys import acting_user, count_request, find_key
from hireproof.accounts.models import ApiKey, User
from hireproof.accounts.roles import Scope
from hireproof.hiring.actions.orders import do_record_ats_exchange
from hireproof.hiring.models.orders import Ats, switched_off
from hireproof.platform.outbound import OutboundRefused, parse_url

View = Callable[..., HttpResponseBase]


def errors(status: int, *messages: str, headers: dict[str, str] | None = None) -> JsonResponse:
    """An error answer: ``{"errors": [...]}`` with ``status``."""
    response = JsonResponse({"errors": list(messages)}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def status_message(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JsonResponse:
    """An error answer in Workable's shape: ``{"status": <code>, "message": "<text>"}``."""
    response = JsonResponse({"status": status, "message": message}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


LARGEST_ID = 2**63 - 1  # the database's largest row id


def row_id(given: int | str) -> int:
    """The row id an ATS names (a test, an opening); ``ValueError`` for anything else,
    a number too large for the database included."""
    number = int(given)
    if not 1 <= number <= LARGEST_ID:
        raise ValueError(f"{given} is not a row id")
    return number


MAX_BODY = 100_000  # bytes: every contract's body is far smaller


def read_json(request: HttpRequest, empty: bytes = b"null") -> Any:
    """The request's JSON body (``empty`` when there is none); ``ValueError`` saying why for a
    body too large, not JSON, or nested too deep to read (never a ``RecursionError``)."""
    if len(request.body) > MAX_BODY:
        raise ValueError(f"the body is larger than {MAX_BODY} bytes")
    return parse_json(request.body or empty)


def parse_json(data: bytes) -> Any:
    """``data`` as JSON; ``ValueError`` for anything else, a nesting too deep included."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("not JSON hireproof can read (nested too deeply)") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"not JSON ({error})") from None


def schema_problems(error: ValueError) -> list[str]:
    """What ``read_json`` or a model's validation refused, each problem naming its field
    (``body`` for the body as a whole)."""
    if not isinstance(error, SchemaError):
        return [f"body: {error}"]
    return [
        f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
        for problem in error.errors()
    ]


def address_problems(email: str, url: str, url_field: str) -> list[str]:
    """What is wrong with a candidate's ``email`` and the callback ``url`` (``url_field``
    names it) an ATS gave."""
    problems = []
    try:
        validate_email(email)
    except ValidationError:
        problems.append("candidate.email: not an email address")
    try:
        parse_url(url)
    except OutboundRefused as error:
        problems.append(f"{url_field}: {error}")
    return problems


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


def bearer_key(request: HttpRequest) -> str:
    """The key given as ``Authorization: Bearer <key>``, or ""."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@dataclass(frozen=True)
class Door:
    """How one contract sends its key, and how it writes an error."""

    scheme: str  # as ``WWW-Authenticate`` names it
    key_of: Callable[[HttpRequest], str]
    refusal: str  # what a 401 says
    error: Callable[[int, str, dict[str, str]], JsonResponse]


BASIC = Door(
    "Basic",
    basic_key,
    "Send a valid API key as the HTTP Basic user name with an empty password; this one is"
    " missing, unknown, revoked or expired, or its owner is deactivated.",
    lambda status, message, headers: errors(status, message, headers=headers),
)
BEARER = Door(
    "Bearer",
    bearer_key,
    "Send a valid API key as 'Authorization: Bearer <key>'; this one is missing, unknown,"
    " revoked or expired, or its owner is deactivated.",
    status_message,
)


def raw_key(request: HttpRequest) -> str:
    """The key this request came with (``gated`` checked it)."""
    key: str = request.raw_api_key  # type: ignore[attr-defined]  # set by the gate
    return key


def only(request: HttpRequest, method: str, door: Door = BASIC) -> JsonResponse | None:
    """A 405 in ``door``'s shape unless the request is a ``method``."""
    if request.method != method:
        return door.error(405, f"This call takes {method} only.", {"Allow": method})
    return None


def key_actor(request: HttpRequest) -> str:
    """Who an exchange through the gate is recorded as: the key, by its id."""
    return f"api-key:{request.api_key.pk}"  # type: ignore[attr-defined]  # set by the gate


def record(request: HttpRequest, ats: Ats, call: str, status: int, **fields: Any) -> None:
    """Keep a call through the gate as an exchange of ``ats`` (``do_record_ats_exchange``)."""
    do_record_ats_exchange(actor=key_actor(request), ats=ats, call=call, status=status, **fields)


def acting(request: HttpRequest, scope: Scope) -> User:
    """The key's owner acting within ``scope`` (without the scope, holding no permission)."""
    key: ApiKey = request.api_key  # type: ignore[attr-defined]  # set by the gate
    return acting_user(key, scope)


def gated(view: View, door: Door = BASIC, *, ats: str) -> View:
    """``view`` behind an API key sent through ``door``, and the key's rate limit; refused
    while an administrator has switched ``ats``'s connection off."""

    def gate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        now = timezone.now()
        token = door.key_of(request)
        key = find_key(token, now) if token else None
        if key is None:
            return door.error(
                401, door.refusal, {"WWW-Authenticate": f'{door.scheme} realm="hireproof"'}
            )
        if switched_off(ats):
            return door.error(
                403,
                "This integration is switched off in hireproof; an administrator can switch it"
                " on again on its settings page.",
                {},
            )
        window = count_request(key, now)
        if not window.allowed:
            return door.error(
                429,
                f"This key may make {window.limit} requests every window; wait"
                f" {window.resets_in} seconds.",
                {"Retry-After": str(window.resets_in)},
            )
        request.api_key = key  # type: ignore[attr-defined]  # read by ``acting``
        request.raw_api_key = token  # type: ignore[attr-defined]  # read by ``raw_key``
        return view(request, *args, **kwargs)

    gate.csrf_exempt = True  # type: ignore[attr-defined]  # a key, never a cookie, authenticates
    return gate
