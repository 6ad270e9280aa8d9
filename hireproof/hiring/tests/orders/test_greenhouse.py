"""The Greenhouse Assessment Partner contract end to end, against a fake Greenhouse over real
HTTP: the tests are listed, a test is sent (the candidate is added and emailed their link), the
candidate takes it through the actions their pages call, the PATCH arrives at the url
Greenhouse gave, and ``test_status`` answers the score, the metadata and a signed report link
that opens a read-only page; every exchange is in the audit log."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.ats.push import push_order
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, AtsExchange
from hireproof.hiring.tests.orders.conftest import (
    ats_calls,
    ats_events,
    greenhouse_key,
    take_the_test,
)
from hireproof.platform.models import TaskProblem
from hireproof.testing.fake_greenhouse import FakeGreenhouse

pytestmark = pytest.mark.django_db(transaction=True)

GRACE = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "preferred_name": None,
    "email": "grace.hopper@example.org",
    "resume_url": "https://files.example.com/resume/1",
    "phone_number": None,
    "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=1",
}


def _take_the_test_from_the_email(mailoutbox: Any) -> None:
    take_the_test(mailoutbox, GRACE["email"])  # type: ignore[arg-type]  # a str in GRACE


def test_a_candidate_goes_from_send_test_to_a_score_and_report_link_in_greenhouse(
    greenhouse: FakeGreenhouse, opening: Opening, mailoutbox: Any
) -> None:
    tests = greenhouse.list_tests()
    assert tests.status_code == 200
    assert {"partner_test_id": str(opening.pk), "partner_test_name": opening.title} in tests.json()

    number, sent = greenhouse.send_test(str(opening.pk), GRACE)
    assert sent.status_code == 200, sent.text
    interview = sent.json()["partner_interview_id"]
    assert set(sent.json()) == {"partner_interview_id"}
    assert interview.startswith("hpo_")
    order = AssessmentOrder.objects.get(public_id=interview)
    assert order.candidate.name == "Grace Hopper"
    assert order.opening_id == opening.pk

    waiting = greenhouse.test_status(interview).json()
    assert waiting == {
        "partner_status": "sent",
        "partner_profile_url": None,
        "partner_score": None,
        "metadata": None,
    }
    assert greenhouse.patches == []

    _take_the_test_from_the_email(mailoutbox)

    [patch] = greenhouse.patches
    assert patch.test_number == number
    assert patch.body == b""
    assert patch.authorization == greenhouse.auth()["Authorization"]
    [status] = greenhouse.follow_patches()
    answer = status.json()
    assert answer["partner_status"] == "complete"
    assert answer["partner_score"] == 100
    metadata = answer["metadata"]
    assert metadata["verdict"] == "Strong pass"
    assert metadata["flags"] == 0
    assert metadata["playbook_hash"] == opening.playbook_version.content_hash
    assert all(not isinstance(value, dict | list) for value in metadata.values())
    sections = {key: value for key, value in metadata.items() if key.startswith("section_")}
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in metadata)  # snake_case, every key
    assert sections
    assert set(sections.values()) == {100}

    report = requests.get(answer["partner_profile_url"], timeout=30)
    assert report.status_code == 200
    assert "Grace Hopper" in report.text
    assert "100.00%" in report.text
    assert "no-store" in report.headers["Cache-Control"]

    # The order was told once: a later action does not PATCH again.
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "scored"
    calls = ats_calls()
    assert calls == [
        ("in", "list_tests", 200),
        ("in", "send_test", 200),
        ("in", "test_status", 200),
        ("out", "patch_completed", 200),
        ("in", "test_status", 200),
    ]
    placed = [e for e in ats_events() if e["type"] == "ats.order_placed"]
    assert placed[0]["order_id"] == interview
    assert placed[0]["invited"] is True
    text = str(ats_events())
    for secret in ("Grace", "grace.hopper", greenhouse.api_key):
        assert secret not in text


def test_a_bad_key_is_401_and_an_unknown_interview_404(
    greenhouse: FakeGreenhouse, recruiter: User, opening: Opening
) -> None:
    assert greenhouse.list_tests(key="hpk_not-a-key").status_code == 401
    anonymous = requests.get(f"{greenhouse.partner_url}/list_tests", timeout=30)
    assert anonymous.status_code == 401
    assert "Basic" in anonymous.headers["WWW-Authenticate"]
    with_password = base64.b64encode(f"{greenhouse.api_key}:secret".encode()).decode()
    refused = requests.get(
        f"{greenhouse.partner_url}/list_tests",
        headers={"Authorization": f"Basic {with_password}"},
        timeout=30,
    )
    assert refused.status_code == 401
    read_only = greenhouse_key(recruiter, Scope.READ)
    assert greenhouse.list_tests(key=read_only).status_code == 404
    assert greenhouse.test_status("hpo_unknown").status_code == 404
    _, unknown_test = greenhouse.send_test("999999", GRACE)
    assert unknown_test.status_code == 404
    for beyond in ("99999999999999999999", "-1", "0", "1e3"):  # never a 500
        _, refused = greenhouse.send_test(beyond, GRACE)
        assert refused.status_code == 404, (beyond, refused.text)
    assert Candidate.objects.count() == 0
    assert not AtsExchange.objects.filter(status_code=401).exists()


def test_a_body_that_does_not_fit_is_a_400_naming_the_field(
    greenhouse: FakeGreenhouse, opening: Opening
) -> None:
    _, missing = greenhouse.send_test(str(opening.pk), {**GRACE, "email": None})
    assert missing.status_code == 400
    assert any(error.startswith("candidate.email") for error in missing.json()["errors"])
    _, bad = greenhouse.send_test(str(opening.pk), {**GRACE, "email": "not an address"})
    assert bad.status_code == 400
    assert "candidate.email" in bad.json()["errors"][0]
    assert Candidate.objects.count() == 0


def test_a_failing_greenhouse_is_retried_and_the_failure_recorded(
    greenhouse: FakeGreenhouse, opening: Opening, mailoutbox: Any
) -> None:
    _, sent = greenhouse.send_test(str(opening.pk), GRACE)
    greenhouse.mode = "unavailable"
    _take_the_test_from_the_email(mailoutbox)
    failed = AtsExchange.objects.get(direction="out")
    assert failed.status_code == 503
    assert "503" in failed.error
    assert TaskProblem.objects.filter(task__contains="push_order").exists()
    order = AssessmentOrder.objects.get(public_id=sent.json()["partner_interview_id"])
    assert order.reported_status == ""


def test_response_error_is_kept_as_an_exchange_without_the_email(
    greenhouse: FakeGreenhouse, opening: Opening
) -> None:
    answer = greenhouse.response_error(
        {
            "api_call": "test_status",
            "errors": ["partner_score is not a number"],
            "partner_interview_id": "hpo_unknown",
            "candidate_email": "grace.hopper@example.org",
        }
    )
    assert answer.status_code == 200
    row = AtsExchange.objects.get(call="response_error")
    assert row.asked["errors"] == 1
    assert "grace" not in str(row.asked)


def test_a_push_never_reports_an_order_another_push_holds(
    greenhouse: FakeGreenhouse, opening: Opening, mailoutbox: Any
) -> None:
    _, sent = greenhouse.send_test(str(opening.pk), GRACE)
    order = AssessmentOrder.objects.get(public_id=sent.json()["partner_interview_id"])
    held_until = timezone.now() + timedelta(minutes=1)
    AssessmentOrder.objects.filter(pk=order.pk).update(push_claimed_until=held_until)
    _take_the_test_from_the_email(mailoutbox)  # scored: its push finds the order held
    assert greenhouse.patches == []
    problem = TaskProblem.objects.get(task__contains="push_order")
    assert "under way" in problem.error
    assert AssessmentOrder.objects.get(pk=order.pk).push_claimed_until == held_until

    # A push killed mid-way frees the order when its lease ends: the next try reports once.
    past = timezone.now() - timedelta(seconds=1)
    AssessmentOrder.objects.filter(pk=order.pk).update(push_claimed_until=past)
    push_order(order.pk)
    push_order(order.pk)
    assert len(greenhouse.patches) == 1
    order.refresh_from_db()
    assert order.reported_status == "scored"
    assert order.push_claimed_until is None


def test_a_test_sent_again_after_the_link_stopped_working_sends_a_new_one(
    greenhouse: FakeGreenhouse, opening: Opening, recruiter: User, mailoutbox: Any
) -> None:
    _, first = greenhouse.send_test(str(opening.pk), GRACE)
    candidate = Candidate.objects.get()
    do_revoke_invitation(actor=recruiter, candidate=candidate, now=timezone.now())
    emails = len(mailoutbox)
    _, again = greenhouse.send_test(str(opening.pk), GRACE)
    assert again.status_code == 200, again.text
    assert len(mailoutbox) == emails + 1  # a new link, emailed
    status = greenhouse.test_status(again.json()["partner_interview_id"]).json()
    assert status["partner_status"] == "sent"
    assert first.json() != again.json()


def test_a_test_for_a_candidate_whose_application_is_closed_is_refused(
    greenhouse: FakeGreenhouse, opening: Opening, recruiter: User, mailoutbox: Any
) -> None:
    greenhouse.send_test(str(opening.pk), GRACE)
    candidate = Candidate.objects.get()
    do_record_decision(
        actor=recruiter,
        candidate=candidate,
        outcome="withdrawn",
        reason="The candidate took another job.",
    )
    emails = len(mailoutbox)
    _, refused = greenhouse.send_test(str(opening.pk), GRACE)
    assert refused.status_code == 409
    assert "closed" in refused.json()["errors"][0]
    assert "Grace" not in refused.text
    assert len(mailoutbox) == emails
    assert AssessmentOrder.objects.count() == 1
