"""A fake Ashby for tests: it plays Ashby's side of the Assessments contract over real HTTP on
127.0.0.1.

It calls hireproof's partner endpoints as Ashby does (``POST`` with a JSON body, HTTP Basic auth
with the hireproof key as the user name and an empty password: ``assessment.list``,
``assessment.start``, ``assessment.cancel``), and it hosts Ashby's own API: ``POST
/assessment.update`` and ``POST /apiKey.info``, which check the customer's Ashby API key
(Basic, key as the user name, empty password: else 401) and, for an update, the body against the
documented shape (``assessment_id``, ``timestamp`` in milliseconds, ``assessment_status`` unless
``cancelled_reason``, ``assessment_profile_url`` of type ``url`` with a result, every value a data
value object ``{identifier, label, description?, type, value}`` of a documented type, every
identifier unique). Ashby answers ``{"success": true}``, and a body that does not fit with a 200
carrying ``{"success": false, "errors", "errorInfo"}`` as its API does. ``mode`` switches it to
fail: ``unavailable`` answers 503, ``refusing`` a 200 with ``success`` false.

What it was sent is kept: every request (``received``) and, per assessment, what Ashby would show
(``assessments``: its status, result, report link, metadata, cancellation).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import requests

from hireproof.testing.fake_ats import FakeAts, FakeHandler, basic_auth, serving

VALUE_TYPES = {"numeric_score", "numeric_duration_minutes", "url", "string", "boolean_success"}
VALUE_KEYS = {"identifier", "label", "description", "type", "value"}
DATA_FIELDS = (
    "assessment_status",
    "assessment_result",
    "assessment_profile_url",
    "cancelled_reason",
)


@dataclass(frozen=True)
class Received:
    """One request hireproof sent to Ashby's API."""

    path: str
    authorization: str
    body: Any  # the JSON it carried (None when it was not JSON)
    problems: tuple[str, ...]  # what did not fit the documented shape
    accepted: bool  # answered with success
    at: float = field(default_factory=time.time)  # when it arrived (seconds since the epoch)


@dataclass
class FakeAshby(FakeAts):
    """Ashby's side: the partner's base URL and the key Ashby calls it with, the customer's
    Ashby API key our calls must carry, and what it was sent."""

    partner_url: str  # hireproof's ``/integrations/ashby`` address
    partner_key: str  # the hireproof key Ashby calls with
    api_key: str = "ashby-customer-key-7f3a"  # the customer's Ashby API key
    mode: str = "ok"
    received: list[Received] = field(default_factory=list)
    assessments: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Ashby's API address, as the connection's ``api_base_url`` holds it."""
        return f"http://127.0.0.1:{self.port}"

    def auth(self, key: str | None = None) -> dict[str, str]:
        """The header Ashby sends: ``Basic base64(key + ":")``."""
        return {"Authorization": basic_auth(self.partner_key if key is None else key)}

    def _post(self, call: str, body: Any, key: str | None = None) -> requests.Response:
        return requests.post(
            f"{self.partner_url}/{call}", json=body, headers=self.auth(key), timeout=30
        )

    def assessment_list(self, key: str | None = None) -> requests.Response:
        """``POST assessment.list``."""
        return self._post("assessment.list", {}, key)

    def start_body(
        self, assessment_type_id: str, candidate: dict[str, Any], application_id: str
    ) -> dict[str, Any]:
        """``assessment.start``'s body, as Ashby sends it."""
        return {
            "assessment_type_id": assessment_type_id,
            "candidate": candidate,
            "application": {"ashby_id": application_id, "status": "Active"},
            "job": {
                "ashby_id": "job-data-scientist",
                "name": "Data Scientist",
                "req_id": "REQ-42",
                "ashby_job_url": "https://app.ashbyhq.com/jobs/job-data-scientist",
                "hiringTeam": [
                    {
                        "email": "hiring.manager@example.com",
                        "firstName": "Hana",
                        "lastName": "Manager",
                        "role": "Hiring Manager",
                        "userId": "user-1",
                    }
                ],
            },
        }

    def assessment_start(
        self,
        assessment_type_id: str,
        candidate: dict[str, Any],
        application_id: str,
        key: str | None = None,
    ) -> requests.Response:
        """``POST assessment.start`` for ``candidate``'s application ``application_id``."""
        body = self.start_body(assessment_type_id, candidate, application_id)
        answer = self._post("assessment.start", body, key)
        if answer.status_code == 200:
            with self.lock:
                self.assessments[answer.json()["results"]["assessment_id"]] = {"status": None}
        return answer

    def post_raw(self, call: str, body: bytes) -> requests.Response:
        """``POST`` ``body`` as it is (a body that is not the contract's)."""
        return requests.post(
            f"{self.partner_url}/{call}",
            data=body,
            headers={**self.auth(), "Content-Type": "application/json"},
            timeout=30,
        )

    def assessment_cancel(self, assessment_id: str) -> requests.Response:
        """``POST assessment.cancel``."""
        return self._post("assessment.cancel", {"assessment_id": assessment_id})

    def updates(self, assessment_id: str | None = None) -> list[dict[str, Any]]:
        """The ``assessment.update`` bodies accepted (for one assessment), in order."""
        return [
            item.body
            for item in self.received
            if item.path == "/assessment.update"
            and item.accepted
            and (assessment_id is None or item.body.get("assessment_id") == assessment_id)
        ]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """Answers Ashby's API."""
        return _handler_for(self)


