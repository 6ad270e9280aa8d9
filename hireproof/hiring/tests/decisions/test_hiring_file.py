"""The hiring file: the page, the PDF and the JSON, for live and erased candidates."""

from __future__ import annotations

import html
import io
import json
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from hireproof.accounts.models import User
from hireproof.audit.checkpoints import current_vkey, key_id_of_vkey, log_origin
from hireproof.core.audit import (
    Receipt,
    generate_signing_key,
    parse_checkpoint_body,
    sign_checkpoint,
    signer_from_key_bytes,
    vkey_of,
)
from hireproof.core.canonical import canonical_json
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions import recommendations
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.interviews import (
    do_amend_scorecard,
    do_assign_interviewer,
    do_submit_scorecard,
)
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.pdf import FetchRefused, prepare_pdf, refuse_fetch
from hireproof.hiring.tests.decisions.conftest import (
    CRITICAL,
    FAILING,
    WITH_WARNING,
    MakeCandidate,
    acknowledge,
)
from hireproof.platform.models import StoredFile
from hireproof.platform.tasks import queued_for_workers

pytestmark = pytest.mark.django_db

REASON = "Clear reasoning in every answer; the panel agreed."
JUSTIFICATION = "Warning discussed: the candidate explained the deadline context."
ALL_FOURS = {
    "past-project": 4,
    "overfitting": 4,
    "deployment": 4,
    "ill-defined-request": 4,
    "continuous-learning": 4,
}


def url(name: str, candidate: Candidate) -> str:
    return reverse(f"decisions:{name}", args=[candidate.opening_id, candidate.pk])


def decided_alan(alan: Candidate, recruiter: User) -> Candidate:
    acknowledge(alan, recruiter)
    do_record_decision(
        actor=recruiter, candidate=alan, outcome="hire", reason=REASON, justification=JUSTIFICATION
    )
    return alan


def prepared_pdf(client: Client, candidate: Candidate) -> Any:
    """The PDF download, once "Prepare the PDF" was pressed (its task runs at once in tests)."""
    prepared = client.post(url("file_pdf_prepare", candidate))
    assert prepared.status_code == 302
    assert prepared["Location"] == url("file", candidate) + "#pdf"
    return client.get(url("file_pdf", candidate))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_holds_the_answers_and_the_decision(
    alan: Candidate, recruiter: User, auditor_client: Client
) -> None:
    decided_alan(alan, recruiter)
    response = prepared_pdf(auditor_client, alan)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="hiring-file-{alan.opening_id}-{alan.pk}.pdf"'
    )
    content = response.content
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Hiring file: Alan Turing" in text
    assert "141, nobody is that old" in text  # the candidate's answer to outlier-ages
    assert "Hire (in force)" in text
    assert REASON in text
    assert JUSTIFICATION in text
    assert "By Rosa Parks on" in text
    assert "Talked it through with the candidate on the phone." in text
    command = f"hireproof audit receipt verify receipt.json --vkey {current_vkey()}"
    assert "".join(command.split()) in "".join(text.split())  # the PDF wraps long lines


def test_the_pdf_renderer_fetches_no_url() -> None:
    with pytest.raises(FetchRefused, match="fetches nothing"):
        refuse_fetch("http://example.org/tracker.png")


