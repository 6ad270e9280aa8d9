"""The Lever contract end to end, against a fake Lever over real HTTP: a signed stage-change
webhook to the trigger stage starts the test (the opportunity is read, the opening found by its
tag, the candidate added and emailed their link), the opportunity is tagged as the test moves,
and once it is scored a note with the verdict, score, sections, flags and a signed report link
is written on it; refusals are recorded and tagged "could not start"; every exchange is in the
audit log without a name, an email or a secret."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests

from hireproof.accounts.actions import do_change_staff_role
from hireproof.accounts.models import User
from hireproof.accounts.roles import Role
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.hiring.actions.connections import ConnectionChange, do_save_connection
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.actions.openings import do_close_opening
from hireproof.hiring.ats import lever as lever_adapter
from hireproof.hiring.ats.adapters import NotConnected
from hireproof.hiring.ats.push import make_call, push_order
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsExchange, connection_for
from hireproof.hiring.tests.orders.conftest import (
    LEVER_KEY,
    LEVER_SIGNATURE_TOKEN,
    TRIGGER_STAGE,
    ats_calls,
    ats_events,
    connect_lever,
    take_the_test,
)
from hireproof.hiring.tests.webhooks.conftest import STRONG
from hireproof.integrations.lever import start_lever_order
from hireproof.platform.models import TaskProblem
from hireproof.testing.fake_lever import FakeLever
from hireproof.testing.personas import make_staff

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "katherine.johnson@example.org"
NAME = "Katherine Johnson"


def _tagged(opening: Opening) -> list[str]:
    return [f"hireproof:{opening.pk}", "Engineering"]


def _take_the_test_from_the_email(mailoutbox: Any, email: str = EMAIL) -> Candidate:
    return take_the_test(mailoutbox, email)


def test_a_candidate_goes_from_a_lever_stage_change_to_a_note_and_tags_in_lever(
    lever: FakeLever, opening: Opening, administrator: User, mailoutbox: Any
) -> None:
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))

    answer = lever.stage_change(opportunity, TRIGGER_STAGE)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"queued": True}

    order = AssessmentOrder.objects.get(ats=Ats.LEVER, ats_reference=opportunity)
    assert order.opening_id == opening.pk
    assert order.candidate.name == NAME
    assert order.reported_status == "sent"
    assert "hireproof: sent" in lever.tags_of(opportunity)
    assert lever.notes == []
    placed = [e for e in ats_events() if e["type"] == "ats.order_placed"]
    assert placed[0]["order_id"] == order.public_id
    assert placed[0]["invited"] is True

    _take_the_test_from_the_email(mailoutbox)

    [note] = lever.notes
    assert note.opportunity_id == opportunity
    assert "hireproof result: Strong pass" in note.value
    assert "Score: 100%" in note.value
    assert "Integrity flags: 0" in note.value
    assert re.search(r"Sections: .+ 100%", note.value)
    for answer_text in STRONG.values():
        assert f" {answer_text}\n" not in note.value
        assert not note.value.endswith(answer_text)
    link = re.search(r"(http\S+/reports/\S+)", note.value).group(1)  # type: ignore[union-attr]  # the note carries the link
    report = requests.get(link, timeout=30)
    assert report.status_code == 200
    assert NAME in report.text
    tags = lever.tags_of(opportunity)
    assert "hireproof: strong pass" in tags
    assert "hireproof: sent" not in tags
    assert f"hireproof:{opening.pk}" in tags
    assert "Engineering" in tags
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "scored"

    assert ats_calls() == [
        ("in", "webhook", 200),
        ("out", "get_opportunity", 200),
        ("out", "add_tags", 200),
        ("out", "remove_tags", 200),
        ("in", "place_order", 201),
        ("out", "add_note", 201),
        ("out", "add_tags", 200),
        ("out", "remove_tags", 200),
    ]
    text = str(ats_events()) + str(list(AtsExchange.objects.values("asked", "answered", "error")))
    for secret in ("Katherine", "katherine.johnson", LEVER_KEY, LEVER_SIGNATURE_TOKEN):
        assert secret not in text
    actors = {
        parse_leaf(bytes(row.data)).actor
        for row in LogLeaf.objects.all()
        if str(parse_leaf(bytes(row.data)).event_type) == "ats.order_placed"
    }
    assert actors == {f"staff:{administrator.pk}"}


def test_a_bad_signature_is_401_and_a_stale_event_is_refused(
    lever: FakeLever, opening: Opening
) -> None:
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))
    forged = lever.stage_change(opportunity, TRIGGER_STAGE, signature_token="not-the-token")
    assert forged.status_code == 401
    assert forged.json()["errors"][0].startswith("signature")
    altered = lever.envelope("candidateStageChange", {"opportunityId": opportunity})
    altered["triggeredAt"] += 1
    assert lever.post_webhook(altered).status_code == 401
    assert not AtsExchange.objects.exists()  # nothing unauthenticated is recorded

    an_hour_ago = int(time.time() * 1000) - 3600 * 1000
    stale = lever.stage_change(opportunity, TRIGGER_STAGE, triggered_at=an_hour_ago)
    assert stale.status_code == 401
    assert "triggeredAt" in stale.json()["errors"][0]
    [refused] = AtsExchange.objects.all()
    assert refused.call == "webhook"
    assert refused.status_code == 401
    assert Candidate.objects.count() == 0
    assert lever.requests_seen == []  # Lever was never called


def test_without_a_connection_the_webhook_is_404(lever: FakeLever, opening: Opening) -> None:
    connection = connection_for(Ats.LEVER)
    assert connection is not None
    connection.enabled = False
    connection.save()
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))
    assert lever.stage_change(opportunity, TRIGGER_STAGE).status_code == 404
    assert Candidate.objects.count() == 0


def test_a_body_that_does_not_fit_is_a_400_naming_the_field(
    lever: FakeLever, opening: Opening
) -> None:
    not_json = requests.post(lever.webhook_url, data=b"{not json", timeout=30)
    assert not_json.status_code == 400
    assert not_json.json()["errors"][0].startswith("body")
    unsigned = lever.envelope("candidateStageChange", {})
    del unsigned["signature"]
    missing = lever.post_webhook(unsigned)
    assert missing.status_code == 400
    assert missing.json()["errors"][0].startswith("signature")
    no_opportunity = lever.post_webhook(
        lever.envelope("candidateStageChange", {"toStageId": TRIGGER_STAGE})
    )
    assert no_opportunity.status_code == 400
    assert no_opportunity.json()["errors"] == ["data.opportunityId: required"]
    wrong_type = lever.post_webhook(
        lever.envelope("candidateStageChange", {"opportunityId": 7, "toStageId": TRIGGER_STAGE})
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json()["errors"][0].startswith("data.opportunityId")
    assert requests.get(lever.webhook_url, timeout=30).status_code == 405
    assert Candidate.objects.count() == 0


def test_other_events_and_other_stages_are_answered_and_ignored(
    lever: FakeLever, opening: Opening
) -> None:
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))
    onsite = lever.stage_change(opportunity, "stage-onsite")
    assert onsite.status_code == 200
    assert onsite.json() == {"ignored": True}
    hired = lever.post_webhook(lever.envelope("candidateHired", {"opportunityId": opportunity}))
    assert hired.status_code == 200
    assert hired.json() == {"ignored": True}
    assert Candidate.objects.count() == 0
    assert lever.requests_seen == []
    assert [(row.call, row.answered) for row in AtsExchange.objects.order_by("id")] == [
        ("webhook", {"ignored": True}),
        ("webhook", {"ignored": True}),
    ]


def test_a_retried_webhook_finds_the_same_order(
    lever: FakeLever, opening: Opening, mailoutbox: Any
) -> None:
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))
    assert lever.stage_change(opportunity, TRIGGER_STAGE).status_code == 200
    assert lever.stage_change(opportunity, TRIGGER_STAGE).status_code == 200
    [order] = AssessmentOrder.objects.all()
    assert Candidate.objects.count() == 1
    assert len([mail for mail in mailoutbox if EMAIL in mail.to]) == 1
    again = AtsExchange.objects.filter(call="place_order").order_by("id").last()
    assert again is not None
    assert again.answered == {"order_id": order.public_id, "already_placed": True}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no tag", "has no tag hireproof:<opening id>"),
        ("unknown opening", "There is no hireproof opening 999999"),
        ("closed opening", "closed"),
        ("no email", "no email address"),
        ("two openings", "name 2 openings"),
    ],
)
def test_an_opportunity_that_cannot_start_is_recorded_and_tagged_could_not_start(
    lever: FakeLever,
    opening: Opening,
    other_opening: Opening,
    recruiter: User,
    case: str,
    message: str,
) -> None:
    tags, emails = _tagged(opening), [EMAIL]
    if case == "no tag":
        tags = ["Engineering"]
    elif case == "unknown opening":
        tags = ["hireproof:999999"]
    elif case == "closed opening":
        do_close_opening(actor=recruiter, opening=opening)
    elif case == "no email":
        emails = []
    else:
        tags = [*tags, f"Hireproof:{other_opening.pk}"]
    opportunity = lever.add_opportunity(NAME, emails, tags)

    assert lever.stage_change(opportunity, TRIGGER_STAGE).status_code == 200

    assert Candidate.objects.count() == 0
    assert not AssessmentOrder.objects.exists()
    refused = AtsExchange.objects.get(call="place_order")
    assert message.lower() in refused.error.lower()
    assert refused.status_code in (404, 409, 422)
    assert "hireproof: could not start" in lever.tags_of(opportunity)


def test_an_administrator_who_may_no_longer_manage_openings_places_no_order(
    lever: FakeLever, opening: Opening, administrator: User
) -> None:
    connector = make_staff("Grace Admin", "grace.admin@example.org", Role.ADMINISTRATOR)
    connect_lever(connector, lever)
    do_change_staff_role(actor=administrator, member=connector, role=Role.INTERVIEWER)
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))

    assert lever.stage_change(opportunity, TRIGGER_STAGE).status_code == 200

    assert Candidate.objects.count() == 0
    refused = AtsExchange.objects.get(call="place_order")
    assert refused.status_code == 409
    assert "may no longer manage openings" in refused.error
    assert "hireproof: could not start" in lever.tags_of(opportunity)


def test_a_lever_that_does_not_answer_is_tried_again_and_the_order_then_placed(
    lever: FakeLever, opening: Opening
) -> None:
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))
    lever.failing = {"opportunity"}
    assert lever.stage_change(opportunity, TRIGGER_STAGE).status_code == 200
    assert not AssessmentOrder.objects.exists()
    failed = AtsExchange.objects.get(call="get_opportunity")
    assert failed.status_code == 503
    assert TaskProblem.objects.filter(task__contains="start_lever_order").exists()
    assert "hireproof: could not start" not in lever.tags_of(opportunity)

    lever.failing = set()
    start_lever_order(opportunity)  # the queue's next try
    assert AssessmentOrder.objects.filter(ats_reference=opportunity).exists()


def test_failing_tags_are_tried_again_without_writing_the_note_twice(
    lever: FakeLever, opening: Opening, mailoutbox: Any
) -> None:
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))
    lever.stage_change(opportunity, TRIGGER_STAGE)
    order = AssessmentOrder.objects.get(ats_reference=opportunity)
    lever.failing = {"tags"}

    _take_the_test_from_the_email(mailoutbox)

    assert len(lever.notes) == 1
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "sent"
    assert TaskProblem.objects.filter(task__contains="push_order").exists()
    failed = AtsExchange.objects.filter(call="add_tags", status_code=503).get()
    assert "503" in failed.error

    lever.failing = set()
    push_order(order.pk)  # the queue's next try (or Retry now)
    assert len(lever.notes) == 1
    assert "hireproof: strong pass" in lever.tags_of(opportunity)
    assert AssessmentOrder.objects.get(pk=order.pk).reported_status == "scored"


def test_a_revoked_link_tags_the_opportunity_cancelled(
    lever: FakeLever, opening: Opening, recruiter: User
) -> None:
    opportunity = lever.add_opportunity(NAME, [EMAIL], _tagged(opening))
    lever.stage_change(opportunity, TRIGGER_STAGE)
    order = AssessmentOrder.objects.get(ats_reference=opportunity)
    do_revoke_invitation(actor=recruiter, candidate=order.candidate)
    tags = lever.tags_of(opportunity)
    assert "hireproof: cancelled" in tags
    assert "hireproof: sent" not in tags
    assert lever.notes == []


def test_the_test_event_lists_lever_stages_with_the_saved_key(
    lever: FakeLever, administrator: User
) -> None:
    connection = connection_for(Ats.LEVER)
    assert connection is not None
    [call] = lever_adapter.list_stages(connection)
    exchange, error = make_call(call, ats=Ats.LEVER, actor=f"staff:{administrator.pk}")
    assert error == ""
    assert exchange.status_code == 200
    assert exchange.call == "list_stages"
    assert lever.requests_seen == ["GET /v1/stages"]

    do_save_connection(
        actor=administrator,
        ats=Ats.LEVER,
        change=ConnectionChange(api_base_url=lever.base_url, ats_secret="not-the-key"),
    )
    wrong = connection_for(Ats.LEVER)
    assert wrong is not None
    exchange, error = make_call(lever_adapter.list_stages(wrong)[0], ats=Ats.LEVER)
    assert exchange.status_code == 401
    assert "401" in error

    do_save_connection(
        actor=administrator,
        ats=Ats.LEVER,
        change=ConnectionChange(api_base_url=lever.base_url, ats_secret=""),
    )
    unset = connection_for(Ats.LEVER)
    assert unset is not None
    with pytest.raises(NotConnected):
        lever_adapter.list_stages(unset)


def test_a_replayed_event_naming_another_opportunity_starts_nothing(
    lever: FakeLever, opening: Opening, mailoutbox: Any
) -> None:
    """A signature covers the event's token and time, not its data: an event replayed with
    another opportunity's id (still at another stage in Lever) starts no test."""
    victim = lever.add_opportunity("Victim Person", ["victim@example.org"], _tagged(opening))
    replayed = lever.envelope(
        "candidateStageChange",
        {"opportunityId": victim, "toStageId": TRIGGER_STAGE, "fromStageId": None},
    )
    assert lever.post_webhook(replayed).status_code == 200
    assert not AssessmentOrder.objects.exists()
    assert not [mail for mail in mailoutbox if "victim@example.org" in mail.to]
    refused = AtsExchange.objects.get(call="place_order")
    assert refused.status_code == 409
    assert "not the trigger stage" in refused.error
