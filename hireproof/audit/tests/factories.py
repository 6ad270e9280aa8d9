"""Small builders shared by the audit tests."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hireproof.audit.log import record_event
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import EventType


def record(event_type: EventType | str = EventType.STAFF_INVITED, **fields: Any) -> LogLeaf:
    """Record one event in its own transaction, as an action would."""
    fields.setdefault("actor", "staff:1")
    with transaction.atomic():
        return record_event(event_type, **fields)


def record_many(count: int) -> list[LogLeaf]:
    """Record ``count`` staff sign-ins, each committing on its own."""
    return [record(EventType.STAFF_SIGNED_IN, public={"user": number}) for number in range(count)]
