"""The candidate in a real Chromium: autosave, reload, and the deadline enforced by the server.

Driven by Playwright against Debian's Chromium (the ``page`` fixture of
``hireproof.testing.browser``); skipped with a reason when it is missing. Deadlines are moved in
the database so each run takes seconds.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone

from hireproof.audit.models import LogLeaf
from hireproof.hiring.models.attempts import Attempt, IntegritySignal, SubmissionKind, saved_answers
from hireproof.hiring.tests.attempts.conftest import InviteFn, Link
from hireproof.testing.proxy import refusing_proxy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def link(invite: InviteFn) -> Link:
    return invite("Grace Hopper", "grace@example.org", "browser-token-0123456789abcdef")


def start(page: Any, live_server: Any, link: Link) -> None:
    page.goto(live_server.url + link.url())
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/questions/")


def move_deadline(link: Link, seconds_from_now: float) -> None:
    deadline = timezone.now() + timedelta(seconds=seconds_from_now)
    Attempt.objects.filter(invitation=link.invitation).update(deadline=deadline)


def test_a_save_past_the_deadline_is_refused_and_the_attempt_auto_submitted(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    start(page, live_server, link)
    page.get_by_label("Your answer to question 1").fill("1210")
    expect(page.locator("#status-cognitive-growth")).to_contain_text("Saved")
    page.reload()
    expect(page.get_by_label("Your answer to question 1")).to_have_value("1210")

    move_deadline(link, -30)  # past the deadline and its 10-second grace
    page.get_by_label("Your answer to question 4").fill("141")
    expect(page.locator("#status-outlier-ages")).to_contain_text(
        "Time is up: this answer arrived after the deadline and was not saved."
    )
    expect(page.get_by_role("alert")).to_contain_text("Your saved answers have been submitted")
    page.wait_for_url("**/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are submitted")
    expect(page.locator("main")).to_contain_text("Your time ran out")

    attempt = Attempt.objects.get(invitation=link.invitation)
    assert attempt.submission == SubmissionKind.AUTOMATIC
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}
    assert LogLeaf.objects.filter(event_type="answer.refused_late").count() == 1
    assert LogLeaf.objects.filter(event_type="attempt.auto_submitted").count() == 1


def test_the_countdown_at_zero_submits_the_last_answers_by_itself(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    start(page, live_server, link)
    move_deadline(link, 4)
    page.reload()
    page.get_by_label("Your answer to question 2").fill("70")
    page.wait_for_url("**/done/", timeout=20_000)
    expect(page.locator("main")).to_contain_text("Your time ran out")
    attempt = Attempt.objects.get(invitation=link.invitation)
    assert attempt.submission == SubmissionKind.AUTOMATIC
    assert saved_answers(attempt) == {"pandas-filter-sum": "70"}


def test_an_answer_typed_while_offline_is_kept_and_saved_when_back_online(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    start(page, live_server, link)
    page.context.set_offline(True)
    page.get_by_label("Your answer to question 1").fill("1210")
    expect(page.locator("#status-cognitive-growth")).to_contain_text("Not saved yet")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#status-cognitive-growth")).to_contain_text("Saved")
    attempt = Attempt.objects.get(invitation=link.invitation)
    assert saved_answers(attempt) == {"cognitive-growth": "1210"}


def test_the_questions_work_with_the_keyboard_alone(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    start(page, live_server, link)
    page.get_by_label("Your answer to question 1").focus()
    page.keyboard.type("1210")
    page.keyboard.press("Tab")  # to question 2
    page.keyboard.press("Tab")  # to question 3's radio group
    page.keyboard.press("ArrowDown")  # the arrow keys choose within a radio group
    expect(page.locator("#status-sjt-incomplete-data")).to_contain_text("Saved")
    checked = page.locator("input[name='answer-sjt-incomplete-data']:checked")
    expect(checked).to_have_count(1)


def test_leaving_the_page_and_pasting_are_sent_as_signals(
    page: Any, live_server: Any, link: Link
) -> None:

    start(page, live_server, link)

    def signal_sent() -> Any:
        # Wait for the page's own request to finish, one signal at a time: the test server's
        # in-memory SQLite refuses a second writer, and a query from here would race it too.
        return page.expect_response(lambda response: "/signals/" in response.url)

    with signal_sent():
        page.evaluate("window.dispatchEvent(new Event('blur'))")
    with signal_sent():
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.get_by_label("Your answer to question 4").focus()
    with signal_sent():
        page.evaluate(
            """() => {
                const data = new DataTransfer();
                data.setData('text/plain', '141 is not a human age');
                const field = document.getElementById('answer-outlier-ages');
                field.dispatchEvent(
                    new ClipboardEvent('paste', {clipboardData: data, bubbles: true})
                );
            }"""
        )
    signals = IntegritySignal.objects.filter(attempt__invitation=link.invitation)
    assert list(signals.values_list("kind", "item_id", "chars")) == [
        ("focus_lost", "", 0),
        ("focus_returned", "", 0),
        ("paste", "outlier-ages", 22),
    ]


def test_an_answer_typed_just_before_a_reload_is_kept_and_saved(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    start(page, live_server, link)
    # Reloaded at once: before the autosave's pause after typing has run out.
    page.get_by_label("Your answer to question 4").fill("141 is not a human age")
    page.reload()
    expect(page.get_by_label("Your answer to question 4")).to_have_value("141 is not a human age")
    expect(page.locator("#status-outlier-ages")).to_contain_text("Saved")
    attempt = Attempt.objects.get(invitation=link.invitation)
    assert saved_answers(attempt) == {"outlier-ages": "141 is not a human age"}


def test_an_answer_typed_just_before_leaving_the_page_is_saved(
    page: Any, live_server: Any, link: Link
) -> None:
    start(page, live_server, link)
    page.get_by_label("Your answer to question 2").fill("70")
    page.goto("about:blank")  # left at once: before the autosave's pause has run out
    assert saved_once_the_server_is_done(link) == {"pandas-filter-sum": "70"}


def saved_once_the_server_is_done(link: Link) -> dict[str, str]:
    """The saved answers, read once the server has handled a request sent as a page went away.

    Nothing on the page tells when that request is done, so this waits, then reads; the test
    server's in-memory SQLite refuses a read while the server writes, so a refused read is
    tried again.
    """
    time.sleep(1)
    for _ in range(50):
        try:
            answers = saved_answers(Attempt.objects.get(invitation=link.invitation))
        except OperationalError:
            answers = {}
        if answers:
            return answers
        time.sleep(0.1)
    return {}


def test_the_confirmation_removes_every_draft_the_device_kept(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    start(page, live_server, link)
    # A draft left behind, as when the time runs out while the candidate is typing.
    page.evaluate(
        "key => localStorage.setItem(key, JSON.stringify({base: '', text: '141'}))",
        f"hireproof-draft {link.attempt.pk} outlier-ages",
    )
    page.evaluate("localStorage.setItem('another-site-key', 'kept')")
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Yes, submit my answers").click()
    page.wait_for_url("**/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are submitted")
    page.wait_for_load_state("load")
    keys = page.evaluate("Object.keys(localStorage)")
    assert [key for key in keys if key.startswith("hireproof-draft")] == []
    assert "another-site-key" in keys  # only this attempt's drafts are removed


def is_a_save(method: str, path: str) -> bool:
    return method == "POST" and "/answers/" in path


def test_saves_refused_by_an_overloaded_server_are_kept_retried_and_arrive(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    with refusing_proxy(live_server.url) as proxy:
        page.goto(proxy.url + link.url())
        page.get_by_role("button", name="Start the assessment").click()
        page.wait_for_url("**/questions/")
        answer = page.get_by_label("Your answer to question 4")
        status = page.locator("#status-outlier-ages")

        proxy.refuse(is_a_save)  # the server is overloaded: every save gets a 503
        answer.fill("141 is not an age")
        expect(status).to_contain_text("Not saved yet — retrying in")
        # Reloaded while saves fail: the text typed is put back from the device and retried.
        page.reload()
        expect(answer).to_have_value("141 is not an age")
        expect(status).to_contain_text("Not saved yet — retrying in")
        answer.fill("141 is not an age: check the source")
        refused = proxy.refused
        # The save of that typing and at least one retry after it reach the server and are
        # refused (counted by the proxy: the page's "trying again now" lasts only as long as
        # a refused request, too short to watch for reliably).
        deadline = time.monotonic() + 60
        while proxy.refused < refused + 2:
            assert time.monotonic() < deadline, f"no retry after {proxy.refused - refused} saves"
            page.wait_for_timeout(200)
        expect(status).to_contain_text("retrying in", timeout=20_000)
        assert saved_answers(link.attempt) == {}

        proxy.refuse(None)  # the server recovers: the next retry goes through
        expect(status).to_contain_text("Saved", timeout=45_000)
        assert proxy.refused > refused  # it kept trying while refused
        assert saved_answers(link.attempt) == {
            "outlier-ages": "141 is not an age: check the source"
        }
        # Saved: nothing is left on the device.
        keys = page.evaluate("Object.keys(localStorage)")
        assert [key for key in keys if key.startswith("hireproof-draft")] == []


def test_a_draft_older_than_the_servers_text_is_not_put_back(
    page: Any, live_server: Any, link: Link
) -> None:
    from playwright.sync_api import expect

    start(page, live_server, link)
    answer = page.get_by_label("Your answer to question 4")
    answer.fill("typed in another tab, later")
    expect(page.locator("#status-outlier-ages")).to_contain_text("Saved")
    attempt_id = link.attempt.pk
    # A draft this device kept from before that save (dated an hour ago, over a blank).
    page.evaluate(
        "([key, at]) => localStorage.setItem(key, JSON.stringify("
        "{text: 'an old draft', base: '', sent: [], at: at}))",
        [f"hireproof-draft {attempt_id} outlier-ages", time.time() * 1000 - 3_600_000],
    )
    page.reload()
    expect(answer).to_have_value("typed in another tab, later")
    keys = page.evaluate("Object.keys(localStorage)")
    assert [key for key in keys if key.startswith("hireproof-draft")] == []
    assert saved_answers(link.attempt) == {"outlier-ages": "typed in another tab, later"}
