"""A fake Workable for tests: it plays Workable's side of the Assessment Providers contract over
real HTTP on 127.0.0.1.

It calls hireproof's endpoints as Workable does (``Authorization: Bearer <the key the customer
configured>``: ``GET tests``, ``POST assessments`` with a ``callback_url`` of its own,
``GET assessments/<id>/shared-link``), and it hosts those callback URLs: a ``PUT`` to
``/assessments/<n>`` is checked as Workable would (``Authorization: Bearer <the token it
generated when the integration was created>``, a JSON body whose ``status`` is ``pending``,
``completed``, ``rejected`` or ``expired``, and on ``completed`` a ``results_url`` and an
``assessment`` with a number ``score`` and a ``grade`` of ``failed``, ``passed`` or
``excelled``), kept (``puts``), and answered as ``mode`` says (``ok``: 200, or Workable's error
shape for a wrong token (401) or body (422); ``unavailable``: 503).
"""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import requests

from hireproof.testing.fake_ats import FakeAts, FakeHandler, serving

CALLBACK_PREFIX = "/assessments/"
STATUSES = ("pending", "completed", "rejected", "expired")
GRADES = ("failed", "passed", "excelled")


@dataclass(frozen=True)
class Put:
    """One ``PUT`` hireproof sent: to which assessment, with which credential and body, and
    what the fake answered."""

    number: int
    authorization: str
    body: Any
    answered: int


@dataclass
class FakeWorkable(FakeAts):
    """Workable's side: the provider's base URL and key, its own token, and what it was sent."""

    provider_url: str  # hireproof's ``/integrations/workable`` address
    api_key: str
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    mode: str = "ok"
    puts: list[Put] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(8823119))

    def auth(self, key: str | None = None) -> dict[str, str]:
        """The header Workable sends: ``Bearer <key>``."""
        return {"Authorization": f"Bearer {self.api_key if key is None else key}"}

    def callback_url(self, number: int) -> str:
        """The ``callback_url`` Workable gives for its assessment ``number``."""
        return f"http://127.0.0.1:{self.port}{CALLBACK_PREFIX}{number}"

    def tests(self, key: str | None = None) -> requests.Response:
        """``GET tests``."""
        return requests.get(f"{self.provider_url}/tests", headers=self.auth(key), timeout=30)

    def create_assessment(
        self,
        test_id: Any,
        candidate: dict[str, Any],
        key: str | None = None,
        job_shortcode: str = "GROOV005",
        **extra: Any,
    ) -> tuple[int, requests.Response]:
        """``POST assessments`` for a new assessment of Workable's: its number and the answer
        (``extra`` replaces or adds top-level properties)."""
        number = next(self._numbers)
        body: dict[str, Any] = {
            "test_id": test_id,
            "job_shortcode": job_shortcode,
            "job_title": "Data Scientist",
            "callback_url": self.callback_url(number),
            "candidate": candidate,
            **extra,
        }
        answer = requests.post(
            f"{self.provider_url}/assessments", json=body, headers=self.auth(key), timeout=30
        )
        return number, answer

    def shared_link(self, assessment_id: str, key: str | None = None) -> requests.Response:
        """``GET assessments/<id>/shared-link``."""
        return requests.get(
            f"{self.provider_url}/assessments/{assessment_id}/shared-link",
            headers=self.auth(key),
            timeout=30,
        )

    def statuses(self, number: int) -> list[str]:
        """The statuses accepted for assessment ``number``, in order."""
        with self.lock:
            return [p.body["status"] for p in self.puts if p.number == number and p.answered == 200]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """Answers results."""
        return _handler_for(self)


def problems_of(body: Any) -> list[str]:
    """What Workable would refuse in a result's body (nothing: it accepts it)."""
    if not isinstance(body, dict) or body.get("status") not in STATUSES:
        return [f"status: one of {', '.join(STATUSES)}"]
    if body["status"] != "completed":
        return []
    found = []
    if not isinstance(body.get("results_url"), str) or not body["results_url"]:
        found.append("results_url: required when completed")
    assessment = body.get("assessment")
    if not isinstance(assessment, dict):
        return [*found, "assessment: required when completed"]
    score = assessment.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        found.append("assessment.score: a number")
    if assessment.get("grade") not in GRADES:
        found.append(f"assessment.grade: one of {', '.join(GRADES)}")
    return found


def _handler_for(fake: FakeWorkable) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def do_PUT(self) -> None:
            raw = self.raw_body()
            tail = self.path[len(CALLBACK_PREFIX) :]
            if not self.path.startswith(CALLBACK_PREFIX) or not tail.isdigit():
                self._answer(404, "No such assessment.")
                return
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            authorization = self.headers.get("Authorization", "")
            if fake.mode != "ok":
                status, message = 503, "Service unavailable."
            elif authorization != f"Bearer {fake.token}":
                status, message = 401, "Invalid token."
            elif problems := problems_of(body):
                status, message = 422, "; ".join(problems)
            else:
                status, message = 200, ""
            with fake.lock:
                fake.puts.append(Put(int(tail), authorization, body, status))
            self._answer(status, message)

        def _answer(self, status: int, message: str) -> None:
            payload = (
                json.dumps({"status": status, "message": message}).encode() if message else b""
            )
            self.send_bytes(status, payload, "application/json")

    return Handler


def running_workable(provider_url: str, api_key: str) -> AbstractContextManager[FakeWorkable]:
    """A fake Workable listening for the length of the block."""
    return serving(FakeWorkable(provider_url, api_key))
