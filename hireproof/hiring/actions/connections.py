"""Connecting an ATS: an administrator's set-up of one applicant tracking system.

``do_save_connection`` creates or changes the one ``AtsConnection`` of an ATS and records
``ats.connection_changed`` with what changed in words an auditor reads (on or off, the API's
host, which secrets are set, the options), never a secret itself: secrets are sealed under the
KEK-derived key and only the adapters unseal them, to call the ATS or check its signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from hireproof.accounts.models import ApiKey, User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.ats.exchanges import host_of
from hireproof.hiring.models.orders import Ats, AtsConnection, seal_secret

KEEP = None  # a secret given as KEEP stays as it is; "" clears it


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


def _sealed(value: str | None, current: bytes | memoryview | None) -> bytes | memoryview | None:
    if value is KEEP:
        return current
    return seal_secret(value) if value else None


def do_save_connection(*, actor: User, ats: Ats, change: ConnectionChange) -> AtsConnection:
    """Create or change ``ats``'s connection; ``ats.connection_changed`` says what it is now."""
    now = timezone.now()
    with transaction.atomic():
        connection = AtsConnection.objects.select_for_update().filter(ats=ats).first()
        connection = connection or AtsConnection(ats=ats)
        connection.enabled = change.enabled
        connection.api_base_url = change.api_base_url
        if change.api_key is not None:
            connection.api_key = change.api_key
        connection.api_key_sealed = _sealed(change.api_key_raw, connection.api_key_sealed)
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
