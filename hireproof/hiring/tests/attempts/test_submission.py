"""Submitting, scoring, the receipt, auto-submission, and what the audit log can prove."""

from __future__ import annotations

import json
import re
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from hireproof.accounts.models import User
from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.export import export_bundle
from hireproof.audit.models import LogLeaf
from hireproof.audit.vault import commitment_secret
from hireproof.cli import main as hireproof_cli
from hireproof.core.audit import (
    Receipt,
    open_field,
    parse_leaf,
    verify_bundle,
    verify_opening,
    verify_receipt,
)
from hireproof.core.canonical import canonical_json
from hireproof.core.scoring import score
from hireproof.hiring.actions.attempts import (
    MAX_SCORING_ROUNDS,
    do_auto_submit_overdue,
    do_submit_attempt,
)
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.models.attempts import Answer, IntegritySignal, SubmissionKind, saved_answers
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.sweeper import sweep_overdue
from hireproof.hiring.tests.attempts.conftest import START, Link, save, started

pytestmark = pytest.mark.django_db

STRONG_ANSWERS = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141, nobody is that old",
    "communication-summary": "B",
}


def answer_all(client: Client, link: Link, answers: dict[str, str]) -> None:
    for item_id, text in answers.items():
        assert save(client, link, item_id, text).status_code == 200


def event_types() -> list[str]:
    return list(LogLeaf.objects.order_by("index").values_list("event_type", flat=True))


def leaf(index: int) -> Any:
    return parse_leaf(bytes(LogLeaf.objects.get(index=index).data))


def test_submitting_scores_on_the_pinned_playbook_and_stores_the_scorecard(
    candidate_client: Client, grace: Link, clock: Any, playbook_version: PlaybookVersion
) -> None:
    started(candidate_client, grace)
    answer_all(candidate_client, grace, {**STRONG_ANSWERS, "sjt-incomplete-data": "A"})
    clock.shift(timedelta(minutes=20))
    response = candidate_client.post(grace.url("submit"), {"action": "submit"})
    assert response["Location"] == grace.url("done")
    attempt = grace.attempt
    expected = score(playbook_version.load(), {**STRONG_ANSWERS, "sjt-incomplete-data": "A"})
    assert attempt.submitted_at == START + timedelta(minutes=20)
    assert attempt.submission == SubmissionKind.CANDIDATE
    assert attempt.scorecard_json == canonical_json(expected.to_dict()).decode()
    assert attempt.scorecard_hash == expected.hash
    assert (attempt.verdict, attempt.recommendation) == ("strong_pass", "review")
    assert attempt.score_percent == Decimal("80.00")
    assert attempt.warning_count == 1
    assert event_types()[-3:] == ["attempt.submitted", "attempt.scored", "recommendation.computed"]


def test_the_scored_event_names_the_playbook_and_commits_the_answers(
    candidate_client: Client, grace: Link, playbook_version: PlaybookVersion
) -> None:
    started(candidate_client, grace)
    answer_all(candidate_client, grace, STRONG_ANSWERS)
    candidate_client.post(grace.url("submit"))
    attempt = grace.attempt
    scored = parse_leaf(bytes(LogLeaf.objects.get(event_type="attempt.scored").data))
    submitted = parse_leaf(bytes(LogLeaf.objects.get(event_type="attempt.submitted").data))
    assert scored.public == {
        "attempt_id": attempt.pk,
        "playbook": {
            "id": "data-scientist-mid",
            "version": playbook_version.version,
            "hash": playbook_version.content_hash,
        },
        "verdict": "strong_pass",
    }
    # The scorecard hash is committed under the candidate's salt, never public.
    assert sorted(scored.commitments) == ["answers", "scorecard_hash"]
    assert attempt.scorecard_hash.encode() not in bytes(
        LogLeaf.objects.get(event_type="attempt.scored").data
    )
    secret = commitment_secret(grace.subject)
    verify_opening(
        scored.commitments["scorecard_hash"],
        open_field(secret, str(scored.index), "scorecard_hash", attempt.scorecard_hash),
    )
    assert submitted.public == {"attempt_id": attempt.pk, "answered": 5, "items": 5}
    assert (scored.subject, scored.actor) == (grace.subject.pseudonym, "candidate")


