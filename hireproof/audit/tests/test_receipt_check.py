"""Stored receipts checked against the log's own key history, never the key a receipt names."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import pytest

from hireproof.audit import keys
from hireproof.audit.actions import rotate_signing_key
from hireproof.audit.checkpoints import current_vkey, key_id_of_vkey, log_origin
from hireproof.audit.receipt_check import check_receipt, key_history, published_vkey
from hireproof.audit.receipts import receipt_for
from hireproof.audit.store import StoredTree, read_head
from hireproof.audit.tests.factories import record_many
from hireproof.core.audit import (
    Checkpoint,
    Receipt,
    generate_signing_key,
    inclusion_proof,
    parse_checkpoint_body,
    sign_checkpoint,
    signer_from_key_bytes,
    verify_receipt,
    vkey_of,
)
from hireproof.core.errors import AuditError

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _resigned(receipt: Receipt, raw_key: bytes) -> Receipt:
    """The receipt with its checkpoint signed by ``raw_key`` under the log's name instead."""
    signer = signer_from_key_bytes(log_origin(), raw_key)
    body = parse_checkpoint_body(receipt.checkpoint.split("\n\n", 1)[0] + "\n")
    return replace(receipt, checkpoint=sign_checkpoint(signer, body), vkey=vkey_of(signer))


def test_an_honest_receipt_is_signed_by_the_log_s_registered_key() -> None:
    leaves = record_many(3)
    key = check_receipt(receipt_for(leaves[1].index))
    assert key.vkey == current_vkey() == published_vkey()


def test_a_receipt_signed_by_any_other_key_is_refused_though_it_holds_under_that_key() -> None:
    leaves = record_many(3)
    forged = _resigned(receipt_for(leaves[1].index), generate_signing_key())
    verify_receipt(forged)  # consistent under the key it names
    with pytest.raises(AuditError) as refused:
        check_receipt(forged)
    assert str(refused.value) == (
        "its checkpoint is not signed by any key this log registered"
        f" ({key_id_of_vkey(current_vkey())})"
    )


def test_a_receipt_must_name_the_registered_key_that_signed_it() -> None:
    leaves = record_many(3)
    honest = receipt_for(leaves[1].index)
    stranger = vkey_of(signer_from_key_bytes(log_origin(), generate_signing_key()))
    with pytest.raises(AuditError, match=r"field checkpoint: no trusted key signed the note"):
        check_receipt(replace(honest, vkey=stranger))


def test_a_receipt_whose_proof_does_not_hold_is_refused() -> None:
    leaves = record_many(3)
    honest = receipt_for(leaves[1].index)
    bent = replace(honest, inclusion_proof=(bytes(32), *honest.inclusion_proof[1:]))
    with pytest.raises(AuditError, match="inclusion proof for leaf 2 does not lead to the root"):
        check_receipt(bent)
    with pytest.raises(AuditError):
        check_receipt(replace(honest, leaf_hash=bytes(leaves[0].leaf_hash)))


def test_after_a_rotation_each_key_vouches_only_for_its_own_period(
    settings: Any, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    leaves = record_many(3)
    before = receipt_for(leaves[1].index)  # signed by the first key
    old_raw = keys.signing_key_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        rotated = rotate_signing_key(actor="staff:1")
    leaves += record_many(3)
    after = receipt_for(leaves[-1].index)

    first, second = key_history()
    assert check_receipt(before) == first
    assert check_receipt(after) == second
    assert published_vkey() == rotated.vkey == second.vkey

    # The retired key (say, stolen before it was destroyed) signs a later tree: refused.
    size = read_head().size
    tree = StoredTree()
    late = Receipt(
        leaf_index=leaves[-1].index,
        leaf_hash=bytes(leaves[-1].leaf_hash),
        checkpoint=sign_checkpoint(
            signer_from_key_bytes(log_origin(), old_raw),
            Checkpoint(log_origin(), size, tree.root(size)),
        ),
        inclusion_proof=tuple(inclusion_proof(tree, leaves[-1].index, size)),
        vkey=first.vkey,
    )
    verify_receipt(late, first.vkey)  # it holds under the old key alone
    with pytest.raises(AuditError) as refused:
        check_receipt(late)
    handover = second.first_leaf_index + 1
    assert str(refused.value) == (
        f"its checkpoint of {size} leaves is signed by key {first.key_id}, which signs only"
        f" checkpoints of 1 to {handover} leaves"
    )
