"""Connecting an ATS: an administrator's set-up of one applicant tracking system.

``do_save_connection`` creates or changes the one ``AtsConnection`` of an ATS and records
``ats.connection_changed`` with what changed in words an auditor reads (on or off, the API's
host, which secrets are set, the options), never a secret itself: secrets are sealed under the
KEK-derived key and only the adapters unseal them, to call the ATS or check its signatures.
Asked for a new key (``ConnectionChange.new_key``), it creates, in the same transaction, the
hireproof API key the ATS calls with (the ATS's own scope, owned by the administrator:
``api_key.created``), keeps it sealed for the test event, and revokes the one before it
(``api_key.revoked``). An API address that is not a URL is refused, naming the field.

``do_send_test_event`` sends the adapter's harmless test calls with the saved connection
(``push.make_call``, so each is an exchange acted by the administrator) and says in words what
happened: reached, refused, or what the ATS answered. It holds no transaction while it waits
for the ATS; each exchange is recorded as it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from hireproof.accounts.actions import ApiKeyRefused, do_create_api_key, do_revoke_api_key
from hireproof.accounts.models import ApiKey, User
from hireproof.accounts.roles import Scope
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.ats.adapters import NotConnected
from hireproof.hiring.ats.exchanges import host_of, record_exchange
from hireproof.hiring.ats.push import ADAPTERS, make_call
from hireproof.hiring.models.orders import Ats, AtsConnection, Direction, seal_secret
from hireproof.platform.outbound import OutboundRefused, parse_url

KEEP = None  # a secret given as KEEP stays as it is; "" clears it

KEYED = frozenset({Ats.GREENHOUSE, Ats.ASHBY, Ats.WORKABLE})
"""The ATSs that call hireproof with a hireproof API key (Lever signs webhooks instead)."""

TEST_EVENT = "test_event"


class ConnectionRefused(Exception):
    """A connection's change or test refused; ``field`` names the setting at fault, if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ConnectionChange:
    """What an administrator sets for one ATS (``KEEP`` leaves a secret as it is)."""

    enabled: bool = True
    api_base_url: str = ""
    api_key: ApiKey | None = None
    api_key_raw: str | None = KEEP
    ats_secret: str | None = KEEP
    signing_secret: str | None = KEEP
    options: dict[str, Any] = field(default_factory=dict)
    new_key: bool = False  # a new hireproof key for the ATS; the one before is revoked


def current_change(connection: AtsConnection) -> ConnectionChange:
    """``connection`` as it is, as a change that keeps every secret (to alter one part)."""
    return ConnectionChange(
        enabled=connection.enabled,
        api_base_url=connection.api_base_url,
        options=dict(connection.options),
    )


def _sealed(value: str | None, current: bytes | memoryview | None) -> bytes | memoryview | None:
    if value is KEEP:
        return current
    return seal_secret(value) if value else None


def _checked(ats: Ats, change: ConnectionChange) -> None:
    if change.api_base_url:
        try:
            parse_url(change.api_base_url)
        except OutboundRefused as problem:
            raise ConnectionRefused(f"API base URL: {problem}.", "api_base_url") from None
    if change.new_key and ats not in KEYED:
        raise ConnectionRefused(f"{ats.label} does not call hireproof with an API key.")