def test_the_confirmation_gives_a_receipt_that_verifies_but_not_the_score(
    candidate_client: Client, grace: Link, tmp_path: Path, capsys: Any
) -> None:
    started(candidate_client, grace)
    answer_all(candidate_client, grace, STRONG_ANSWERS)
    candidate_client.post(grace.url("submit"))
    page = candidate_client.get(grace.url("done")).content.decode()
    assert "Your answers are submitted" in page
    # The log's key is on the page, and the command she is shown pins it.
    vkey = current_vkey()
    assert f'<p><code class="hash">{vkey}</code></p>' in page
    shown = re.search(r"<pre><code>(hireproof audit receipt verify [^<]*)</code></pre>", page)
    assert shown is not None
    assert shown.group(1) == f"hireproof audit receipt verify receipt.json --vkey {vkey}"
    for hidden in ("strong_pass", "100.00", "100%", "recommend"):
        assert hidden not in page
    download = candidate_client.get(grace.url("receipt"))
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"] == 'attachment; filename="receipt.json"'
    receipt = Receipt.from_json(download.content.decode())
    verify_receipt(receipt)
    assert receipt.leaf is None  # the leaf names the verdict
    assert leaf(receipt.leaf_index).event_type == "attempt.scored"
    stored = Receipt.from_json(grace.attempt.receipt_json)
    assert (stored.leaf_index, stored.leaf_hash) == (receipt.leaf_index, receipt.leaf_hash)
    assert stored.leaf == bytes(LogLeaf.objects.get(index=receipt.leaf_index).data)
    path = tmp_path / "receipt.json"
    path.write_bytes(download.content)
    assert hireproof_cli(["audit", "receipt", "verify", str(path)]) == 3  # no trusted key
    assert capsys.readouterr().out.startswith("receipt UNTRUSTED: ")
    command = shown.group(1).split()[1:]  # as she runs it, with the file where she saved it
    assert hireproof_cli([str(path) if word == "receipt.json" else word for word in command]) == 0
    assert capsys.readouterr().out.startswith(f"receipt OK: leaf {receipt.leaf_index} is in log")


def test_the_scored_event_re_verifies_from_an_export_that_discloses_the_candidate(
    candidate_client: Client, grace: Link, tmp_path: Path, playbook_version: PlaybookVersion
) -> None:
    started(candidate_client, grace)
    answer_all(candidate_client, grace, {**STRONG_ANSWERS, "cognitive-growth": "1331"})
    candidate_client.post(grace.url("submit"))

    def source(playbook_id: str, version: str, digest: str) -> str:
        return PlaybookVersion.objects.get(content_hash=digest).source

    export_bundle(tmp_path / "bundle.txt", disclose=[grace.subject], playbook_source=source)
    report = verify_bundle(tmp_path / "bundle.txt", trusted_vkeys=[current_vkey()])
    assert report.ok
    assert report.rescored == 1


