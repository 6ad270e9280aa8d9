"""The Ashby Assessments contract end to end, against a fake Ashby over real HTTP: the
assessments are listed, one is started (the candidate is added and emailed their link), the
candidate takes it through the actions their pages call, and ``assessment.update`` arrives at
Ashby's API with the documented value objects: "Started", then the result, a signed report link
that opens a read-only page, and the metadata; cancellations both ways, refusals in the
contract's shapes, a failing Ashby retried, every exchange in the audit log."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.http import Http404

from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.hiring.access import access_invitation_for_candidate
from hireproof.hiring.actions.connections import ConnectionChange, do_save_connection
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.actions.openings import do_close_opening
from hireproof.hiring.ats import ashby as ashby_contract
from hireproof.hiring.ats.push import PUSH_FIRST_DELAY, make_call
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection, AtsExchange
from hireproof.hiring.tests.orders.conftest import (
    ats_calls,
    ats_events,
    greenhouse_key,
    link_token,
    take_the_test,
)
from hireproof.platform.models import TaskProblem
from hireproof.platform.tasks import run_due_schedules
from hireproof.testing.fake_ashby import FakeAshby, running_ashby

pytestmark = pytest.mark.django_db(transaction=True)

ADA = {
    "ashby_id": "c0ffee00-0000-4000-8000-000000000001",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada.lovelace@example.org",
    "ashby_profile_url": "https://app.ashbyhq.com/candidates/c0ffee00-0000-4000-8000-000000000001",
}
APPLICATION = "app-0001"


@pytest.fixture
def ashby(
    live_server: Any, settings: Any, recruiter: User, allow_private: None
) -> Iterator[FakeAshby]:
    """A fake Ashby with a recruiter's ``ashby`` key, calling the live server (whose address
    the links hireproof gives out carry)."""
    settings.HIREPROOF_SITE_URL = live_server.url
    with running_ashby(
        f"{live_server.url}/integrations/ashby", greenhouse_key(recruiter, Scope.ASHBY)
    ) as fake:
        yield fake


def connect(fake: FakeAshby, administrator: User, key: str | None = None) -> AtsConnection:
    """The administrator's Ashby connection: the fake's address and the customer's Ashby key."""
    return do_save_connection(
        actor=administrator,
        ats=Ats.ASHBY,
        change=ConnectionChange(
            api_base_url=fake.base_url, ats_secret=fake.api_key if key is None else key
        ),
    )


@pytest.fixture
def connected(ashby: FakeAshby, administrator: User) -> FakeAshby:
    """The fake Ashby, connected."""
    connect(ashby, administrator)
    return ashby


def _started(fake: FakeAshby, opening: Opening, application: str = APPLICATION) -> str:
    answer = fake.assessment_start(str(opening.pk), ADA, application)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["results"]["assessment_id"])


def _take_the_test_from_the_email(mailoutbox: Any, *, submit: bool = True) -> None:
    take_the_test(mailoutbox, ADA["email"], submit=submit)


