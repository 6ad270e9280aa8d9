"""The auditor's trust file: strict to read, and moved forward only by an OK verification."""

from __future__ import annotations

import dataclasses
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hireproof.core.audit.report import Failure, Report
from hireproof.core.audit.trust import TRUST_FORMAT, TrustFile
from hireproof.core.audit.witness import witness_vkey_of
from hireproof.core.errors import AuditError, SignatureError

from .builders import ORIGIN, OTHER_KEY, SIGNER

VKEY = SIGNER.verifier.vkey
ROOT = bytes(range(32))
WITNESS = witness_vkey_of(Ed25519PrivateKey.from_private_bytes(OTHER_KEY), "witness.example/w1")
OTHER_WITNESS = witness_vkey_of(Ed25519PrivateKey.from_private_bytes(ROOT), "witness.example/w2")


def report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "origin": ORIGIN,
        "leaves": 8,
        "failures": (),
        "erased_subjects": (),
        "checkpoints_verified": 2,
        "checkpoints_total": 2,
        "signed_size": 8,
        "consistent_pairs": 1,
        "proofs_checked": 0,
        "openings_checked": 0,
        "rescored": 0,
        "proven_size": 8,
        "proven_root": ROOT,
        "trusted_keys": (VKEY,),
        "anchored": True,
    }
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]  # fields of any type


def test_a_trust_file_starts_from_one_key_and_round_trips() -> None:
    trust = TrustFile.start(VKEY)
    assert (trust.origin, trust.trusted_vkeys, trust.checkpoint) == (ORIGIN, (VKEY,), None)
    full = dataclasses.replace(
        trust, witness_vkeys=(WITNESS,), witness_quorum=1, checkpoint=(8, ROOT)
    )
    assert TrustFile.from_json(full.to_json()) == full
    assert json.loads(full.to_json()) == {
        "format": TRUST_FORMAT,
        "origin": ORIGIN,
        "trusted_vkeys": [VKEY],
        "witness_vkeys": [WITNESS],
        "witness_quorum": 1,
        "checkpoint": {"size": 8, "root": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
    }
    assert TrustFile.from_json(trust.to_json()) == trust


def test_a_trust_file_starts_with_witnesses_all_required_by_default() -> None:
    trust = TrustFile.start(VKEY, [WITNESS, OTHER_WITNESS])
    assert (trust.witness_vkeys, trust.witness_quorum) == ((WITNESS, OTHER_WITNESS), 2)
    assert TrustFile.start(VKEY, [WITNESS, OTHER_WITNESS], 1).witness_quorum == 1
    assert TrustFile.from_json(trust.to_json()) == trust


def test_starting_from_a_malformed_key_is_refused() -> None:
    with pytest.raises(SignatureError, match="not name\\+keyid\\+key"):
        TrustFile.start("nonsense")
    with pytest.raises(SignatureError, match="not an Ed25519 cosignature key"):
        TrustFile.start(VKEY, [VKEY])
    with pytest.raises(AuditError, match="a witness quorum of 3 is not between 1 and the 2"):
        TrustFile.start(VKEY, [WITNESS, OTHER_WITNESS], 3)
    with pytest.raises(AuditError, match="a witness quorum of 1 needs that many witness keys"):
        TrustFile.start(VKEY, [], 1)


def _document(**changes: object) -> str:
    document = json.loads(TrustFile.start(VKEY).to_json())
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "the trust file is not valid JSON"),
        ("[]", "not a hireproof-trust/v1 trust file \\(field format\\)"),
        (_document(format="x"), "field format"),
        ('{"format": "hireproof-trust/v1"}', "the trust file lacks: checkpoint, origin"),
        (_document(extra=1), "the trust file has unknown fields: extra"),
        (_document(origin=""), "field origin is not a non-empty string"),
        (_document(trusted_vkeys="k"), "field trusted_vkeys is not a list"),
        (_document(trusted_vkeys=[]), "field trusted_vkeys names no key"),
        (_document(trusted_vkeys=[1]), "field trusted_vkeys\\[0\\] is not a string"),
        (_document(trusted_vkeys=["nonsense"]), "field trusted_vkeys\\[0\\]: the vkey"),
        (_document(trusted_vkeys=[VKEY, VKEY]), "field trusted_vkeys names a key twice"),
        (_document(witness_quorum=1), "field witness_quorum is not a whole number from 0 to 0"),
        (_document(witness_quorum=True), "field witness_quorum"),
        (
            _document(witness_vkeys=[WITNESS], witness_quorum=0),
            "field witness_quorum is not a whole number from 1 to 1",
        ),
        (
            _document(witness_vkeys=[VKEY], witness_quorum=1),
            "field witness_vkeys\\[0\\]: the witness vkey is not an Ed25519 cosignature key",
        ),
        (
            _document(witness_vkeys=[WITNESS, WITNESS], witness_quorum=1),
            "field witness_vkeys names a key twice",
        ),
        (
            _document(trusted_vkeys=[VKEY + " "]),
            "field trusted_vkeys\\[0\\] is not written the one",
        ),
        (
            _document(trusted_vkeys=[WITNESS]),
            "field trusted_vkeys\\[0\\]: the vkey is not an Ed25519",
        ),
        (_document(checkpoint=[]), "field checkpoint is not"),
        (_document(checkpoint={"size": 0, "root": "AA=="}), "field checkpoint.size"),
        (_document(checkpoint={"size": 1, "root": "!"}), "field checkpoint.root is not base64"),
        (_document(checkpoint={"size": 1, "root": 5}), "field checkpoint.root is not base64"),
        (_document(checkpoint={"size": 1, "root": "AQE="}), "checkpoint.root is not a 32-byte"),
        (
            _document(checkpoint={"size": 1, "root": "A" * 42 + "B="}),
            "checkpoint.root is not a 32-byte hash in canonical base64",
        ),
        (_document()[:-1] + ', "origin": "x"}', "holds the field origin twice"),
    ],
)
def test_a_malformed_trust_file_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        TrustFile.from_json(text)


def test_after_an_ok_report_the_checkpoint_moves_forward_and_vouched_keys_join() -> None:
    trust = TrustFile.start(VKEY)
    moved = trust.after(report(trusted_keys=(VKEY, WITNESS)))
    assert moved.checkpoint == (8, ROOT)
    assert moved.trusted_vkeys == (VKEY, WITNESS)
    again = moved.after(report(proven_size=12, checked_against=(8, ROOT)))
    assert again.checkpoint == (12, ROOT)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"failures": (Failure(None, None, None, "x"),)},
            "only after an OK verification, not FAILED",
        ),
        ({"anchored": False}, "only after an OK verification, not UNTRUSTED"),
        ({"origin": "other"}, "the report is for log other"),
        ({"checked_against": (4, ROOT)}, "not checked against this trust file's checkpoint"),
        ({"proven_root": None}, "the report proves no checkpoint"),
    ],
)
def test_a_trust_file_does_not_move_on_a_report_it_cannot_take(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(AuditError, match=message):
        TrustFile.start(VKEY).after(report(**changes))


def test_a_trust_file_never_moves_backwards() -> None:
    trust = dataclasses.replace(TrustFile.start(VKEY), checkpoint=(8, ROOT))
    with pytest.raises(AuditError, match="proves 4 leaves, fewer than the 8 already verified"):
        trust.after(report(proven_size=4, checked_against=(8, ROOT)))
