"""Small builders shared by the audit tests."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django.db import transaction

from hireproof.audit.log import OCCURRED_AT, record_event
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import EventType, Leaf

RFC3339_MICROS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def record(event_type: EventType | str = EventType.STAFF_INVITED, **fields: Any) -> LogLeaf:
    """Record one event in its own transaction, as an action would."""
    fields.setdefault("actor", "staff:1")
    with transaction.atomic():
        return record_event(event_type, **fields)


def record_many(count: int) -> list[LogLeaf]:
    """Record ``count`` staff sign-ins, each committing on its own."""
    return [record(EventType.STAFF_SIGNED_IN, public={"user": number}) for number in range(count)]


def without_event_time(leaf: Leaf) -> Leaf:
    """``leaf`` without the action's own time (``public["occurred_at"]``, kept when it is not
    the leaf's), for tests about the rest of the public part: checks its format first."""
    public = dict(leaf.public)
    occurred = public.pop(OCCURRED_AT, None)
    if occurred is not None:
        assert RFC3339_MICROS.fullmatch(occurred), occurred
    return dataclasses.replace(leaf, public=public)