def test_the_json_file_has_the_documented_structure(
    alan: Candidate, recruiter: User, recruiter_client: Client
) -> None:
    decided_alan(alan, recruiter)
    response = recruiter_client.get(url("file_json", alan))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert sorted(data) == [
        "answers",
        "attempt",
        "audit_trail",
        "candidate",
        "decisions",
        "flags",
        "format",
        "format_version",
        "generated_at",
        "integrity_signals",
        "interviews",
        "opening",
        "playbook",
        "receipts",
        "recommendations",
        "scorecard",
        "verification",
    ]
    attempt = alan.invitation.attempt
    version = alan.opening.playbook_version
    assert (data["format"], data["format_version"]) == ("hireproof/hiring-file", 1)
    assert data["candidate"]["name"] == "Alan Turing"
    assert data["candidate"]["pseudonym"] == alan.subject.pseudonym
    assert data["playbook"] == {
        "id": "data-scientist-mid",
        "version": version.version,
        "title": version.title,
        "hash": version.content_hash,
    }
    assert canonical_json(data["scorecard"]).decode() == attempt.scorecard_json
    assert data["attempt"]["scorecard_hash"] == attempt.scorecard_hash
    assert [a["answer"] for a in data["answers"]] == [WITH_WARNING[k] for k in WITH_WARNING]
    [flag] = data["flags"]
    assert flag["acknowledgement"]["by"] == "Rosa Parks"
    [recommendation] = data["recommendations"]
    assert recommendation["recommendation"]["recommendation_hash"] == recommendation["hash"]
    [decision] = data["decisions"]
    assert decision["outcome"] == "hire"
    assert decision["decided_by"] == {"id": recruiter.pk, "name": "Rosa Parks", "role": "recruiter"}
    assert (decision["reason"], decision["justification"]) == (REASON, JUSTIFICATION)
    assert decision["recommendation"] == {"kind": "review", "hash": recommendation["hash"]}
    assert decision["no_recommendation"] is None
    assert (decision["against_recommendation"], decision["in_force"]) == (True, True)
    assert [r["event"] for r in data["receipts"]] == ["attempt.scored", "decision.recorded"]
    assert data["receipts"][1]["leaf_index"] == decision["leaf_index"]
    assert data["verification"]["export"] == (
        f"hireproof audit export --out bundle.json --disclose {alan.subject.pseudonym}"
    )
    vkey = current_vkey()  # every command pins the log's key; without one none says OK
    assert data["verification"]["receipt"] == (
        f"hireproof audit receipt verify receipt.json --vkey {vkey}"
    )
    assert data["verification"]["bundle"] == f"hireproof audit verify bundle.json --vkey {vkey}"
    assert [r["vkey"] for r in data["receipts"]] == [vkey, vkey]
    assert "decision.recorded" in [entry["type"] for entry in data["audit_trail"]]


def test_the_file_checks_each_receipt_against_the_log_s_own_keys(
    alan: Candidate, recruiter: User, recruiter_client: Client
) -> None:
    decided_alan(alan, recruiter)
    decision = Decision.objects.get(candidate=alan)
    honest = Receipt.from_json(decision.receipt_json)
    attacker = signer_from_key_bytes(log_origin(), generate_signing_key())
    body = parse_checkpoint_body(honest.checkpoint.split("\n\n", 1)[0] + "\n")
    forged = replace(honest, checkpoint=sign_checkpoint(attacker, body), vkey=vkey_of(attacker))
    # Whoever can write to the database (the model refuses to edit a decision; SQL does not).
    Decision.objects.filter(pk=decision.pk).update(receipt_json=forged.to_json())

    page = html.unescape(recruiter_client.get(url("file", alan)).content.decode())

    signer = key_id_of_vkey(current_vkey())
    assert f"<td>yes, signed by key {signer}</td>" in page  # the scored event's receipt
    assert (
        "<td>NO: its checkpoint is not signed by any key this log registered"
        f" ({signer})</td>" in page
    )


def test_the_file_page_shows_the_stored_arithmetic(
    grace: Candidate, recruiter_client: Client
) -> None:
    recommendation = recommendations.do_compute_recommendation(grace)
    assert recommendation is not None
    page = html.unescape(recruiter_client.get(url("file", grace)).content.decode())
    for reason in recommendation.reasons:
        assert f"<li>{reason}</li>" in page
    assert grace.opening.playbook_version.content_hash in page


def test_an_override_is_flagged_at_the_top_of_the_file(
    make_candidate: MakeCandidate, administrator: User, auditor_client: Client
) -> None:

    mallory = make_candidate("Mallory Fabricant", "mallory@example.org", CRITICAL)
    do_record_decision(
        actor=administrator,
        candidate=mallory,
        outcome="hire",
        reason="Hired for a role without any data work.",
        justification="The flagged answer concerns data work this role never does.",
    )
    page = html.unescape(auditor_client.get(url("file", mallory)).content.decode())
    assert "Critical fail overridden." in page
    assert page.index("Critical fail overridden.") < page.index("<h2>Playbook</h2>")
    data = json.loads(auditor_client.get(url("file_json", mallory)).content)
    assert data["decisions"][0]["overrides_critical"] is True


