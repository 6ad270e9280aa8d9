"""Recording that a candidate withdrew: at any stage, with or without a recommendation; the
candidate's link is revoked and an attempt in progress closed, and the link says so."""

from __future__ import annotations

import html
import io
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from types import FrameType
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.core.scoring import InterviewScorecard, score
from hireproof.hiring.actions.attempts import (
    StartRefused,
    do_save_answer,
    do_start_attempt,
)
from hireproof.hiring.actions.decisions import DecisionRefused, do_record_decision
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import do_assign_interviewer, do_submit_scorecard
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.models.attempts import Attempt, saved_answers
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.tests.decisions.conftest import (
    FAILING,
    START,
    MakeCandidate,
    invite,
    leaves,
    take_test,
)

pytestmark = pytest.mark.django_db

REASON = "The candidate wrote on Monday to withdraw their application."
NO_RECOMMENDATION = "Withdrawn before the written test was scored"
ALL_FOURS = {
    "past-project": 4,
    "overfitting": 4,
    "deployment": 4,
    "ill-defined-request": 4,
    "continuous-learning": 4,
}


def withdraw(actor: User, candidate: Candidate, **kwargs: Any) -> Decision:
    return do_record_decision(
        actor=actor, candidate=candidate, outcome="withdrawn", reason=REASON, **kwargs
    )


def not_invited(candidate: Candidate) -> None:
    """Added to the opening, nothing more."""


def invited(candidate: Candidate) -> None:
    invite(candidate)


STAGES: dict[str, Callable[[Candidate], None]] = {
    "not yet invited": not_invited,
    "invited": invited,
}


@pytest.fixture
def nobody(make_candidate: MakeCandidate) -> Candidate:
    """Noor: added to the opening, not yet invited."""
    return make_candidate("Noor Unscored", "noor@example.org")


def url(name: str, candidate: Candidate) -> str:
    return reverse(f"decisions:{name}", args=[candidate.opening_id, candidate.pk])


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


# --- recording --------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_withdrawal_is_recorded_before_the_test_is_started(
    stage: str, nobody: Candidate, recruiter: User
) -> None:
    STAGES[stage](nobody)
    decision = withdraw(recruiter, nobody)
    assert decision.outcome == "withdrawn"
    assert decision.reason == REASON
    assert decision.recommendation is None
    assert decision.no_recommendation_text == NO_RECOMMENDATION
    assert (decision.against_recommendation, decision.overrides_critical) == (False, False)
    assert decision.notifies_candidate is False
    assert Decision.objects.get().pk == decision.pk


def test_an_administrator_records_a_withdrawal_too(nobody: Candidate, administrator: User) -> None:
    assert withdraw(administrator, nobody).decided_by == administrator


def test_an_interviewer_or_an_auditor_cannot_record_a_withdrawal(
    nobody: Candidate, interviewer: User, auditor: User, client_as: Any
) -> None:
    for actor in (interviewer, auditor):
        response = client_as(actor).post(
            url("decide", nobody), {"withdrawn-outcome": "withdrawn", "withdrawn-reason": REASON}
        )
        assert response.status_code == 404
    assert Decision.objects.count() == 0


def test_a_withdrawal_before_the_test_records_a_null_recommendation_in_the_log(
    nobody: Candidate, recruiter: User
) -> None:
    decision = withdraw(recruiter, nobody)
    [leaf] = leaves("decision.recorded")
    assert leaf.index == decision.leaf_index
    assert leaf.subject == nobody.subject.pseudonym
    assert dict(leaf.public) == {
        "candidate_id": nobody.pk,
        "opening_id": nobody.opening_id,
        "outcome": "withdrawn",
        "recommendation": None,
        "against_recommendation": False,
        "overrides_critical": False,
        "supersedes": None,
    }
    assert sorted(leaf.commitments) == ["justification", "reason"]
    assert leaves("recommendation.computed") == []


