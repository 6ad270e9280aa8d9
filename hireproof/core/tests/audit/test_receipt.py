"""Receipts: one event's proof of inclusion, kept and checked offline."""

from __future__ import annotations

import dataclasses
import json

import pytest

from hireproof.core.audit.checkpoint import Checkpoint, sign_checkpoint, signer_from_key_bytes
from hireproof.core.audit.merkle import MemorySource, inclusion_proof, leaf_hash
from hireproof.core.audit.receipt import Receipt, verify_receipt
from hireproof.core.errors import AuditError, ProofError, SignatureError

from .builders import ORIGIN, OTHER_KEY, SIGNER, plain_leaves

LEAVES = plain_leaves(11)
TREE = MemorySource([leaf_hash(leaf) for leaf in LEAVES])
NOTE = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 11, TREE.root(11)))
RECEIPT = Receipt(
    leaf_index=6,
    leaf_hash=leaf_hash(LEAVES[6]),
    checkpoint=NOTE,
    inclusion_proof=tuple(inclusion_proof(TREE, 6, 11)),
    vkey=SIGNER.verifier.vkey,
    leaf=LEAVES[6],
)


def test_a_receipt_verifies_and_round_trips_through_json() -> None:
    verify_receipt(RECEIPT)
    verify_receipt(RECEIPT, vkey=SIGNER.verifier.vkey)
    assert Receipt.from_json(RECEIPT.to_json()) == RECEIPT
    document = json.loads(RECEIPT.to_json())
    assert document["format"] == "hireproof-receipt/v1"
    assert document["leaf_index"] == 6
    assert document["leaf_hash"] == leaf_hash(LEAVES[6]).hex()


def test_a_receipt_without_the_leaf_still_proves_the_hash() -> None:
    bare = dataclasses.replace(RECEIPT, leaf=None)
    verify_receipt(bare)
    assert json.loads(bare.to_json())["leaf"] is None
    assert Receipt.from_json(bare.to_json()) == bare


def test_it_refuses_a_receipt_for_another_leaf_index() -> None:
    with pytest.raises(ProofError, match="does not lead to the root"):
        verify_receipt(dataclasses.replace(RECEIPT, leaf_index=7))


def test_it_refuses_a_receipt_whose_leaf_was_changed() -> None:
    with pytest.raises(AuditError, match="the receipt's leaf does not match its leaf hash"):
        verify_receipt(dataclasses.replace(RECEIPT, leaf=LEAVES[5]))


def test_it_refuses_a_receipt_whose_checkpoint_was_changed() -> None:
    with pytest.raises(SignatureError, match="does not verify"):
        verify_receipt(dataclasses.replace(RECEIPT, checkpoint=NOTE.replace("\n11\n", "\n12\n")))


def test_it_refuses_a_receipt_signed_by_a_key_other_than_the_pinned_one() -> None:
    forger = signer_from_key_bytes(ORIGIN, OTHER_KEY)
    forged = dataclasses.replace(
        RECEIPT,
        checkpoint=sign_checkpoint(forger, Checkpoint(ORIGIN, 11, TREE.root(11))),
        vkey=forger.verifier.vkey,
    )
    verify_receipt(forged)  # self-consistent: pin the key to tell
    with pytest.raises(AuditError, match="signed by a different key than the one given"):
        verify_receipt(forged, vkey=SIGNER.verifier.vkey)


def _document(**changes: object) -> str:
    document = json.loads(RECEIPT.to_json())
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "the receipt is not valid JSON"),
        ("[]", "a receipt is a JSON object with exactly"),
        (_document(extra=1), "a receipt is a JSON object with exactly"),
        (_document(format="other/v9"), "format 'other/v9' is not hireproof-receipt/v1"),
        (_document(leaf_index="6"), "the receipt's leaf_index is not a whole number"),
        (_document(leaf_hash="zz"), "the receipt's leaf_hash is not hex"),
        (_document(leaf_hash=5), "the receipt's leaf_hash is not a string"),
        (_document(checkpoint=None), "the receipt's checkpoint is not a string"),
        (_document(inclusion_proof="abc"), "the receipt's inclusion_proof is not a list"),
        (
            _document(inclusion_proof=["!!"]),
            "a hash in the receipt's inclusion_proof is not base64",
        ),
        (_document(inclusion_proof=[1]), "the receipt's proof hash is not a string"),
        (_document(leaf=3), "the receipt's leaf is not a string"),
        (_document(vkey=[]), "the receipt's vkey is not a string"),
    ],
)
def test_it_refuses_a_malformed_receipt_saying_what(text: str, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        Receipt.from_json(text)
