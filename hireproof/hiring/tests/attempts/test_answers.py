"""Saving as the candidate types, the deadline and its grace, and the plain-form fallback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from hireproof.audit.models import LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.hiring.actions.attempts import (
    ANSWER_COALESCE_SECONDS,
    AnswerRefused,
    RefusalReason,
    do_save_answer,
    do_submit_attempt,
)
from hireproof.hiring.models.attempts import Answer, SubmissionKind, saved_answers
from hireproof.hiring.tests.attempts.conftest import START, Link, save, started

pytestmark = pytest.mark.django_db


def events(event_type: str) -> list[Any]:
    leaves = LogLeaf.objects.filter(event_type=event_type).order_by("index")
    return [parse_leaf(bytes(leaf.data)) for leaf in leaves]


def test_each_change_is_saved_sealed_with_a_new_revision_and_an_event(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    first = save(candidate_client, grace, "cognitive-growth", "1200")
    clock.shift(timedelta(seconds=42))
    second = save(candidate_client, grace, "cognitive-growth", "1210")
    assert (first.status_code, second.status_code) == (200, 200)
    assert 'Saved <time datetime="2026-05-04T09:00:42+00:00">09:00:42 UTC</time>' in (
        second.content.decode()
    )
    assert second["X-Seconds-Left"] == str(30 * 60 - 42)
    answer = Answer.objects.get()
    assert (answer.item_id, answer.revision, answer.saved_at) == (
        "cognitive-growth",
        2,
        START + timedelta(seconds=42),
    )
    assert answer.text_sealed is not None
    assert b"1210" not in bytes(answer.text_sealed)
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}
    saved = events("answer.saved")
    assert [e.public for e in saved] == [
        {"attempt_id": attempt.pk, "item_id": "cognitive-growth", "revision": 1},
        {"attempt_id": attempt.pk, "item_id": "cognitive-growth", "revision": 2},
    ]
    assert [sorted(e.commitments) for e in saved] == [["answer"], ["answer"]]


def test_saving_the_same_text_again_changes_nothing(candidate_client: Client, grace: Link) -> None:
    started(candidate_client, grace)
    save(candidate_client, grace, "outlier-ages", "141")
    response = save(candidate_client, grace, "outlier-ages", "141")
    assert response.status_code == 200
    assert Answer.objects.get().revision == 1
    assert len(events("answer.saved")) == 1


def test_clearing_an_answer_saves_the_blank(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    save(candidate_client, grace, "outlier-ages", "141")
    clock.shift(timedelta(seconds=ANSWER_COALESCE_SECONDS))  # a revision of its own
    assert save(candidate_client, grace, "outlier-ages", "").status_code == 200
    assert saved_answers(attempt) == {"outlier-ages": ""}
    assert Answer.objects.get().revision == 2


def test_a_choice_is_saved_as_the_option_id(candidate_client: Client, grace: Link) -> None:
    attempt = started(candidate_client, grace)
    assert save(candidate_client, grace, "sjt-incomplete-data", "B").status_code == 200
    assert saved_answers(attempt) == {"sjt-incomplete-data": "B"}


def test_it_refuses_a_choice_that_is_not_one_of_the_options(
    candidate_client: Client, grace: Link
) -> None:
    started(candidate_client, grace)
    response = save(candidate_client, grace, "sjt-incomplete-data", "E")
    assert response.status_code == 400
    assert "Choose one of the options A, B, C, D for this question." in response.content.decode()
    assert not Answer.objects.exists()


def test_it_refuses_an_answer_too_long_to_keep(candidate_client: Client, grace: Link) -> None:
    started(candidate_client, grace)
    response = save(candidate_client, grace, "outlier-ages", "x" * 10_001)
    assert response.status_code == 400
    assert "This answer is 10,001 characters long; the most a box takes is 10,000." in (
        response.content.decode()
    )
    assert not Answer.objects.exists()


def test_a_question_the_playbook_does_not_have_is_not_found(
    candidate_client: Client, grace: Link
) -> None:
    started(candidate_client, grace)
    assert save(candidate_client, grace, "no-such-item", "1").status_code == 404


def test_a_save_without_the_answer_field_is_refused_and_keeps_the_saved_answer(
    candidate_client: Client, grace: Link
) -> None:
    attempt = started(candidate_client, grace)
    save(candidate_client, grace, "outlier-ages", "141")
    response = candidate_client.post(grace.url("save", "outlier-ages"), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert (
        response.content == b"No answer was sent: the request has no field 'answer-outlier-ages'."
    )
    assert saved_answers(attempt) == {"outlier-ages": "141"}
    assert len(events("answer.saved")) == 1


def test_a_save_in_the_grace_period_is_accepted(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    clock.shift(timedelta(minutes=30, seconds=10))
    response = save(candidate_client, grace, "cognitive-growth", "1210")
    assert response.status_code == 200
    assert response["X-Seconds-Left"] == "0"
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}
    assert grace.attempt.submitted_at is None


def test_a_late_save_is_refused_logged_and_the_attempt_auto_submitted(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    save(candidate_client, grace, "cognitive-growth", "1210")
    clock.shift(timedelta(minutes=30, seconds=11))
    response = save(candidate_client, grace, "outlier-ages", "141")
    page = response.content.decode()
    assert response.status_code == 409
    assert "Time is up: this answer arrived after the deadline and was not saved." in page
    assert response["X-Seconds-Left"] == "0"
    assert response["X-Attempt-Done"] == grace.url("done")
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}
    refused = events("answer.refused_late")
    assert [e.public for e in refused] == [
        {"attempt_id": attempt.pk, "item_id": "outlier-ages", "seconds_after_deadline": 11}
    ]
    assert sorted(refused[0].commitments) == ["answer"]
    after = grace.attempt
    assert after.submission == SubmissionKind.AUTOMATIC
    assert after.submitted_at == START + timedelta(minutes=30, seconds=11)
    assert [e.event_type for e in events("attempt.auto_submitted")] == ["attempt.auto_submitted"]


def test_a_save_after_submitting_is_refused(candidate_client: Client, grace: Link) -> None:
    started(candidate_client, grace)
    candidate_client.post(grace.url("submit"))
    response = save(candidate_client, grace, "cognitive-growth", "1210")
    assert response.status_code == 409
    assert "Your assessment was already submitted, so this answer was not saved." in (
        response.content.decode()
    )
    assert response["X-Attempt-Done"] == grace.url("done")
    assert not Answer.objects.exists()


def test_the_questions_page_resumes_with_the_saved_answers_and_the_time_left(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    save(candidate_client, grace, "cognitive-growth", "1210")
    save(candidate_client, grace, "sjt-incomplete-data", "B")
    save(candidate_client, grace, "outlier-ages", "141, nobody is that old")
    clock.shift(timedelta(minutes=12, seconds=30))
    page = Client().get(grace.url("questions")).content.decode()  # a new browser
    assert 'data-seconds-left="1050"' in page
    assert ">17:30</span>" in page
    # A <time>, which the page's script shows in the candidate's time zone like the save times.
    deadline = (START + timedelta(minutes=30)).isoformat()
    assert f'(ends at <time datetime="{deadline}">' in page
    assert 'name="answer-cognitive-growth" value="1210"' in page
    assert 'value="B" checked>' in page
    assert ">141, nobody is that old</textarea>" in page
    assert page.count('type="radio"') == 8
    assert page.count("Saved <time") == 3


def test_every_control_has_a_label(candidate_client: Client, grace: Link) -> None:
    started(candidate_client, grace)
    page = candidate_client.get(grace.url("questions")).content.decode()
    import re

    ids = re.findall(r'<(?:input|textarea)[^>]*\sid="([^"]+)"', page)
    assert len(ids) == 11  # 3 typed answers and 8 options
    for control in ids:
        assert f'<label for="{control}">' in page, control


def test_one_question_per_page_shows_only_that_question(
    candidate_client: Client, grace: Link
) -> None:
    started(candidate_client, grace)
    page = candidate_client.get(grace.url("questions") + "?q=2").content.decode()
    assert "Question 2 of 5" in page
    assert "Question 1 of 5" not in page
    assert 'href="?q=1">Previous question</a>' in page
    assert 'href="?q=3">Next question</a>' in page


def test_without_javascript_the_form_saves_every_answer(
    candidate_client: Client, grace: Link
) -> None:
    attempt = started(candidate_client, grace)
    response = candidate_client.post(
        grace.url("questions"),
        {
            "answer-cognitive-growth": "1210",
            "answer-sjt-incomplete-data": "B",
            "answer-outlier-ages": "",
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == grace.url("questions") + "?saved=1"
    # The blank box was never answered, so there is nothing to save for it.
    assert saved_answers(attempt) == {"cognitive-growth": "1210", "sjt-incomplete-data": "B"}
    page = candidate_client.get(response["Location"]).content.decode()
    assert "Your answers are saved." in page


def test_without_javascript_review_and_submit_saves_then_asks_to_confirm(
    candidate_client: Client, grace: Link
) -> None:
    attempt = started(candidate_client, grace)
    response = candidate_client.post(
        grace.url("questions"), {"answer-cognitive-growth": "1210", "action": "submit"}
    )
    assert response["Location"] == grace.url("submit")
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}
    page = candidate_client.get(grace.url("submit")).content.decode()
    assert "You have answered 1 of 5 questions. 4 questions are still blank." in page
    assert grace.attempt.submitted_at is None


def test_a_wrong_answer_in_the_form_is_shown_back_with_what_was_typed(
    candidate_client: Client, grace: Link
) -> None:
    attempt = started(candidate_client, grace)
    response = candidate_client.post(
        grace.url("questions"),
        {"answer-cognitive-growth": "1210", "answer-outlier-ages": "y" * 10_001},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Some answers were not saved" in page
    assert "This answer is 10,001 characters long" in page
    assert "y" * 10_001 + "</textarea>" in page
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}


def test_the_countdown_at_zero_submits_the_form_with_its_last_answers(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    clock.shift(timedelta(minutes=30, seconds=2))
    response = candidate_client.post(
        grace.url("questions"), {"answer-pandas-filter-sum": "70", "action": "timeout"}
    )
    assert response["Location"] == grace.url("done")
    after = grace.attempt
    assert after.submission == SubmissionKind.AUTOMATIC
    assert saved_answers(attempt) == {"pandas-filter-sum": "70"}


def test_a_browser_countdown_ending_early_saves_the_answers_and_keeps_the_attempt_open(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    clock.shift(timedelta(minutes=10))  # the browser's clock is 20 minutes ahead
    response = candidate_client.post(
        grace.url("questions"), {"answer-pandas-filter-sum": "70", "action": "timeout"}
    )
    assert response.status_code == 302
    assert response["Location"] == grace.url("questions") + "?saved=1"
    assert grace.attempt.submitted_at is None
    assert saved_answers(attempt) == {"pandas-filter-sum": "70"}
    assert events("attempt.auto_submitted") == []


def test_a_browser_countdown_ending_early_on_the_submit_step_submits_nothing(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    clock.shift(timedelta(minutes=10))
    response = candidate_client.post(grace.url("submit"), {"action": "timeout"})
    assert response.status_code == 302
    assert response["Location"] == grace.url("submit")
    assert grace.attempt.submitted_at is None
    assert events("attempt.auto_submitted") == events("attempt.submitted") == []


def test_a_browser_countdown_a_moment_ahead_of_the_server_still_submits(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    clock.shift(timedelta(minutes=29, seconds=57))  # 3 seconds before the server's deadline
    response = candidate_client.post(grace.url("submit"), {"action": "timeout"})
    assert response["Location"] == grace.url("done")
    assert grace.attempt.submission == SubmissionKind.AUTOMATIC


def test_a_late_form_post_saves_nothing_and_submits_what_was_saved(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    save(candidate_client, grace, "cognitive-growth", "1210")
    clock.shift(timedelta(hours=1))
    response = candidate_client.post(
        grace.url("questions"),
        {
            "answer-cognitive-growth": "1210",
            "answer-outlier-ages": "141",
            "answer-pandas-filter-sum": "",
            "action": "save",
        },
    )
    assert response["Location"] == grace.url("done")
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}
    assert grace.attempt.submission == SubmissionKind.AUTOMATIC
    # Only the answer that would have changed something is logged as refused.
    assert [e.public["item_id"] for e in events("answer.refused_late")] == ["outlier-ages"]


def test_the_time_endpoint_gives_the_servers_remaining_seconds(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    clock.shift(timedelta(minutes=29))
    assert candidate_client.get(grace.url("time_left")).json() == {"seconds_left": 60}
    clock.shift(timedelta(minutes=2))
    assert candidate_client.get(grace.url("time_left")).json() == {"seconds_left": 0}


def test_a_save_racing_the_submission_is_refused(candidate_client: Client, grace: Link) -> None:
    stale = started(candidate_client, grace)
    do_submit_attempt(grace.attempt)
    with pytest.raises(AnswerRefused, match="already submitted") as refused:
        do_save_answer(stale, "outlier-ages", "141")
    assert refused.value.reason is RefusalReason.SUBMITTED
    assert not Answer.objects.exists()
