"""What the candidate page shows: every item next to the answer, the evidence marked, the
score and reasons, the integrity signals, the extension only when disclosed, the erased page,
and a fixed number of queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hireproof.accounts.models import User
from hireproof.audit.checkpoints import current_vkey, key_id_of_vkey, log_origin
from hireproof.core.audit import (
    Receipt,
    generate_signing_key,
    parse_checkpoint_body,
    sign_checkpoint,
    signer_from_key_bytes,
    verify_receipt,
    vkey_of,
)
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.attempts import SignalKind, SubmissionKind
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.tests.reviews.conftest import (
    RIGHT,
    START,
    Signal,
    SitFn,
    html_of,
    page_url,
    receipt_url,
)

pytestmark = pytest.mark.django_db


def test_it_shows_the_candidate_the_score_the_verdict_and_the_reasons(
    recruiter_client: Client, seat: SitFn, clock: Any
) -> None:
    grace = seat("Grace Hopper", "grace@example.org", RIGHT, start=START)
    html = html_of(recruiter_client, grace)
    assert "<h1>Grace Hopper</h1>" in html
    assert '<a href="mailto:grace@example.org">grace@example.org</a>' in html
    assert '<span class="status status-scored">Scored</span>' in html
    assert "<dt>Started</dt><dd>4 May 2026, 09:00:00 UTC</dd>" in html
    assert "<dt>Deadline</dt><dd>4 May 2026, 09:30:00 UTC</dd>" in html
    assert "<dt>Submitted</dt><dd>4 May 2026, 09:20:00 UTC, by the candidate</dd>" in html
    assert "<dt>Score</dt><dd>5 / 5 points (100.00%)</dd>" in html
    assert "<dt>Verdict</dt><dd><strong>Strong pass</strong></dd>" in html
    assert "<dt>Recommendation</dt><dd>Advance to interviews</dd>" in html
    assert "<li>advance: strong_pass with no red flags</li>" in html
    assert "No red flag: the candidate can move on." in html


def test_every_item_shows_its_prompt_answer_key_points_outcome_and_explanation(
    recruiter_client: Client, seat: SitFn
) -> None:
    grace = seat("Grace Hopper", "grace@example.org", {**RIGHT, "pandas-filter-sum": "700"})
    html = html_of(recruiter_client, grace)
    assert "<pre><code>import pandas as pd" in html
    assert "<dt>Answer key</dt><dd>The output printed by this code is 70." in html
    assert "<dt>Points</dt><dd>0 / 1</dd>" in html
    assert '<dt>Outcome</dt><dd class="outcome-incorrect">Incorrect</dd>' in html
    assert (
        "<dt>Explanation</dt><dd>found the number 700 at characters 1-3; 700 does not equal "
        "the key 70 -&gt; 0 points</dd>"
    ) in html
    assert html.count('class="outcome-correct"') == 4


def test_single_choice_items_list_the_options_with_the_choice_and_the_correct_one(
    recruiter_client: Client, seat: SitFn
) -> None:
    grace = seat("Grace Hopper", "grace@example.org", {**RIGHT, "communication-summary": "D"})
    html = html_of(recruiter_client, grace)
    assert '<li class="chosen">\n              <strong>D.</strong> Say you will send' in html
    assert '<span class="tag tag-ok">correct option</span>' in html
    assert '<span class="tag">candidate\'s choice</span>' in html


def test_the_matched_evidence_is_marked_inside_the_escaped_answer(
    recruiter_client: Client, seat: SitFn
) -> None:
    answer = "I think <b>141</b> & not 45"
    grace = seat("Grace Hopper", "grace@example.org", {**RIGHT, "outlier-ages": answer})
    html = html_of(recruiter_client, grace)
    assert (
        '<pre class="answer">I think &lt;b&gt;<mark>141</mark>&lt;/b&gt; &amp; not 45</pre>' in html
    )
    assert "<b>141</b>" not in html


def test_an_undisclosed_extension_shows_nothing_about_extra_time(
    recruiter_client: Client, seat: SitFn, clock: Any
) -> None:
    grace = seat(
        "Grace Hopper",
        "grace@example.org",
        RIGHT,
        extra_time=Accommodation(extra_percent=50),
        disclose=False,
        start=START,
    )
    html = html_of(recruiter_client, grace)
    assert "Extra time" not in html
    assert "x1.5" not in html
    assert "Deadline" not in html
    assert "09:45" not in html
    assert "<dt>Time limit</dt><dd>30 minutes</dd>" in html


def test_a_disclosed_extension_is_shown_with_the_deadline(
    recruiter_client: Client, seat: SitFn, clock: Any
) -> None:
    grace = seat(
        "Grace Hopper",
        "grace@example.org",
        RIGHT,
        extra_time=Accommodation(extra_percent=50),
        disclose=True,
        start=START,
    )
    html = html_of(recruiter_client, grace)
    assert (
        '<dt>Extra time</dt><dd>x1.5 time: 45 minutes in all <span class="muted">(the '
        "candidate agreed that reviewers see this)</span></dd>"
    ) in html
    assert "<dt>Deadline</dt><dd>4 May 2026, 09:45:00 UTC</dd>" in html


def test_integrity_signals_are_listed_as_evidence_not_a_penalty(
    recruiter_client: Client, seat: SitFn, clock: Any
) -> None:
    grace = seat(
        "Grace Hopper",
        "grace@example.org",
        RIGHT,
        signals=[
            Signal(SignalKind.FOCUS_LOST, after=timedelta(minutes=3)),
            Signal(SignalKind.PASTE, "outlier-ages", 42, after=timedelta(minutes=5, seconds=7)),
        ],
        start=START,
    )
    html = html_of(recruiter_client, grace)
    assert 'Integrity signals <span class="muted">(evidence, not a penalty)</span>' in html
    assert (
        '<td><time datetime="2026-05-04T09:03:00+00:00">09:03:00</time></td>\n'
        "            <td>Left the page (tab switched or window hidden)</td>\n"
        '            <td><span class="muted">—</span></td>\n'
        '            <td><span class="muted">—</span></td>'
    ) in html
    assert (
        '<td><time datetime="2026-05-04T09:05:07+00:00">09:05:07</time></td>\n'
        "            <td>Pasted text</td>\n"
        "            <td>4. outlier-ages</td>\n"
        "            <td>42</td>"
    ) in html
    assert (
        '<p class="muted">The candidate pasted 42 characters into this answer (see '
        '<a href="#signals-heading">integrity signals</a>: evidence, not a penalty).</p>'
    ) in html
    assert html.count("The candidate pasted") == 1
    assert "<dt>Score</dt><dd>5 / 5 points (100.00%)</dd>" in html


def test_an_automatic_submission_says_so(recruiter_client: Client, seat: SitFn) -> None:
    grace = seat(
        "Grace Hopper",
        "grace@example.org",
        {"cognitive-growth": "1210"},
        submit=SubmissionKind.AUTOMATIC,
    )
    html = html_of(recruiter_client, grace)
    assert "automatically at the deadline, with the answers saved by then" in html
    assert "<dt>Score</dt><dd>1 / 5 points (20.00%)</dd>" in html


def test_an_attempt_in_progress_shows_the_saved_answers_unscored(
    recruiter_client: Client, seat: SitFn
) -> None:
    grace = seat("Grace Hopper", "grace@example.org", {"cognitive-growth": "1210"}, submit=None)
    html = html_of(recruiter_client, grace)
    assert "not yet: the assessment is in progress" in html
    assert '<pre class="answer">1210</pre>' in html
    assert html.count("Not scored yet.") == 5
    assert "Receipt" not in html


def test_the_receipt_names_its_leaf_and_checkpoint_and_how_to_verify_it(
    recruiter_client: Client, seat: SitFn
) -> None:
    grace = seat("Grace Hopper", "grace@example.org", RIGHT)
    attempt = grace.invitation.attempt
    html = html_of(recruiter_client, grace)
    vkey = current_vkey()
    assert (
        "Checked just now against this log's own keys: the checkpoint is signed by key"
        f" <code>{key_id_of_vkey(vkey)}</code>, which the log registered, and the inclusion"
        " proof holds."
    ) in html
    assert (
        f"<pre><code>hireproof audit receipt verify receipt-{attempt.pk}.json --vkey {vkey}"
        "</code></pre>"
    ) in html
    assert "The scored submission is leaf <strong>" in html


def test_a_receipt_signed_by_a_key_the_log_never_registered_does_not_verify(
    recruiter_client: Client, seat: SitFn
) -> None:
    grace = seat("Grace Hopper", "grace@example.org", RIGHT)
    attempt = grace.invitation.attempt
    honest = Receipt.from_json(attempt.receipt_json)
    # Whoever can write to the database re-signs her receipt's checkpoint with a key of their
    # own, under the log's name: the receipt is consistent under the key it names.
    attacker = signer_from_key_bytes(log_origin(), generate_signing_key())
    body = parse_checkpoint_body(honest.checkpoint.split("\n\n", 1)[0] + "\n")
    forged = replace(honest, checkpoint=sign_checkpoint(attacker, body), vkey=vkey_of(attacker))
    verify_receipt(forged)  # what the page used to check: under its own key, it holds
    attempt.receipt_json = forged.to_json()
    attempt.save(update_fields=["receipt_json"])

    html = html_of(recruiter_client, grace)

    assert "Checked just now" not in html
    registered = key_id_of_vkey(current_vkey())
    assert (
        "This receipt does not verify against this log's keys: its checkpoint is not signed"
        f" by any key this log registered ({registered})"
    ) in html
    # The command pins the log's own key, so it fails for whoever runs it too.
    assert f"--vkey {current_vkey()}</code></pre>" in html


def test_an_erased_candidate_page_keeps_only_what_holds_no_personal_data(
    recruiter_client: Client, administrator: User, seat: SitFn, clock: Any
) -> None:
    grace = seat(
        "Grace Hopper",
        "grace@example.org",
        {**RIGHT, "outlier-ages": "141, obviously"},
        signals=[Signal(SignalKind.PASTE, "outlier-ages", 14)],
        start=START,
    )
    clock.move_to(START + timedelta(days=30), tick=False)
    do_erase_candidate(actor=administrator, candidate=grace, basis=ErasureBasis.REQUEST)
    html = html_of(recruiter_client, Candidate.objects.get(pk=grace.pk))
    assert "<strong>Personal data erased on 3 June 2026 at 09:00 UTC.</strong>" in html
    assert "<h1>Erased candidate</h1>" in html
    for gone in ("Grace Hopper", "grace@example.org", "141, obviously", "Pasted text"):
        assert gone not in html
    assert "<dt>Score</dt><dd>100.00%</dd>" in html
    assert "<dt>Verdict</dt><dd><strong>Strong pass</strong></dd>" in html
    assert "Erased with the candidate's data." in html
    assert (
        '<dt>Scorecard hash</dt><dd><span class="muted">Erased with the candidate\'s data.'
        "</span></dd>"
    ) in html
    assert "Personal data erased by Ada Lovelace (basis: art17)" in html
    assert "Download the receipt (JSON)" in html


def _queries(client: Client, candidate: Candidate) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url(candidate)).status_code == 200
    return len(captured)


def test_the_page_runs_the_same_queries_for_few_or_many_answers_and_signals(
    recruiter_client: Client, seat: SitFn
) -> None:
    # Both have an open warning, so only the number of answers and signals differs.
    few = seat("Grace Hopper", "grace@example.org", {"sjt-incomplete-data": "A"})
    many = seat(
        "Alan Turing",
        "alan@example.org",
        {**RIGHT, "communication-summary": "C", "sjt-incomplete-data": "A"},
        signals=[Signal(SignalKind.PASTE, "outlier-ages", n) for n in range(1, 21)],
    )
    # session, user, candidate (+ opening, invitation, attempt), answers, signals,
    # acknowledgements, timeline leaves, staff names
    # 8 for the written test's review, 9 for the interviews and decision panels.
    assert _queries(recruiter_client, few) == 17  # with the invitation's newest email
    assert _queries(recruiter_client, many) == 17


def test_a_candidate_not_yet_started_shows_the_invitation_and_the_timeline_only(
    recruiter_client: Client, recruiter: User, opening: Any, clock: Any
) -> None:
    from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
    from hireproof.hiring.actions.invitations import do_invite_candidate

    grace = do_add_candidate(
        actor=recruiter, opening=opening, candidate=NewCandidate("Grace Hopper", "g@example.org")
    )
    do_invite_candidate(
        actor=recruiter,
        candidate=grace,
        accommodation=Accommodation(),
        base_url="http://testserver/",
    )
    html = html_of(recruiter_client, grace)
    assert '<span class="status status-invited">Invited</span>' in html
    assert "<dt>Link valid until</dt><dd>11 May 2026, 09:00 UTC</dd>" in html
    for absent in ("Started", "Answers", "Integrity signals", "Receipt", "Result"):
        assert f">{absent}<" not in html
    assert "Invitation sent by Rosa Parks" in html
    assert recruiter_client.get(receipt_url(grace)).status_code == 404
