"""The interview pages, persona by persona: who reaches what, independence, forms, queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.accounts.roles import Role
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import do_cancel_assignment
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.interviews import Assignment, ScorecardVersion
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.interviews.conftest import (
    IVAN_RATINGS,
    NADIA_RATINGS,
    Assign,
    add_candidate,
    example_answers,
    rating_post,
    submit,
    take_test,
)
from hireproof.testing.personas import make_staff

pytestmark = pytest.mark.django_db

# The web pages' stylesheets, as the static files app serves them.
STATIC = Path(__file__).parents[3] / "views" / "static"
ClientAs = Callable[[User], Client]
NADIA_NOTE = "NADIA-SECRET-NOTE about the candidate"
NADIA_MEAN = "mean 1.4 on the 1-5 scale (10.00%)"


def kit_url(assignment: Assignment) -> str:
    return reverse("interviews:kit", args=[assignment.pk])


def candidate_url(candidate: Candidate) -> str:
    return reverse("interviews:candidate", args=[candidate.opening_id, candidate.pk])


@pytest.fixture
def panel(
    grace: Candidate, assign: Assign, interviewer: User, nadia: User
) -> dict[str, Assignment]:
    """Ivan and Nadia both interview Grace; Nadia has submitted, Ivan not yet."""
    ivans = assign(grace, interviewer)
    nadias = assign(grace, nadia)
    submit(nadias, NADIA_RATINGS, ("past-project/no-business-impact",), NADIA_NOTE)
    return {"ivan": ivans, "nadia": nadias}


# --- who reaches what -------------------------------------------------------------------------


def test_my_interviews_lists_only_the_interviewers_own_assignments(
    grace: Candidate,
    alan: Candidate,
    assign: Assign,
    interviewer: User,
    nadia: User,
    client_as: ClientAs,
) -> None:
    assign(grace, interviewer)
    assign(alan, nadia)
    html = client_as(interviewer).get(reverse("interviews:mine")).content.decode()
    assert "Grace Hopper" in html
    assert "Data Scientist (Berlin)" in html
    assert "Waiting for the scorecard" in html
    assert "Alan Turing" not in html


def test_my_interviews_lists_dated_interviews_first_then_those_to_arrange(
    grace: Candidate, alan: Candidate, assign: Assign, interviewer: User, client_as: ClientAs
) -> None:
    assign(grace, interviewer)
    assign(alan, interviewer, scheduled_for=datetime(2026, 5, 6, 14, 30, tzinfo=UTC))
    html = client_as(interviewer).get(reverse("interviews:mine")).content.decode()
    assert html.index("Alan Turing") < html.index("Grace Hopper")


def test_the_navigation_shows_my_interviews_to_interviewers_only(
    interviewer_client: Client, recruiter_client: Client
) -> None:
    link = f'href="{reverse("interviews:mine")}"'
    assert link in interviewer_client.get(reverse("interviews:mine")).content.decode()
    assert link not in recruiter_client.get(reverse("openings:list")).content.decode()


def test_an_interviewer_gets_404_for_everything_that_is_not_theirs(
    panel: dict[str, Assignment],
    grace: Candidate,
    interviewer: User,
    recruiter: User,
    client_as: ClientAs,
) -> None:
    client = client_as(interviewer)
    nadias = panel["nadia"]
    for url in (
        kit_url(nadias),
        reverse("interviews:amend", args=[nadias.pk]),
        reverse("interviews:kit", args=[999999]),
        candidate_url(grace),
        reverse("interviews:emails", args=[grace.opening_id]),
        reverse("reviews:candidate", args=[grace.opening_id, grace.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(kit_url(nadias), rating_post(IVAN_RATINGS)).status_code == 404
    assert client.post(reverse("interviews:cancel", args=[panel["ivan"].pk])).status_code == 404
    do_cancel_assignment(actor=recruiter, assignment=panel["ivan"])
    assert client.get(kit_url(panel["ivan"])).status_code == 404
    assert "Grace Hopper" not in client.get(reverse("interviews:mine")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(
    panel: dict[str, Assignment], grace: Candidate, outsider: Client
) -> None:
    for url in (reverse("interviews:mine"), kit_url(panel["ivan"]), candidate_url(grace)):
        response = outsider.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_the_auditor_reads_everything_and_changes_nothing(
    panel: dict[str, Assignment], grace: Candidate, auditor_client: Client, interviewer: User
) -> None:
    page = auditor_client.get(candidate_url(grace))
    assert page.status_code == 200
    html = page.content.decode()
    assert NADIA_MEAN in html
    assert "Assign interviewers" not in html
    assert "Cancel" not in html
    kit = auditor_client.get(kit_url(panel["nadia"])).content.decode()
    assert NADIA_NOTE in kit
    assert "Amend (reason required)" not in kit
    assert "Submit the scorecard" not in kit
    for response in (
        auditor_client.post(candidate_url(grace), {"interviewers": [interviewer.pk]}),
        auditor_client.post(reverse("interviews:cancel", args=[panel["ivan"].pk])),
        auditor_client.post(kit_url(panel["ivan"]), rating_post(IVAN_RATINGS)),
        auditor_client.get(reverse("interviews:amend", args=[panel["nadia"].pk])),
        auditor_client.get(reverse("interviews:emails", args=[grace.opening_id])),
        auditor_client.get(reverse("interviews:mine")),
    ):
        assert response.status_code == 404
    assert Assignment.objects.filter(cancelled_at__isnull=True).count() == 2
    assert ScorecardVersion.objects.count() == 1


def test_the_recruiter_sees_every_scorecard(
    panel: dict[str, Assignment], grace: Candidate, recruiter_client: Client
) -> None:
    submit(panel["ivan"], IVAN_RATINGS, notes="IVAN-NOTE")
    html = recruiter_client.get(candidate_url(grace)).content.decode()
    assert NADIA_MEAN in html
    assert "mean 3.6 on the 1-5 scale (65.00%)" in html
    assert "Scorecard submitted" in html
    kit = recruiter_client.get(kit_url(panel["ivan"])).content.decode()
    assert "IVAN-NOTE" in kit
    assert NADIA_NOTE in kit


# --- independence -----------------------------------------------------------------------------


def _pages_ivan_reaches(client: Client, ivans: Assignment) -> dict[str, str]:
    pages = {
        "home": reverse("web:home"),
        "mine": reverse("interviews:mine"),
        "kit": kit_url(ivans),
        "amend": reverse("interviews:amend", args=[ivans.pk]),
        "playbooks": reverse("playbooks:list"),
    }
    html = {}
    for name, url in pages.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
    invalid = client.post(kit_url(ivans), {"rating-past-project": "4", "notes": "draft"})
    assert invalid.status_code == 400
    html["kit with errors"] = invalid.content.decode()
    return html


def test_an_interviewer_sees_no_other_ratings_before_submitting(
    panel: dict[str, Assignment], interviewer: User, client_as: ClientAs
) -> None:
    client = client_as(interviewer)
    for name, html in _pages_ivan_reaches(client, panel["ivan"]).items():
        assert "Nadia" not in html, name
        assert NADIA_NOTE not in html, name
        assert "mean 1.4" not in html, name
    kit = client.get(kit_url(panel["ivan"])).content.decode()
    assert "Other interviewers' ratings are hidden until you submit your own scorecard" in kit


def test_an_interviewer_sees_the_others_after_submitting(
    panel: dict[str, Assignment], interviewer: User, client_as: ClientAs
) -> None:
    client = client_as(interviewer)
    response = client.post(kit_url(panel["ivan"]), rating_post(IVAN_RATINGS, notes="Mine."))
    assert response.status_code == 302
    kit = client.get(kit_url(panel["ivan"])).content.decode()
    assert "Nadia Boateng" in kit
    assert NADIA_NOTE in kit
    assert NADIA_MEAN in kit
    assert "red flag: Cannot connect the work to any business outcome." in kit


def test_the_kit_shows_the_written_test_but_no_other_interviewer(
    panel: dict[str, Assignment], grace: Candidate, interviewer: User, client_as: ClientAs
) -> None:
    html = client_as(interviewer).get(kit_url(panel["ivan"])).content.decode()
    attempt = grace.invitation.attempt
    assert f"{attempt.score_percent}%" in html
    assert "Strong pass" in html


# --- the kit and the scorecard form -----------------------------------------------------------


def test_the_kit_lays_out_every_question_accessibly_and_printably(
    panel: dict[str, Assignment], interviewer: User, client_as: ClientAs
) -> None:
    html = client_as(interviewer).get(kit_url(panel["ivan"])).content.decode()
    assert html.count('<fieldset class="panel question') == 5
    assert html.count("<legend>Your rating (required)</legend>") == 5
    assert '<legend><span class="number">Question 2</span> · Machine Learning & Stats' in (
        html.replace("&amp;", "&")
    )
    assert "1 – strong no" in html
    assert "5 – strong yes" in html
    assert "What to look for" in html
    assert "A strong answer" in html
    assert "A weak answer" in html
    assert 'id="id_flags-overfitting_1"' in html
    assert '<label for="id_flags-overfitting_1">Tunes the model on the test set.</label>' in html
    assert "data-print>Print</button>" in html  # hireproof.js prints (no inline script)
    assert "interviews/interviews.css" in html


def test_the_print_stylesheet_hides_the_navigation() -> None:
    css = (STATIC / "interviews" / "interviews.css").read_text()
    print_rules = css.split("@media print", 1)[1]
    assert ".site-header" in print_rules
    assert ".no-print" in print_rules
    assert "display: none !important" in print_rules


def test_a_missing_rating_is_named_in_plain_words(
    panel: dict[str, Assignment], interviewer: User, client_as: ClientAs
) -> None:
    ratings = {q: v for q, v in IVAN_RATINGS.items() if q != "deployment"}
    response = client_as(interviewer).post(kit_url(panel["ivan"]), rating_post(ratings))
    assert response.status_code == 400
    assert "Choose a rating for question 3 (Model Deployment &amp; Maintenance)." in (
        response.content.decode()
    )
    assert not ScorecardVersion.objects.filter(assignment=panel["ivan"]).exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"rating-past-project": "9"},
            "The rating for question 1 (Problem-Solving &amp; Business Impact) must be one of "
            "the scale&#x27;s values.",
        ),
        (
            {"flags-overfitting": "overfitting/made-up"},
            "That is not a red flag of question 2 "
            "(Machine Learning &amp; Stats (technical depth)).",
        ),
    ],
)
def test_tampered_values_are_refused_with_a_message(
    panel: dict[str, Assignment],
    interviewer: User,
    client_as: ClientAs,
    extra: dict[str, str],
    message: str,
) -> None:
    response = client_as(interviewer).post(
        kit_url(panel["ivan"]), rating_post(IVAN_RATINGS, **extra)
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_submitting_through_the_page_then_amending_with_a_reason(
    panel: dict[str, Assignment], grace: Candidate, interviewer: User, client_as: ClientAs
) -> None:
    client = client_as(interviewer)
    posted = rating_post(
        IVAN_RATINGS, notes="Solid.", **{"flags-deployment": "deployment/no-monitoring"}
    )
    assert client.post(kit_url(panel["ivan"]), posted).status_code == 302
    kit = client.get(kit_url(panel["ivan"])).content.decode()
    assert "Amend (reason required)" in kit
    assert "Rating: 5 – strong yes" in kit
    assert "Submit the scorecard" not in kit
    again = client.post(kit_url(panel["ivan"]), posted)
    assert again.status_code == 409
    assert "This scorecard is already submitted. To change it, amend it with a reason." in (
        again.content.decode()
    )
    amend_url = reverse("interviews:amend", args=[panel["ivan"].pk])
    form = client.get(amend_url).content.decode()
    assert 'value="5" id="id_rating-overfitting_4" required checked' in form
    no_reason = client.post(amend_url, rating_post(IVAN_RATINGS, reason=""))
    assert no_reason.status_code == 400
    assert "Give the reason for the amendment." in no_reason.content.decode()
    amended = client.post(
        amend_url, rating_post({**IVAN_RATINGS, "deployment": 4}, reason="Reread my notes after.")
    )
    assert amended.status_code == 302
    rows = ScorecardVersion.objects.filter(assignment=panel["ivan"]).order_by("version")
    assert [r.ratings["deployment"] for r in rows] == [3, 4]
    assert rows[1].reason_for(grace) == "Reread my notes after."
    kit = client.get(kit_url(panel["ivan"])).content.decode()
    assert "Version 2" in kit
    assert "Reason: Reread my notes after." in kit


# --- assigning through the page ---------------------------------------------------------------


def test_the_recruiter_assigns_two_interviewers_at_once(
    grace: Candidate, recruiter_client: Client, interviewer: User, nadia: User
) -> None:
    mail.outbox.clear()
    response = recruiter_client.post(
        candidate_url(grace),
        {"interviewers": [interviewer.pk, nadia.pk], "scheduled_for": "2026-05-06T14:30"},
    )
    assert response.status_code == 302
    assert sorted(a.interviewer.email for a in Assignment.objects.all()) == [
        "ivan@example.org",
        "nadia@example.org",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ivan@example.org", "nadia@example.org"]
    html = recruiter_client.get(candidate_url(grace)).content.decode()
    assert html.count("Waiting for the scorecard") == 2
    assert "6 May 2026, 14:30" in html
    # Already assigned interviewers are no longer offered.
    assert f'value="{interviewer.pk}"' not in html


@pytest.mark.parametrize("tampered", ["99999999999999999999999", "not-a-number", "-1", "staff"])
def test_a_tampered_interviewer_id_is_refused_with_a_message(
    grace: Candidate, recruiter_client: Client, interviewer: User, tampered: str
) -> None:
    response = recruiter_client.post(
        candidate_url(grace), {"interviewers": [str(interviewer.pk), tampered]}
    )
    assert response.status_code == 400
    assert "Choose among the interviewers listed: one of them is not." in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_recruiter_cannot_assign_someone_who_is_not_offered(
    grace: Candidate, recruiter_client: Client, recruiter: User, interviewer: User
) -> None:
    response = recruiter_client.post(candidate_url(grace), {"interviewers": [str(recruiter.pk)]})
    assert response.status_code == 400
    assert "Choose among the interviewers listed: one of them is not." in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("typed", ["0001-01-01T10:00", "2062-05-06T14:30", "2025-05-01T09:00"])
def test_a_date_more_than_a_year_away_is_refused(
    clock: Any, grace: Candidate, recruiter_client: Client, interviewer: User, typed: str
) -> None:
    response = recruiter_client.post(
        candidate_url(grace), {"interviewers": [interviewer.pk], "scheduled_for": typed}
    )
    assert response.status_code == 400
    shown = typed.replace("T", " ")
    assert f"{shown} is more than a year from today: check the year." in (response.content.decode())
    assert not Assignment.objects.exists()


def test_the_page_says_why_interviews_cannot_be_assigned_yet(
    opening: Opening, recruiter: User, recruiter_client: Client, interviewer: User
) -> None:
    candidate = take_test(
        add_candidate(opening, recruiter, "Ada Byron", "byron@example.org"),
        example_answers("warning-review"),
    )
    html = recruiter_client.get(candidate_url(candidate)).content.decode()
    assert "Interviews cannot be assigned yet." in html
    assert "1 warning flag that a reviewer must acknowledge first" in html
    assert "Assign interviewers" not in html
    response = recruiter_client.post(candidate_url(candidate), {"interviewers": [interviewer.pk]})
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_the_recruiter_cancels_an_assignment(
    panel: dict[str, Assignment], grace: Candidate, recruiter_client: Client
) -> None:
    response = recruiter_client.post(reverse("interviews:cancel", args=[panel["ivan"].pk]))
    assert response.status_code == 302
    assert Assignment.objects.get(pk=panel["ivan"].pk).is_cancelled
    assert "Cancelled" in recruiter_client.get(candidate_url(grace)).content.decode()


def test_cancelling_twice_answers_409_with_the_candidates_interviews(
    panel: dict[str, Assignment], grace: Candidate, recruiter_client: Client
) -> None:
    recruiter_client.post(reverse("interviews:cancel", args=[panel["ivan"].pk]))
    again = recruiter_client.post(reverse("interviews:cancel", args=[panel["ivan"].pk]))
    assert again.status_code == 409
    page = again.content.decode()
    assert "This interview was already cancelled." in page
    assert "Cancelled" in page  # the candidate's interviews page, as it stands


# --- query counts -----------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_interviews_keeps_a_fixed_number_of_queries(
    grace: Candidate,
    alan: Candidate,
    opening: Opening,
    recruiter: User,
    assign: Assign,
    interviewer: User,
    client_as: ClientAs,
) -> None:
    client = client_as(interviewer)
    assign(grace, interviewer)
    one = _queries(client, reverse("interviews:mine"))
    submit(assign(alan, interviewer), IVAN_RATINGS)
    third = take_test(
        add_candidate(opening, recruiter, "Ada Byron", "byron@example.org"),
        example_answers("strong-pass"),
    )
    assign(third, interviewer)
    assert _queries(client, reverse("interviews:mine")) == one


def test_the_candidates_interviews_page_keeps_a_fixed_number_of_queries(
    grace: Candidate, assign: Assign, interviewer: User, nadia: User, recruiter_client: Client
) -> None:
    make_staff("Noor Haddad", "noor@example.org", Role.INTERVIEWER)  # still to choose from
    submit(assign(grace, interviewer), IVAN_RATINGS)
    one = _queries(recruiter_client, candidate_url(grace))
    submit(assign(grace, nadia), NADIA_RATINGS)
    assert _queries(recruiter_client, candidate_url(grace)) == one


def test_the_pages_of_an_erased_candidate_show_no_personal_data(
    panel: dict[str, Assignment],
    grace: Candidate,
    administrator: User,
    recruiter_client: Client,
    interviewer: User,
    client_as: ClientAs,
) -> None:
    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.REQUEST)
    for client, url in (
        (recruiter_client, candidate_url(grace)),
        (recruiter_client, kit_url(panel["nadia"])),
        (client_as(interviewer), kit_url(panel["ivan"])),
        (client_as(interviewer), reverse("interviews:mine")),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Grace Hopper" not in html
        assert NADIA_NOTE not in html
        assert "mean 1.4" not in html


def test_an_erased_candidates_kit_offers_no_scorecard_to_fill_in(
    panel: dict[str, Assignment],
    grace: Candidate,
    administrator: User,
    interviewer: User,
    client_as: ClientAs,
) -> None:
    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.REQUEST)
    client = client_as(interviewer)
    kit = client.get(kit_url(panel["ivan"])).content.decode()
    assert "Submit the scorecard" not in kit
    assert "The interview no longer takes place and there is no scorecard to submit." in kit
    mine = client.get(reverse("interviews:mine")).content.decode()
    assert "Candidate's data erased: nothing to do" in mine
    assert kit_url(panel["ivan"]) not in mine
    response = client.post(kit_url(panel["ivan"]), rating_post(IVAN_RATINGS))
    assert response.status_code == 409
    assert "This candidate&#x27;s personal data was erased: nothing is scored." in (
        response.content.decode()
    )
    assert not ScorecardVersion.objects.filter(assignment=panel["ivan"]).exists()
    nadias_kit = client_as(panel["nadia"].interviewer).get(kit_url(panel["nadia"]))
    assert "Amend (reason required)" not in nadias_kit.content.decode()
    amend_url = reverse("interviews:amend", args=[panel["nadia"].pk])
    response = client_as(panel["nadia"].interviewer).get(amend_url)
    assert response.status_code == 409
    assert "This candidate&#x27;s personal data was erased: nothing is scored." in (
        response.content.decode()
    )
