"""A hiring flow recorded, exported, verified offline; then the database file tampered with."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from hireproof.audit.actions import do_erase_subject
from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.export import export_bundle
from hireproof.audit.models import LogLeaf
from hireproof.audit.receipts import receipt_for
from hireproof.audit.tests.flow import record_hiring_flow
from hireproof.audit.vault import SubjectErasedError
from hireproof.core.audit import (
    SCORECARD_HASH_FIELD,
    parse_leaf,
    read_bundle,
    verify_bundle,
    verify_receipt,
)

EVENTS = [
    "log.created",
    "staff.invited",
    "playbook.published",
    "opening.created",
    "candidate.added",
    "invitation.sent",
    "candidate.added",
    "invitation.sent",
    "attempt.started",
    *["answer.saved"] * 5,
    "attempt.submitted",
    "attempt.scored",
    "flag.acknowledged",
    "decision.recorded",
    "subject.erased",
]


@pytest.fixture
def every_event_checkpointed(settings: Any) -> None:
    # One checkpoint per event: the verifier then names a changed leaf exactly.
    settings.HIREPROOF_CHECKPOINT_EVERY = 1


@pytest.mark.django_db
def test_a_recorded_hiring_flow_exports_and_verifies(
    tmp_path: Path, every_event_checkpointed: None
) -> None:
    flow = record_hiring_flow()
    assert list(LogLeaf.objects.values_list("event_type", flat=True)) == EVENTS
    out = tmp_path / "audit.bundle"

    export_bundle(out, disclose=[flow.candidate])

    report = verify_bundle(out, trusted_vkeys=[current_vkey()])
    assert report.failures == ()
    assert report.ok
    assert (report.leaves, report.signed_size) == (19, 19)
    # name and email, five answers, the sheet and its committed scorecard hash
    assert report.openings_checked == 2 + 5 + 2
    assert report.rescored == 1
    assert report.erased_subjects == (flow.erased.pseudonym,)
    bundle = read_bundle(out)
    assert sorted(bundle.openings) == [4, 9, 10, 11, 12, 13, 15]
    assert bundle.erased_subjects == (flow.erased.pseudonym,)
    assert list(bundle.playbooks) == [
        "f10faef43521b324a022592392f9cc72acba1537fb1e9b0369d37bdaf5a22739"
    ]


@pytest.mark.django_db
def test_the_leaves_carry_no_personal_data() -> None:
    record_hiring_flow()
    everything = b"".join(bytes(d) for d in LogLeaf.objects.values_list("data", flat=True))
    for personal in (b"Ada Lovelace", b"ada@example.org", b"Charles Babbage", b'"70.0"'):
        assert personal not in everything


def test_tampering_with_the_database_file_is_found_and_named(
    sqlite_file_db: Path, tmp_path: Path, every_event_checkpointed: None
) -> None:
    flow = record_hiring_flow()
    connection.close()
    with sqlite3.connect(sqlite_file_db) as raw:
        data = raw.execute(
            'SELECT data FROM audit_logleaf WHERE "index" = ?', [flow.scored_index]
        ).fetchone()[0]
        # The scorecard hash is committed: forge the commitment the leaf holds instead.
        recorded = parse_leaf(data).commitments[SCORECARD_HASH_FIELD]
        altered = ("1" if recorded[0] == "0" else "0") + recorded[1:]
        forged = data.replace(recorded.encode(), altered.encode())
        assert len(forged) == len(data)
        assert forged != data
        with pytest.raises(sqlite3.IntegrityError, match="audit_logleaf is append-only"):
            raw.execute('UPDATE audit_logleaf SET data = ? WHERE "index" = ?', [forged, 15])
        raw.execute("DROP TRIGGER audit_logleaf_no_update")
        raw.execute('UPDATE audit_logleaf SET data = ? WHERE "index" = ?', [forged, 15])
    raw.close()
    out = tmp_path / "tampered.bundle"

    export_bundle(out, disclose=[flow.candidate])

    report = verify_bundle(out, trusted_vkeys=[current_vkey()])
    assert not report.ok
    messages = [str(failure) for failure in report.failures]
    assert (
        "leaf 15 (attempt.scored): the checkpoint of size 16 does not match the leaves"
        " (the one of size 15 does): this leaf is not the one that was signed"
    ) in messages
    located = {(f.leaf_index, f.event) for f in report.failures if f.leaf_index is not None}
    assert located == {(15, "attempt.scored")}
    # The changed leaf is past the proven prefix: its content is not reported as verified, and
    # its disclosed answers are not re-scored against it.
    assert report.proven_size == 15
    assert report.openings_unchecked > 0
    assert not any("re-scoring" in m for m in messages)


@pytest.mark.django_db
def test_after_erasure_every_checkpoint_and_proof_still_verifies(
    tmp_path: Path, every_event_checkpointed: None
) -> None:
    flow = record_hiring_flow()
    receipt_before = receipt_for(flow.scored_index)
    do_erase_subject(flow.candidate, actor="staff:1")
    out = tmp_path / "after-erasure.bundle"

    export_bundle(out)

    report = verify_bundle(out, trusted_vkeys=[current_vkey()])
    assert [f for f in report.failures if f.leaf_index is not None] == []
    assert report.checkpoints_verified == report.checkpoints_total == 19
    assert sorted(report.erased_subjects) == sorted(
        [flow.candidate.pseudonym, flow.erased.pseudonym]
    )
    verify_receipt(receipt_before, current_vkey())
    verify_receipt(receipt_for(flow.scored_index), current_vkey())
    with pytest.raises(SubjectErasedError, match="was erased"):
        export_bundle(tmp_path / "refused.bundle", disclose=[flow.candidate])
