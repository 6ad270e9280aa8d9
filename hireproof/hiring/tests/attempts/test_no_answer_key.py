"""No page or response a candidate can reach holds anything of the answer key.

Every string a candidate must never see is taken from the loaded playbook itself: keys in words,
grading rules, rationales, audit notes, red-flag reasons, rubric examples, the interview kit and
the decision rules. Then every candidate-reachable page and response, in every state of an
attempt, is searched for each of them (as written and as HTML-escaped).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from hireproof.core.playbook import Playbook, SingleChoiceItem
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.tests.attempts.conftest import InviteFn, Link, save

pytestmark = pytest.mark.django_db


def visible_texts(playbook: Playbook) -> list[str]:
    """What the candidate is meant to read."""
    assessment = playbook.assessment
    texts = [assessment.title, assessment.instructions, assessment.notice]
    texts += [s.title for s in assessment.sections] + [s.description for s in assessment.sections]
    for item in assessment.items:
        texts.append(item.prompt)
        if isinstance(item, SingleChoiceItem):
            texts += [option.text for option in item.options]
    return texts


def secrets_of(playbook: Playbook) -> set[str]:
    """Every text of the playbook a candidate must never see."""
    found: set[str] = set()
    for item in playbook.assessment.items:
        found |= {item.answer_key, item.grading, item.rationale, item.audit_note}
        found |= set(item.examples.accept + item.examples.reject)
        if isinstance(item, SingleChoiceItem):
            found |= {o.red_flag.reason for o in item.options if o.red_flag is not None}
    for question in playbook.interview.questions:
        found |= {question.text, question.strong_answer, question.weak_answer}
        found |= set(question.look_for) | {flag.text for flag in question.red_flags}
    decision = playbook.decision
    found |= {decision.summary, decision.red_flags.critical, decision.red_flags.warning}
    shown = " ".join(visible_texts(playbook))
    # Short examples ("B", "70") also occur in ordinary text; an example the candidate is
    # shown anyway (in a prompt) is not a secret.
    return {text for text in found if len(text) >= 8 and text not in shown}


def reachable_responses(client: Client, link: Link, clock: Any) -> list[Any]:
    """Every candidate page and response, from the start page to the receipt."""
    responses = [client.get(link.url()), client.post(link.url())]
    for url in (link.url("questions"), link.url("questions") + "?q=3", link.url("submit")):
        responses.append(client.get(url))
    responses += [
        save(client, link, "cognitive-growth", "1200"),
        save(client, link, "sjt-incomplete-data", "D"),
        save(client, link, "sjt-incomplete-data", "Z"),
        save(client, link, "outlier-ages", "q" * 10_001),
        client.post(link.url("questions"), {"answer-outlier-ages": "q" * 10_001}),
        client.post(link.url("questions"), {"action": "save"}),
        client.get(link.url("time_left")),
        client.post(link.url("signal"), {"kind": "paste", "item": "outlier-ages", "chars": "9"}),
    ]
    clock.shift(timedelta(minutes=31))
    responses += [
        save(client, link, "cognitive-growth", "1210"),
        client.get(link.url()),
        client.get(link.url("done")),
        client.get(link.url("receipt")),
        client.get(link.url("questions")),
    ]
    return responses


def test_no_candidate_response_contains_anything_of_the_key(
    candidate_client: Client,
    grace: Link,
    clock: Any,
    invite: InviteFn,
    playbook_version: PlaybookVersion,
) -> None:
    playbook = playbook_version.load()
    secrets = secrets_of(playbook)
    assert len(secrets) > 40  # the list is real: keys, rationales, notes, flags, interview
    expired = invite("Old Link", "old@example.org", "old-token-1", valid_for=timedelta(seconds=1))
    responses = reachable_responses(candidate_client, grace, clock)
    responses.append(candidate_client.get(expired.url()))
    responses.append(candidate_client.get("/a/no-such-token/"))
    statuses = sorted({r.status_code for r in responses})
    assert statuses == [200, 204, 302, 400, 404, 409, 410]
    for response in responses:
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (response.status_code, secret[:60])
            assert escape(secret) not in body, (response.status_code, secret[:60])


def test_no_page_marks_the_correct_option(
    candidate_client: Client, grace: Link, clock: Any, playbook_version: PlaybookVersion
) -> None:
    playbook = playbook_version.load()
    assert not any("correct" in text.lower() for text in visible_texts(playbook))
    for response in reachable_responses(candidate_client, grace, clock):
        assert "correct" not in response.content.decode().lower()
