"""What the payloads carry: every event of the catalogue, played through the actions on the
built-in playbook, holds no answer key, rubric, interview guidance, answer, note, reason, name
or email address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from hireproof.accounts.models import User
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import do_assign_interviewer, do_submit_scorecard
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.models.webhooks import WebhookDelivery
from hireproof.hiring.tests.webhooks.conftest import STRONG, Subscribe, invited, take_test
from hireproof.hiring.webhooks import EVENT_NAMES
from hireproof.testing.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

NOTES = "Strong on deployment; asked about the on-call rota."
REASON = "Accepted an offer elsewhere, told us by phone."


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in {"id", "type", "weight", "points", "max_points", "correct"}:
                yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def _staff_knowledge(version: PlaybookVersion) -> set[str]:
    """Every text of the playbook's assessment items and interview kit of 12 characters or
    more: prompts, options, answer keys, rubric rules and examples, interview guidance."""
    document = yaml.safe_load(version.source)
    sections = [document.get("assessment", {}).get("items", []), document.get("interview", {})]
    return {text.strip() for section in sections for text in _texts(section) if len(text) >= 12}


def test_no_payload_carries_answer_keys_rubric_or_personal_data(
    clock: Any,
    subscribe: Subscribe,
    receiver: Receiver,
    opening: Opening,
    recruiter: User,
    administrator: User,
    interviewer: User,
    playbook_version: PlaybookVersion,
) -> None:
    subscribe()
    grace = take_test(invited(opening, recruiter, "Grace Hopper"))
    assignment = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    kit = opening.playbook_version.load().interview
    ratings = {question.id: 4 for question in kit.questions}
    do_submit_scorecard(
        actor=interviewer,
        assignment=assignment,
        card=InterviewScorecard("", ratings=ratings, red_flags=(), notes=NOTES),
    )
    do_record_decision(
        actor=recruiter,
        candidate=grace,
        outcome="hire",
        reason="Strong test and interviews.",
    )
    alan = invited(opening, recruiter, "Alan Turing")
    do_record_decision(actor=recruiter, candidate=alan, outcome="withdrawn", reason=REASON)
    do_erase_candidate(actor=administrator, candidate=alan, basis=ErasureBasis.REQUEST)

    bodies = list(WebhookDelivery.objects.values_list("event", "body"))
    assert {event for event, _ in bodies} == set(EVENT_NAMES)  # every event was played
    assert all(item.verified for item in receiver.received)
    forbidden = _staff_knowledge(playbook_version)
    assert len(forbidden) > 20  # the playbook's texts were found
    forbidden |= {text for text in STRONG.values() if len(text) >= 4}
    forbidden |= {NOTES, REASON, "Grace Hopper", "grace.hopper@example.org", "Alan Turing"}
    forbidden |= {"alan.turing@example.org", "Hopper", "Turing"}
    leaks = [
        (event, text)
        for event, body in bodies
        for text in forbidden
        if text in body or text in json.dumps(json.loads(body), ensure_ascii=False)
    ]
    assert leaks == []
