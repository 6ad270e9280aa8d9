"""The orders through the REST API: a page at a time with filters (ATS, opening, status), and
one order with its facts, its report link and its recent exchanges, by ids only."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.api.tests.conftest import ApiClient, key_for
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.orders import OrderRequest, do_place_order
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats
from hireproof.hiring.tests.orders.test_greenhouse import GRACE
from hireproof.hiring.tests.webhooks.conftest import STRONG, take_test
from hireproof.testing.fake_greenhouse import FakeGreenhouse
from hireproof.testing.personas import make_opening

pytestmark = pytest.mark.django_db(transaction=True)


def _lever_order(opening: Opening, recruiter: User, name: str) -> AssessmentOrder:
    """An order from Lever (whose adapter this test does not need: nothing is pushed)."""
    email = name.lower().replace(" ", ".") + "@example.org"
    request = OrderRequest(Ats.LEVER, opening, name, email, ats_reference=f"opp-{name}")
    return do_place_order(actor=recruiter, request=request, base_url="http://testserver/")


def test_an_order_placed_by_greenhouse_reads_through_the_api_with_its_result(
    greenhouse: FakeGreenhouse, opening: Opening, auditor: User
) -> None:
    api = ApiClient(key_for(auditor, Scope.READ))
    _, sent = greenhouse.send_test(str(opening.pk), GRACE)
    public_id = sent.json()["partner_interview_id"]
    waiting = api.get(f"/orders/{public_id}").json()
    assert waiting["status"] == "sent"
    assert (waiting["score_percent"], waiting["report_url"], waiting["verdict"]) == (
        None,
        None,
        None,
    )

    order = AssessmentOrder.objects.get(public_id=public_id)
    take_test(Candidate.objects.select_related("invitation").get(pk=order.candidate_id), STRONG)
    answer = api.get(f"/orders/{public_id}")
    assert answer.status_code == 200
    detail = answer.json()
    version = opening.playbook_version
    assert {k: v for k, v in detail.items() if k not in ("exchanges", "report_url")} == {
        "public_id": public_id,
        "ats": "greenhouse",
        "opening_id": opening.pk,
        "candidate_id": order.candidate_id,
        "ats_reference": "",
        "created_at": detail["created_at"],
        "status": "scored",
        "score_percent": "100.00",
        "verdict": "strong_pass",
        "recommendation": "advance",
        "flags": 0,
        "sections": detail["sections"],
        "submitted_at": detail["submitted_at"],
        "reported_status": "scored",
        "reported_at": detail["reported_at"],
        "playbook": {
            "playbook_id": version.playbook_id,
            "version": version.version,
            "hash": version.content_hash,
        },
    }
    assert detail["sections"]
    assert set(detail["sections"].values()) == {"100.00"}
    report = requests.get(detail["report_url"], timeout=30)
    assert report.status_code == 200
    assert "Grace Hopper" in report.text

    calls = [
        (e["direction"], e["call"], e["status_code"], e["failed"]) for e in detail["exchanges"]
    ]
    assert calls == [
        ("out", "patch_completed", 200, False),
        ("in", "send_test", 200, False),
    ]
    said = json.dumps(detail["exchanges"])
    for personal in ("Grace", "Hopper", "grace.hopper@example.org", greenhouse.api_key):
        assert personal not in said
    assert api.get("/orders/hpo_no-such-order").status_code == 404


def test_the_list_filters_by_ats_opening_and_status_and_pages_with_a_cursor(
    greenhouse: FakeGreenhouse,
    opening: Opening,
    recruiter: User,
    auditor: User,
    playbook_version: Any,
) -> None:
    api = ApiClient(key_for(auditor, Scope.READ))
    elsewhere = make_opening(recruiter, playbook_version, "ML Engineer (Lisbon)")
    _, sent = greenhouse.send_test(str(opening.pk), GRACE)
    from_greenhouse = sent.json()["partner_interview_id"]
    scored = _lever_order(opening, recruiter, "Ada Byron")
    take_test(Candidate.objects.select_related("invitation").get(pk=scored.candidate_id))
    other = _lever_order(elsewhere, recruiter, "Bob Kahn")
    erased = _lever_order(opening, recruiter, "Cy Young")
    do_erase_candidate(actor=recruiter, candidate=erased.candidate, basis=ErasureBasis.REQUEST)

    def ids(**params: Any) -> list[str]:
        answer = api.get("/orders", **params)
        assert answer.status_code == 200, answer.content
        return [item["public_id"] for item in answer.json()["items"]]

    everyone = [from_greenhouse, scored.public_id, other.public_id, erased.public_id]
    assert ids() == everyone
    assert ids(ats="lever") == everyone[1:]
    assert ids(ats="greenhouse") == [from_greenhouse]
    assert ids(opening=elsewhere.pk) == [other.public_id]
    assert ids(status="scored") == [scored.public_id]
    assert ids(status="sent") == [from_greenhouse, other.public_id]
    assert ids(status="erased") == [erased.public_id]
    assert ids(status="started") == []
    assert ids(status="sent", opening=opening.pk) == [from_greenhouse]

    gone = api.get(f"/orders/{erased.public_id}").json()
    assert (gone["status"], gone["score_percent"], gone["report_url"]) == ("erased", None, None)

    walked, cursor = [], None
    while True:
        page = api.get("/orders", limit=3, **({"cursor": cursor} if cursor else {})).json()
        walked += [item["public_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == everyone

    for params in ({"status": "nearly"}, {"ats": "taleo"}, {"cursor": "bm9wZQ"}, {"limit": 0}):
        refused = api.get("/orders", **params)
        assert refused.status_code == 422, params
        assert refused["Content-Type"] == "application/problem+json"
        assert next(iter(params)) in json.dumps(refused.json()["errors"])