def test_an_erased_candidates_file_says_so_and_holds_only_what_remains(
    alan: Candidate, recruiter: User, administrator: User, auditor_client: Client
) -> None:
    decided_alan(alan, recruiter)
    do_erase_candidate(actor=administrator, candidate=alan, basis=ErasureBasis.REQUEST)
    page = html.unescape(auditor_client.get(url("file", alan)).content.decode())
    assert "The candidate's personal data was erased on" in page
    assert "Alan Turing" not in page
    assert "141, nobody is that old" not in page
    assert REASON not in page
    data = json.loads(auditor_client.get(url("file_json", alan)).content)
    assert data["candidate"]["erased"] is True
    assert (data["candidate"]["name"], data["scorecard"], data["answers"]) == (None, None, [])
    assert data["decisions"][0]["reason"] == ""
    assert data["decisions"][0]["outcome"] == "hire"
    # Hashes derived from the answers go too; the verdict and numbers stay.
    assert data["attempt"]["scorecard_hash"] is None
    assert data["attempt"]["verdict"] == "strong_pass"
    assert [(r["hash"], r["recommendation"]) for r in data["recommendations"]] == [("", {})] * len(
        data["recommendations"]
    )
    pdf = prepared_pdf(auditor_client, alan).content
    assert "personal data was erased" in pdf_text(pdf)


def test_the_file_includes_every_interview_scorecard_version(
    grace: Candidate, recruiter: User, interviewer: User, recruiter_client: Client
) -> None:

    assignment = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    do_submit_scorecard(
        actor=interviewer,
        assignment=assignment,
        card=InterviewScorecard("", ratings=ALL_FOURS, red_flags=(), notes=""),
    )
    do_amend_scorecard(
        actor=interviewer,
        assignment=assignment,
        card=InterviewScorecard("", ratings={**ALL_FOURS, "deployment": 5}, red_flags=(), notes=""),
        reason="Mixed up two candidates' deployment answers.",
    )
    data = json.loads(recruiter_client.get(url("file_json", grace)).content)
    assert [(i["interviewer"], i["version"]) for i in data["interviews"]] == [
        ("Ivan Petrov", 1),
        ("Ivan Petrov", 2),
    ]
    assert data["interviews"][1]["amendment_reason"] == (
        "Mixed up two candidates' deployment answers."
    )
    assert data["recommendations"][-1]["interview_scorecards"] == 1
    assert data["recommendations"][-1]["kind"] == "hire"


def test_the_file_reads_a_fixed_number_of_queries(
    make_candidate: MakeCandidate, recruiter: User, recruiter_client: Client
) -> None:

    counts = []
    for decisions in (1, 3):
        candidate = make_candidate(f"Person {decisions}", f"p{decisions}@example.org", FAILING)
        for _ in range(decisions):
            do_record_decision(
                actor=recruiter, candidate=candidate, outcome="no_hire", reason=REASON
            )
        for name in ("file", "file_json"):
            with CaptureQueriesContext(connection) as captured:
                assert recruiter_client.get(url(name, candidate)).status_code == 200
            counts.append(len(captured))
    assert counts[:2] == counts[2:]


@pytest.mark.parametrize("name", ["file_pdf", "file_json"])
def test_the_file_downloads_carry_no_personal_data_in_their_name(
    grace: Candidate, recruiter_client: Client, name: str
) -> None:
    if name == "file_pdf":
        response = prepared_pdf(recruiter_client, grace)
    else:
        response = recruiter_client.get(url(name, grace))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="hiring-file-{grace.opening_id}-{grace.pk}.'
    )


def test_the_file_page_links_to_both_downloads(grace: Candidate, recruiter_client: Client) -> None:
    page = recruiter_client.get(url("file", grace)).content.decode()
    assert f'action="{url("file_pdf_prepare", grace)}"' in page  # "Prepare the PDF"
    assert f'href="{url("file_pdf", grace)}"' not in page  # nothing prepared yet
    assert f'href="{url("file_json", grace)}"' in page
    prepared_pdf(recruiter_client, grace)
    page = recruiter_client.get(url("file", grace)).content.decode()
    assert f'href="{url("file_pdf", grace)}"' in page
    assert f'action="{url("file_pdf_prepare", grace)}"' not in page  # it is up to date


