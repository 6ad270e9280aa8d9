"""Receipts and inclusion proofs from the stored nodes."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.models import Checkpoint
from hireproof.audit.receipts import inclusion_proof_document, receipt_for
from hireproof.audit.tests.factories import record_many
from hireproof.core.audit import Receipt, verify_inclusion, verify_receipt
from hireproof.core.errors import AuditError

pytestmark = pytest.mark.django_db


def test_a_receipt_verifies_offline_against_the_published_key(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 4
    leaves = record_many(9)
    receipt = Receipt.from_json(receipt_for(leaves[3].index).to_json())
    verify_receipt(receipt, current_vkey())
    assert receipt.leaf == bytes(leaves[3].data)
    assert receipt.checkpoint == Checkpoint.objects.get(size=10).note


def test_a_receipt_for_an_uncovered_leaf_signs_a_fresh_checkpoint(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    leaves = record_many(5)
    receipt = receipt_for(leaves[-1].index)
    verify_receipt(receipt, current_vkey())
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2, 6]


def test_a_receipt_for_a_missing_leaf_says_how_big_the_log_is() -> None:
    record_many(2)
    with pytest.raises(AuditError, match=r"no leaf 7 \(it holds 3 leaves, from 0\)"):
        receipt_for(7)


def test_an_inclusion_proof_document_verifies_against_its_root(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(20)
    document = inclusion_proof_document(5, 13)
    assert (document["leaf_index"], document["tree_size"], document["checkpoint"]) == (5, 13, None)
    verify_inclusion(
        bytes.fromhex(document["leaf_hash"]),
        5,
        13,
        [base64.b64decode(h) for h in document["inclusion_proof"]],
        base64.b64decode(document["root"]),
    )


def test_an_inclusion_proof_defaults_to_the_latest_checkpoint(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 6
    record_many(9)
    document = inclusion_proof_document(1)
    assert document["tree_size"] == 8
    assert document["checkpoint"] == Checkpoint.objects.get(size=8).note


def test_an_inclusion_proof_for_an_uncovered_leaf_signs_a_fresh_checkpoint(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    leaves = record_many(5)
    document = inclusion_proof_document(leaves[-1].index)
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2, 6]
    assert document["tree_size"] == 6
    assert document["checkpoint"] == Checkpoint.objects.get(size=6).note


@pytest.mark.parametrize("size", [0, 3, 99])
def test_an_inclusion_proof_refuses_an_impossible_size(size: int) -> None:
    record_many(5)
    with pytest.raises(AuditError, match=f"cannot prove leaf 3 in a tree of {size} leaves"):
        inclusion_proof_document(3, size)