def test_a_candidate_goes_from_assessment_start_to_a_result_and_report_link_in_ashby(
    connected: FakeAshby, opening: Opening, mailoutbox: Any
) -> None:
    listed = connected.assessment_list()
    assert listed.status_code == 200
    assert listed.json()["success"] is True
    [assessment] = [
        item for item in listed.json()["results"] if item["assessment_type_id"] == str(opening.pk)
    ]
    assert assessment["name"] == opening.title
    assert opening.playbook_version.playbook_id in assessment["description"]

    started = connected.assessment_start(str(opening.pk), ADA, APPLICATION)
    assert started.status_code == 200, started.text
    assert started.json()["success"] is True
    assessment_id = started.json()["results"]["assessment_id"]
    assert assessment_id.startswith("hpo_")
    order = AssessmentOrder.objects.get(public_id=assessment_id)
    assert (order.ats, order.ats_reference) == ("ashby", APPLICATION)
    assert order.candidate.name == "Ada Lovelace"
    assert connected.updates() == []  # Ashby knows it started the assessment

    _take_the_test_from_the_email(mailoutbox)

    first, second = connected.updates(assessment_id)
    assert all(not item.problems for item in connected.received)
    assert all(
        item.authorization == "Basic " + base64.b64encode(b"ashby-customer-key-7f3a:").decode()
        for item in connected.received
    )
    assert first["assessment_status"]["value"] == "Started"
    assert "assessment_result" not in first
    assert second["assessment_status"]["value"] == "Completed"
    assert second["timestamp"] >= first["timestamp"]
    shown = connected.assessments[assessment_id]
    assert shown["result"] == 100
    assert second["assessment_result"]["type"] == "numeric_score"
    metadata = shown["metadata"]
    assert metadata["verdict"]["value"] == "Strong pass"
    assert metadata["flags"] == {**metadata["flags"], "type": "numeric_score", "value": 0}
    assert metadata["playbook_hash"]["value"] == opening.playbook_version.content_hash
    assert metadata["playbook_id"]["value"] == opening.playbook_version.playbook_id
    assert metadata["playbook_version"]["value"] == opening.playbook_version.version
    assert metadata["duration"]["type"] == "numeric_duration_minutes"
    sections = {key: item for key, item in metadata.items() if key.startswith("section_")}
    assert sections
    assert {item["value"] for item in sections.values()} == {100}
    assert {item["type"] for item in sections.values()} == {"numeric_score"}

    report = requests.get(shown["profile_url"], timeout=30)
    assert report.status_code == 200
    assert "Ada Lovelace" in report.text
    assert "100.00%" in report.text

    # Told once per status: a later action sends nothing again.
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "scored"
    assert ats_calls() == [
        ("in", "assessment.list", 200),
        ("in", "assessment.start", 200),
        ("out", "assessment.update", 200),
        ("out", "assessment.update", 200),
    ]
    outbound = [e for e in ats_events() if e.get("direction") == "out"]
    assert [e["asked"]["assessment_status"] for e in outbound] == ["Started", "Completed"]
    assert outbound[1]["asked"]["score"] == "100"
    text = str(ats_events())
    for secret in ("Ada", "lovelace", connected.api_key, connected.partner_key, "/reports/"):
        assert secret not in text


def test_a_bad_key_is_401_and_a_key_without_the_ashby_scope_may_do_nothing(
    ashby: FakeAshby, recruiter: User, opening: Opening
) -> None:
    assert ashby.assessment_list(key="hpk_not-a-key").status_code == 401
    anonymous = requests.post(f"{ashby.partner_url}/assessment.list", json={}, timeout=30)
    assert anonymous.status_code == 401
    assert "Basic" in anonymous.headers["WWW-Authenticate"]
    with_password = base64.b64encode(f"{ashby.partner_key}:secret".encode()).decode()
    refused = requests.post(
        f"{ashby.partner_url}/assessment.list",
        json={},
        headers={"Authorization": f"Basic {with_password}"},
        timeout=30,
    )
    assert refused.status_code == 401
    greenhouse_only = greenhouse_key(recruiter, Scope.GREENHOUSE)
    listed = ashby.assessment_list(key=greenhouse_only)
    assert listed.status_code == 404
    assert listed.json()["success"] is False
    assert listed.json()["errorInfo"]["code"] == "not_found"
    started = ashby.assessment_start(str(opening.pk), ADA, APPLICATION, key=greenhouse_only)
    assert started.status_code == 422
    assert Candidate.objects.count() == 0
    assert not AtsExchange.objects.filter(status_code=401).exists()
    listed_by_get = requests.get(
        f"{ashby.partner_url}/assessment.list", headers=ashby.auth(), timeout=30
    )
    assert listed_by_get.status_code == 405


def test_a_start_that_cannot_be_placed_is_a_422_message_naming_what_and_nothing_is_written(
    ashby: FakeAshby, recruiter: User, opening: Opening, other_opening: Opening
) -> None:
    def start(body: dict[str, Any]) -> requests.Response:
        return requests.post(
            f"{ashby.partner_url}/assessment.start", json=body, headers=ashby.auth(), timeout=30
        )

    body = ashby.start_body(str(opening.pk), ADA, APPLICATION)
    missing = start({**body, "candidate": {k: v for k, v in ADA.items() if k != "email"}})
    assert missing.status_code == 422
    assert "candidate.email" in missing.json()["message"]
    no_application = start({k: v for k, v in body.items() if k != "application"})
    assert "application" in no_application.json()["message"]
    bad_email = start({**body, "candidate": {**ADA, "email": "not an address"}})
    assert bad_email.status_code == 422
    assert bad_email.json() == {"message": "candidate.email: not an email address"}
    not_json = ashby.post_raw("assessment.start", b"{not json")
    assert not_json.status_code == 422
    assert "body" in not_json.json()["message"]
    for wrong in ("999999", "9" * 40, "1_0", f" {opening.pk}", "-1"):
        unknown = ashby.assessment_start(wrong, ADA, APPLICATION)
        assert unknown.status_code == 422, wrong
        assert repr(wrong) in unknown.json()["message"]
    do_close_opening(actor=recruiter, opening=other_opening)
    closed = ashby.assessment_start(str(other_opening.pk), ADA, APPLICATION)
    assert closed.status_code == 422
    assert "closed" in closed.json()["message"].lower()
    assert Candidate.objects.count() == 0
    assert AssessmentOrder.objects.count() == 0
    assert Invitation.objects.count() == 0
    assert set(AtsExchange.objects.values_list("status_code", flat=True)) == {422}