def do_save_connection(*, actor: User, ats: Ats, change: ConnectionChange) -> AtsConnection:
    """Create or change ``ats``'s connection; ``ats.connection_changed`` says what it is now.

    With ``change.new_key``, the connection's new key is ``connection.api_key_raw`` (for the
    page to show once)."""
    _checked(ats, change)
    now = timezone.now()
    with transaction.atomic():
        connection = AtsConnection.objects.select_for_update().filter(ats=ats).first()
        connection = connection or AtsConnection(ats=ats)
        connection.enabled = change.enabled
        connection.api_base_url = change.api_base_url
        if change.api_key is not None:
            connection.api_key = change.api_key
        connection.api_key_sealed = _sealed(change.api_key_raw, connection.api_key_sealed)
        if change.new_key:
            _replace_key(actor, ats, connection, now)
        connection.ats_secret_sealed = _sealed(change.ats_secret, connection.ats_secret_sealed)
        connection.signing_secret_sealed = _sealed(
            change.signing_secret, connection.signing_secret_sealed
        )
        connection.options = dict(change.options)
        connection.connected_by = actor
        connection.updated_at = now
        connection.save()
        record_event(
            EventType.ATS_CONNECTION_CHANGED,
            actor=actor.audit_actor,
            public={
                "ats": str(ats),
                "enabled": connection.enabled,
                "api_host": host_of(connection.api_base_url) or None,
                "api_key_id": connection.api_key_id,
                "ats_secret_set": connection.ats_secret_sealed is not None,
                "signing_secret_set": connection.signing_secret_sealed is not None,
                "options": connection.options,
            },
            at=now,
        )
    return connection


def _replace_key(actor: User, ats: Ats, connection: AtsConnection, now: datetime) -> None:
    """A new key with ``ats``'s scope owned by ``actor``, sealed on ``connection``; the key
    before it revoked (in the caller's transaction)."""
    try:
        key, raw = do_create_api_key(
            actor=actor, name=f"{ats.label} integration", owner=actor, scopes=[Scope(ats.value)]
        )
    except ApiKeyRefused as refusal:
        raise ConnectionRefused(str(refusal)) from None
    previous = connection.api_key
    if previous is not None and previous.revoked_at is None:
        do_revoke_api_key(actor=actor, key=previous, now=now)
    connection.api_key = key
    connection.api_key_sealed = seal_secret(raw)


@dataclass(frozen=True)
class CallOutcome:
    """What one call of a test event did, in words an administrator reads."""

    call: str
    status: int | None
    accepted: bool
    words: str


def why_no_test_event(ats: Ats) -> str:
    """Why ``ats`` cannot send a test event ("" when it can)."""
    adapter = ADAPTERS.get(ats)
    if adapter is None or adapter.test_event is None:
        return f"The {ats.label} integration has no test event yet."
    return ""


def do_send_test_event(*, actor: User, ats: Ats) -> list[CallOutcome]:
    """Send ``ats``'s test event with its saved connection; what each call did, in words."""
    connection = AtsConnection.objects.select_related("api_key").filter(ats=ats).first()
    if connection is None:
        raise ConnectionRefused(f"Connect {ats.label} first: there is nothing to test yet.")
    adapter = ADAPTERS.get(ats)
    if adapter is None or adapter.test_event is None:
        raise ConnectionRefused(why_no_test_event(ats))
    try:
        calls = adapter.test_event(connection)
    except NotConnected as missing:
        record_exchange(
            ats=ats,
            direction=Direction.OUTBOUND,
            call=TEST_EVENT,
            actor=actor.audit_actor,
            at=timezone.now(),
            asked={TEST_EVENT: True},
            error=str(missing),
        )
        return [CallOutcome(TEST_EVENT, None, False, f"Not sent: {missing}.")]
    outcomes = []
    for call in calls:
        stamped = replace(call, asked={**call.asked, TEST_EVENT: True})
        exchange, error = make_call(stamped, ats=ats, actor=actor.audit_actor)
        outcomes.append(_outcome(call.name, host_of(call.url), exchange.status_code, error))
    return outcomes


def _outcome(call: str, host: str, status: int | None, error: str) -> CallOutcome:
    where = host or "the address"
    if status is None:
        return CallOutcome(call, None, False, f"{call}: {where} was not reached ({error}).")
    if error:
        return CallOutcome(
            call, status, False, f"{call}: {where} was reached but refused: {error}."
        )
    return CallOutcome(call, status, True, f"{call}: {where} was reached and answered {status}.")
