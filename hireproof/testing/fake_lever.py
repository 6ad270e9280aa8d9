"""A fake Lever for tests: Lever's side of the webhook-and-write-back pattern, over real HTTP
on 127.0.0.1.

It sends signed webhooks to hireproof's ``/integrations/lever/webhook`` as Lever does (the
envelope ``event``, ``triggeredAt``, ``token``, ``signature``, ``data``; the signature the hex
HMAC-SHA256 of ``token`` + ``triggeredAt`` under the webhook's signature token), and it serves
the part of Lever's API hireproof calls, under ``/v1``, checking HTTP Basic auth with its API
key as the user name and an empty password (401 ``{"code", "message"}`` otherwise):

- ``GET /v1/opportunities/<id>``: ``{"data": {...}}`` from ``opportunities`` (404 otherwise);
- ``POST /v1/opportunities/<id>/notes`` with ``{"value"}``: kept in ``notes``, 201;
- ``POST /v1/opportunities/<id>/addTags`` / ``removeTags`` with ``{"tags": [...]}``: the
  opportunity's tags changed, kept in ``tag_calls``, 200 with the opportunity;
- ``GET /v1/stages``: the stages.

A body that does not fit is a 400 ``{"code": "BadRequestError", "message"}``. ``failing`` names
the calls answered 503 (``"notes"``, ``"tags"``, ``"opportunity"``, ``"stages"``).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import requests

from hireproof.testing.fake_ats import FakeAts, FakeHandler, basic_auth, serving

STAGES = [
    {"id": "lead-new", "text": "New lead"},
    {"id": "applicant-new", "text": "New applicant"},
    {"id": "stage-assessment", "text": "Assessment"},
    {"id": "stage-onsite", "text": "On-site interview"},
]


@dataclass(frozen=True)
class Note:
    """One note hireproof wrote on an opportunity."""

    opportunity_id: str
    value: str
    query: str


@dataclass
class FakeLever(FakeAts):
    """Lever's side: where it sends webhooks, its API key and signature token, its records."""

    webhook_url: str  # hireproof's ``/integrations/lever/webhook``
    api_key: str
    signature_token: str
    webhook_token: str = "lever-webhook-token-1"  # noqa: S105 (the webhook's id, not a secret)
    opportunities: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    tag_calls: list[tuple[str, str, list[str]]] = field(default_factory=list)
    requests_seen: list[str] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        """The address of this Lever's API (what the connection's ``api_base_url`` holds)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def add_opportunity(self, name: str | None, emails: list[str], tags: list[str]) -> str:
        """A new opportunity (a candidate at a posting); its id."""
        opportunity_id = f"opp-{next(self._ids):04d}"
        with self.lock:
            self.opportunities[opportunity_id] = {
                "id": opportunity_id,
                "name": name,
                "contact": f"contact-{opportunity_id}",
                "headline": "",
                "stage": "applicant-new",
                "emails": emails,
                "phones": [],
                "tags": list(tags),
                "archived": None,
                "createdAt": int(time.time() * 1000),
            }
        return opportunity_id

    def tags_of(self, opportunity_id: str) -> list[str]:
        """The opportunity's tags now."""
        with self.lock:
            return list(self.opportunities[opportunity_id]["tags"])

    def envelope(
        self,
        event: str,
        data: dict[str, Any],
        *,
        triggered_at: int | None = None,
        signature_token: str | None = None,
    ) -> dict[str, Any]:
        """A webhook body as Lever signs it."""
        at = int(time.time() * 1000) if triggered_at is None else triggered_at
        key = self.signature_token if signature_token is None else signature_token
        signature = hmac.new(
            key.encode(), f"{self.webhook_token}{at}".encode(), hashlib.sha256
        ).hexdigest()
        return {
            "event": event,
            "triggeredAt": at,
            "token": self.webhook_token,
            "signature": signature,
            "data": data,
        }

    def post_webhook(self, body: Any) -> requests.Response:
        """``POST`` a webhook body (as JSON) to hireproof."""
        return requests.post(self.webhook_url, json=body, timeout=30)

    def stage_change(
        self,
        opportunity_id: str,
        to_stage_id: str,
        *,
        triggered_at: int | None = None,
        signature_token: str | None = None,
    ) -> requests.Response:
        """Move the opportunity to ``to_stage_id`` and send the signed
        ``candidateStageChange`` webhook."""
        with self.lock:
            opportunity = self.opportunities.get(opportunity_id, {})
            from_stage = opportunity.get("stage")
            if opportunity:
                opportunity["stage"] = to_stage_id
        data = {
            "opportunityId": opportunity_id,
            "candidateId": opportunity_id,
            "contactId": opportunity.get("contact"),
            "fromStageId": from_stage,
            "toStageId": to_stage_id,
        }
        return self.post_webhook(
            self.envelope(
                "candidateStageChange",
                data,
                triggered_at=triggered_at,
                signature_token=signature_token,
            )
        )

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """Answers Lever's API."""
        return _handler_for(self)


