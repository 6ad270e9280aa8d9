"""Warning flags must be acknowledged with a note before a candidate moves on; critical flags
can never be acknowledged away."""

from __future__ import annotations

import pytest
from django.test import Client

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.audit.tests.factories import without_event_time
from hireproof.core.audit import EventType, parse_leaf
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.reviews import ReviewRefused, do_acknowledge_flag
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.flags import can_move_on, open_flags
from hireproof.hiring.models.reviews import FlagAcknowledgement
from hireproof.hiring.tests.reviews.conftest import (
    RIGHT,
    SitFn,
    acknowledge_url,
    attempt_of,
    html_of,
    page_url,
)

pytestmark = pytest.mark.django_db

NOTE = "Asked on a call: they would explain the drivers. Fine to move on."
FIELD = "flag-communication-summary-note"


@pytest.fixture
def warned(seat: SitFn) -> Candidate:
    """Grace chose the black-box reply (a warning) and got everything else right."""
    return seat("Grace Hopper", "grace@example.org", {**RIGHT, "communication-summary": "C"})


@pytest.fixture
def disqualified(seat: SitFn) -> Candidate:
    """Alan chose to fabricate data (critical) and the black-box reply (a warning)."""
    return seat(
        "Alan Turing",
        "alan@example.org",
        {**RIGHT, "sjt-incomplete-data": "D", "communication-summary": "C"},
    )


def test_a_warning_keeps_the_candidate_from_moving_on_until_acknowledged(
    warned: Candidate, recruiter: User
) -> None:
    attempt = attempt_of(warned)
    assert [(f.item_id, str(f.severity)) for f in open_flags(attempt)] == [
        ("communication-summary", "warning")
    ]
    assert can_move_on(attempt) is False
    acknowledgement = do_acknowledge_flag(
        actor=recruiter, attempt=attempt, item_id="communication-summary", note=f"  {NOTE}  "
    )
    assert (acknowledgement.reviewer, acknowledgement.note) == (recruiter, NOTE)
    assert open_flags(attempt) == []
    assert can_move_on(attempt) is True


def test_acknowledging_records_the_event_with_only_ids_in_public(
    warned: Candidate, recruiter: User
) -> None:
    attempt = attempt_of(warned)
    do_acknowledge_flag(
        actor=recruiter, attempt=attempt, item_id="communication-summary", note=NOTE
    )
    last = LogLeaf.objects.order_by("-index").first()
    assert last is not None
    leaf = without_event_time(parse_leaf(bytes(last.data)))
    assert leaf.event_type is EventType.FLAG_ACKNOWLEDGED
    assert leaf.actor == f"staff:{recruiter.pk}"
    assert leaf.subject == warned.subject.pseudonym
    assert dict(leaf.public) == {"attempt_id": attempt.pk, "item_id": "communication-summary"}
    assert dict(leaf.commitments) == {}


@pytest.mark.parametrize("note", ["", "   ", "ok fine", "123456789"])
def test_it_refuses_an_acknowledgement_without_a_real_note(
    warned: Candidate, recruiter: User, note: str
) -> None:
    events = LogLeaf.objects.count()
    with pytest.raises(ReviewRefused, match="Write a note of at least 10 characters"):
        do_acknowledge_flag(
            actor=recruiter, attempt=attempt_of(warned), item_id="communication-summary", note=note
        )
    assert FlagAcknowledgement.objects.count() == 0
    assert LogLeaf.objects.count() == events


def test_it_refuses_to_acknowledge_a_warning_twice(warned: Candidate, recruiter: User) -> None:
    attempt = attempt_of(warned)
    do_acknowledge_flag(
        actor=recruiter, attempt=attempt, item_id="communication-summary", note=NOTE
    )
    with pytest.raises(ReviewRefused, match="already acknowledged"):
        do_acknowledge_flag(
            actor=recruiter, attempt=attempt, item_id="communication-summary", note=NOTE
        )


def test_it_refuses_an_item_that_raised_no_flag(warned: Candidate, recruiter: User) -> None:
    with pytest.raises(ReviewRefused, match=r"The answer to outlier-ages raised no red flag\."):
        do_acknowledge_flag(
            actor=recruiter, attempt=attempt_of(warned), item_id="outlier-ages", note=NOTE
        )


def test_a_critical_flag_cannot_be_acknowledged_away(
    disqualified: Candidate, recruiter: User
) -> None:
    attempt = attempt_of(disqualified)
    with pytest.raises(ReviewRefused, match="cannot be acknowledged away"):
        do_acknowledge_flag(
            actor=recruiter, attempt=attempt, item_id="sjt-incomplete-data", note=NOTE
        )
    do_acknowledge_flag(
        actor=recruiter, attempt=attempt, item_id="communication-summary", note=NOTE
    )
    assert open_flags(attempt) == []
    assert can_move_on(attempt) is False


def test_no_candidate_moves_on_before_scoring(seat: SitFn) -> None:
    started = seat("Grace Hopper", "grace@example.org", {"cognitive-growth": "1210"}, submit=None)
    assert can_move_on(attempt_of(started)) is False
    assert open_flags(attempt_of(started)) == []


