"""The steps each person takes in the end-to-end browser flows, found the way a screen reader
user would find them: by role, label and accessible name.

Used by ``test_end_to_end_browser.py``. Every step waits on what the page shows (``expect``),
never on a clock.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.urls import reverse

from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.testing.browser import NewPage
from hireproof.testing.personas import PERSONA_PASSWORD, PERSONAS

if TYPE_CHECKING:
    from playwright.sync_api import Page

OPENING_TITLE = "Data Scientist (Lisbon)"
CANDIDATE_NAME = "Grace Hopper"
CANDIDATE_EMAIL = "grace@example.org"
LINK_IN_EMAIL = re.compile(r"^(http://\S+/a/[^/\s]+/)$", re.MULTILINE)
SAVED = re.compile(r"\bSaved \d")  # the time after it is in the browser's locale
CLOCK = re.compile(r"^(\d+):(\d\d)$")  # "27:41"; no named groups: the browser runs it too

# The answers Grace gives, question by question (the built-in data-scientist-mid playbook).
# Option C of the last question is a warning red flag: 4 of 5 points, a strong pass to review.
ANSWER_GROWTH = "1210"
ANSWER_PANDAS = "70"
ANSWER_OUTLIER = "141, because no one is that old"

INTERVIEWERS = [
    # name, email, a rating per kit question (past-project ... continuous-learning)
    ("Ivan Petrov", "ivan@example.org", [4, 4, 5, 4, 4]),
    ("Jun Ito", "jun@example.org", [4, 5, 4, 4, 5]),
]
ACKNOWLEDGEMENT = "Asked her about it by phone: she explains her results in plain words."
DECISION_REASON = "Strong written test and two strong interviews; explains her work clearly."
DECISION_JUSTIFICATION = "The one warning was reviewed with her and is not a concern."


def expect(target: Any) -> Any:
    """Playwright's ``expect``, imported late: Playwright is a dev dependency."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def hireproof_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hireproof`` console script, as an auditor would on their machine."""
    script = Path(sys.executable).with_name("hireproof")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hireproof"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, check=False
    )


# --- the recruiter ----------------------------------------------------------------------------


def sign_in(page: Page, live_server: Any, email: str) -> None:
    """Sign in through the form, with the persona password every test user has."""
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Welcome, "))


def create_opening(page: Page, version: PlaybookVersion) -> None:
    """From the home page, create an opening pinned to ``version``; ends on its pipeline."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Openings").click()
    page.get_by_role("link", name="New opening").click()
    page.get_by_label("Job title").fill(OPENING_TITLE)
    page.get_by_label("Playbook version").select_option(
        label=f"{version.title} — {version.playbook_id} {version.version} ({version.short_hash})"
    )
    page.get_by_role("button", name="Create the opening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPENING_TITLE)


def add_and_invite_candidate(page: Page) -> str:
    """On the pipeline, add the candidate and invite them; return the link from the email."""
    page.get_by_role("link", name="Add a candidate").click()
    page.get_by_label("Full name").fill(CANDIDATE_NAME)
    page.get_by_label("Email").fill(CANDIDATE_EMAIL)
    page.get_by_role("button", name="Add the candidate").click()
    expect(page.get_by_role("status")).to_contain_text(f"{CANDIDATE_NAME} is added.")
    page.get_by_role("link", name=f"Invite {CANDIDATE_NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invite {CANDIDATE_NAME}")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {CANDIDATE_EMAIL}.")
    return invitation_link()


def invitation_link() -> str:
    """The personal link in the one email sent, to the candidate."""
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [CANDIDATE_EMAIL]
    found = LINK_IN_EMAIL.findall(str(email.body))
    assert len(found) == 1, email.body
    return str(found[0])


def pipeline_row(page: Page) -> Any:
    """The candidate's row in the pipeline table."""
    return page.get_by_role("row", name=re.compile(f"^{CANDIDATE_NAME}"))


# --- the candidate ----------------------------------------------------------------------------


def answer_field(page: Page, number: int) -> Any:
    """The answer box of question ``number``, found by its label."""
    return page.get_by_label(f"Your answer to question {number}", exact=True)


def choice_question(page: Page, number: int) -> Any:
    """The group of options of question ``number``, found by its legend."""
    return page.get_by_role("group", name=re.compile(f"^Question {number} of 5 "))


def answer(page: Page, number: int, text: str) -> None:
    """Type ``text`` as the answer to question ``number``, leave the box, wait for the save."""
    field = answer_field(page, number)
    field.fill(text)
    # Leaving the box sends its change now, so no later save of it overlaps the next question's.
    field.press("Tab")
    expect_saved(field)


def expect_saved(field: Any) -> None:
    """Wait until the save note the field is described by says it was saved."""
    expect(field).to_have_accessible_description(SAVED)


def seconds_on_the_clock(page: Page) -> int:
    """The countdown's time left, in seconds, as the candidate reads it."""
    clock = page.get_by_role("timer")
    expect(clock).to_have_text(CLOCK)
    shown = CLOCK.fullmatch(clock.inner_text().strip())
    assert shown is not None
    minutes, seconds = shown.groups()
    return int(minutes) * 60 + int(seconds)


