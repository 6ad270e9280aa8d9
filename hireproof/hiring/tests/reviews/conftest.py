"""Fixtures of the reviews tests: an opening on the built-in playbook and candidates who sat
the assessment through the real actions (so scorecards, receipts and the log are real)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.hiring.actions.attempts import (
    do_record_integrity_signal,
    do_save_answer,
    do_start_attempt,
    do_submit_attempt,
)
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.invitations import do_invite_candidate
from hireproof.hiring.models.accommodation import NO_ACCOMMODATION, Accommodation
from hireproof.hiring.models.attempts import Attempt, SignalKind, SubmissionKind
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.testing.personas import TEST_START

START = TEST_START
RIGHT = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141",
    "communication-summary": "B",
}


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture(autouse=True)
def _no_real_email(mailoutbox: Any) -> Any:
    return mailoutbox


@dataclass(frozen=True)
class Signal:
    """An integrity signal sent ``after`` the start."""

    kind: SignalKind
    item_id: str = ""
    chars: int = 0
    after: timedelta = timedelta(minutes=1)


def sit(
    opening: Opening,
    actor: User,
    name: str,
    email: str,
    answers: Mapping[str, str],
    *,
    signals: Sequence[Signal] = (),
    extra_time: Accommodation = NO_ACCOMMODATION,
    disclose: bool = False,
    submit: SubmissionKind | None = SubmissionKind.CANDIDATE,
    start: datetime | None = None,
) -> Candidate:
    """Add, invite and let a candidate answer (2 minutes per answer), then submit."""
    candidate = do_add_candidate(
        actor=actor, opening=opening, candidate=NewCandidate(name, email, extra_time)
    )
    do_invite_candidate(
        actor=actor, candidate=candidate, accommodation=extra_time, base_url="http://testserver/"
    )
    begin = start or datetime.now(UTC)
    attempt = do_start_attempt(candidate.invitation, disclose_extension=disclose, now=begin)
    for number, (item_id, text) in enumerate(answers.items(), start=1):
        do_save_answer(attempt, item_id, text, now=begin + timedelta(minutes=2 * number))
    for signal in signals:
        do_record_integrity_signal(
            attempt,
            signal.kind,
            item_id=signal.item_id,
            chars=signal.chars,
            now=begin + signal.after,
        )
    if submit is SubmissionKind.CANDIDATE:
        do_submit_attempt(attempt, now=begin + timedelta(minutes=20))
    elif submit is SubmissionKind.AUTOMATIC:
        do_submit_attempt(attempt, kind=submit, now=attempt.deadline + timedelta(minutes=1))
    return Candidate.objects.get(pk=candidate.pk)


def attempt_of(candidate: Candidate) -> Attempt:
    """The candidate's attempt, read afresh."""
    return Attempt.objects.select_related("invitation__candidate__subject").get(
        invitation__candidate=candidate
    )


SitFn = Callable[..., Candidate]


@pytest.fixture
def seat(opening: Opening, recruiter: User) -> SitFn:
    """``seat(name, email, answers, **options)``: a candidate of ``opening`` who sat the test."""
    return lambda name, email, answers, **options: sit(
        opening, recruiter, name, email, answers, **options
    )


def page_url(candidate: Candidate, opening_id: int | None = None) -> str:
    """The candidate page's URL (through ``opening_id`` if given)."""
    return reverse("reviews:candidate", args=[opening_id or candidate.opening_id, candidate.pk])


def acknowledge_url(candidate: Candidate, item_id: str) -> str:
    """Where the acknowledgement form of ``item_id`` posts."""
    return reverse("reviews:acknowledge", args=[candidate.opening_id, candidate.pk, item_id])


def receipt_url(candidate: Candidate) -> str:
    """The staff download of the candidate's receipt."""
    return reverse("reviews:receipt", args=[candidate.opening_id, candidate.pk])


def html_of(client: Client, candidate: Candidate) -> str:
    """The candidate page's HTML (asserting it answered 200)."""
    response = client.get(page_url(candidate))
    assert response.status_code == 200
    return response.content.decode()
