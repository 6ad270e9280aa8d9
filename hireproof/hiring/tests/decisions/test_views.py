"""The decision page and recording a decision through it: roles, the confirm step, the counts."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions import recommendations
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import do_assign_interviewer, do_submit_scorecard
from hireproof.hiring.actions.recommendations import fresh_recommendation
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Decision, Outcome, Recommendation
from hireproof.hiring.models.interviews import Assignment
from hireproof.hiring.reads.pipeline import DecisionMark, decision_marks
from hireproof.hiring.tests.decisions.conftest import FAILING, MakeCandidate, acknowledge
from hireproof.testing.personas import make_staff

pytestmark = pytest.mark.django_db

# The web pages' stylesheets, as the static files app serves them.
STATIC = Path(__file__).parents[3] / "views" / "static"

REASON = "Two answers of five: below what the role needs."


def url(name: str, candidate: Candidate, *extra: int) -> str:
    return reverse(f"decisions:{name}", args=[candidate.opening_id, candidate.pk, *extra])


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("persona", ["administrator_client", "recruiter_client", "auditor_client"])
def test_readers_see_the_recommendation_and_its_reasons(
    frank: Candidate, persona: str, request: Any
) -> None:
    client: Client = request.getfixturevalue(persona)
    response = client.get(url("candidate", frank))
    assert response.status_code == 200
    recommendation = Recommendation.objects.get(candidate=frank)
    page = text_of(response)
    for reason in recommendation.reasons:
        assert f"<li>{reason}</li>" in page


def test_the_page_shows_exactly_the_reasons_of_a_fresh_decide(
    frank: Candidate, recruiter_client: Client
) -> None:
    page = text_of(recruiter_client.get(url("candidate", frank)))
    fresh = fresh_recommendation(frank, frank.invitation.attempt)
    shown = page.split('<ul class="reasons">', 1)[1].split("</ul>", 1)[0]
    assert shown == "".join(f"<li>{reason}</li>" for reason in fresh.reasons)
    assert fresh.hash in page


def test_an_interviewer_sees_nothing_of_decisions_or_the_file(
    frank: Candidate, interviewer_client: Client
) -> None:
    for name in ("candidate", "file", "file_pdf", "file_json"):
        assert interviewer_client.get(url(name, frank)).status_code == 404
    response = interviewer_client.post(
        url("decide", frank), {"outcome": "no_hire", "reason": REASON}
    )
    assert response.status_code == 404
    assert Decision.objects.count() == 0


def test_an_auditor_reads_but_cannot_decide(frank: Candidate, auditor_client: Client) -> None:
    page = text_of(auditor_client.get(url("candidate", frank)))
    assert "Confirm rejection" not in page
    assert "Record the decision" not in page
    response = auditor_client.post(url("decide", frank), {"outcome": "no_hire", "reason": REASON})
    assert response.status_code == 404
    assert Decision.objects.count() == 0


def test_an_outsider_is_sent_to_sign_in(frank: Candidate, outsider: Client) -> None:
    response = outsider.get(url("file", frank))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_a_candidate_of_another_opening_is_not_found(
    frank: Candidate, recruiter_client: Client
) -> None:
    wrong = reverse("decisions:candidate", args=[frank.opening_id + 1, frank.pk])
    assert recruiter_client.get(wrong).status_code == 404


def test_a_rejection_waits_for_a_person_to_confirm_it(
    frank: Candidate, recruiter_client: Client
) -> None:
    page = text_of(recruiter_client.get(url("candidate", frank)))
    assert "This reject recommendation waits for a person to confirm it." in page
    assert "Nothing has been sent to the candidate." in page
    assert ">Confirm rejection</button>" in page
    assert Decision.objects.count() == 0


def test_confirming_the_rejection_records_a_no_hire(
    frank: Candidate, recruiter: User, recruiter_client: Client
) -> None:
    recommendation = recommendations.do_compute_recommendation(frank)
    assert recommendation is not None
    response = recruiter_client.post(
        url("decide", frank),
        {"confirm-reason": REASON, "confirm-recommendation": recommendation.hash},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.reason, decision.decided_by) == (
        "no_hire",
        REASON,
        recruiter,
    )
    page = text_of(recruiter_client.get(response["Location"]))
    assert "Decision recorded: No hire. The candidate is told by email." in page
    assert "Confirm rejection" not in page


def test_a_refused_decision_is_shown_with_the_reason_and_nothing_is_saved(
    alan: Candidate, recruiter: User, recruiter_client: Client
) -> None:
    acknowledge(alan, recruiter)
    response = recruiter_client.post(url("decide", alan), {"outcome": "hire", "reason": REASON})
    assert response.status_code == 400
    assert "This decision goes against the review recommendation: write a justification" in text_of(
        response
    )
    assert Decision.objects.count() == 0


def test_a_refused_different_decision_is_shown_open_with_the_reason(
    mallory: Candidate, recruiter_client: Client
) -> None:
    # On a rejection that waits for confirmation, the full form sits in a <details>: when it
    # comes back with errors it must be open, or the person sees no error at all.
    response = recruiter_client.post(
        url("decide", mallory),
        {"outcome": "hire", "reason": REASON, "justification": "She is great otherwise."},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "<details open><summary>Record a different decision</summary>" in page
    assert "only an administrator can decide to hire despite it" in page
    assert Decision.objects.count() == 0


def test_the_different_decision_starts_folded_away(
    mallory: Candidate, recruiter_client: Client
) -> None:
    page = text_of(recruiter_client.get(url("candidate", mallory)))
    assert "<details><summary>Record a different decision</summary>" in page


INTERVIEW_FOURS = {
    "past-project": 4,
    "overfitting": 4,
    "deployment": 4,
    "ill-defined-request": 4,
    "continuous-learning": 4,
}
PENDING = "1 of 2 interview scorecards are in."


def test_the_page_says_when_interview_scorecards_are_still_due(
    grace: Candidate, recruiter: User, interviewer: User, recruiter_client: Client
) -> None:
    second = make_staff("Nadia Haddad", "nadia@example.org", "interviewer")
    ivans = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    nadias = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=second)
    do_submit_scorecard(
        actor=interviewer,
        assignment=ivans,
        card=InterviewScorecard("", ratings=INTERVIEW_FOURS, red_flags=(), notes=""),
    )
    page = text_of(recruiter_client.get(url("candidate", grace)))
    assert (
        f"<strong>{PENDING}</strong> The recommendation counts only those submitted and is "
        "recomputed as the others arrive. A decision recorded now is taken without them."
    ) in page
    do_submit_scorecard(
        actor=second,
        assignment=nadias,
        card=InterviewScorecard("", ratings=INTERVIEW_FOURS, red_flags=(), notes=""),
    )
    assert "interview scorecards are in." not in text_of(
        recruiter_client.get(url("candidate", grace))
    )


def test_an_auditor_is_told_scorecards_are_due_without_the_decision_hint(
    grace: Candidate, recruiter: User, interviewer: User, auditor_client: Client
) -> None:
    second = make_staff("Nadia Haddad", "nadia@example.org", "interviewer")
    do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=second)
    ivans = Assignment.objects.get(interviewer=interviewer)
    do_submit_scorecard(
        actor=interviewer,
        assignment=ivans,
        card=InterviewScorecard("", ratings=INTERVIEW_FOURS, red_flags=(), notes=""),
    )
    page = text_of(auditor_client.get(url("candidate", grace)))
    assert PENDING in page
    assert "A decision recorded now" not in page


def test_open_warnings_block_the_form(alan: Candidate, recruiter_client: Client) -> None:
    page = text_of(recruiter_client.get(url("candidate", alan)))
    assert "Warning flags wait for a reviewer's note (on sjt-incomplete-data)." in page
    assert "Record the decision</button>" not in page


def test_an_override_is_flagged_on_the_page(
    mallory: Candidate, administrator_client: Client
) -> None:
    response = administrator_client.post(
        url("decide", mallory),
        {
            "outcome": "hire",
            "reason": "Hired for a role without data work.",
            "justification": "The flagged answer concerns data work this role never does.",
        },
    )
    assert response.status_code == 302
    page = text_of(administrator_client.get(url("candidate", mallory)))
    assert "hired despite a critical_fail" in page


def test_the_decision_receipt_downloads(
    frank: Candidate, recruiter: User, auditor_client: Client
) -> None:
    decision = do_record_decision(
        actor=recruiter, candidate=frank, outcome="no_hire", reason=REASON
    )
    response = auditor_client.get(url("receipt", frank, decision.pk))
    assert response.status_code == 200
    assert response.content.decode() == decision.receipt_json
    assert auditor_client.get(url("receipt", frank, decision.pk + 1)).status_code == 404


def test_the_decision_page_reads_a_fixed_number_of_queries(
    make_candidate: MakeCandidate, recruiter: User, recruiter_client: Client
) -> None:
    counts = []
    for decisions in (1, 4):
        candidate = make_candidate(f"Person {decisions}", f"p{decisions}@example.org", FAILING)
        for _ in range(decisions):
            do_record_decision(
                actor=recruiter, candidate=candidate, outcome="no_hire", reason=REASON
            )
        recruiter_client.get(url("candidate", candidate))  # the first page of a session
        with CaptureQueriesContext(connection) as captured:
            assert recruiter_client.get(url("candidate", candidate)).status_code == 200
        counts.append(len(captured))
    assert counts == [7, 7]


def test_the_pipeline_marks_the_decision_in_force_and_overrides(
    frank: Candidate, mallory: Candidate, grace: Candidate, recruiter: User, administrator: User
) -> None:
    do_record_decision(actor=recruiter, candidate=frank, outcome="no_hire", reason=REASON)
    do_record_decision(actor=recruiter, candidate=frank, outcome="withdrawn", reason=REASON)
    do_record_decision(
        actor=administrator,
        candidate=mallory,
        outcome="hire",
        reason=REASON,
        justification="The flagged answer concerns work this role never does.",
    )
    assert decision_marks([frank.pk, mallory.pk, grace.pk]) == {
        frank.pk: DecisionMark(
            Outcome.WITHDRAWN, overrides_critical=False, against_recommendation=False
        ),
        mallory.pk: DecisionMark(
            Outcome.HIRE, overrides_critical=True, against_recommendation=True
        ),
    }


def test_an_erased_candidates_decision_page_records_nothing_more(
    frank: Candidate, recruiter: User, administrator: User, recruiter_client: Client
) -> None:
    do_record_decision(actor=recruiter, candidate=frank, outcome="no_hire", reason=REASON)
    do_erase_candidate(actor=administrator, candidate=frank, basis=ErasureBasis.REQUEST)
    page = text_of(recruiter_client.get(url("candidate", frank)))
    assert "The candidate's personal data was erased: no decision can be recorded." in page
    assert "Frank Failing" not in page
    assert REASON not in page
    assert "<strong>No hire</strong>" in page


def test_the_list_badge_flags_an_override() -> None:
    mark = DecisionMark(Outcome.HIRE, overrides_critical=True, against_recommendation=True)
    assert " ".join(render_to_string("decisions/_mark.html", {"mark": mark}).split()) == (
        '<span class="tag decision-hire">Hire</span> <span class="tag tag-critical" '
        'title="Hired despite a critical red flag on the written test">critical_fail '
        'overridden</span> <span class="tag tag-warning">against the recommendation</span>'
    )


def test_the_confirm_rejection_button_is_white_on_red() -> None:
    # Red text on the primary blue was barely legible; white on the danger red is 6:1.
    css = (STATIC / "decisions" / "decisions.css").read_text()
    assert (
        ".primary.danger { background: var(--danger); border-color: var(--danger); "
        "color: #ffffff; }"
    ) in css
