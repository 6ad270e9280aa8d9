"""A fake Greenhouse for tests: it plays Greenhouse's side of the Assessment Partner contract
over real HTTP on 127.0.0.1.

It calls hireproof's endpoints as Greenhouse does (HTTP Basic auth, the API key as the user
name and an empty password: ``list_tests``, ``send_test`` with a ``url`` of its own,
``test_status``, ``response_error``), and it hosts that ``url``: a ``PATCH`` to
``/integrations/testing_partners/take_home_tests/<n>`` is kept (``patches``) and answered as
``mode`` says (``ok``: 200; ``unavailable``: 503). ``follow_patches`` then does what Greenhouse
does on a PATCH: it calls ``test_status`` for that test.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import requests

from hireproof.testing.fake_ats import FakeAts, FakeHandler, basic_auth, serving

PATCH_PREFIX = "/integrations/testing_partners/take_home_tests/"


@dataclass(frozen=True)
class Patch:
    """One PATCH hireproof sent: which take-home test, with which credential and body, when
    it arrived (seconds since the epoch) and what the fake answered."""

    test_number: int
    authorization: str
    body: bytes
    at: float = 0.0
    answered: int = 200


@dataclass
class FakeGreenhouse(FakeAts):
    """Greenhouse's side: the partner's base URL and key, and what it was sent."""

    partner_url: str  # hireproof's ``/integrations/greenhouse`` address
    api_key: str
    mode: str = "ok"
    patches: list[Patch] = field(default_factory=list)
    interviews: dict[int, str] = field(default_factory=dict)  # test number -> interview id
    followed: int = 0
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(12345))

    def auth(self, key: str | None = None) -> dict[str, str]:
        """The header Greenhouse sends: ``Basic base64(key + ":")``."""
        return {"Authorization": basic_auth(self.api_key if key is None else key)}

    def callback_url(self, number: int) -> str:
        """The ``url`` Greenhouse gives in ``send_test`` for take-home test ``number``."""
        return f"http://127.0.0.1:{self.port}{PATCH_PREFIX}{number}"

    def list_tests(self, key: str | None = None) -> requests.Response:
        """``GET list_tests``."""
        return requests.get(f"{self.partner_url}/list_tests", headers=self.auth(key), timeout=30)

    def send_test(
        self, partner_test_id: str, candidate: dict[str, Any], key: str | None = None
    ) -> tuple[int, requests.Response]:
        """``POST send_test`` for a new take-home test: its number and the answer."""
        number = next(self._numbers)
        body: dict[str, Any] = {
            "partner_test_id": partner_test_id,
            "candidate": candidate,
            "sent_by": "recruiter@example.com",
            "url": self.callback_url(number),
        }
        answer = requests.post(
            f"{self.partner_url}/send_test", json=body, headers=self.auth(key), timeout=30
        )
        if answer.status_code == 200:
            self.interviews[number] = answer.json()["partner_interview_id"]
        return number, answer

    def test_status(self, interview_id: str, key: str | None = None) -> requests.Response:
        """``GET test_status?partner_interview_id=``."""
        return requests.get(
            f"{self.partner_url}/test_status",
            params={"partner_interview_id": interview_id},
            headers=self.auth(key),
            timeout=30,
        )

    def response_error(self, body: dict[str, Any]) -> requests.Response:
        """``POST response_error``."""
        return requests.post(
            f"{self.partner_url}/response_error", json=body, headers=self.auth(), timeout=30
        )

    def follow_patches(self) -> list[requests.Response]:
        """Call ``test_status`` for each PATCH not yet followed, as Greenhouse does."""
        with self.lock:
            new, self.followed = self.patches[self.followed :], len(self.patches)
        return [self.test_status(self.interviews[patch.test_number]) for patch in new]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """Answers PATCHes."""
        return _handler_for(self)


def _handler_for(fake: FakeGreenhouse) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def do_PATCH(self) -> None:
            body = self.raw_body()
            if not self.path.startswith(PATCH_PREFIX):
                self.send_bytes(404, b"", None)
                return
            number = int(self.path[len(PATCH_PREFIX) :])
            status = 200 if fake.mode == "ok" else 503
            auth = self.headers.get("Authorization", "")
            with fake.lock:
                fake.patches.append(Patch(number, auth, body, time.time(), status))
            self.send_bytes(status, b"", None)

    return Handler


def running_greenhouse(partner_url: str, api_key: str) -> AbstractContextManager[FakeGreenhouse]:
    """A fake Greenhouse listening for the length of the block."""
    return serving(FakeGreenhouse(partner_url, api_key))