def test_a_withdrawal_before_the_test_sends_no_email(
    nobody: Candidate, recruiter: User, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(recruiter, nobody)
    assert mail.outbox == []


def test_a_withdrawal_waits_for_no_acknowledgement_of_open_warnings(
    alan: Candidate, recruiter: User
) -> None:
    decision = withdraw(recruiter, alan)
    assert decision.outcome == "withdrawn"
    assert decision.recommendation is not None
    assert decision.recommendation.kind == "review"
    assert decision.no_recommendation_text == ""
    recorded = leaves("decision.recorded")[-1]
    assert recorded.public["recommendation"] == {"kind": "review"}
    assert "recommendation_hash" in recorded.commitments  # the hash is committed, not public


@pytest.mark.parametrize("outcome", ["hire", "no_hire"])
def test_hire_and_no_hire_still_wait_for_the_warnings(
    alan: Candidate, recruiter: User, outcome: str
) -> None:
    with pytest.raises(DecisionRefused, match=r"Acknowledge the warning flags first"):
        do_record_decision(
            actor=recruiter,
            candidate=alan,
            outcome=outcome,
            reason=REASON,
            justification="The panel wants to move quickly on this profile.",
        )
    assert Decision.objects.count() == 0


def test_a_withdrawal_after_interviews_is_taken_against_the_current_recommendation(
    grace: Candidate, recruiter: User, interviewer: User
) -> None:
    assignment = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    do_submit_scorecard(
        actor=interviewer,
        assignment=assignment,
        card=InterviewScorecard("", ratings=ALL_FOURS, red_flags=(), notes=""),
    )
    decision = withdraw(recruiter, grace)
    assert decision.recommendation is not None
    assert (decision.recommendation.kind, decision.recommendation.interview_count) == ("hire", 1)
    assert decision.against_recommendation is False


def test_a_withdrawal_is_not_refused_for_a_recommendation_that_changed_meanwhile(
    grace: Candidate, recruiter: User
) -> None:
    # Never against any recommendation, a withdrawal does not depend on the one shown.
    decision = withdraw(recruiter, grace, shown_recommendation="0" * 64)
    assert decision.outcome == "withdrawn"


def test_an_erased_candidate_cannot_be_recorded_as_withdrawn(
    nobody: Candidate, administrator: User
) -> None:
    do_erase_candidate(actor=administrator, candidate=nobody, basis=ErasureBasis.REQUEST)
    nobody.refresh_from_db()
    with pytest.raises(DecisionRefused, match="personal data was erased"):
        withdraw(administrator, nobody)
    assert Decision.objects.count() == 0


def test_a_later_decision_after_scoring_supersedes_an_early_withdrawal(
    nobody: Candidate, recruiter: User
) -> None:
    first = withdraw(recruiter, nobody)
    scored = take_test(nobody, FAILING)
    second = do_record_decision(
        actor=recruiter,
        candidate=scored,
        outcome="no_hire",
        reason="Came back, took the test: two answers of five.",
    )
    assert second.supersedes == first
    assert second.recommendation is not None
    assert second.recommendation.kind == "reject"
    assert leaves("decision.recorded")[-1].public["supersedes"] == first.leaf_index


# --- the panel --------------------------------------------------------------------------------

WITHDRAW_BUTTON = ">Record that the candidate withdrew</button>"
NOT_SCORED = "The written assessment is not scored yet: hire or no hire waits for the score."


def test_the_panel_offers_to_record_a_withdrawal_before_scoring(
    nobody: Candidate, recruiter_client: Client
) -> None:
    page = text_of(recruiter_client.get(url("candidate", nobody)))
    assert f'<p class="blocked">{NOT_SCORED}</p>' in page
    assert WITHDRAW_BUTTON in page
    assert '<input type="hidden" name="withdrawn-outcome" value="withdrawn">' in page
    assert "Record the decision</button>" not in page


def test_the_panel_offers_a_withdrawal_while_warnings_are_open(
    alan: Candidate, recruiter_client: Client
) -> None:
    page = text_of(recruiter_client.get(url("candidate", alan)))
    assert "Warning flags wait for a reviewer's note (on sjt-incomplete-data)." in page
    assert WITHDRAW_BUTTON in page
    assert "Record the decision</button>" not in page


def test_the_candidate_page_offers_the_withdrawal_too(
    nobody: Candidate, recruiter_client: Client
) -> None:
    response = recruiter_client.get(
        reverse("reviews:candidate", args=[nobody.opening_id, nobody.pk])
    )
    assert response.status_code == 200
    assert WITHDRAW_BUTTON in text_of(response)


def test_an_auditor_is_not_offered_the_withdrawal(
    nobody: Candidate, auditor_client: Client
) -> None:
    page = text_of(auditor_client.get(url("candidate", nobody)))
    assert WITHDRAW_BUTTON not in page
    response = auditor_client.post(url("decide", nobody), {"withdrawn-reason": REASON})
    assert response.status_code == 404
    assert Decision.objects.count() == 0


def test_the_withdrawal_form_records_it_and_the_page_says_so(
    nobody: Candidate, recruiter: User, recruiter_client: Client
) -> None:
    response = recruiter_client.post(
        url("decide", nobody), {"withdrawn-reason": REASON, "withdrawn-recommendation": ""}
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.reason, decision.decided_by) == (
        "withdrawn",
        REASON,
        recruiter,
    )
    assert decision.recommendation is None
    page = text_of(recruiter_client.get(response["Location"]))
    assert "Decision recorded: Withdrawn. No email is sent to the candidate." in page
    assert f"<p>{NO_RECOMMENDATION}: no recommendation existed yet.</p>" in page
    assert WITHDRAW_BUTTON not in page  # the withdrawal is in force


def test_the_withdrawal_form_records_only_a_withdrawal(
    nobody: Candidate, recruiter_client: Client
) -> None:
    response = recruiter_client.post(
        url("decide", nobody), {"withdrawn-reason": REASON, "withdrawn-outcome": "hire"}
    )
    assert response.status_code == 302
    assert Decision.objects.get().outcome == "withdrawn"


def test_a_short_withdrawal_reason_is_shown_on_its_form_and_nothing_is_saved(
    nobody: Candidate, recruiter_client: Client
) -> None:
    response = recruiter_client.post(url("decide", nobody), {"withdrawn-reason": "Gone."})
    assert response.status_code == 400
    page = text_of(response)
    form = page.split('class="record-withdrawal">', 1)[1].split("</form>", 1)[0]
    assert "Write the reason in at least 10 characters" in form
    assert ">Gone.</textarea>" in form
    assert Decision.objects.count() == 0


def test_an_erased_candidate_is_offered_no_withdrawal(
    nobody: Candidate, administrator: User, recruiter_client: Client
) -> None:
    do_erase_candidate(actor=administrator, candidate=nobody, basis=ErasureBasis.REQUEST)
    page = text_of(recruiter_client.get(url("candidate", nobody)))
    assert "The candidate's personal data was erased: no decision can be recorded." in page
    assert WITHDRAW_BUTTON not in page


# --- the hiring file --------------------------------------------------------------------------


def test_the_hiring_file_says_the_withdrawal_had_no_recommendation(
    nobody: Candidate, recruiter: User, auditor_client: Client
) -> None:
    withdraw(recruiter, nobody)
    page = text_of(auditor_client.get(url("file", nobody)))
    assert "The candidate has not started the written assessment." in page
    assert "<p>No recommendation was computed.</p>" in page
    assert "<h3>Withdrawn (in force)</h3>" in page
    assert f"<dt>Taken against</dt><dd>no recommendation. {NO_RECOMMENDATION}.</dd>" in page
    assert "<dt>Candidate told</dt><dd>no email</dd>" in page


def test_the_hiring_file_json_has_a_null_recommendation_and_says_why(
    nobody: Candidate, recruiter: User, auditor_client: Client
) -> None:
    decision = withdraw(recruiter, nobody)
    response = auditor_client.get(url("file_json", nobody))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert (data["attempt"], data["scorecard"], data["recommendations"]) == (None, None, [])
    [entry] = data["decisions"]
    assert entry["outcome"] == "withdrawn"
    assert entry["reason"] == REASON
    assert entry["recommendation"] is None
    assert entry["no_recommendation"] == NO_RECOMMENDATION
    assert (entry["against_recommendation"], entry["in_force"]) == (False, True)
    assert [(r["event"], r["leaf_index"]) for r in data["receipts"]] == [
        ("decision.recorded", decision.leaf_index)
    ]


def test_the_hiring_file_pdf_says_the_withdrawal_had_no_recommendation(
    nobody: Candidate, recruiter: User, auditor_client: Client
) -> None:
    withdraw(recruiter, nobody)
    auditor_client.post(url("file_pdf_prepare", nobody))
    response = auditor_client.get(url("file_pdf", nobody))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Withdrawn (in force)" in text
    assert f"no recommendation. {NO_RECOMMENDATION}." in text
    assert REASON in text


# --- the candidate's link -----------------------------------------------------------------------

LATER = START + timedelta(minutes=10)
WITHDRAWN_PAGE = "<h1>Your application was withdrawn</h1>"


def token_of(candidate: Candidate) -> str:
    return f"token-{candidate.pk}-0123456789abcdefghijklmnopqrstuvwxyz"  # conftest.invite's


def in_progress(candidate: Candidate) -> Attempt:
    """Started, one answer saved, not submitted."""
    attempt = do_start_attempt(invite(candidate), now=START)
    do_save_answer(attempt, "pandas-filter-sum", "70", now=START + timedelta(minutes=2))
    return attempt


def test_a_withdrawal_revokes_the_link_of_an_invited_candidate(
    nobody: Candidate, recruiter: User
) -> None:
    invitation = invite(nobody)
    decision = withdraw(recruiter, nobody, now=LATER)
    invitation.refresh_from_db()
    assert invitation.revoked_at == LATER
    [revoked] = leaves("invitation.revoked")
    assert revoked.actor == f"staff:{recruiter.pk}"
    assert revoked.index == decision.leaf_index - 1  # recorded with the decision, just before
    assert decision.recommendation is None


def test_a_withdrawal_during_the_test_submits_what_was_saved_then_records_itself(
    nobody: Candidate, recruiter: User
) -> None:
    attempt = in_progress(nobody)
    decision = withdraw(recruiter, nobody, now=LATER)
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.submission) == (LATER, "automatic")
    assert attempt.scorecard_hash  # scored as at the deadline, with the one saved answer
    assert saved_answers(attempt) == {"pandas-filter-sum": "70"}
    closing = [
        "invitation.revoked",
        "attempt.auto_submitted",
        "attempt.scored",
        "recommendation.computed",
        "decision.recorded",
    ]
    recorded = [(event, leaves(event)[-1].index) for event in closing]
    first = recorded[0][1]
    assert recorded == [(event, first + offset) for offset, (event, _) in enumerate(recorded)]
    assert leaves("attempt.auto_submitted")[-1].actor == "system"
    # Taken against the recommendation of the attempt it closed, never against it.
    assert decision.recommendation is not None
    assert decision.recommendation.kind == "reject"
    assert decision.against_recommendation is False
    assert leaves("decision.recorded")[-1].public["recommendation"] == {"kind": "reject"}


