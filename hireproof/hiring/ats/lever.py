"""The Lever contract: a signed stage-change webhook starts a test, notes and tags report it.

Lever has no assessment API; its assessment partners follow the pattern of its use-case page
(https://hire.lever.co/developer/usecases, "Assessments"): the customer adds a partner's tag to
a posting (its opportunities inherit it), the partner hears of a ``candidateStageChange``
webhook, invites the opportunity's contact when the stage is the configured one, updates the
opportunity's tags as the candidate progresses and leaves a note with a summary at the end.

What hireproof relies on, from Lever's documentation (https://hire.lever.co/developer/documentation,
"Webhooks" and "Opportunities"), checked against independent clients of it:

- A webhook's body is ``{"event", "triggeredAt" (milliseconds since 1970), "token",
  "signature", "data"}``; for ``candidateStageChange`` ``data`` holds ``opportunityId``,
  ``candidateId``, ``contactId``, ``fromStageId`` and ``toStageId`` (ids, never a name).
  ``signature`` is the hex HMAC-SHA256, keyed by the webhook's signature token (each event of
  Lever's webhook settings has its own), of ``token`` followed by ``triggeredAt`` written as a
  number; not of the body. (A generated AsyncAPI copy in ``api-evangelist/lever-co`` says the
  body is signed; Lever's own page and its clients sign ``token + triggeredAt``.)
- Lever's API is ``https://api.lever.co/v1`` with HTTP Basic auth, the API key as the user
  name and an empty password; answers wrap the record in ``{"data": ...}`` and errors are
  ``{"code", "message"}``. ``GET /opportunities/:id`` gives ``name``, ``emails`` and ``tags``;
  ``POST /opportunities/:id/notes`` takes ``{"value"}``; ``POST /opportunities/:id/addTags``
  and ``.../removeTags`` take ``{"tags": [...]}``; ``GET /stages`` lists the stages (ids and
  names). Each write takes an optional ``perform_as`` (a Lever user id) to act as that user.

The connection (``AtsConnection`` for ``lever``) holds Lever's API key (``ats_secret``), the
webhook's signature token (``signing_secret``), the API's address (``api_base_url``, Lever's
own when empty) and ``options``: ``trigger_stage_id`` (the stage that starts a test),
``tag_prefix`` (``hireproof`` by default: the posting's tag ``hireproof:<opening id>`` names
the opening, and the status tags read ``hireproof: sent`` and so on) and ``perform_as``.

This module builds the calls; ``hireproof.integrations.lever`` hosts the webhook and starts
the order, and ``push.push_order`` sends the status calls: ``<prefix>: sent`` when the test is
sent; on a score a note (verdict, score, section percents, flag count, the signed report
link; never an answer) and the verdict's tag; ``cancelled`` and ``expired`` tags; each time
the other status tags of ours are removed. Each is a separate ``Call``, so a note written once
is not written again when its tags fail and are tried again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from hireproof.hiring.ats.adapters import Adapter, Call, NotConnected
from hireproof.hiring.ats.exchanges import host_of
from hireproof.hiring.ats.facts import OrderFacts
from hireproof.hiring.ats.greenhouse import basic_auth
from hireproof.hiring.ats.links import report_url
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection, OrderStatus

DEFAULT_BASE_URL = "https://api.lever.co/v1"
DEFAULT_TAG_PREFIX = "hireproof"
STAGE_CHANGE = "candidateStageChange"
COULD_NOT_START = "could not start"
VERDICT_WORDS = ("strong pass", "borderline", "fail", "critical fail")
STATUS_WORDS = ("sent", *VERDICT_WORDS, "cancelled", "expired", COULD_NOT_START)
"""Every status tag hireproof puts on an opportunity (after the prefix)."""


def signature_of(signing_secret: str, token: str, triggered_at: int) -> str:
    """Lever's signature of a webhook: hex HMAC-SHA256 of ``token`` + ``triggeredAt``."""
    message = f"{token}{triggered_at}".encode()
    return hmac.new(signing_secret.encode(), message, hashlib.sha256).hexdigest()


def signature_holds(signing_secret: str, token: str, triggered_at: int, signature: str) -> bool:
    """The webhook's ``signature`` is Lever's (compared in constant time)."""
    expected = signature_of(signing_secret, token, triggered_at)
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


def base_url(connection: AtsConnection) -> str:
    """The address of the connection's Lever API (Lever's own unless set)."""
    return (connection.api_base_url or DEFAULT_BASE_URL).rstrip("/")


def tag_prefix(connection: AtsConnection) -> str:
    """The prefix of hireproof's tags (``hireproof`` unless set)."""
    prefix = connection.options.get("tag_prefix")
    return prefix.strip() if isinstance(prefix, str) and prefix.strip() else DEFAULT_TAG_PREFIX


def trigger_stage(connection: AtsConnection) -> str:
    """The stage whose arrival starts a test ("" when none is set)."""
    stage = connection.options.get("trigger_stage_id")
    return stage.strip() if isinstance(stage, str) else ""


def status_tag(prefix: str, word: str) -> str:
    """The tag of one status word: ``hireproof: sent``."""
    return f"{prefix}: {word}"