def test_an_application_already_assessed_is_a_409_and_an_erased_one_a_422(
    ashby: FakeAshby, administrator: User, opening: Opening
) -> None:
    assessment_id = _started(ashby, opening)
    again = ashby.assessment_start(str(opening.pk), ADA, APPLICATION)
    assert again.status_code == 409
    assert assessment_id in again.json()["message"]
    assert AssessmentOrder.objects.count() == 1

    order = AssessmentOrder.objects.get(public_id=assessment_id)
    do_erase_candidate(actor=administrator, candidate=order.candidate, basis=ErasureBasis.REQUEST)
    erased = ashby.assessment_start(str(opening.pk), ADA, APPLICATION)
    assert erased.status_code == 422
    assert "erased" in erased.json()["message"]
    assert AssessmentOrder.objects.count() == 1
    assert Candidate.objects.count() == 1


def test_ashby_cancels_an_assessment_and_the_candidates_link_stops_working(
    connected: FakeAshby, opening: Opening, mailoutbox: Any
) -> None:
    assessment_id = _started(connected, opening)
    token = link_token(mailoutbox, ADA["email"])
    cancelled = connected.assessment_cancel(assessment_id)
    assert cancelled.status_code == 200
    assert cancelled.json() == {"success": True, "results": {"assessment_id": assessment_id}}
    order = AssessmentOrder.objects.get(public_id=assessment_id)
    assert Invitation.objects.get(candidate=order.candidate).revoked_at is not None
    with pytest.raises(Http404):
        access_invitation_for_candidate(token)
    assert connected.assessment_cancel(assessment_id).status_code == 200  # again: still so
    assert connected.updates() == []  # Ashby cancelled it: it is not told back
    revoked = [e for e in ats_events() if e.get("call") == "assessment.cancel"]
    assert [e["status"] for e in revoked] == [200, 200]

    unknown = connected.assessment_cancel("hpo_unknown")
    assert unknown.status_code == 404
    assert unknown.json()["errorInfo"]["code"] == "not_found"
    no_id = connected.post_raw("assessment.cancel", b"{}")
    assert no_id.status_code == 422
    assert "assessment_id" in no_id.json()["errorInfo"]["message"]


def test_an_assessment_already_submitted_cannot_be_cancelled(
    connected: FakeAshby, opening: Opening, mailoutbox: Any, administrator: User
) -> None:
    assessment_id = _started(connected, opening)
    _take_the_test_from_the_email(mailoutbox)
    refused = connected.assessment_cancel(assessment_id)
    assert refused.status_code == 409
    assert refused.json()["success"] is False
    assert "submitted" in refused.json()["errorInfo"]["message"]
    assert "Ada" not in refused.text  # no name goes back, or into the exchange
    assert "Ada" not in AtsExchange.objects.get(call="assessment.cancel").error
    order = AssessmentOrder.objects.get(public_id=assessment_id)
    assert order.reported_status == "scored"
    assert connected.assessments[assessment_id]["status"] == "Completed"

    # An erasure after the result: Ashby keeps what it has, and is told nothing more.
    do_erase_candidate(actor=administrator, candidate=order.candidate, basis=ErasureBasis.REQUEST)
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "erased"
    assert [u["assessment_status"]["value"] for u in connected.updates()] == [
        "Started",
        "Completed",
    ]
    gone = connected.assessment_cancel(assessment_id)
    assert gone.status_code == 409
    assert "erased" in gone.json()["errorInfo"]["message"]