def test_an_erased_candidate_moves_on_nowhere_and_their_notes_are_blanked(
    warned: Candidate, recruiter: User, administrator: User
) -> None:
    attempt = attempt_of(warned)
    do_acknowledge_flag(
        actor=recruiter, attempt=attempt, item_id="communication-summary", note=NOTE
    )
    do_erase_candidate(actor=administrator, candidate=warned, basis=ErasureBasis.REQUEST)
    assert list(FlagAcknowledgement.objects.values_list("item_id", "note")) == [
        ("communication-summary", "")
    ]
    assert can_move_on(attempt_of(warned)) is False
    with pytest.raises(ReviewRefused, match="personal data was erased"):
        do_acknowledge_flag(
            actor=recruiter, attempt=attempt_of(warned), item_id="communication-summary", note=NOTE
        )


def test_the_page_shows_the_critical_flag_prominently_without_a_form(
    recruiter_client: Client, disqualified: Candidate
) -> None:
    html = html_of(recruiter_client, disqualified)
    assert '<div class="critical-banner" role="alert">' in html
    assert "<strong>Critical fail.</strong>" in html
    assert "this flag cannot be acknowledged away." in html
    assert "flag-sjt-incomplete-data-note" not in html
    assert "<strong>Cannot move on:</strong> a critical red flag was raised." in html


def test_posting_a_note_without_javascript_acknowledges_and_returns_to_the_item(
    recruiter_client: Client, warned: Candidate
) -> None:
    response = recruiter_client.post(
        acknowledge_url(warned, "communication-summary"), {FIELD: NOTE}
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(warned) + "#item-communication-summary"
    html = html_of(recruiter_client, warned)
    assert "Acknowledged by Rosa Parks on" in html
    assert f"“{NOTE}”" in html
    assert "Every warning is acknowledged: the candidate can move on." in html


def test_posting_a_short_note_without_javascript_shows_the_page_again_with_the_error(
    recruiter_client: Client, warned: Candidate
) -> None:
    response = recruiter_client.post(
        acknowledge_url(warned, "communication-summary"), {FIELD: "ok"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The note is too short: write at least 10 characters (it has 2)." in html
    assert '<textarea name="flag-communication-summary-note"' in html
    assert FlagAcknowledgement.objects.count() == 0


def test_htmx_gets_the_flag_block_and_the_updated_status_back(
    recruiter_client: Client, warned: Candidate
) -> None:
    response = recruiter_client.post(
        acknowledge_url(warned, "communication-summary"), {FIELD: NOTE}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(
        '<div class="flag-box flag-warning" id="flag-communication-summary">'
    )
    assert "Acknowledged by Rosa Parks on" in html
    assert '<div id="review-status" class="review-status" hx-swap-oob="true" role="status">' in html
    assert "Every warning is acknowledged: the candidate can move on." in html


def test_htmx_gets_the_form_back_with_the_error_for_a_missing_note(
    recruiter_client: Client, warned: Candidate
) -> None:
    response = recruiter_client.post(
        acknowledge_url(warned, "communication-summary"), {FIELD: ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Write a note before acknowledging: what you checked, and why." in html
    assert "<strong>Cannot move on yet:</strong> 1 warning to acknowledge" in html


def test_posting_for_a_critical_flag_is_refused_with_the_reason(
    recruiter_client: Client, disqualified: Candidate
) -> None:
    url = acknowledge_url(disqualified, "sjt-incomplete-data")
    response = recruiter_client.post(url, {"flag-sjt-incomplete-data-note": NOTE})
    assert response.status_code == 409
    assert "a critical flag cannot be acknowledged away." in response.content.decode()
    assert 'id="item-sjt-incomplete-data"' in response.content.decode()  # the candidate's page
    assert FlagAcknowledgement.objects.count() == 0


def test_htmx_posting_for_a_critical_flag_shows_the_reason_in_the_flag_block(
    recruiter_client: Client, disqualified: Candidate
) -> None:
    url = acknowledge_url(disqualified, "sjt-incomplete-data")
    response = recruiter_client.post(
        url, {"flag-sjt-incomplete-data-note": NOTE}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert (
        '<div class="form-errors" role="alert"><p>The flag on sjt-incomplete-data is critical'
        in html
    )
    assert FlagAcknowledgement.objects.count() == 0


def test_posting_for_an_item_without_a_flag_is_not_found(
    recruiter_client: Client, warned: Candidate
) -> None:
    response = recruiter_client.post(
        acknowledge_url(warned, "outlier-ages"), {"flag-outlier-ages-note": NOTE}
    )
    assert response.status_code == 404


def test_it_refuses_a_note_too_long_to_keep(warned: Candidate, recruiter: User) -> None:
    with pytest.raises(ReviewRefused, match="The note is 2,001 characters long"):
        do_acknowledge_flag(
            actor=recruiter,
            attempt=attempt_of(warned),
            item_id="communication-summary",
            note="x" * 2001,
        )


def test_it_refuses_an_attempt_not_scored_yet(seat: SitFn, recruiter: User) -> None:
    started = seat("Alan Turing", "alan@example.org", {"sjt-incomplete-data": "A"}, submit=None)
    with pytest.raises(ReviewRefused, match="not scored yet"):
        do_acknowledge_flag(
            actor=recruiter, attempt=attempt_of(started), item_id="sjt-incomplete-data", note=NOTE
        )