def opening_ids_in(tags: list[str], prefix: str) -> list[int]:
    """The opening ids the opportunity's tags name (``<prefix>:<opening id>``), in order."""
    found: list[int] = []
    head = prefix.lower() + ":"
    for tag in tags:
        if not tag.lower().startswith(head):
            continue
        rest = tag[len(head) :].strip()
        if rest.isascii() and rest.isdigit() and len(rest) <= 18 and int(rest) not in found:
            found.append(int(rest))
    return found


def _headers(connection: AtsConnection) -> dict[str, str]:
    key = connection.ats_secret
    if not key:
        raise NotConnected("Lever's API key is not saved on the Lever connection.")
    return {"Authorization": basic_auth(key), "Accept": "application/json"}


def _opportunity_url(connection: AtsConnection, opportunity_id: str, tail: str = "") -> str:
    url = f"{base_url(connection)}/opportunities/{quote(opportunity_id, safe='')}{tail}"
    perform_as = connection.options.get("perform_as")
    if tail and isinstance(perform_as, str) and perform_as.strip():
        url += "?" + urlencode({"perform_as": perform_as.strip()})
    return url


def opportunity_call(connection: AtsConnection, opportunity_id: str) -> Call:
    """``GET /opportunities/:id``: the contact's name and emails, and the tags."""
    return Call(
        "get_opportunity",
        "GET",
        _opportunity_url(connection, opportunity_id),
        b"",
        _headers(connection),
        {"opportunity_id": opportunity_id, "host": host_of(base_url(connection))},
    )


def tags_call(
    connection: AtsConnection, opportunity_id: str, tags: list[str], *, add: bool
) -> Call:
    """``POST /opportunities/:id/addTags`` (or ``removeTags``) with ``tags``."""
    name = "add_tags" if add else "remove_tags"
    return Call(
        name,
        "POST",
        _opportunity_url(connection, opportunity_id, "/addTags" if add else "/removeTags"),
        json.dumps({"tags": tags}).encode(),
        _headers(connection),
        {"opportunity_id": opportunity_id, "tags": tags},
    )


def could_not_start_call(connection: AtsConnection, opportunity_id: str) -> Call:
    """The tag that tells the hiring team in Lever the test could not be started."""
    tag = status_tag(tag_prefix(connection), COULD_NOT_START)
    return tags_call(connection, opportunity_id, [tag], add=True)


def _percent(value: Decimal | str) -> str:
    number = Decimal(value).normalize()
    return f"{number:f}%"


def note_text(facts: OrderFacts, link: str) -> str:
    """The note on a scored opportunity: verdict, score, sections, flags and the report link
    (no answer, no answer key, no rubric)."""
    assert facts.score_percent is not None  # a scored order has its score
    lines = [
        f"hireproof result: {facts.verdict_text}",
        f"Score: {_percent(facts.score_percent)}",
    ]
    if facts.sections:
        sections = ", ".join(
            f"{section} {_percent(percent)}" for section, percent in sorted(facts.sections.items())
        )
        lines.append(f"Sections: {sections}")
    lines.append(f"Integrity flags: {facts.flags or 0}")
    lines.append(f"Playbook: {facts.playbook_id} version {facts.playbook_version}")
    lines.append(f"Report (read-only, the link expires): {link}")
    return "\n".join(lines)


def _status_word(facts: OrderFacts) -> str:
    if facts.scored:
        return (facts.verdict_text or "scored").lower()
    return str(facts.status)


def status_calls(
    order: AssessmentOrder, facts: OrderFacts, connection: AtsConnection | None, now: datetime
) -> list[Call]:
    """The calls that tell Lever the order's new status: the note when scored, then the
    status's tag added and our other status tags removed."""
    if connection is None:
        raise NotConnected("Lever is not connected (no saved, switched-on Lever connection).")
    prefix = tag_prefix(connection)
    word = _status_word(facts)
    current = status_tag(prefix, word)
    others = [status_tag(prefix, w) for w in STATUS_WORDS if w != word]
    opportunity = order.ats_reference
    calls: list[Call] = []
    if facts.scored:
        body: dict[str, Any] = {"value": note_text(facts, report_url(order, now))}
        calls.append(
            Call(
                "add_note",
                "POST",
                _opportunity_url(connection, opportunity, "/notes"),
                json.dumps(body).encode(),
                _headers(connection),
                {
                    "opportunity_id": opportunity,
                    "verdict": facts.verdict,
                    "score": None if facts.score_percent is None else str(facts.score_percent),
                    "sections": len(facts.sections),
                },
            )
        )
    calls.append(tags_call(connection, opportunity, [current], add=True))
    calls.append(tags_call(connection, opportunity, others, add=False))
    return calls


def list_stages(connection: AtsConnection) -> list[Call]:
    """The settings page's test event: ``GET /stages`` with the saved key (harmless, and the
    answer lists the stage ids a trigger stage is chosen from)."""
    return [
        Call(
            "list_stages",
            "GET",
            f"{base_url(connection)}/stages",
            b"",
            _headers(connection),
            {"host": host_of(base_url(connection))},
        )
    ]


ADAPTER = Adapter(
    Ats.LEVER,
    frozenset({OrderStatus.SENT, OrderStatus.SCORED, OrderStatus.CANCELLED, OrderStatus.EXPIRED}),
    status_calls,
    list_stages,
)
"""Lever hears of a sent, scored, cancelled or expired test, by tags (and a note when scored)."""