def test_submitting_twice_keeps_the_first_submission(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    candidate_client.post(grace.url("submit"))
    clock.shift(timedelta(minutes=1))
    response = candidate_client.post(grace.url("submit"))
    assert response["Location"] == grace.url("done")
    assert grace.attempt.submitted_at == START
    assert event_types().count("attempt.scored") == 1
    assert candidate_client.get(grace.url("questions"))["Location"] == grace.url("done")
    assert candidate_client.get(grace.url())["Location"] == grace.url("done")


def test_the_confirmation_page_before_submitting_goes_back_to_the_questions(
    candidate_client: Client, grace: Link
) -> None:
    started(candidate_client, grace)
    assert candidate_client.get(grace.url("done"))["Location"] == grace.url("questions")
    assert candidate_client.get(grace.url("receipt")).status_code == 404


def test_the_sweep_submits_only_attempts_past_the_deadline_and_the_grace(
    candidate_client: Client, grace: Link, alan: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    save(candidate_client, grace, "cognitive-growth", "1210")
    clock.shift(timedelta(minutes=10))
    started(Client(), alan)
    clock.shift(timedelta(minutes=20, seconds=10))
    assert do_auto_submit_overdue() == []
    clock.shift(timedelta(seconds=1))
    submitted = do_auto_submit_overdue()
    assert [a.pk for a in submitted] == [grace.attempt.pk]
    attempt = grace.attempt
    assert attempt.submission == SubmissionKind.AUTOMATIC
    assert attempt.submitted_at == START + timedelta(minutes=30, seconds=11)
    assert attempt.verdict == "fail"
    assert event_types()[-3:] == [
        "attempt.auto_submitted",
        "attempt.scored",
        "recommendation.computed",
    ]
    assert leaf(LogLeaf.objects.count() - 2).actor == "system"
    assert alan.attempt.submitted_at is None
    sweep_overdue()
    assert alan.attempt.submitted_at is None


def test_the_sweep_runs_as_its_periodic_task_and_from_the_command_line(
    candidate_client: Client, grace: Link, alan: Link, clock: Any, capsys: Any
) -> None:
    started(candidate_client, grace)
    started(Client(), alan)
    clock.shift(timedelta(minutes=31))
    sweep_overdue()
    assert grace.attempt.submission == alan.attempt.submission == SubmissionKind.AUTOMATIC
    assert hireproof_cli(["sweep"]) == 0
    assert capsys.readouterr().out == "auto-submitted 0 attempt(s) past their deadline\n"


def test_opening_the_link_after_the_deadline_says_time_is_up_and_submits_on_request(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    save(candidate_client, grace, "pandas-filter-sum", "70")
    clock.shift(timedelta(hours=3))
    response = Client().get(grace.url())
    assert response["Location"] == grace.url("done")
    assert grace.attempt.submitted_at is None  # opening a page never writes
    page = candidate_client.get(grace.url("done")).content.decode()
    assert "Your time is up" in page
    assert grace.attempt.submitted_at is None
    response = candidate_client.post(grace.url("done"))
    assert response["Location"] == grace.url("done")
    attempt = grace.attempt
    assert attempt.submission == SubmissionKind.AUTOMATIC
    assert saved_answers(attempt)["pandas-filter-sum"] == "70"
    page = candidate_client.get(grace.url("done")).content.decode()
    assert "Your time ran out, so the answers you had saved before the deadline were" in page


def test_a_late_press_of_submit_counts_as_an_automatic_submission(grace: Link) -> None:
    client = Client()
    attempt = started(client, grace)
    later = attempt.deadline + timedelta(minutes=5)
    assert do_submit_attempt(attempt, now=later).submission == SubmissionKind.AUTOMATIC


def test_integrity_signals_are_kept_as_evidence(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    url = grace.url("signal")
    assert candidate_client.post(url, {"kind": "focus_lost"}).status_code == 204
    clock.shift(timedelta(seconds=5))
    assert candidate_client.post(url, {"kind": "focus_returned"}).status_code == 204
    response = candidate_client.post(url, {"kind": "paste", "item": "outlier-ages", "chars": "42"})
    assert response.status_code == 204
    rows = list(IntegritySignal.objects.values_list("kind", "item_id", "chars", "at"))
    assert rows == [
        ("focus_lost", "", 0, START),
        ("focus_returned", "", 0, START + timedelta(seconds=5)),
        ("paste", "outlier-ages", 42, START + timedelta(seconds=5)),
    ]
    signal_events = LogLeaf.objects.filter(event_type="attempt.integrity_signal")
    assert [parse_leaf(bytes(e.data)).public for e in signal_events][-1] == {
        "attempt_id": attempt.pk,
        "kind": "paste",
        "item_id": "outlier-ages",
        "chars": 42,
    }
    assert grace.attempt.score_percent is None


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "screenshot"},
        {"kind": "paste", "chars": "many"},
        {},
        # Out of the column's range: once a 500, now refused like any other bad number.
        {"kind": "paste", "item": "outlier-ages", "chars": "99999999999999999999999"},
        {"kind": "paste", "item": "outlier-ages", "chars": "-1"},
    ],
)
def test_it_refuses_a_signal_it_does_not_know(
    candidate_client: Client, grace: Link, data: dict[str, str]
) -> None:
    started(candidate_client, grace)
    response = candidate_client.post(grace.url("signal"), data)
    assert response.status_code == 400
    assert response.content == (
        b"kind must be focus_lost, focus_returned or paste, and chars a whole number "
        b"from 0 to 10,000,000"
    )
    assert not IntegritySignal.objects.exists()


def test_signals_after_submission_are_ignored(candidate_client: Client, grace: Link) -> None:
    started(candidate_client, grace)
    candidate_client.post(grace.url("submit"))
    assert candidate_client.post(grace.url("signal"), {"kind": "focus_lost"}).status_code == 204
    assert not IntegritySignal.objects.exists()


def test_a_candidate_reaches_only_their_own_attempt_whatever_ids_they_send(
    candidate_client: Client, grace: Link, alan: Link
) -> None:
    mine = started(candidate_client, grace)
    theirs = started(Client(), alan)
    save(Client(), alan, "cognitive-growth", "1331")
    response = candidate_client.post(
        grace.url("save", "cognitive-growth"),
        {"answer-cognitive-growth": "1210", "attempt": theirs.pk, "attempt_id": theirs.pk},
    )
    assert response.status_code == 200
    assert {a.attempt_id: a.revision for a in Answer.objects.all()} == {theirs.pk: 1, mine.pk: 1}
    page = candidate_client.get(grace.url("questions")).content.decode()
    assert "1331" not in page
    assert "Alan" not in page


def test_erasure_deletes_answers_signals_and_the_scorecard_hash_and_keeps_the_numbers(
    candidate_client: Client, grace: Link, administrator: User
) -> None:
    started(candidate_client, grace)
    answer_all(candidate_client, grace, STRONG_ANSWERS)
    candidate_client.post(grace.url("signal"), {"kind": "focus_lost"})
    candidate_client.post(grace.url("submit"))
    before = grace.attempt
    do_erase_candidate(
        actor=administrator, candidate=grace.invitation.candidate, basis=ErasureBasis.REQUEST
    )
    after = grace.attempt
    assert not Answer.objects.exists()
    assert not IntegritySignal.objects.exists()
    assert after.scorecard_json == ""
    # The verdict and numbers stay; the hash of the scorecard, derived from the answers, goes.
    assert before.scorecard_hash
    assert (after.scorecard_hash, after.verdict, after.score_percent, after.receipt_json) == (
        "",
        "strong_pass",
        Decimal("100.00"),
        before.receipt_json,
    )
    assert json.loads(after.receipt_json)["leaf_index"] > 0


def test_the_health_check_answers_without_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_signals_for_unknown_questions_or_after_the_deadline_are_ignored(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    url = grace.url("signal")
    candidate_client.post(url, {"kind": "paste", "item": "no-such-item", "chars": "3"})
    clock.shift(timedelta(minutes=30, seconds=11))
    assert candidate_client.post(url, {"kind": "focus_lost"}).status_code == 204
    assert not IntegritySignal.objects.exists()


def test_one_attempt_that_cannot_be_submitted_does_not_hold_back_the_others(
    candidate_client: Client,
    grace: Link,
    alan: Link,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from hireproof.hiring.actions import attempts as actions

    broken = started(candidate_client, grace)
    started(Client(), alan)
    real_submit = actions.do_submit_attempt

    def submit(attempt: Any, **kwargs: Any) -> Any:
        if attempt.pk == broken.pk:
            raise RuntimeError("the stored playbook no longer loads")
        return real_submit(attempt, **kwargs)

    monkeypatch.setattr(actions, "do_submit_attempt", submit)
    clock.shift(timedelta(minutes=31))
    assert [a.pk for a in do_auto_submit_overdue()] == [alan.attempt.pk]
    assert f"could not auto-submit attempt {broken.pk}" in caplog.text
    assert grace.attempt.submitted_at is None


def test_answers_are_scored_outside_the_write_transaction(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    # The submission's transaction holds the database's write lock and the audit log's: every
    # other request waits while it is open, so the rules must not run inside it.
    started(candidate_client, grace)
    answer_all(candidate_client, grace, STRONG_ANSWERS)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    depths: list[int] = []

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is score.__code__:
            depths.append(len(connection.atomic_blocks) - outside)

    sys.setprofile(watch)
    try:
        attempt = do_submit_attempt(grace.attempt)
    finally:
        sys.setprofile(None)
    assert attempt.submitted_at is not None
    assert depths == [0]  # scored once, in no transaction of the submission's


def test_a_save_between_scoring_and_the_lock_is_scored_again_outside_any_transaction(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    answer_all(candidate_client, grace, {**STRONG_ANSWERS, "pandas-filter-sum": "69"})
    stale = grace.attempt
    # What the submission scored first differs from what is saved when it takes the lock: the
    # answer saved last is the one scored, and scored, like the first, in no transaction.
    outside = len(connection.atomic_blocks)  # the test's own transaction
    depths: list[int] = []

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if frame.f_code is not score.__code__:
            return
        if event == "call":
            depths.append(len(connection.atomic_blocks) - outside)
        elif event == "return" and len(depths) == 1:
            save(candidate_client, grace, "pandas-filter-sum", "70")

    sys.setprofile(watch)
    try:
        attempt = do_submit_attempt(stale)
    finally:
        sys.setprofile(None)
    assert depths == [0, 0]
    answers = saved_answers(attempt)
    assert answers["pandas-filter-sum"] == "70"
    playbook = attempt.invitation.candidate.opening.playbook_version.load()
    assert attempt.scorecard_hash == score(playbook, answers).hash
    assert attempt.scorecard_hash != score(playbook, {**answers, "pandas-filter-sum": "69"}).hash


def test_answers_changed_during_every_scoring_leave_the_attempt_open_to_submit_again(
    candidate_client: Client, grace: Link, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    started(candidate_client, grace)
    answer_all(candidate_client, grace, STRONG_ANSWERS)
    saves = iter(str(n) for n in range(100))

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if frame.f_code is score.__code__ and event == "return":
            save(candidate_client, grace, "pandas-filter-sum", next(saves))

    sys.setprofile(watch)
    try:
        attempt = do_submit_attempt(grace.attempt)
    finally:
        sys.setprofile(None)
    assert attempt.submitted_at is None
    assert next(saves) == str(MAX_SCORING_ROUNDS)  # one save after each scoring
    assert "changed during each of 3 scorings; left open" in caplog.text
    assert not LogLeaf.objects.filter(event_type="attempt.scored").exists()
    # Nothing races the next submission: it scores the last text saved.
    attempt = do_submit_attempt(attempt)
    assert attempt.submitted_at is not None
    assert saved_answers(attempt)["pandas-filter-sum"] == str(MAX_SCORING_ROUNDS - 1)
