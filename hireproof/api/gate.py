"""The door every API request passes before its endpoint: the key, the rate limit, idempotency.

``gated(view)`` wraps the view of each API path:

1. ``Authorization: Bearer <key>``: a missing, unknown, revoked or expired key, or one whose
   owner is deactivated, is a 401 problem (the same for all, so a key cannot be probed).
2. The request is counted against the key's window (``accounts.api_keys.count_request``, which
   also records the key's last use); over the limit it is a 429 problem with ``Retry-After``.
   Every answer carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``.
3. A POST with an ``Idempotency-Key`` runs once: a repeat with the same key and the same
   method, path and body gets the first response again (status, body, ``Location``) with
   ``Idempotent-Replayed: true``; the same key with another request is a 409 problem, and so is
   a repeat while the first is still being answered.

The endpoint then asks for the owner acting within its scope (``acting``) and asks the access
funnel, as a page does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from hireproof.accounts.api_keys import (
    RateWindow,
    acting_user,
    count_request,
    find_key,
    fingerprint,
    forget_request,
    keep_response,
    remember_request,
)
from hireproof.accounts.models import ApiKey, User
from hireproof.accounts.roles import Scope
from hireproof.api.problems import problem_response

View = Callable[..., HttpResponseBase]

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 255


def bearer_token(request: HttpRequest) -> str:
    """The key given as ``Authorization: Bearer <key>``, or ""."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def acting(request: HttpRequest, scope: Scope) -> User:
    """The key's owner, acting within ``scope``: the user every endpoint gives the funnel and
    the actions. Without the scope the owner holds no permission at all, so the funnel answers
    404 as it does for a page the role may not open."""
    key: ApiKey = request.api_key  # type: ignore[attr-defined]  # set by the gate
    return acting_user(key, scope)


def gated(view: View) -> View:
    """``view`` behind the key, the rate limit and idempotency."""

    def gate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        now = timezone.now()
        token = bearer_token(request)
        key = find_key(token, now) if token else None
        if key is None:
            return problem_response(
                request,
                401,
                "unauthorized",
                "Send a valid API key as 'Authorization: Bearer <key>'; this one is missing, "
                "unknown, revoked or expired, or its owner is deactivated.",
                headers={"WWW-Authenticate": 'Bearer realm="hireproof"'},
            )
        window = count_request(key, now)
        if not window.allowed:
            response: HttpResponseBase = problem_response(
                request,
                429,
                "rate-limited",
                f"This key may make {window.limit} requests every window; wait "
                f"{window.resets_in} seconds.",
                headers={"Retry-After": str(window.resets_in)},
            )
        else:
            request.api_key = key  # type: ignore[attr-defined]  # read by ``acting``
            if request.method == "POST" and IDEMPOTENCY_HEADER in request.headers:
                response = _idempotent(request, key, view, args, kwargs)
            else:
                response = view(request, *args, **kwargs)
        _rate_headers(response, window)
        return response

    gate.csrf_exempt = True  # type: ignore[attr-defined]  # a key, never a cookie, authenticates
    return gate


def _rate_headers(response: HttpResponseBase, window: RateWindow) -> None:
    response["RateLimit-Limit"] = str(window.limit)
    response["RateLimit-Remaining"] = str(window.remaining)
    response["RateLimit-Reset"] = str(window.resets_in)


def _idempotent(
    request: HttpRequest, key: ApiKey, view: View, args: Any, kwargs: Any
) -> HttpResponseBase:
    given = request.headers[IDEMPOTENCY_HEADER]
    if not 1 <= len(given) <= MAX_IDEMPOTENCY_KEY or not all(" " <= c <= "~" for c in given):
        return problem_response(
            request,
            400,
            "invalid-idempotency-key",
            f"An Idempotency-Key is 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters.",
            errors=[{"header": IDEMPOTENCY_HEADER, "detail": "not 1-255 printable ASCII"}],
        )
    print_ = fingerprint(request.method or "POST", request.get_full_path(), request.body)
    remembered = remember_request(key, given, print_, timezone.now())
    record = remembered.record
    if not remembered.first:
        return _replay(request, record.fingerprint == print_, record)
    try:
        response = view(request, *args, **kwargs)
    except BaseException:
        forget_request(record)
        raise
    if response.status_code >= 500 or response.streaming or not isinstance(response, HttpResponse):
        forget_request(record)
        return response
    keep_response(
        record,
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        location=response.get("Location", ""),
        body=response.content,
    )
    return response


def _replay(request: HttpRequest, same: bool, record: Any) -> HttpResponseBase:
    header = [{"header": IDEMPOTENCY_HEADER, "detail": "already used"}]
    if not same:
        return problem_response(
            request,
            409,
            "idempotency-key-reused",
            "This Idempotency-Key was used with another request (method, path or body); "
            "use a new key for a new request.",
            errors=header,
        )
    if record.status == 0:
        return problem_response(
            request,
            409,
            "idempotency-request-in-progress",
            "The first request with this Idempotency-Key is still being answered; retry in a "
            "moment.",
            errors=header,
        )
    if not record.kept:
        return problem_response(
            request,
            409,
            "idempotency-response-not-kept",
            "The request with this Idempotency-Key was answered, but its response was too "
            "large to keep; it is not run again.",
            errors=header,
        )
    response = HttpResponse(bytes(record.body), status=record.status)
    response["Content-Type"] = record.content_type
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response