def choose(page: Page, number: int, option: str) -> None:
    """Pick ``option`` (a letter) in question ``number`` and wait for the save."""
    group = choice_question(page, number)
    group.get_by_role("radio", name=re.compile(f"^{option}\\. ")).check()
    expect(group).to_have_accessible_description(SAVED)


def take_the_assessment(page: Page, link: str) -> None:
    """Start, answer two questions, reload, find them kept, answer the rest and submit."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{OPENING_TITLE}: written assessment"
    )
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/questions/")
    answer(page, 1, ANSWER_GROWTH)
    answer(page, 2, ANSWER_PANDAS)
    before_reload = seconds_on_the_clock(page)

    page.reload()

    expect(answer_field(page, 1)).to_have_value(ANSWER_GROWTH)
    expect(answer_field(page, 2)).to_have_value(ANSWER_PANDAS)
    expect_saved(answer_field(page, 1))
    assert 25 * 60 < seconds_on_the_clock(page) <= before_reload <= 30 * 60
    choose(page, 3, "B")
    answer(page, 4, ANSWER_OUTLIER)
    choose(page, 5, "C")
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your answers?")
    expect(page.get_by_role("main")).to_contain_text("You have answered 5 of 5 questions.")
    page.get_by_role("button", name="Yes, submit my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are submitted")


# --- after the written test: review, interviews, decision ------------------------------------


def fact(container: Any, term: str) -> Any:
    """The definition given for ``term`` in a definition list inside ``container``."""
    return container.locator(f"dt:text-is('{term}') + dd")


def acknowledge_the_warning(page: Page) -> None:
    """On the candidate page, acknowledge the warning on the communication question."""
    item = page.get_by_role("article", name="5. Communication (communication-summary)")
    item.get_by_label("Your note on the warning for communication-summary").fill(ACKNOWLEDGEMENT)
    item.get_by_role("button", name="Acknowledge the warning").click()
    expect(item).to_contain_text(f"Acknowledged by {PERSONAS['recruiter'].full_name}")


def assign_interviewers(page: Page, live_server: Any, candidate: Candidate) -> None:
    """Assign both interviewers from the candidate's interviews page."""
    page.goto(live_server.url + candidate_url("interviews:candidate", candidate))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Interviews: {CANDIDATE_NAME}")
    for name, email, _ in INTERVIEWERS:
        page.get_by_label(f"{name} ({email})").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_have_text(
        "Assigned: Ivan Petrov, Jun Ito. They were sent the kit's link."
    )


def candidate_url(name: str, candidate: Candidate) -> str:
    """The path of the staff page ``name`` about ``candidate``."""
    return reverse(name, args=[candidate.opening_id, candidate.pk])


def submit_scorecard(page: Page, ratings: list[int]) -> None:
    """On the interview kit, rate each question and submit."""
    for number, rating in enumerate(ratings, start=1):
        question = page.get_by_role("group", name=re.compile(f"^Question {number} · "))
        question.get_by_role("radio", name=re.compile(f"^{rating} – ")).check()
    page.get_by_label("Notes").fill("Clear, specific answers with measurable results.")
    page.get_by_role("button", name="Submit the scorecard").click()
    expect(page.get_by_role("status")).to_have_text("Your scorecard is submitted.")


def interview(new_page: NewPage, live_server: Any, email: str, ratings: list[int]) -> Page:
    """An interviewer signs in, opens the kit from "My interviews" and submits a scorecard;
    until then the other interviewers' ratings are hidden from them."""
    page = new_page()
    sign_in(page, live_server, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My interviews").click()
    page.get_by_role("link", name=f"Open the interview kit for {CANDIDATE_NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Interview kit: {CANDIDATE_NAME}")
    expect(other_interviewers(page)).to_contain_text(
        "Other interviewers' ratings are hidden until you submit your own scorecard"
    )
    submit_scorecard(page, ratings)
    return page


def other_interviewers(page: Page) -> Any:
    """The kit's section on the other interviewers' scorecards."""
    return page.get_by_role("region", name="Other interviewers")


def record_hire_decision(page: Page) -> None:
    """Hire against the review recommendation: refused without a justification, then given."""
    form = page.get_by_role("region", name="Record the decision")
    form.get_by_role("radio", name="Hire", exact=True).check()
    form.get_by_label("Reason").fill(DECISION_REASON)
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This decision goes against the review recommendation: write a justification saying why."
    )
    form = page.get_by_role("region", name="Record the decision")
    form.get_by_label("Justification").fill(DECISION_JUSTIFICATION)
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_have_text(
        "Decision recorded: Hire. The candidate is told by email."
    )


def download(page: Page, link_name: str, to: Path) -> Path:
    """Click the link ``link_name`` and save the file it downloads as ``to``."""
    with page.expect_download() as started:
        page.get_by_role("link", name=link_name).click()
    started.value.save_as(to)
    return to


def pdf_text(path: Path) -> str:
    """The text of every page of the PDF at ``path``, whitespace runs made single spaces."""
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the hiring file's text")
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