def test_a_withdrawal_during_the_test_scores_the_attempt_in_no_transaction(
    nobody: Candidate, recruiter: User
) -> None:
    # Scoring takes what the rules take; the decision's transaction holds the database's write
    # lock (and the audit log's) for every other request, so the attempt is scored before it.
    attempt = in_progress(nobody)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    depths: list[int] = []

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is score.__code__:
            depths.append(len(connection.atomic_blocks) - outside)

    sys.setprofile(watch)
    try:
        withdraw(recruiter, nobody, now=LATER)
    finally:
        sys.setprofile(None)
    attempt.refresh_from_db()
    assert attempt.scorecard_hash
    assert depths == [0]


def test_a_withdrawal_after_submitting_keeps_the_link_and_its_receipt(
    grace: Candidate, recruiter: User, client: Client
) -> None:
    withdraw(recruiter, grace)
    assert Invitation.objects.get(candidate=grace).revoked_at is None
    assert leaves("invitation.revoked") == []
    done = client.get(f"/a/{token_of(grace)}/done/")
    assert done.status_code == 200
    assert client.get(f"/a/{token_of(grace)}/receipt.json").status_code == 200


def test_a_start_pressed_as_the_withdrawal_is_recorded_is_refused(
    nobody: Candidate, recruiter: User
) -> None:
    invitation = invite(nobody)  # the link's page read it before the withdrawal...
    withdraw(recruiter, nobody)
    with pytest.raises(StartRefused, match="This link was withdrawn"):
        do_start_attempt(invitation)  # ...and Start arrives after it
    assert not Attempt.objects.filter(invitation=invitation).exists()


