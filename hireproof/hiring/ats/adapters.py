"""What an adapter gives the push task: which statuses its ATS hears of, and the calls that
tell it.

An adapter builds calls; it never sends one. ``push.push_order`` sends each ``Call`` through
``platform.outbound`` (the SSRF guard), keeps the exchange, and tries again later on a failure,
skipping the calls that already succeeded for that status (a Lever note is written once, even
if adding its tags failed and is tried again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hireproof.hiring.ats.facts import OrderFacts
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection, OrderStatus


class NotConnected(Exception):
    """The adapter needs a set-up (a credential, an address) its connection does not have;
    ``str()`` says what, for the exchange and the Background work page."""


@dataclass(frozen=True)
class Call:
    """One request to an ATS, and what the log keeps of it (ids and statuses only)."""

    name: str  # the contract's name for it: "patch_completed", "assessment.update", ...
    method: str
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    asked: dict[str, Any] = field(default_factory=dict)
    # What the ATS's 2xx answer says (the first bytes of its body): "" when it took the call,
    # else why not, in words (Ashby answers 200 with ``"success": false`` for a call it refuses).
    check: Callable[[bytes], str] | None = None


Builder = Callable[[AssessmentOrder, OrderFacts, "AtsConnection | None", datetime], list[Call]]
TestEvent = Callable[[AtsConnection], list[Call]]


@dataclass(frozen=True)
class Adapter:
    """One ATS's side of the push: the statuses it hears of, the calls for one of them, and
    the harmless calls the settings page's "Send a test event" makes with a connection."""

    ats: Ats
    reports: frozenset[OrderStatus]
    calls: Builder
    test_event: TestEvent | None = None
