"""The Workable Assessment Providers contract end to end, against a fake Workable over real
HTTP: the tests are listed, an assessment is created (the candidate is added and emailed their
link, Workable hears ``pending``), the candidate takes it through the actions their pages call,
and the result arrives at the ``callback_url`` Workable gave (``completed``, the score, the
grade, the summary and a signed report link that opens a read-only page); cancellations,
erasures and expired links are told too; every exchange is in the audit log."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.utils import timezone

from hireproof.accounts.actions import do_create_api_key
from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.hiring.actions.connections import ConnectionChange, do_save_connection
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.actions.openings import do_close_opening
from hireproof.hiring.ats import workable as contract
from hireproof.hiring.ats.adapters import NotConnected
from hireproof.hiring.ats.push import make_call
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsExchange, connection_for
from hireproof.hiring.tests.orders.conftest import ats_calls, ats_events, take_the_test
from hireproof.platform.models import TaskProblem
from hireproof.platform.tasks import run_due_schedules
from hireproof.testing.fake_workable import FakeWorkable, running_workable

pytestmark = pytest.mark.django_db(transaction=True)

LAKITA = {
    "first_name": "Lakita",
    "last_name": "Marrero",
    "email": "lakita.marrero@example.org",
    "phone": "+30 210 0000000",
}


def _key(owner: User, *scopes: Scope) -> str:
    _, raw = do_create_api_key(
        actor=None, name="Workable", owner=owner, scopes=list(scopes or [Scope.WORKABLE])
    )
    return raw


def _connect(administrator: User, fake: FakeWorkable, token: str | None = None) -> None:
    """Save Workable's connection as an administrator does: the key Workable calls us with,
    and the token Workable generated for our results."""
    do_save_connection(
        actor=administrator,
        ats=Ats.WORKABLE,
        change=ConnectionChange(
            api_key_raw=fake.api_key, ats_secret=fake.token if token is None else token
        ),
    )


@pytest.fixture
def unconnected(
    live_server: Any, settings: Any, recruiter: User, allow_private: None
) -> Iterator[FakeWorkable]:
    """A fake Workable with a recruiter's ``workable`` key, calling the live server (whose
    address the links hireproof gives out carry); no connection saved yet."""
    settings.HIREPROOF_SITE_URL = live_server.url
    with running_workable(f"{live_server.url}/integrations/workable", _key(recruiter)) as fake:
        yield fake


@pytest.fixture
def workable(unconnected: FakeWorkable, administrator: User) -> FakeWorkable:
    """The fake Workable, connected."""
    _connect(administrator, unconnected)
    return unconnected


def _take_the_test_from_the_email(mailoutbox: Any, address: str = LAKITA["email"]) -> None:
    take_the_test(mailoutbox, address)


def test_a_candidate_goes_from_an_assessment_in_workable_to_a_graded_result_and_report_link(
    workable: FakeWorkable, opening: Opening, mailoutbox: Any
) -> None:
    tests = workable.tests()
    assert tests.status_code == 200
    assert {"id": opening.pk, "name": opening.title} in tests.json()["tests"]

    number, created = workable.create_assessment(opening.pk, LAKITA)
    assert created.status_code == 201, created.text
    assert set(created.json()) == {"assessment_id"}
    assessment = created.json()["assessment_id"]
    order = AssessmentOrder.objects.get(public_id=assessment)
    assert (order.ats, order.opening_id) == ("workable", opening.pk)
    assert order.candidate.name == "Lakita Marrero"
    assert order.callback_url == workable.callback_url(number)
    # Workable hears ``pending`` once the order is placed, with its own token.
    assert workable.statuses(number) == ["pending"]
    assert workable.puts[0].authorization == f"Bearer {workable.token}"
    assert workable.puts[0].body == {"status": "pending"}

    _take_the_test_from_the_email(mailoutbox)

    # Started and submitted are still pending: not told twice. Scored is ``completed``.
    assert workable.statuses(number) == ["pending", "completed"]
    body = workable.puts[-1].body
    result = body["assessment"]
    assert result["score"] == 100
    assert result["grade"] == "excelled"
    assert result["summary"].startswith("Strong pass; 0 flags raised; sections: ")
    assert "100%" in result["summary"]
    assert opening.playbook_version.content_hash in result["details"]
    assert re.fullmatch(r"\d\d:\d\d:\d\d", result["duration"])
    report = requests.get(body["results_url"], timeout=30)
    assert report.status_code == 200
    assert "Lakita Marrero" in report.text
    assert "100.00%" in report.text
    sent = json.dumps([put.body for put in workable.puts])
    for personal in ("Lakita", "Marrero", "lakita.marrero", "+30 210"):
        assert personal not in sent

    link = workable.shared_link(assessment)
    assert link.status_code == 200
    assert link.json()["ttl"] == "90"
    assert link.json()["ttl_units"] == "days"
    assert requests.get(link.json()["url"], timeout=30).status_code == 200

    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "scored"
    assert ats_calls() == [
        ("in", "tests", 200),
        ("out", "put_pending", 200),
        ("in", "assessments", 201),
        ("out", "put_completed", 200),
        ("in", "shared_link", 200),
    ]
    placed = [e for e in ats_events() if e["type"] == "ats.order_placed"]
    assert placed[0]["order_id"] == assessment
    text = str(ats_events()) + str(list(AtsExchange.objects.values("asked", "answered")))
    for secret in ("Lakita", "lakita.marrero", "+30", workable.api_key, workable.token):
        assert secret not in text


@pytest.mark.parametrize(
    ("verdict", "grade"),
    [
        ("strong_pass", "excelled"),
        ("borderline", "passed"),
        ("fail", "failed"),
        ("critical_fail", "failed"),
    ],
)
def test_each_verdict_has_its_workable_grade(verdict: str, grade: str) -> None:
    assert contract.GRADE_FOR[verdict] == grade


def test_a_bad_key_is_a_401_in_workables_shape(
    workable: FakeWorkable, recruiter: User, opening: Opening
) -> None:
    wrong = workable.tests(key="hpk_not-a-key")
    assert wrong.status_code == 401
    assert wrong.json()["status"] == 401
    assert "Bearer" in wrong.json()["message"]
    assert "Bearer" in wrong.headers["WWW-Authenticate"]
    assert requests.get(f"{workable.provider_url}/tests", timeout=30).status_code == 401
    as_basic = {"Authorization": f"Basic {workable.api_key}"}
    assert (
        requests.get(f"{workable.provider_url}/tests", headers=as_basic, timeout=30).status_code
        == 401
    )
    _, refused = workable.create_assessment(opening.pk, LAKITA, key="hpk_not-a-key")
    assert refused.json() == {"status": 401, "message": wrong.json()["message"]}
    # A key without the workable scope opens nothing: a 404, in Workable's shape.
    for scope in (Scope.READ, Scope.GREENHOUSE):
        other = workable.tests(key=_key(recruiter, scope))
        assert other.status_code == 404
        assert other.json() == {"status": 404, "message": "No tests for this key."}
    assert not AtsExchange.objects.filter(status_code=401).exists()
    assert Candidate.objects.count() == 0


def test_a_body_that_does_not_fit_is_a_400_or_422_naming_the_field(
    workable: FakeWorkable, opening: Opening
) -> None:
    without_email = {key: value for key, value in LAKITA.items() if key != "email"}
    _, missing = workable.create_assessment(opening.pk, without_email)
    assert missing.status_code == 422
    assert missing.json()["status"] == 422
    assert missing.json()["message"].startswith("candidate.email: ")
    _, bad = workable.create_assessment(opening.pk, {**LAKITA, "email": "not an address"})
    assert bad.status_code == 400
    assert bad.json()["message"] == "candidate.email: not an email address"
    _, odd_url = workable.create_assessment(opening.pk, LAKITA, callback_url="ftp://x/1")
    assert odd_url.status_code == 400
    assert odd_url.json()["message"].startswith("callback_url: ")
    _, wrong_type = workable.create_assessment(opening.pk, {**LAKITA, "first_name": 7})
    assert wrong_type.status_code == 400
    assert "candidate.first_name" in wrong_type.json()["message"]
    for unknown in ("999999", "a test", "99999999999999999999", -1):
        _, answer = workable.create_assessment(unknown, LAKITA)
        assert answer.status_code == 422, unknown
        assert answer.json()["message"].startswith("test_id: no test")
    not_json = requests.post(
        f"{workable.provider_url}/assessments",
        data=b"{not json",
        headers=workable.auth(),
        timeout=30,
    )
    assert not_json.status_code == 400
    assert not_json.json()["message"].startswith("body: not JSON")
    assert requests.put(
        f"{workable.provider_url}/assessments", headers=workable.auth(), timeout=30
    ).json() == {"status": 405, "message": "This call takes POST only."}
    assert Candidate.objects.count() == 0
    assert AssessmentOrder.objects.count() == 0
    assert workable.puts == []


def test_a_second_assessment_for_the_same_candidate_and_test_is_a_409(
    workable: FakeWorkable, opening: Opening, mailoutbox: Any
) -> None:
    _, first = workable.create_assessment(opening.pk, LAKITA)
    again_number, again = workable.create_assessment(
        opening.pk, {**LAKITA, "email": "Lakita.Marrero@example.org"}, job_shortcode="OTHER01"
    )
    assert again.status_code == 409
    assert again.json()["status"] == 409
    assert first.json()["assessment_id"] in again.json()["message"]
    assert AssessmentOrder.objects.count() == 1
    assert Candidate.objects.count() == 1
    assert len([m for m in mailoutbox if LAKITA["email"] in m.to]) == 1
    assert workable.statuses(again_number) == []
    _, someone_else = workable.create_assessment(opening.pk, {**LAKITA, "email": "ada@example.org"})
    assert someone_else.status_code == 201


def test_a_closed_opening_is_a_422_and_nothing_is_added(
    workable: FakeWorkable, recruiter: User, opening: Opening
) -> None:
    do_close_opening(actor=recruiter, opening=opening)
    assert {"id": opening.pk, "name": opening.title} not in workable.tests().json()["tests"]
    _, closed = workable.create_assessment(opening.pk, LAKITA)
    assert closed.status_code == 422
    assert closed.json()["status"] == 422
    assert "closed" in closed.json()["message"]
    assert Candidate.objects.count() == 0
    assert workable.puts == []


def test_a_failing_workable_is_retried_and_each_try_recorded(
    workable: FakeWorkable, opening: Opening, mailoutbox: Any
) -> None:
    workable.mode = "unavailable"
    number, created = workable.create_assessment(opening.pk, LAKITA)
    # The order stands whatever Workable's results endpoint does.
    assert created.status_code == 201
    failed = AtsExchange.objects.get(direction="out")
    assert (failed.call, failed.status_code) == ("put_pending", 503)
    assert "503" in failed.error
    problem = TaskProblem.objects.get(task__contains="push_order")
    assert problem.next_try_at is not None  # tried again later
    order = AssessmentOrder.objects.get(public_id=created.json()["assessment_id"])
    assert order.reported_status == ""

    # The queue tries again by itself (30 s, with jitter): Workable is back.
    workable.mode = "ok"
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        run_due_schedules()
    assert workable.statuses(number) == ["pending"]
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "sent"
    assert not TaskProblem.objects.filter(pk=problem.pk).exists()
    tries = list(AtsExchange.objects.filter(direction="out").values_list("status_code", flat=True))
    assert sorted(tries, key=str) == [200, 503]

    _take_the_test_from_the_email(mailoutbox)
    assert workable.statuses(number) == ["pending", "completed"]


def test_a_wrong_or_missing_token_is_recorded_and_retried(
    unconnected: FakeWorkable, administrator: User, opening: Opening
) -> None:
    _connect(administrator, unconnected, token="not-workables-token")
    number, _ = unconnected.create_assessment(opening.pk, LAKITA)
    refused = AtsExchange.objects.get(direction="out")
    assert refused.status_code == 401
    assert "Invalid token" in refused.error
    assert unconnected.statuses(number) == []

    _connect(administrator, unconnected, token="")
    _, created = unconnected.create_assessment(opening.pk, {**LAKITA, "email": "ada@example.org"})
    assert created.status_code == 201
    missing = AtsExchange.objects.filter(direction="out").order_by("-id").first()
    assert missing is not None
    assert missing.call == "report"
    assert missing.status_code is None
    assert "token for results is not set" in missing.error
    assert TaskProblem.objects.filter(task__contains="push_order").count() == 2


def test_a_revoked_link_is_rejected_and_an_erased_candidate_has_no_report(
    workable: FakeWorkable, recruiter: User, administrator: User, opening: Opening
) -> None:
    number, created = workable.create_assessment(opening.pk, LAKITA)
    order = AssessmentOrder.objects.get(public_id=created.json()["assessment_id"])
    do_revoke_invitation(actor=recruiter, candidate=order.candidate)
    assert workable.statuses(number) == ["pending", "rejected"]

    do_erase_candidate(actor=administrator, candidate=order.candidate, basis=ErasureBasis.REQUEST)
    # Erased is rejected too: Workable already heard it, so it is not told twice.
    assert workable.statuses(number) == ["pending", "rejected"]
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "erased"
    gone = workable.shared_link(order.public_id)
    assert gone.status_code == 404
    assert "erased" in gone.json()["message"]
    assert workable.shared_link("hpo_unknown").json() == {
        "status": 404,
        "message": "No assessment 'hpo_unknown'.",
    }
    # The erasure forgot the address: an assessment sent for it now is a new candidate's.
    _, again = workable.create_assessment(opening.pk, LAKITA)
    assert again.status_code == 201
    assert AssessmentOrder.objects.get(public_id=again.json()["assessment_id"]).candidate_id != (
        order.candidate_id
    )


def test_an_erasure_after_the_result_tells_workable_rejected(
    workable: FakeWorkable, administrator: User, opening: Opening, mailoutbox: Any
) -> None:
    number, created = workable.create_assessment(opening.pk, LAKITA)
    _take_the_test_from_the_email(mailoutbox)
    order = AssessmentOrder.objects.get(public_id=created.json()["assessment_id"])
    do_erase_candidate(actor=administrator, candidate=order.candidate, basis=ErasureBasis.REQUEST)
    assert workable.statuses(number) == ["pending", "completed", "rejected"]
    assert workable.puts[-1].body == {"status": "rejected"}


def test_a_link_that_runs_out_unused_is_expired_in_workable(
    workable: FakeWorkable, opening: Opening
) -> None:
    number, _ = workable.create_assessment(opening.pk, LAKITA)
    expiry = Invitation.objects.get().expires_at
    with time_machine.travel(expiry - timedelta(minutes=1), tick=False):
        run_due_schedules()
    assert workable.statuses(number) == ["pending"]
    with time_machine.travel(expiry + timedelta(seconds=1), tick=False):
        run_due_schedules()
    assert workable.statuses(number) == ["pending", "expired"]
    assert workable.puts[-1].body == {"status": "expired"}


def test_the_test_event_calls_our_own_tests_endpoint_as_workable_would(
    unconnected: FakeWorkable, administrator: User, opening: Opening
) -> None:
    _connect(administrator, unconnected)
    connection = connection_for(Ats.WORKABLE)
    assert connection is not None
    [call] = contract.test_event(connection)
    exchange, error = make_call(call, ats=Ats.WORKABLE, actor="user:1")
    assert error == ""
    assert (exchange.call, exchange.status_code) == ("test_event", 200)
    assert ats_calls()[-2:] == [("in", "tests", 200), ("out", "test_event", 200)]
    assert unconnected.api_key not in str(exchange.asked)

    do_save_connection(
        actor=administrator, ats=Ats.WORKABLE, change=ConnectionChange(api_key_raw="hpk_revoked")
    )
    connection = connection_for(Ats.WORKABLE)
    assert connection is not None
    [call] = contract.test_event(connection)
    refused, error = make_call(call, ats=Ats.WORKABLE)
    assert refused.status_code == 401
    assert "401" in error
    do_save_connection(
        actor=administrator, ats=Ats.WORKABLE, change=ConnectionChange(api_key_raw="")
    )
    connection = connection_for(Ats.WORKABLE)
    assert connection is not None
    with pytest.raises(NotConnected, match="No hireproof API key"):
        contract.test_event(connection)