def test_the_link_of_an_invited_candidate_who_withdrew_says_so_and_starts_nothing(
    nobody: Candidate, recruiter: User, client: Client
) -> None:
    invite(nobody)
    withdraw(recruiter, nobody)
    token = token_of(nobody)
    page = client.get(f"/a/{token}/")
    assert page.status_code == 410
    text = text_of(page)
    assert WITHDRAWN_PAGE in text
    assert "Your application for Data Scientist (Berlin) is recorded as withdrawn" in text
    assert "mailto:rosa@example.org" in text
    assert "/accounts/sign-in/" not in text  # the candidate's own page, no staff link
    assert "no-store" in page["Cache-Control"]
    started = client.post(f"/a/{token}/", {"disclose_extension": ""})
    assert started.status_code == 410
    assert WITHDRAWN_PAGE in text_of(started)
    assert not Attempt.objects.filter(invitation__candidate=nobody).exists()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "questions/", {}),
        ("post", "questions/", {"answer-pandas-filter-sum": "71", "action": "save"}),
        ("post", "answers/pandas-filter-sum/", {"answer-pandas-filter-sum": "71"}),
        ("post", "signals/", {"kind": "paste", "chars": "3"}),
        ("get", "time/", {}),
        ("get", "submit/", {}),
        ("post", "submit/", {}),
        ("post", "done/", {}),
        ("get", "receipt.json", {}),
    ],
)
def test_the_link_of_a_candidate_who_withdrew_during_the_test_saves_and_submits_nothing(
    nobody: Candidate, recruiter: User, client: Client, method: str, path: str, data: Any
) -> None:
    attempt = in_progress(nobody)
    withdraw(recruiter, nobody, now=LATER)
    before = (LogLeaf.objects.count(), saved_answers(attempt))
    response = getattr(client, method)(f"/a/{token_of(nobody)}/{path}", data)
    assert response.status_code == 410
    assert WITHDRAWN_PAGE in text_of(response)
    assert (LogLeaf.objects.count(), saved_answers(attempt)) == before
    attempt.refresh_from_db()
    assert attempt.submitted_at == LATER


def test_a_link_revoked_without_a_withdrawal_is_still_a_missing_page(
    nobody: Candidate, recruiter: User, client: Client
) -> None:
    invite(nobody)
    do_revoke_invitation(actor=recruiter, candidate=nobody)
    response = client.get(f"/a/{token_of(nobody)}/")
    assert response.status_code == 404
    assert WITHDRAWN_PAGE not in text_of(response)


def test_once_a_later_decision_replaces_the_withdrawal_the_link_is_a_missing_page(
    nobody: Candidate, recruiter: User, client: Client
) -> None:
    in_progress(nobody)
    withdraw(recruiter, nobody, now=LATER)
    do_record_decision(
        actor=recruiter,
        candidate=nobody,
        outcome="no_hire",
        reason="Came back to say they had meant to finish; one answer of five.",
    )
    assert client.get(f"/a/{token_of(nobody)}/done/").status_code == 404