def _value_problems(name: str, item: Any) -> list[str]:
    if not isinstance(item, dict):
        return [f"{name}: not a data value object"]
    problems = [f"{name}.{key}: not a property" for key in sorted(set(item) - VALUE_KEYS)]
    problems += [
        f"{name}.{key}: required"
        for key in ("identifier", "label", "type", "value")
        if key not in item
    ]
    if not isinstance(item.get("identifier", ""), str) or not isinstance(
        item.get("label", ""), str
    ):
        problems.append(f"{name}: identifier and label are strings")
    kind, data = item.get("type"), item.get("value")
    if kind not in VALUE_TYPES:
        problems.append(f"{name}.type: {kind!r} is not one of {sorted(VALUE_TYPES)}")
    elif kind.startswith("numeric") and (
        isinstance(data, bool) or not isinstance(data, int | float)
    ):
        problems.append(f"{name}.value: a number")
    elif kind in ("string", "url") and not isinstance(data, str):
        problems.append(f"{name}.value: a string")
    elif kind == "url" and not str(data).startswith(("http://", "https://")):
        problems.append(f"{name}.value: a URL")
    elif kind == "boolean_success" and not isinstance(data, bool):
        problems.append(f"{name}.value: a boolean")
    return problems


def update_problems(body: Any, known: set[str]) -> list[str]:
    """What in ``assessment.update``'s ``body`` does not fit the documented shape."""
    if not isinstance(body, dict):
        return ["body: a JSON object"]
    problems = []
    if not isinstance(body.get("assessment_id"), str) or body["assessment_id"] not in known:
        problems.append("assessment_id: not an assessment Ashby started")
    stamp = body.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int) or stamp < 10**12:
        problems.append("timestamp: milliseconds since the epoch, an integer")
    if "assessment_status" not in body and "cancelled_reason" not in body:
        problems.append("assessment_status: required unless cancelled_reason is set")
    if "assessment_result" in body and "assessment_profile_url" not in body:
        problems.append("assessment_profile_url: required with assessment_result")
    if "assessment_profile_url" in body and body["assessment_profile_url"].get("type") != "url":
        problems.append("assessment_profile_url.type: url")
    values = [(name, body[name]) for name in DATA_FIELDS if name in body]
    metadata = body.get("metadata", [])
    if not isinstance(metadata, list):
        problems.append("metadata: an array")
        metadata = []
    values += [(f"metadata[{n}]", item) for n, item in enumerate(metadata)]
    for name, item in values:
        problems += _value_problems(name, item)
    identifiers = [item.get("identifier") for _, item in values if isinstance(item, dict)]
    if len(identifiers) != len(set(identifiers)):
        problems.append("identifier: every assessment data identifier must be unique")
    extra = set(body) - {"assessment_id", "timestamp", "metadata", *DATA_FIELDS}
    problems += [f"{key}: not a property" for key in sorted(extra)]
    return problems


def _keep(fake: FakeAshby, body: dict[str, Any]) -> None:
    shown = fake.assessments.setdefault(body["assessment_id"], {})
    for name in DATA_FIELDS:
        if name in body:
            shown[name.removeprefix("assessment_")] = body[name]["value"]
    if body.get("assessment_status", {}).get("value") == "Started":
        shown["started_at"] = body["timestamp"]
    if "metadata" in body:
        shown["metadata"] = {item["identifier"]: item for item in body["metadata"]}


def _handler_for(fake: FakeAshby) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def _error(self, status: int, code: str, message: str) -> None:
            self.send_json(
                status,
                {
                    "success": False,
                    "errors": [code],
                    "errorInfo": {"code": code, "message": message, "requestId": "fake-1"},
                },
            )

        def do_POST(self) -> None:
            body = self.json_body()
            authorization = self.headers.get("Authorization", "")
            expected = basic_auth(fake.api_key)
            with fake.lock:
                problems = (
                    update_problems(body, set(fake.assessments))
                    if self.path == "/assessment.update"
                    else []
                )
                accepted = False
                if fake.mode == "unavailable":
                    self.send_json(503, {"success": False, "errors": ["unavailable"]})
                elif authorization != expected:
                    self._error(401, "invalid_api_key", "The API key is missing or not valid")
                elif self.path == "/apiKey.info":
                    accepted = True
                    self.send_json(
                        200,
                        {
                            "success": True,
                            "results": {
                                "title": "hireproof",
                                "createdAt": "2026-05-01T09:00:00.000Z",
                                "scopes": ["candidates:write"],
                            },
                        },
                    )
                elif self.path != "/assessment.update":
                    self._error(404, "not_found", f"No endpoint {self.path}")
                elif fake.mode == "refusing":
                    self._error(200, "assessment_not_updatable", "The assessment is closed")
                elif problems:
                    self._error(200, "invalid_input", "; ".join(problems))
                else:
                    accepted = True
                    _keep(fake, body)
                    self.send_json(200, {"success": True})
                fake.received.append(
                    Received(self.path, authorization, body, tuple(problems), accepted)
                )

    return Handler


def running_ashby(partner_url: str, partner_key: str) -> AbstractContextManager[FakeAshby]:
    """A fake Ashby listening for the length of the block."""
    return serving(FakeAshby(partner_url, partner_key))
