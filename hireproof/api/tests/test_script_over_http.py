"""A program using only the API, over real HTTP against the live server, runs a hiring round:
an opening from the built-in playbook, 100 candidates in one request, their invitations, a
scored attempt's scorecard with its explanations, a decision, and the hiring file (JSON and
PDF). The candidate's side is not the API's: one candidate takes the test through the actions
the candidate's pages call. Every write is recorded in the log with the key as its actor."""

from __future__ import annotations

import io
import json
import uuid
from importlib import resources
from typing import Any

import pytest
import requests
from pypdf import PdfReader

from hireproof.accounts.models import ApiKey, User
from hireproof.api.tests.conftest import key_for
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.hiring.actions.attempts import do_save_answer, do_start_attempt, do_submit_attempt
from hireproof.hiring.models.candidates import Invitation

pytestmark = pytest.mark.django_db(transaction=True)


class Program:
    """The script: nothing but HTTP requests with its key."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, **params: Any) -> requests.Response:
        response = self.session.get(self.base + path, params=params, timeout=60)
        assert response.status_code == 200, response.text
        return response

    def post(self, path: str, body: Any, status: int = 201) -> Any:
        response = self.session.post(
            self.base + path,
            json=body,
            headers={"Idempotency-Key": str(uuid.uuid4())},
            timeout=60,
        )
        assert response.status_code == status, response.text
        return response.json()


def _take_the_test(candidate_id: int) -> None:
    """The candidate's side, through the actions their pages call."""
    answers = json.loads(
        resources.files("hireproof.core.playbook.builtin.examples")
        .joinpath("strong-pass.json")
        .read_text()
    )
    attempt = do_start_attempt(Invitation.objects.get(candidate_id=candidate_id))
    for item_id, text in answers.items():
        do_save_answer(attempt, item_id, text)
    do_submit_attempt(attempt)


def test_a_program_runs_a_hiring_round_through_the_api_alone(
    live_server: Any, builtins: None, recruiter: User, mailoutbox: Any
) -> None:
    program = Program(live_server.url, key_for(recruiter))
    playbooks = program.get("/playbooks").json()
    builtin = next(p for p in playbooks if p["playbook_id"] == "data-scientist-mid")
    opening = program.post(
        "/openings",
        {
            "title": "Data scientist",
            "playbook_id": builtin["playbook_id"],
            "version": builtin["version"],
        },
    )
    oid = opening["id"]
    people = [{"name": f"Candidate {n}", "email": f"candidate{n}@example.org"} for n in range(100)]
    added = program.post(f"/openings/{oid}/candidates/batch", {"candidates": people})["items"]
    assert len(added) == 100
    for candidate in added:
        sent = program.post(f"/openings/{oid}/candidates/{candidate['id']}/invitation", {})
        assert sent["email"] == "sent"
    assert len(mailoutbox) == 100
    # Every candidate is invited: the list says so, page by page.
    seen, cursor = [], None
    while True:
        page = program.get(
            f"/openings/{oid}/candidates",
            stage="invited",
            limit=30,
            **({"cursor": cursor} if cursor else {}),
        ).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in added]

    first = added[0]["id"]
    _take_the_test(first)

    path = f"/openings/{oid}/candidates/{first}"
    assert program.get(path).json()["stage"] == "scored"
    card = program.get(path + "/scorecard").json()
    assert card["attempt"]["verdict"] == "strong_pass"
    assert card["scorecard"]["verdict"] == "strong_pass"
    assert all(item["explanation"] for item in card["scorecard"]["items"])
    assert any(item["evidence"] for item in card["scorecard"]["items"])
    recommendation = program.get(path + "/recommendation").json()
    assert recommendation["kind"] == "advance"
    assert recommendation["reasons"]

    decision = program.post(
        path + "/decisions",
        {
            "outcome": "no_hire",
            "reason": "The team hired for this role from an earlier round.",
            "justification": "Advance was recommended; the role was filled before interviews.",
            "recommendation_hash": recommendation["hash"],
        },
    )
    assert decision["decided_by_id"] == recruiter.pk
    assert decision["against_recommendation"] is True

    file = program.get(path + "/hiring-file").json()
    assert file["format"] == "hireproof/hiring-file"
    assert file["decisions"][0]["outcome"] == "no_hire"
    # The PDF is prepared by a background task (run where it is queued in the tests): asked
    # for with POST, refused with a 409 until then.
    early = program.session.get(program.base + path + "/hiring-file.pdf", timeout=60)
    assert early.status_code == 409, early.text
    assert early.json()["type"].endswith("pdf-not-ready")
    assert program.post(path + "/hiring-file.pdf", {}, status=202)["status"] == "preparing"
    pdf = program.get(path + "/hiring-file.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Candidate 0" in text

    # The key acted as the recruiter, and the log says so on every write it made.
    actors = {parse_leaf(bytes(leaf.data)).actor for leaf in LogLeaf.objects.all()}
    through_key = {actor for actor in actors if actor and actor.startswith("api-key:")}
    key = ApiKey.objects.get()
    assert through_key == {f"api-key:{key.pk}/staff:{recruiter.pk}"}
    assert f"staff:{recruiter.pk}" not in actors
