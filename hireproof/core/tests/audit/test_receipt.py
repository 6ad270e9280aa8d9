"""Receipts: one event's proof of inclusion, kept and checked offline, read strictly."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hireproof.core.audit.checkpoint import Checkpoint, sign_checkpoint, signer_from_key_bytes
from hireproof.core.audit.merkle import MemorySource, leaf_hash
from hireproof.core.audit.receipt import Receipt, check_receipt, verify_receipt
from hireproof.core.audit.witness import add_cosignatures, cosign, witness_vkey_of
from hireproof.core.canonical import canonical_json
from hireproof.core.errors import AuditError

from .builders import (
    ORIGIN,
    OTHER_KEY,
    SIGNER,
    event_leaf,
    plain_leaves,
    receipt_for,
    rotation_leaf,
)

LEAVES = plain_leaves(11)
RECEIPT = receipt_for(LEAVES, 6, 11)
VKEY = SIGNER.verifier.vkey
WITNESS_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(200, 232)))
WITNESS = witness_vkey_of(WITNESS_KEY, "witness.example/w1")
# 2026-05-01T10:00:30Z: half a minute after leaf 6 (10:00:06) was written.
COSIGNED_AT = 1777629630


def check(receipt: Receipt, **options: Any) -> list[str]:
    options.setdefault("trusted_vkeys", (VKEY,))
    return list(check_receipt(receipt, **options).failures)


def cosigned(receipt: Receipt, timestamp: int = COSIGNED_AT) -> Receipt:
    body = receipt.checkpoint[: receipt.checkpoint.rfind("\n\n") + 1]
    line = cosign(body, WITNESS_KEY, "witness.example/w1", timestamp)
    return dataclasses.replace(receipt, checkpoint=add_cosignatures(receipt.checkpoint, [line]))


def test_a_receipt_verifies_and_round_trips_through_json() -> None:
    report = check_receipt(RECEIPT, trusted_vkeys=[VKEY])
    assert (report.failures, str(report.result)) == ((), "OK")
    assert report.summary() == (
        f"receipt OK: leaf 6 (answer.saved) is in log {ORIGIN}: the checkpoint over 11 leaves "
        f"is signed by {VKEY}, a key you trust"
    )
    verify_receipt(RECEIPT, VKEY)
    assert Receipt.from_json(RECEIPT.to_json()) == RECEIPT
    document = json.loads(RECEIPT.to_json())
    assert (document["format"], document["leaf_index"], document["rotations"]) == (
        "hireproof-receipt/v2",
        6,
        [],
    )
    assert document["leaf_hash"] == leaf_hash(LEAVES[6]).hex()


def test_a_receipt_issued_before_rotations_were_carried_is_still_read() -> None:
    document = json.loads(RECEIPT.to_json())
    del document["rotations"]
    document["format"] = "hireproof-receipt/v1"
    old = Receipt.from_json(json.dumps(document))
    assert old == RECEIPT
    assert check(old) == []


def test_a_receipt_without_the_leaf_still_proves_the_hash() -> None:
    bare = dataclasses.replace(RECEIPT, leaf=None)
    assert check(bare) == []
    assert json.loads(bare.to_json())["leaf"] is None
    assert Receipt.from_json(bare.to_json()) == bare
    assert (
        check_receipt(bare, trusted_vkeys=[VKEY])
        .summary()
        .startswith(f"receipt OK: leaf 6 is in log {ORIGIN}")
    )


def test_without_a_key_you_trust_a_receipt_is_untrusted_and_says_nothing_as_fact() -> None:
    report = check_receipt(RECEIPT)
    assert (report.failures, str(report.result)) == ((), "UNTRUSTED")
    assert report.summary() == (
        f"receipt UNTRUSTED: it holds together under its own key {VKEY}, which you have not "
        "said you trust, so it proves nothing: pass the log's published key with --vkey, or "
        "your trust file with --trust"
    )
    verify_receipt(RECEIPT)  # integrity only


@pytest.mark.parametrize(
    ("change", "failure"),
    [
        ({"leaf_index": 7, "leaf": None}, "field inclusion_proof: the inclusion proof for leaf 7"),
        ({"leaf": LEAVES[5]}, "field leaf: it does not hash to field leaf_hash"),
        (
            {"checkpoint": RECEIPT.checkpoint.replace("\n11\n", "\n12\n")},
            "field checkpoint: the signature by example.com/audit-log-test does not verify",
        ),
        ({"inclusion_proof": RECEIPT.inclusion_proof[:-1]}, "field inclusion_proof: the"),
    ],
)
def test_a_changed_receipt_fails_naming_the_field(change: dict[str, Any], failure: str) -> None:
    changed = dataclasses.replace(RECEIPT, **change)
    failures = check(changed)
    assert failures[0].startswith(failure)
    with pytest.raises(AuditError, match=failures[0][:40]):
        verify_receipt(changed)
    report = check_receipt(changed, trusted_vkeys=[VKEY])
    assert report.summary() == "\n".join(["receipt FAILED", *(f"  {f}" for f in failures)])


def test_a_leaf_that_is_no_log_event_fails() -> None:
    tree = MemorySource([leaf_hash(b"not an event")])
    receipt = dataclasses.replace(
        RECEIPT,
        leaf_index=0,
        leaf_hash=leaf_hash(b"not an event"),
        leaf=b"not an event",
        checkpoint=sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 1, tree.root(1))),
        inclusion_proof=(),
    )
    assert check(receipt) == [
        "field leaf: it is not a log event: the leaf is not valid JSON (Expecting value: line 1 "
        "column 1 (char 0))"
    ]


def test_a_leaf_that_is_not_canonical_or_not_at_its_index_fails() -> None:
    leaves = list(LEAVES)
    leaves[6] = canonical_json(json.loads(event_leaf(6))).replace(b'{"actor"', b'{ "actor"')
    leaves[3] = event_leaf(4)
    assert check(receipt_for(leaves, 6, 11)) == [
        "field leaf: it is not canonical JSON (RFC 8785): its bytes differ from the canonical "
        "encoding from byte 1 on (key order, whitespace, number form or string escapes)"
    ]
    assert check(receipt_for(leaves, 3, 11)) == ["field leaf: it says it is leaf 4, not leaf 3"]


def test_a_receipt_signed_by_a_key_you_do_not_trust_fails() -> None:
    forger = signer_from_key_bytes(ORIGIN, OTHER_KEY)
    forged = receipt_for(LEAVES, 6, 11, forger)
    assert check(forged, trusted_vkeys=()) == []  # self-consistent: name a key to tell
    assert check(forged) == [
        f"field vkey: the checkpoint is signed by {forger.verifier.vkey}, which is not a key you "
        "trust, and no rotation signed by a key you trust vouches for it"
    ]
    with pytest.raises(AuditError, match="which is not a key you trust"):
        verify_receipt(forged, VKEY)


def test_a_key_you_trust_for_another_log_fails() -> None:
    other = signer_from_key_bytes("other.example/log", OTHER_KEY)
    assert check(RECEIPT, trusted_vkeys=(VKEY, other.verifier.vkey)) == [
        f"field vkey: the key you trust {other.verifier.vkey} is the key of log "
        "other.example/log, not of this receipt's log example.com/audit-log-test"
    ]


def test_a_checkpoint_of_another_log_than_its_key_names_fails() -> None:
    elsewhere = signer_from_key_bytes("other.example/log", OTHER_KEY)
    tree = MemorySource([leaf_hash(leaf) for leaf in LEAVES])
    note = sign_checkpoint(elsewhere, Checkpoint(ORIGIN, 11, tree.root(11)))
    receipt = dataclasses.replace(RECEIPT, checkpoint=note, vkey=elsewhere.verifier.vkey)
    assert check(receipt, trusted_vkeys=(elsewhere.verifier.vkey,))[0] == (
        "field checkpoint: it is for log example.com/audit-log-test, but its signer's key is "
        "named other.example/log"
    )


def test_a_key_you_trust_vouches_through_every_rotation_the_receipt_carries() -> None:
    second = signer_from_key_bytes(ORIGIN, OTHER_KEY)
    third = signer_from_key_bytes(ORIGIN, bytes(range(50, 82)))
    leaves = list(LEAVES)
    leaves[3] = rotation_leaf(3, SIGNER, second)
    leaves[8] = rotation_leaf(8, second, third)
    receipt = receipt_for(leaves, 6, 11, third, rotations=[(3, SIGNER), (8, second)])
    report = check_receipt(Receipt.from_json(receipt.to_json()), trusted_vkeys=[VKEY])
    assert (report.failures, str(report.result)) == ((), "OK")
    assert report.summary().endswith(
        f"signed by {third.verifier.vkey}, which the key you trust vouches for through 2 key "
        "rotations"
    )
    middle = check_receipt(receipt, trusted_vkeys=[second.verifier.vkey])
    assert middle.summary().endswith("vouches for through 1 key rotation")
    assert check(receipt, trusted_vkeys=(third.verifier.vkey,)) == []


# --- witnesses ---------------------------------------------------------------------------------


def test_with_witnesses_a_cosigned_receipt_verifies_and_says_when() -> None:
    report = check_receipt(cosigned(RECEIPT), trusted_vkeys=[VKEY], witness_vkeys=[WITNESS])
    assert report.failures == ()
    assert report.summary().endswith(
        "\nwitnesses: 1 of your 1 cosigned the checkpoint (quorum 1) by 2026-05-01T10:00:30Z; "
        "the leaf is not dated after that"
    )
    bare = dataclasses.replace(cosigned(RECEIPT), leaf=None)
    assert (
        check_receipt(bare, trusted_vkeys=[VKEY], witness_vkeys=[WITNESS])
        .summary()
        .endswith("by 2026-05-01T10:00:30Z")
    )


def test_with_witnesses_a_receipt_they_did_not_cosign_fails() -> None:
    assert check(RECEIPT, witness_vkeys=[WITNESS]) == [
        "field checkpoint: it is cosigned by 0 of your 1 witnesses, not the 1 you require: they "
        "have not seen it, so the log could show it differently"
    ]


def test_with_witnesses_a_leaf_dated_after_their_time_fails() -> None:
    leaf_time = COSIGNED_AT - 24  # 10:00:06, when leaf 6 was written
    early = cosigned(RECEIPT, leaf_time - 301)
    assert check(early, witness_vkeys=[WITNESS]) == [
        "field leaf: dated 2026-05-01T10:00:06.000000Z, after your witnesses cosigned the "
        "checkpoint at 2026-05-01T09:55:05Z (more than 300 s of clock difference): a leaf dated "
        "in the future"
    ]
    assert check(cosigned(RECEIPT, leaf_time - 300), witness_vkeys=[WITNESS]) == []


def test_a_cosignature_that_does_not_verify_fails() -> None:
    line = cosign("other.example/log\n1\n" + "A" * 43 + "=\n", WITNESS_KEY, "witness.example/w1", 1)
    receipt = dataclasses.replace(RECEIPT, checkpoint=add_cosignatures(RECEIPT.checkpoint, [line]))
    failures = check(receipt, witness_vkeys=[WITNESS])
    assert failures[0] == (
        "field checkpoint: the cosignature by witness.example/w1 (line 2, time 1) does not verify"
    )


def test_an_impossible_quorum_is_bad_input() -> None:
    with pytest.raises(AuditError, match="a witness quorum of 2 is not between 1 and the 1"):
        check_receipt(RECEIPT, witness_vkeys=[WITNESS], witness_quorum=2)


# --- reading, strictly -------------------------------------------------------------------------


def _document(**changes: object) -> str:
    document = json.loads(RECEIPT.to_json())
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "the receipt is not valid JSON"),
        ("[]", "a receipt is a JSON object"),
        (_document(extra=1), "the receipt has unknown extra"),
        (_document(format="other/v9"), "field format: 'other/v9' is not hireproof-receipt/v2"),
        (_document(leaf_index="6"), "field leaf_index: not a whole number below 2\\*\\*63"),
        (_document(leaf_index=2**63), "field leaf_index: not a whole number below 2\\*\\*63"),
        (_document(leaf_hash="zz"), "field leaf_hash: not 64 lower-case hex digits"),
        (_document(leaf_hash=5), "field leaf_hash: not a string"),
        (_document(checkpoint=None), "field checkpoint: not a string"),
        (_document(checkpoint="garbage"), "field checkpoint: not a signed checkpoint"),
        (_document(inclusion_proof="abc"), "field inclusion_proof: not a list"),
        (_document(inclusion_proof=["!!"]), "field inclusion_proof\\[0\\]: not base64"),
        (_document(inclusion_proof=["AAAA"]), "field inclusion_proof\\[0\\]: 3 bytes, not 32"),
        (_document(inclusion_proof=[1]), "field inclusion_proof\\[0\\]: not a string"),
        (_document(inclusion_proof=["A" * 43 + "="] * 65), "65 hashes; a proof has at most 64"),
        (_document(leaf=3), "field leaf: not a string"),
        (_document(vkey=[]), "field vkey: not a string"),
        (_document(vkey="nonsense"), "field vkey: the vkey 'nonsense' is not name"),
        (_document(rotations={}), "field rotations: not a list"),
        (_document(rotations=[1]), "field rotations\\[0\\]: not an object"),
        (_document(rotations=[{}]), "field rotations\\[0\\] lacks checkpoint, consistency_proof"),
        (_document()[:-1] + ', "vkey": 1}', "the receipt holds the field vkey twice"),
        (_document(leaf_index=6.0), "the receipt holds the number 6.0: a receipt's numbers are"),
        (_document().replace('"leaf_index": 6', '"leaf_index": -0'), "not negative"),
        (_document().replace('"leaf_index": 6', '"leaf_index": NaN'), "holds the number NaN"),
    ],
)
def test_it_refuses_a_malformed_receipt_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        Receipt.from_json(text)
