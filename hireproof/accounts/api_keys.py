"""API keys at request time: finding a key, acting as its owner, counting its requests, and
remembering the first response to an idempotent POST.

Everything is kept in the database, so every thread and process of the server sees the same
keys, counts and remembered responses; nothing lives in one process's memory.

- A key is ``hpk_`` followed by 43 URL-safe characters (256 random bits); only its SHA-256 is
  stored.
- Rate limit: a fixed window of ``HIREPROOF_API_WINDOW_SECONDS`` per key, at most
  ``HIREPROOF_API_RATE_LIMIT`` requests in it. Counting a request and recording the key's last
  use is one update of the key's row (``count_request``).
- Idempotency: the first POST with a given ``Idempotency-Key`` inserts a pending row (the unique
  constraint lets only one through), its response is stored once it is answered, and a request
  repeating the key gets that response again while it is kept (``IDEMPOTENCY_HOURS``).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When

from hireproof.accounts.models import ApiKey, IdempotentRequest, User
from hireproof.accounts.roles import SCOPE_PERMISSIONS, Scope

KEY_PREFIX = "hpk_"
KEY_BYTES = 32
MAX_KEY_LENGTH = 200
IDEMPOTENCY_HOURS = 24
MAX_KEPT_BODY = 1_000_000
"""Responses larger than this (an audit export, say) are not kept for a replay."""


def new_key() -> str:
    """A fresh key: ``hpk_`` and 256 random bits, URL-safe."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


def hash_key(raw: str) -> str:
    """The SHA-256 (hex) of a key: the only form in which it is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def find_key(raw: str, now: datetime) -> ApiKey | None:
    """The usable key ``raw`` is (not revoked, not expired, its owner active), else ``None``."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > MAX_KEY_LENGTH:
        return None
    key = ApiKey.objects.select_related("owner").filter(key_hash=hash_key(raw)).first()
    if key is None or not key.is_usable(now):
        return None
    return key


def acting_user(key: ApiKey, scope: Scope) -> User:
    """The key's owner as an endpoint of ``scope`` sees them: their role's permissions, narrowed
    to what the scope grants (nothing at all when the key lacks the scope)."""
    owner = copy.copy(key.owner)  # the key's own owner object stays as loaded
    owner.acting_key = key.pk
    owner.api_grants = SCOPE_PERMISSIONS[scope] if scope in key.scope_set else frozenset()
    return owner


# --- the rate limit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RateWindow:
    """Where a key stands in its current window, after counting one more request."""

    limit: int
    used: int
    resets_in: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        """True when this request is within the limit."""
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        """Requests left in the window."""
        return max(0, self.limit - self.used)


def rate_limit() -> int:
    """Requests allowed per key per window."""
    limit: int = settings.HIREPROOF_API_RATE_LIMIT
    return limit


def window_seconds() -> int:
    """The length of one rate-limit window."""
    seconds: int = settings.HIREPROOF_API_WINDOW_SECONDS
    return seconds


def count_request(key: ApiKey, now: datetime) -> RateWindow:
    """Count one request of ``key`` in the window holding ``now`` and record its use.

    One update of the key's row, inside a transaction that also reads the count back, so two
    processes counting at once each see their own request counted.
    """
    seconds = window_seconds()
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)
    with transaction.atomic():
        ApiKey.objects.filter(pk=key.pk).update(
            window_count=Case(
                When(window_start=start, then=F("window_count") + 1), default=Value(1)
            ),
            window_start=start,
            last_used_at=now,
        )
        used = ApiKey.objects.filter(pk=key.pk).values_list("window_count", flat=True).get()
    resets_in = max(1, int((start + timedelta(seconds=seconds) - now).total_seconds() + 0.999))
    return RateWindow(rate_limit(), used, resets_in)


# --- idempotency ------------------------------------------------------------------------------


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What must be the same for a repeated request to be the same request."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Remembered:
    """What a repeated key found: the stored row, or that it is the first such request."""

    record: IdempotentRequest
    first: bool


def remember_request(key: ApiKey, idempotency_key: str, print_: str, now: datetime) -> Remembered:
    """The row for ``idempotency_key`` of ``key``: a new pending one (``first``), or the one
    stored by an earlier request (whose fingerprint the caller compares)."""
    IdempotentRequest.objects.filter(api_key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                api_key=key,
                key=idempotency_key,
                fingerprint=print_,
                created_at=now,
                expires_at=now + timedelta(hours=IDEMPOTENCY_HOURS),
            )
    except IntegrityError:
        return Remembered(IdempotentRequest.objects.get(api_key=key, key=idempotency_key), False)
    return Remembered(record, True)


def keep_response(
    record: IdempotentRequest, *, status: int, content_type: str, location: str, body: bytes
) -> None:
    """Store the first response, for the requests that repeat its key."""
    kept = len(body) <= MAX_KEPT_BODY
    IdempotentRequest.objects.filter(pk=record.pk).update(
        status=status,
        content_type=content_type[:100],
        location=location[:500],
        body=body if kept else b"",
        kept=kept,
    )


def forget_request(record: IdempotentRequest) -> None:
    """Drop a pending row whose request failed on the server's side: a retry may run again."""
    IdempotentRequest.objects.filter(pk=record.pk).delete()
