"""Fixtures of the accounts tests: isolated audit keys, and reading back recorded events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hireproof.audit.models import LogLeaf
from hireproof.core.audit import EventType, parse_leaf


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


def recorded_events() -> list[tuple[str, str | None, dict[str, Any]]]:
    """(type, actor, public) of every event after the log's own first one, in order."""
    events = []
    for leaf in LogLeaf.objects.order_by("index"):
        parsed = parse_leaf(bytes(leaf.data))
        if parsed.event_type != EventType.LOG_CREATED:
            events.append((str(parsed.event_type), parsed.actor, dict(parsed.public)))
    return events


@pytest.fixture
def events() -> Callable[[], list[tuple[str, str | None, dict[str, Any]]]]:
    """``events()``: the audit events recorded so far in this test."""
    return recorded_events
