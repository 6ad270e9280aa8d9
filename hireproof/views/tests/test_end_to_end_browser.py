"""The whole hiring flow in a real Chromium, as its people see it, in two flows.

The written test: a recruiter signs in through the form, opens a position on the built-in
playbook, adds and invites a candidate; the candidate follows the emailed link, answers, reloads
mid-way, submits and keeps a receipt; the recruiter reads the score and its explanations. The
second flow goes on: the recruiter acknowledges the warning flag and assigns two interviewers,
who each sign in and submit a scorecard; the recruiter reads the recommendation's arithmetic,
records a decision and downloads the hiring file. Each flow ends with the audit log exported and
checked by the installed ``hireproof`` console script, as an outside auditor would, as are the
receipts.

Each person has a browser context of their own (``new_page`` of ``hireproof.testing.browser``),
so their cookies never mix. The live server runs in this process, so the emails it sends land in
Django's ``mail.outbox``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail

from hireproof.audit.checkpoints import current_vkey, log_origin
from hireproof.audit.export import export_bundle
from hireproof.audit.models import LogLeaf
from hireproof.hiring.actions.playbooks import load_builtin_playbooks
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.testing.browser import NewPage
from hireproof.testing.personas import PERSONAS, make_persona, make_staff
from hireproof.views.tests.browser_flow import (
    ANSWER_OUTLIER,
    CANDIDATE_EMAIL,
    CANDIDATE_NAME,
    DECISION_JUSTIFICATION,
    DECISION_REASON,
    INTERVIEWERS,
    OPENING_TITLE,
    acknowledge_the_warning,
    add_and_invite_candidate,
    assign_interviewers,
    candidate_url,
    create_opening,
    download,
    expect,
    fact,
    hireproof_command,
    interview,
    other_interviewers,
    pdf_text,
    pipeline_row,
    record_hire_decision,
    sign_in,
    take_the_assessment,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDED_ON = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}$")  # "26 Nov 2026"

# Grace's answers (see ``browser_flow``), as the candidate page explains their scoring.
EXPLAINED_ITEMS = [
    (
        "1. Cognitive Reasoning (cognitive-growth)",
        "1 / 1",
        "found the number 1210 at characters 1-4; equals the key 1210 -> 1 point",
        ["1210"],
    ),
    (
        "2. Hard Technical Skills (pandas-filter-sum)",
        "1 / 1",
        "found the number 70 at characters 1-2; equals the key 70 -> 1 point",
        ["70"],
    ),
    (
        "3. Situational Judgment (sjt-incomplete-data)",
        "1 / 1",
        "chose B (Communicate & adjust): the correct option -> 1 point",
        [],
    ),
    (
        "4. Accuracy (outlier-ages)",
        "1 / 1",
        "found the number 141 at characters 1-3, which equals 141 -> 1 point",
        ["141"],
    ),
    (
        "5. Communication (communication-summary)",
        "0 / 1",
        "chose C (Tell them the model is a black box, b...): not the correct option (B) -> "
        "0 points; warning red flag: Asking for blind trust: refuses to explain the result to a "
        "stakeholder and hides the model's limits.",
        [],
    ),
]


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture
def playbook_version(db: Any) -> PlaybookVersion:
    """The built-in data-scientist-mid playbook, published as ``hireproof serve`` does at start."""
    load_builtin_playbooks()
    return PlaybookVersion.objects.get(playbook_id="data-scientist-mid")


# --- the written test, scored and explained ----------------------------------------------


@dataclass(frozen=True)
class Scored:
    """Where the written-test stage of the flow leaves things."""

    recruiter: Page
    candidate: Candidate


def run_written_test_stage(
    new_page: NewPage, live_server: Any, version: PlaybookVersion, folder: Path
) -> Scored:
    """The first flow, up to the scored attempt, checked from each person's side."""
    make_persona("recruiter")
    recruiter = new_page()
    sign_in(recruiter, live_server, PERSONAS["recruiter"].email)
    create_opening(recruiter, version)
    link = add_and_invite_candidate(recruiter)
    expect(pipeline_row(recruiter)).to_contain_text("Invited")

    candidate_page = new_page()
    take_the_assessment(candidate_page, link)
    receipt = download(
        candidate_page, "Download your receipt (receipt.json)", folder / "receipt.json"
    )
    verified = hireproof_command(
        "audit", "receipt", "verify", "--vkey", current_vkey(), str(receipt)
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    scored_leaf = LogLeaf.objects.get(event_type="attempt.scored").index
    assert verified.stdout == (
        f"receipt OK: leaf {scored_leaf} is in log {log_origin()}: the checkpoint over "
        f"{scored_leaf + 1} leaves is signed by {current_vkey()}, a key you trust\n"
    )

    recruiter.reload()
    row = pipeline_row(recruiter)
    expect(row).to_contain_text("Scored")
    expect(row.get_by_role("cell")).to_have_text(
        ["", "Scored", "80.00%", "Strong pass", "1 to review", "—", ADDED_ON, ""]
    )
    return Scored(recruiter, Candidate.objects.get(opening__title=OPENING_TITLE))


def expect_candidate_page_explains_the_score(page: Page) -> None:
    """The candidate page: the score and verdict, and each item's points, explanation and the
    evidence the scorer matched, highlighted in the answer."""
    result = page.get_by_role("region", name="Result")
    expect(fact(result, "Score")).to_have_text("4 / 5 points (80.00%)")
    expect(fact(result, "Verdict")).to_have_text("Strong pass")
    for heading, points, explanation, highlighted in EXPLAINED_ITEMS:
        item = page.get_by_role("article", name=heading)
        expect(fact(item, "Points")).to_have_text(points)
        expect(fact(item, "Explanation")).to_have_text(explanation)
        expect(item.locator("mark")).to_have_text(highlighted)


def expect_audit_export_verifies(candidate: Candidate, folder: Path) -> None:
    """Export the log disclosing the candidate; the installed CLI, trusting only the log's
    published key, verifies every leaf and checkpoint and re-scores the disclosed answers."""
    bundle = folder / "audit.bundle"
    export_bundle(bundle, disclose=[candidate.subject])
    verified = hireproof_command("audit", "verify", "--vkey", current_vkey(), str(bundle))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    lines = verified.stdout.splitlines()
    assert lines[0] == f"bundle: {LogLeaf.objects.count()} leaves of log {log_origin()}"
    openings = [line for line in lines if line.startswith("openings: ")]
    assert len(openings) == 1
    assert re.fullmatch(
        r"openings: \d+ commitments opened, 1 scoring events re-scored", openings[0]
    )
    assert lines[-1] == "result: OK"


def test_a_recruiter_invites_a_candidate_who_is_scored_and_the_audit_log_verifies(
    new_page: NewPage, live_server: Any, playbook_version: PlaybookVersion, tmp_path: Path
) -> None:
    scored = run_written_test_stage(new_page, live_server, playbook_version, tmp_path)

    scored.recruiter.get_by_role("link", name=CANDIDATE_NAME).click()
    expect(scored.recruiter.get_by_role("heading", level=1)).to_have_text(CANDIDATE_NAME)
    expect_candidate_page_explains_the_score(scored.recruiter)
    expect_audit_export_verifies(scored.candidate, tmp_path)


# --- interviews, the recommendation, the decision, the hiring file -------------------------


def expect_recommendation_with_its_arithmetic(page: Page) -> None:
    """The decision page shows the recommendation and the sums behind it."""
    recommendation = page.get_by_role("region", name="Recommendation")
    expect(recommendation).to_contain_text("A person reviews")
    expect(recommendation.get_by_role("listitem")).to_have_text(
        [
            "test 80.00% (strong_pass) x 40% + interview 82.50% x 60% = 81.50% -> review: "
            "1 red flag to review",
            "interview: 2 interviewers, mean rating 4.3 on the 1-5 scale -> 82.50%",
            "test warning red flag on communication-summary: Asking for blind trust: refuses to "
            "explain the result to a stakeholder and hides the model's limits.",
        ]
    )


def expect_decision_receipt_verifies(page: Page, folder: Path) -> None:
    """The decision's receipt, downloaded from the decision page, verifies offline."""
    receipt = download(page, "receipt", folder / "decision-receipt.json")
    verified = hireproof_command(
        "audit", "receipt", "verify", "--vkey", current_vkey(), str(receipt)
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    decided_leaf = LogLeaf.objects.get(event_type="decision.recorded").index
    assert verified.stdout == (
        f"receipt OK: leaf {decided_leaf} (decision.recorded) is in log {log_origin()}: the "
        f"checkpoint over {decided_leaf + 1} leaves is signed by {current_vkey()}, a key you "
        "trust\n"
    )


def expect_hiring_file_holds_answers_and_decision(page: Page, folder: Path) -> None:
    """The hiring file's PDF opens and holds the candidate's answers and the decision."""
    page.get_by_role("link", name="Hiring file").click()
    page.get_by_role("button", name="Prepare the PDF").click()  # a background task renders it
    pdf = download(page, "Download as PDF", folder / "hiring-file.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf)
    for answer_text in ("1210", "70", "B", ANSWER_OUTLIER, "C"):
        assert f"The candidate's answer: {answer_text} Points" in text
    assert (
        f"Decision Hire (in force) Decided by {PERSONAS['recruiter'].full_name} (Recruiter)"
    ) in text
    assert f"Why {DECISION_REASON} Justification {DECISION_JUSTIFICATION}" in text
    # Each interviewer's scorecard, question by question in the kit's words: Ivan's 5 on
    # deployment, Jun's 5 on overfitting.
    assert "3. Model Deployment & Maintenance (deployment) 5 – strong yes" in text
    assert "2. Machine Learning & Stats (technical depth) (overfitting) 5 – strong yes" in text


def test_two_interviewers_score_the_candidate_and_the_decision_lands_in_the_hiring_file(
    new_page: NewPage, live_server: Any, playbook_version: PlaybookVersion, tmp_path: Path
) -> None:
    scored = run_written_test_stage(new_page, live_server, playbook_version, tmp_path)
    recruiter = scored.recruiter
    for name, email, _ in INTERVIEWERS:
        make_staff(name, email, "interviewer")
    recruiter.get_by_role("link", name=CANDIDATE_NAME).click()
    acknowledge_the_warning(recruiter)
    assign_interviewers(recruiter, live_server, scored.candidate)

    # Ivan submits first, then Jun: only Jun, having submitted, sees Ivan's ratings.
    ivan, jun = [
        interview(new_page, live_server, email, ratings) for _, email, ratings in INTERVIEWERS
    ]
    expect(other_interviewers(ivan)).to_contain_text("No other scorecard is in yet.")
    expect(other_interviewers(jun).get_by_role("listitem")).to_have_text(
        [
            "1. Problem-Solving & Business Impact: 4 – yes",
            "2. Machine Learning & Stats (technical depth): 4 – yes",
            "3. Model Deployment & Maintenance: 5 – strong yes",
            "4. Collaboration & Influence: 4 – yes",
            "5. Curiosity and Continuous Learning: 4 – yes",
        ]
    )

    recruiter.goto(live_server.url + candidate_url("decisions:candidate", scored.candidate))
    expect_recommendation_with_its_arithmetic(recruiter)
    record_hire_decision(recruiter)
    expect_decision_receipt_verifies(recruiter, tmp_path)
    expect_hiring_file_holds_answers_and_decision(recruiter, tmp_path)
    assert [(email.to, email.subject) for email in mail.outbox] == [
        ([CANDIDATE_EMAIL], f"Your assessment for {OPENING_TITLE}"),
        *(
            ([email], f"Interview: {CANDIDATE_NAME} for {OPENING_TITLE}")
            for _, email, _ in INTERVIEWERS
        ),
        (
            [PERSONAS["recruiter"].email],
            f"All interview scorecards are in: {CANDIDATE_NAME} for {OPENING_TITLE}",
        ),
        ([CANDIDATE_EMAIL], f"Your application for {OPENING_TITLE}"),
    ]
    expect_audit_export_verifies(scored.candidate, tmp_path)