def test_a_link_revoked_in_hireproof_and_an_erasure_reach_ashby_as_cancellations(
    connected: FakeAshby, opening: Opening, recruiter: User, administrator: User
) -> None:
    revoked_id = _started(connected, opening)
    order = AssessmentOrder.objects.get(public_id=revoked_id)
    do_revoke_invitation(actor=recruiter, candidate=order.candidate)
    [update] = connected.updates(revoked_id)
    assert "assessment_status" not in update
    assert update["cancelled_reason"]["type"] == "string"
    assert "revoked" in update["cancelled_reason"]["value"]

    grace = {**ADA, "email": "grace.hopper@example.org", "first_name": "Grace"}
    erased = connected.assessment_start(str(opening.pk), grace, "app-0002")
    erased_id = erased.json()["results"]["assessment_id"]
    candidate = AssessmentOrder.objects.get(public_id=erased_id).candidate
    do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)
    [update] = connected.updates(erased_id)
    assert "erased" in update["cancelled_reason"]["value"]
    assert all(not item.problems for item in connected.received)
    assert AssessmentOrder.objects.get(public_id=erased_id).reported_status == "erased"


def test_a_failing_ashby_is_retried_until_the_result_arrives(
    connected: FakeAshby, opening: Opening, mailoutbox: Any, clock: Any
) -> None:
    assessment_id = _started(connected, opening)
    connected.mode = "unavailable"
    _take_the_test_from_the_email(mailoutbox)
    failed = AtsExchange.objects.filter(direction="out")
    assert {row.status_code for row in failed} == {503}
    assert all("503" in row.error for row in failed)
    assert TaskProblem.objects.filter(task__contains="push_order").exists()
    order = AssessmentOrder.objects.get(public_id=assessment_id)
    assert order.reported_status == ""

    connected.mode = "refusing"  # a 200 that says success false is no success
    clock.shift(timedelta(seconds=PUSH_FIRST_DELAY * 1.25 + 1))
    run_due_schedules()
    refused = AtsExchange.objects.filter(direction="out", status_code=200)
    assert refused.exists()
    assert all("assessment_not_updatable" in row.error for row in refused)
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == ""

    connected.mode = "ok"
    clock.shift(timedelta(seconds=PUSH_FIRST_DELAY * 2 * 1.25 + 1))
    run_due_schedules()
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "scored"
    assert connected.assessments[assessment_id]["result"] == 100
    assert not TaskProblem.objects.filter(task__contains="push_order").exists()
    clock.shift(timedelta(hours=1))
    run_due_schedules()  # nothing more is due
    assert [u["assessment_status"]["value"] for u in connected.updates()] == ["Completed"]


def test_without_a_connection_the_push_is_recorded_and_retried_once_connected(
    ashby: FakeAshby, opening: Opening, mailoutbox: Any, administrator: User, clock: Any
) -> None:
    assessment_id = _started(ashby, opening)
    _take_the_test_from_the_email(mailoutbox, submit=False)
    [missing] = AtsExchange.objects.filter(direction="out")
    assert missing.call == "report"
    assert "not connected" in missing.error
    problem = TaskProblem.objects.get(task__contains="push_order")
    assert "not connected" in problem.error
    connect(ashby, administrator, key="")
    clock.shift(timedelta(seconds=PUSH_FIRST_DELAY * 1.25 + 1))
    run_due_schedules()
    latest = AtsExchange.objects.filter(direction="out").first()
    assert latest is not None
    assert "no Ashby API key" in latest.error
    assert ashby.received == []

    connect(ashby, administrator)
    clock.shift(timedelta(seconds=PUSH_FIRST_DELAY * 2 * 1.25 + 1))
    run_due_schedules()
    [update] = ashby.updates(assessment_id)
    assert update["assessment_status"]["value"] == "Started"


def test_the_test_event_reads_the_key_through_api_key_info(
    ashby: FakeAshby, administrator: User
) -> None:
    assert ashby_contract.ADAPTER.test_event is not None
    connection = connect(ashby, administrator)
    [call] = ashby_contract.ADAPTER.test_event(connection)
    exchange, error = make_call(call, ats=Ats.ASHBY, actor="admin")
    assert (error, exchange.status_code, exchange.call) == ("", 200, "apiKey.info")
    # The fake may hear a late call of an earlier test's server thread on a reused port:
    # what this test sent is the one apiKey.info.
    [received] = [r for r in ashby.received if r.path == "/apiKey.info"]
    assert received.path == "/apiKey.info"
    assert received.body == {}
    assert (
        received.authorization == "Basic " + base64.b64encode(f"{ashby.api_key}:".encode()).decode()
    )

    wrong = connect(ashby, administrator, key="not-the-key")
    [call] = ashby_contract.ADAPTER.test_event(wrong)
    exchange, error = make_call(call, ats=Ats.ASHBY, actor="admin")
    assert exchange.status_code == 401
    assert "401" in error
    assert "not-the-key" not in json.dumps([exchange.asked, exchange.answered, exchange.error])