def test_the_file_names_each_rated_question_and_red_flag_in_the_kits_words(
    grace: Candidate, recruiter: User, interviewer: User, recruiter_client: Client
) -> None:
    assignment = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    do_submit_scorecard(
        actor=interviewer,
        assignment=assignment,
        card=InterviewScorecard(
            "",
            ratings={**ALL_FOURS, "deployment": 2},
            red_flags=("overfitting/tunes-on-test-set",),
            notes="Tuned on the test set in the take-home.",
        ),
    )
    page = html.unescape(recruiter_client.get(url("file", grace)).content.decode())
    rows = page.split("<h2>Interview scorecards</h2>", 1)[1].split("<h2>", 1)[0]
    assert (
        "<tr><td>1. Problem-Solving & Business Impact "
        '<span class="muted">(past-project)</span></td><td>4 – yes</td></tr>'
    ) in rows
    assert '<span class="muted">(deployment)</span></td><td>2 – no</td></tr>' in rows
    assert (
        "<strong>Red flags ticked:</strong> Tunes the model on the test set. "
        "(overfitting/tunes-on-test-set)</p>"
    ) in rows
    text = pdf_text(prepared_pdf(recruiter_client, grace).content)
    assert "3. Model Deployment & Maintenance (deployment) 2 – no" in text
    assert "Red flags ticked: Tunes the model on the test set. (overfitting/tunes-on-test-set)" in (
        text
    )


def test_an_erased_candidates_file_says_the_ratings_are_gone(
    grace: Candidate,
    recruiter: User,
    interviewer: User,
    administrator: User,
    auditor_client: Client,
) -> None:
    assignment = do_assign_interviewer(actor=recruiter, candidate=grace, interviewer=interviewer)
    do_submit_scorecard(
        actor=interviewer,
        assignment=assignment,
        card=InterviewScorecard("", ratings=ALL_FOURS, red_flags=(), notes="Sharp."),
    )
    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.REQUEST)
    grace.refresh_from_db()
    page = html.unescape(auditor_client.get(url("file", grace)).content.decode())
    rows = page.split("<h2>Interview scorecards</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Ivan Petrov, version 1" in rows
    assert "The ratings, red flags and notes were erased with the candidate's data." in rows
    assert "<table>" not in rows
    assert "Sharp." not in rows


def test_while_the_pdf_is_prepared_the_page_says_so_and_looks_again(
    grace: Candidate, recruiter_client: Client
) -> None:
    download = recruiter_client.get(url("file_pdf", grace))  # nothing asked for yet
    assert download["Content-Type"].startswith("text/html")
    assert "has not been prepared yet" in download.content.decode()
    assert not StoredFile.objects.exists()  # a GET never prepares anything
    with queued_for_workers():  # the task waits for a worker
        recruiter_client.post(url("file_pdf_prepare", grace))
    page = recruiter_client.get(url("file", grace)).content.decode()
    assert "The PDF is being prepared" in page
    panel = f'hx-get="{url("file_pdf_panel", grace)}" hx-trigger="every 2s"'
    assert panel in page
    assert "being prepared" in recruiter_client.get(url("file_pdf", grace)).content.decode()
    prepare_pdf(grace.pk)  # a worker runs the task
    ready = recruiter_client.get(url("file_pdf_panel", grace)).content.decode()
    assert f'href="{url("file_pdf", grace)}"' in ready
    assert "hx-trigger" not in ready  # the page stops looking
    assert recruiter_client.get(url("file_pdf", grace)).content.startswith(b"%PDF")


def test_a_pdf_prepared_before_a_change_says_so_and_is_sealed(
    alan: Candidate, recruiter: User, administrator: User, recruiter_client: Client
) -> None:
    prepared_pdf(recruiter_client, alan)
    stored = StoredFile.objects.get()
    assert stored.sealed_for == alan.subject.pseudonym
    assert b"%PDF" not in bytes(stored.content or b"")  # sealed under the candidate's key
    decided_alan(alan, recruiter)
    page = recruiter_client.get(url("file", alan)).content.decode()
    assert "before the latest changes to this file" in page
    assert "Prepare the PDF again" in page
    text = pdf_text(prepared_pdf(recruiter_client, alan).content)
    assert "Hire (in force)" in text
    do_erase_candidate(actor=administrator, candidate=alan, basis=ErasureBasis.REQUEST)
    assert not StoredFile.objects.exists()  # the erasure deletes it
