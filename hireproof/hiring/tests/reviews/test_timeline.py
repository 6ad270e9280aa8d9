"""The candidate's timeline, read from the audit log's leaves about their subject."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.actions.reviews import do_acknowledge_flag
from hireproof.hiring.models.attempts import SignalKind
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.reads.timeline import subject_timeline
from hireproof.hiring.tests.reviews.conftest import RIGHT, START, Signal, SitFn, attempt_of

pytestmark = pytest.mark.django_db

NOTE = "Asked on a call: they would explain the drivers. Fine to move on."


def lines(candidate: Candidate) -> list[str]:
    return [entry.line for entry in subject_timeline(candidate.subject)]


def test_it_describes_every_event_about_the_candidate_in_log_order(
    seat: SitFn, recruiter: User, clock: Any
) -> None:
    grace = seat(
        "Grace Hopper",
        "grace@example.org",
        {"pandas-filter-sum": "70", "communication-summary": "C"},
        signals=[Signal(SignalKind.PASTE, "pandas-filter-sum", 2, after=timedelta(minutes=5))],
        start=START,
    )
    clock.move_to(START + timedelta(hours=2), tick=False)
    do_acknowledge_flag(
        actor=recruiter, attempt=attempt_of(grace), item_id="communication-summary", note=NOTE
    )
    # Leaves 0-3: the log's creation, the two built-in playbooks, the opening.
    assert lines(grace) == [
        "09:00:00 Added to the opening by Rosa Parks - leaf 4",
        "09:00:00 Invitation sent by Rosa Parks (link valid until 11 May 2026 09:00 UTC) - leaf 5",
        "09:00:00 Assessment started (time limit 30 minutes) - leaf 6",
        "09:02:00 Answer saved (pandas-filter-sum, revision 1) - leaf 7",
        "09:04:00 Answer saved (communication-summary, revision 1) - leaf 8",
        "09:05:00 Integrity signal: paste, pandas-filter-sum, 2 characters"
        " (evidence, not a penalty) - leaf 9",
        "09:20:00 Submitted by the candidate (2 of 5 answered) - leaf 10",
        # The scorecard hash is committed, not public: the timeline has none to show.
        "09:20:00 Scored: verdict fail - leaf 11",
        "09:20:00 Recommendation: reject (from the test alone) - leaf 12",
        "11:00:00 Warning on communication-summary acknowledged by Rosa Parks - leaf 13",
    ]


def test_it_leaves_out_other_candidates_and_keeps_the_public_record_after_erasure(
    seat: SitFn, recruiter: User, administrator: User, clock: Any
) -> None:
    grace = seat("Grace Hopper", "grace@example.org", {}, submit=None, start=START)
    seat("Alan Turing", "alan@example.org", RIGHT, start=START)
    do_revoke_invitation(actor=recruiter, candidate=grace)
    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.MISTAKE)
    assert lines(grace)[-2:] == [
        "09:00:00 Invitation revoked by Rosa Parks - leaf 18",
        "09:00:00 Personal data erased by Ada Lovelace (basis: added_by_mistake) - leaf 19",
    ]
    assert len(lines(grace)) == 5


def test_it_describes_resent_links_late_answers_and_automatic_submissions(
    seat: SitFn, recruiter: User, clock: Any
) -> None:
    from hireproof.hiring.actions.attempts import AnswerRefused, do_save_answer, do_submit_attempt
    from hireproof.hiring.actions.invitations import do_resend_invitation
    from hireproof.hiring.models.attempts import SubmissionKind

    grace = seat("Grace Hopper", "grace@example.org", {}, submit=None, start=START)
    do_resend_invitation(actor=recruiter, candidate=grace, base_url="http://testserver/")
    attempt = attempt_of(grace)
    late = attempt.deadline + timedelta(minutes=1)
    with pytest.raises(AnswerRefused):
        do_save_answer(attempt, "outlier-ages", "141", now=late)
    do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC, now=late)
    assert lines(grace)[3:6] == [
        "09:00:00 New link sent by Rosa Parks (send 2; valid until 11 May 2026 09:00 UTC) - leaf 7",
        "09:31:00 Answer refused: it arrived 60 seconds after the deadline (outlier-ages) - leaf 8",
        "09:31:00 Submitted automatically at the deadline (0 of 5 answered) - leaf 9",
    ]


def test_events_without_their_own_words_are_named_by_their_type(seat: SitFn) -> None:
    from django.db import transaction

    from hireproof.audit.log import record_event
    from hireproof.core.audit import EventType

    grace = seat("Grace Hopper", "grace@example.org", {}, submit=None)
    with transaction.atomic():
        record_event(EventType.ATS_EXPORTED, actor="system", subject=grace.subject)
    assert subject_timeline(grace.subject)[-1].text == "Ats exported (by the system)"


def test_an_unreadable_leaf_is_shown_as_such() -> None:
    from hireproof.audit.models import LogLeaf
    from hireproof.hiring.reads.timeline import _entry, _parsed

    entry = _entry(_parsed(LogLeaf(index=3, data=b"{", event_type="answer.saved")), {})
    assert entry.line.startswith("--:--:-- Unreadable event (the leaf is not valid JSON")
    assert entry.line.endswith(" - leaf 3")


def test_a_scored_event_written_before_hashes_were_committed_still_shows_its_hash(
    seat: SitFn,
) -> None:
    from django.db import transaction

    from hireproof.audit.log import record_event
    from hireproof.core.audit import EventType

    grace = seat("Grace Hopper", "grace@example.org", {}, submit=None)
    public = {"verdict": "pass", "scorecard_hash": "c0ffee" * 10 + "abcd"}
    with transaction.atomic():
        record_event(EventType.ATTEMPT_SCORED, actor="system", subject=grace.subject, public=public)
    assert (
        subject_timeline(grace.subject)[-1].text == "Scored: verdict pass (scorecard c0ffeec0ffee)"
    )


@pytest.mark.parametrize(
    ("public", "words"),
    [
        (
            {"outcome": "hire", "recommendation": {"kind": "hire"}},
            "Decision: hire by the system",
        ),
        (
            {
                "outcome": "hire",
                "recommendation": {"kind": "review"},
                "against_recommendation": True,
                "overrides_critical": True,
                "supersedes": 12,
            },
            "Decision: hire by the system (against the recommendation; overrides a critical"
            " fail; supersedes leaf 12)",
        ),
        (
            {"outcome": "withdrawn", "recommendation": None},
            "Decision: withdrawn by the system (before any recommendation existed)",
        ),
    ],
)
def test_decisions_say_what_they_went_against(
    seat: SitFn, public: dict[str, object], words: str
) -> None:
    from django.db import transaction

    from hireproof.audit.log import record_event
    from hireproof.core.audit import EventType

    grace = seat("Grace Hopper", "grace@example.org", {}, submit=None)
    with transaction.atomic():
        record_event(
            EventType.DECISION_RECORDED, actor="system", subject=grace.subject, public=public
        )
    assert subject_timeline(grace.subject)[-1].text == words