def _handler_for(fake: FakeLever) -> type[BaseHTTPRequestHandler]:
    expected = basic_auth(fake.api_key)

    class Handler(FakeHandler):
        def _error(self, status: int, code: str, message: str) -> None:
            self.send_json(status, {"code": code, "message": message})

        def _route(self) -> tuple[str, str, str] | None:
            path, _, query = self.path.partition("?")
            with fake.lock:
                fake.requests_seen.append(f"{self.command} {path}")
            if self.headers.get("Authorization", "") != expected:
                self._error(401, "UnauthorizedError", "Invalid API key.")
                return None
            parts = path.strip("/").split("/")
            if parts[:1] != ["v1"]:
                self._error(404, "ResourceNotFound", f"No route {path}.")
                return None
            return "/".join(parts[1:]), query, path

        def do_GET(self) -> None:
            route = self._route()
            if route is None:
                return
            rest, _, path = route
            if rest == "stages":
                if "stages" in fake.failing:
                    self._error(503, "ServiceUnavailable", "Try again later.")
                    return
                self.send_json(200, {"data": STAGES, "hasNext": False})
                return
            parts = rest.split("/")
            if len(parts) == 2 and parts[0] == "opportunities":
                if "opportunity" in fake.failing:
                    self._error(503, "ServiceUnavailable", "Try again later.")
                    return
                with fake.lock:
                    opportunity = fake.opportunities.get(parts[1])
                    found = None if opportunity is None else json.loads(json.dumps(opportunity))
                if found is None:
                    self._error(404, "ResourceNotFound", f"Opportunity {parts[1]} not found.")
                    return
                self.send_json(200, {"data": found})
                return
            self._error(404, "ResourceNotFound", f"No route {path}.")

        def do_POST(self) -> None:
            route = self._route()
            if route is None:
                return
            rest, query, path = route
            body = self.json_body(b"null")
            parts = rest.split("/")
            if len(parts) != 3 or parts[0] != "opportunities":
                self._error(404, "ResourceNotFound", f"No route {path}.")
                return
            opportunity_id, action = parts[1], parts[2]
            with fake.lock:
                known = opportunity_id in fake.opportunities
            if not known:
                self._error(404, "ResourceNotFound", f"Opportunity {opportunity_id} not found.")
                return
            if action == "notes":
                self._note(opportunity_id, body, query)
            elif action in ("addTags", "removeTags"):
                self._tags(opportunity_id, action, body)
            else:
                self._error(404, "ResourceNotFound", f"No route {path}.")

        def _note(self, opportunity_id: str, body: Any, query: str) -> None:
            if not isinstance(body, dict) or not isinstance(body.get("value"), str):
                self._error(400, "BadRequestError", "value: a note's text is required.")
                return
            if "notes" in fake.failing:
                self._error(503, "ServiceUnavailable", "Try again later.")
                return
            with fake.lock:
                fake.notes.append(Note(opportunity_id, body["value"], query))
                number = len(fake.notes)
            self.send_json(201, {"data": {"noteId": f"note-{number}"}})

        def _tags(self, opportunity_id: str, action: str, body: Any) -> None:
            tags = body.get("tags") if isinstance(body, dict) else None
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                self._error(400, "BadRequestError", "tags: a list of strings is required.")
                return
            if "tags" in fake.failing:
                self._error(503, "ServiceUnavailable", "Try again later.")
                return
            with fake.lock:
                opportunity = fake.opportunities[opportunity_id]
                if action == "addTags":
                    opportunity["tags"] += [t for t in tags if t not in opportunity["tags"]]
                else:
                    opportunity["tags"] = [t for t in opportunity["tags"] if t not in tags]
                fake.tag_calls.append((opportunity_id, action, list(tags)))
                answer = json.loads(json.dumps(opportunity))
            self.send_json(200, {"data": answer})

    return Handler


def running_lever(
    webhook_url: str, api_key: str, signature_token: str
) -> AbstractContextManager[FakeLever]:
    """A fake Lever listening for the length of the block."""
    return serving(FakeLever(webhook_url, api_key, signature_token))
