"""Rotating the signing key: recorded in the log, vouched for by the old key, undone on failure."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import pytest

from hireproof.audit import checkpoints, keys
from hireproof.audit.actions import rotate_signing_key
from hireproof.audit.export import export_bundle
from hireproof.audit.models import Checkpoint, LogKey, LogLeaf
from hireproof.audit.receipts import receipt_for
from hireproof.audit.tests.factories import record_many
from hireproof.core.audit import (
    EventType,
    Receipt,
    check_receipt,
    open_checkpoint,
    parse_leaf,
    parse_vkey,
    verify_bundle,
)
from hireproof.core.errors import SignatureError

pytestmark = pytest.mark.django_db


def test_rotation_records_the_old_and_new_keys_and_both_sign_the_hand_over(
    key_files: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(3)
    old_raw = (key_files / "audit-signing.key").read_bytes()
    old_vkey = checkpoints.current_vkey()

    new_key = rotate_signing_key(actor="staff:1")

    new_vkey = checkpoints.current_vkey()
    assert new_key.vkey == new_vkey != old_vkey
    old_id = checkpoints.key_id_of_vkey(old_vkey)
    assert (key_files / f"audit-signing.key.retired-{old_id}").read_bytes() == old_raw
    rotation = LogLeaf.objects.get(event_type="log.key_rotated")
    parsed = parse_leaf(bytes(rotation.data))
    assert (parsed.index, parsed.actor) == (4, "staff:1")
    assert parsed.public == {"old_vkey": old_vkey, "new_vkey": new_vkey}
    history = list(LogKey.objects.order_by("first_leaf_index"))
    assert [(k.vkey, k.first_leaf_index) for k in history] == [(old_vkey, 0), (new_vkey, 4)]
    assert history[0].retired_at is not None
    assert history[1].retired_at is None
    hand_over = Checkpoint.objects.filter(size=5).order_by("id")
    assert [c.key_id for c in hand_over] == [old_id, new_key.key_id]
    assert open_checkpoint(hand_over[0].note, [parse_vkey(old_vkey)]).size == 5
    assert open_checkpoint(hand_over[1].note, [parse_vkey(new_vkey)]).size == 5


def test_after_rotation_only_the_new_key_signs(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1
    record_many(2)
    old_vkey = checkpoints.current_vkey()
    rotate_signing_key()
    record_many(1)
    latest = checkpoints.latest_checkpoint()
    assert latest is not None
    open_checkpoint(latest.note, [parse_vkey(checkpoints.current_vkey())])
    with pytest.raises(SignatureError, match="no trusted key signed the note"):
        open_checkpoint(latest.note, [parse_vkey(old_vkey)])


def test_a_failed_rotation_puts_the_old_key_file_back(
    key_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_many(2)
    old_raw = (key_files / "audit-signing.key").read_bytes()
    real_sign_head = checkpoints.sign_head
    calls: list[int] = []

    def sign_then_fail(*args: Any, **kwargs: Any) -> Checkpoint:
        calls.append(1)
        if len(calls) == 2:  # the new key's first signature, after the file swap
            raise OSError("disk full")
        return real_sign_head(*args, **kwargs)

    monkeypatch.setattr(checkpoints, "sign_head", sign_then_fail)
    with pytest.raises(OSError, match="disk full"):
        rotate_signing_key()
    assert (key_files / "audit-signing.key").read_bytes() == old_raw
    assert list(key_files.glob("*.retired-*")) == []
    assert LogKey.objects.count() == 1
    assert not LogLeaf.objects.filter(event_type=EventType.LOG_KEY_ROTATED.value).exists()
    keys.forget_cached_keys()
    checkpoints.sign_checkpoint_now()


def test_an_auditor_who_pinned_the_first_key_still_verifies_after_two_rotations(
    tmp_path: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 3
    record_many(4)
    first_vkey = checkpoints.current_vkey()
    rotate_signing_key()
    record_many(4)
    rotate_signing_key()
    record_many(2)
    latest_vkey = checkpoints.current_vkey()

    export_bundle(tmp_path / "log.bundle")

    for pinned in (first_vkey, latest_vkey):
        report = verify_bundle(tmp_path / "log.bundle", trusted_vkeys=[pinned])
        assert report.failures == ()
        assert report.checkpoints_verified == report.checkpoints_total
        assert report.signed_size == LogLeaf.objects.count() == 13


def test_a_receipt_issued_after_rotations_verifies_with_the_key_published_before_them(
    settings: Any,
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 3
    record_many(4)
    first_vkey = checkpoints.current_vkey()
    rotate_signing_key()
    record_many(2)
    second_vkey = checkpoints.current_vkey()
    rotate_signing_key()
    scored = record_many(2)[-1]

    receipt = Receipt.from_json(receipt_for(scored.index).to_json())

    assert receipt.vkey == checkpoints.current_vkey()
    assert [r.leaf_index for r in receipt.rotations] == [5, 8]
    for pinned, rotations in [(first_vkey, 2), (second_vkey, 1), (receipt.vkey, 0)]:
        report = check_receipt(receipt, trusted_vkeys=[pinned])
        assert (report.failures, str(report.result)) == ((), "OK")
        assert report.rotations_followed == rotations
    stripped = dataclasses.replace(receipt, rotations=receipt.rotations[1:])
    assert check_receipt(stripped, trusted_vkeys=[first_vkey]).failures == (
        f"field vkey: the checkpoint is signed by {receipt.vkey}, which is not a key you "
        "trust, and no rotation signed by a key you trust vouches for it",
    )


def test_a_receipt_signed_before_a_rotation_carries_no_rotation(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    leaves = record_many(3)
    before = receipt_for(leaves[1].index)
    first_vkey = checkpoints.current_vkey()
    rotate_signing_key()
    again = receipt_for(leaves[1].index)
    assert (before.vkey, before.rotations) == (first_vkey, ())
    assert again.vkey == checkpoints.current_vkey()
    assert len(again.rotations) == 1
    for receipt in (before, again):
        assert check_receipt(receipt, trusted_vkeys=[first_vkey]).failures == ()


def test_a_rotation_without_a_hand_over_by_the_old_key_breaks_the_chain_there(
    settings: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(2)
    first_vkey = checkpoints.current_vkey()
    real_sign_head = checkpoints.sign_head
    calls: list[int] = []

    def skip_the_old_keys_hand_over(*args: Any, **kwargs: Any) -> Checkpoint | None:
        calls.append(1)
        return None if len(calls) == 1 else real_sign_head(*args, **kwargs)

    monkeypatch.setattr(checkpoints, "sign_head", skip_the_old_keys_hand_over)
    rotate_signing_key()  # as a log rotated before the old key signed a hand-over
    monkeypatch.setattr(checkpoints, "sign_head", real_sign_head)
    scored = record_many(1)[-1]
    with caplog.at_level(logging.WARNING, logger="hireproof.audit.receipts"):
        receipt = receipt_for(scored.index)
    assert receipt.rotations == ()
    assert f"key {first_vkey} signed no checkpoint over its rotation at leaf 3" in caplog.text
    assert check_receipt(receipt, trusted_vkeys=[checkpoints.current_vkey()]).failures == ()
    assert check_receipt(receipt, trusted_vkeys=[first_vkey]).failures != ()
