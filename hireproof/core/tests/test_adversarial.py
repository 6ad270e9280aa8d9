"""Adversarial bundles and receipts, by class of attack: every mutation of an honest one is caught.

The honest bundle is a realistic log of 14 leaves: created with one key, a scored attempt whose
answers are disclosed, a key rotation at leaf 7, an erasure, checkpoints signed by both keys
(both sign the hand-over), consistency proofs. Each case mutates it one way and asserts the
verdict of ``decode_bundle`` + ``verify_bundle`` with the first key pinned: ``unreadable`` (the
manifest is refused, exit 2), ``FAILED`` (exit 1), never OK; where the class is about a place
(header, receipt), the message names it. The witnessed bundle is the same log cosigned by two
witnesses, verified requiring both; the receipt is one for the scored attempt, issued after the
rotation, verified with the first key only.

============  ==========================================================  =====================
class         mutations                                                   detected as
============  ==========================================================  =====================
leaf          flip a byte, reorder, insert, delete, duplicate JSON key,   FAILED, at the leaf
              malformed time, time going backwards (the last two also
              when the log itself signed them), upper-case commitment,
              and signed by the log: duplicate key, keys reordered, NaN,
              a float, a needless escape, an integer past 2**53 - 1
signature     flip a signature byte, signed by a wrong key, signature     FAILED (an extra
              line missing                                                unknown line: OK)
checkpoint    size changed, root changed, listed out of order, a second   FAILED
              checkpoint of one size (a fork)
header        leaf_count, erased_subjects (dropped, added, repeated),     FAILED or unreadable,
              keys (order, length, period, padded), unknown field,        naming the field
              duplicate key, non-canonical base64, upper-case hex salt
              or hash, a checkpoint or a proof listed twice, the final
              newline missing, a blank line at the end
truncation    last leaves dropped; last checkpoint dropped (unsigned      FAILED
              tail); both dropped, against a held checkpoint or a trust
              file; a forged leaf appended with leaf_count bumped
key rotation  re-signed end to end with an attacker's key; rotation to    FAILED
              an attacker's key after the signed tree; the rotation leaf
              rewritten to name an attacker's key
witness       cosignature missing, by an unknown witness, over another    FAILED (an extra
              tree, with a forged timestamp; time going backwards; the    unknown witness:
              quorum not met; a leaf dated after the witnesses' time; a   OK)
              witness that cosigned two trees of one size
receipt       each field changed (index, hash, leaf, checkpoint size,     FAILED or unreadable,
              root and origin, proof truncated or extended, key); each    naming the field
              value in another encoding (base64 padding bits, upper-case
              or spaced hex, a padded key, a duplicate field, a float,
              -0); signed by an attacker; and the rotation evidence
              dropped, reordered, its leaf, hand-over, proofs changed
============  ==========================================================  =====================
"""

from __future__ import annotations

import base64
import dataclasses
import json
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hireproof.core.audit.bundle import (
    Bundle,
    KeyPeriod,
    PlaybookText,
    decode_bundle,
    encode_bundle,
)
from hireproof.core.audit.checkpoint import (
    Checkpoint,
    Signer,
    sign_checkpoint,
    signer_from_key_bytes,
)
from hireproof.core.audit.events import EventType
from hireproof.core.audit.merkle import (
    MemorySource,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
)
from hireproof.core.audit.receipt import KeyRotationProof, Receipt, check_receipt
from hireproof.core.audit.report import Report
from hireproof.core.audit.rescore import Rescored
from hireproof.core.audit.trust import TrustFile
from hireproof.core.audit.verify import verify_bundle
from hireproof.core.audit.witness import add_cosignatures, cosign, witness_vkey_of
from hireproof.core.canonical import canonical_json
from hireproof.core.errors import AuditError

from .audit.builders import (
    ANSWERS,
    KEY,
    ORIGIN,
    PLAYBOOK_HASH,
    SCORECARD_HASH,
    answers_opening,
    event_leaf,
    proofs_for,
    scored_leaf,
)

FIRST = signer_from_key_bytes(ORIGIN, bytes(range(32, 64)))
SECOND = signer_from_key_bytes(ORIGIN, bytes(range(64, 96)))
ATTACKER = signer_from_key_bytes(ORIGIN, bytes(range(96, 128)))
WITNESS = signer_from_key_bytes("witness.example/w1", bytes(range(128, 160)))
GONE = "subj_gone"
ROTATION = 7
SYSTEM: dict[str, Any] = {"actor": "system", "subject": None}
PLAYBOOKS = {PLAYBOOK_HASH: PlaybookText("data-scientist-mid.yaml", "id: data-scientist-mid\n")}
# (signer, sizes): the first key signs up to the hand-over at 8; the second from there.
SIGNING = ((FIRST, (4, 8)), (SECOND, (8, 12, 14)))


def rescorer(text: str, filename: str, answers: Mapping[str, str]) -> Rescored:
    card = SCORECARD_HASH if dict(answers) == ANSWERS else "d" * 64
    return Rescored("data-scientist-mid", "1.0.0", PLAYBOOK_HASH, card)


def created(signer: Signer) -> bytes:
    public = {"origin": ORIGIN, "vkey": signer.verifier.vkey}
    return event_leaf(0, EventType.LOG_CREATED, public=public, **SYSTEM)


def rotated(index: int, old: Signer, new: Signer) -> bytes:
    public = {"old_vkey": old.verifier.vkey, "new_vkey": new.verifier.vkey}
    return event_leaf(index, EventType.LOG_KEY_ROTATED, public=public, **SYSTEM)


def honest_leaves(first: Signer = FIRST, second: Signer = SECOND) -> list[bytes]:
    leaves = [event_leaf(i) for i in range(14)]
    leaves[0] = created(first)
    leaves[6] = scored_leaf(6)
    leaves[ROTATION] = rotated(ROTATION, first, second)
    leaves[11] = event_leaf(11, EventType.SUBJECT_ERASED, subject=GONE, public={"basis": "art17"})
    return leaves


def signed(
    leaves: Sequence[bytes], signing: Sequence[tuple[Signer, Sequence[int]]] = SIGNING
) -> tuple[str, ...]:
    tree = MemorySource([leaf_hash(leaf) for leaf in leaves])
    notes = [
        (size, sign_checkpoint(signer, Checkpoint(ORIGIN, size, tree.root(size))))
        for signer, sizes in signing
        for size in sizes
    ]
    return tuple(note for _, note in sorted(notes, key=lambda pair: pair[0]))


def keys_for(first: Signer = FIRST, second: Signer = SECOND) -> tuple[KeyPeriod, ...]:
    return (
        KeyPeriod(first.verifier.vkey, 1, ROTATION + 1),
        KeyPeriod(second.verifier.vkey, ROTATION + 1, None),
    )


def honest(leaves: Sequence[bytes] | None = None) -> Bundle:
    """The honest export; with ``leaves``, the same export as the log would have signed them."""
    leaves = list(leaves if leaves is not None else honest_leaves())
    return Bundle(
        origin=ORIGIN,
        leaves=leaves,
        keys=keys_for(),
        checkpoints=signed(leaves),
        consistency_proofs=proofs_for(leaves, [(4, 8), (8, 12), (12, 14)]),
        openings={6: (answers_opening(6),)},
        playbooks=PLAYBOOKS,
        erased_subjects=(GONE,),
    )


HONEST = honest()
PINNED = (FIRST.verifier.vkey,)


def verdict(mutated: Bundle | bytes, **options: Any) -> str:
    """``unreadable`` if the manifest is refused, else the verification's result."""
    options.setdefault("trusted_vkeys", PINNED)
    try:
        bundle = decode_bundle(mutated) if isinstance(mutated, bytes) else mutated
    except AuditError:
        return "unreadable"
    return str(verify_bundle(bundle, rescorer=rescorer, **options).result)


def run(mutated: Bundle | bytes, **options: Any) -> Report:
    bundle = decode_bundle(mutated) if isinstance(mutated, bytes) else mutated
    options.setdefault("trusted_vkeys", PINNED)
    return verify_bundle(bundle, rescorer=rescorer, **options)


def test_the_honest_bundle_verifies_under_the_first_key_and_its_rotation() -> None:
    report = run(encode_bundle(HONEST))
    assert report.failures == ()
    assert str(report.result) == "OK"
    assert (report.proven_size, report.rescored, report.erased_subjects) == (14, 1, (GONE,))
    assert report.trusted_keys == (FIRST.verifier.vkey, SECOND.verifier.vkey)


# --- helpers that mutate ---------------------------------------------------------------------


def with_leaves(change: Callable[[list[bytes]], None], *, resign: bool = False) -> Bundle:
    leaves = list(HONEST.leaves)
    change(leaves)
    if resign:  # the log itself wrote and signed it: the checks must not rest on the roots alone
        return dataclasses.replace(honest(leaves), leaf_count=len(leaves))
    return dataclasses.replace(HONEST, leaves=leaves, leaf_count=len(leaves))


def flip(data: bytes, offset: int) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= 0x01
    return bytes(changed)


def swap(leaves: list[bytes], first: int, second: int) -> None:
    leaves[first], leaves[second] = leaves[second], leaves[first]


def set_leaf(index: int, data: bytes) -> Callable[[list[bytes]], None]:
    def change(leaves: list[bytes]) -> None:
        leaves[index] = data

    return change


def retime(index: int, at: str) -> bytes:
    return HONEST.leaves[index].replace(
        json.loads(HONEST.leaves[index])["at"].encode(), at.encode()
    )


def manifest(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = encode_bundle(HONEST)
    first_line, rest = data.split(b"\n", 1)
    document = json.loads(first_line)
    change(document)
    return json.dumps(document).encode() + b"\n" + rest


def with_checkpoints(change: Callable[[list[str]], None]) -> Bundle:
    notes = list(HONEST.checkpoints)
    change(notes)
    return dataclasses.replace(HONEST, checkpoints=tuple(notes))


def replace_line(note: str, number: int, text: str) -> str:
    lines = note.split("\n")
    lines[number] = text
    return "\n".join(lines)


def upper_commitment(leaf: bytes) -> bytes:
    record = json.loads(leaf)
    record["commitments"] = {k: v.upper() for k, v in record["commitments"].items()}
    return canonical_json(record)


def flip_signature(note: str) -> str:
    """Change one base64 character inside the note's last signature."""
    position = len(note) - 10
    return note[:position] + ("B" if note[position] == "A" else "A") + note[position + 1 :]


def other_base64(text: str) -> str:
    """The same 32 bytes spelled with a padding bit set: decodes alike, not canonical."""
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "+/"
    spelled = alphabet[alphabet.index(text[-2]) ^ 1]
    return text[:-2] + spelled + "="


def duplicate_key(leaf: bytes) -> bytes:
    return leaf.replace(b'{"actor":"staff:7",', b'{"actor":"staff:9","actor":"staff:7",', 1)


# --- the cases, by class ---------------------------------------------------------------------


def signed_variant(index: int, **dumps: Any) -> Callable[[list[bytes]], None]:
    """Leaf ``index`` written by ``json.dumps`` with ``dumps`` (and ``public`` changes)."""
    record = json.loads(HONEST.leaves[index])
    if dumps.get("sort_keys") is False:
        record = dict(reversed(record.items()))
    record["public"] = {**record["public"], **dumps.pop("public", {})}
    dumps.setdefault("separators", (",", ":"))
    dumps.setdefault("sort_keys", True)
    return set_leaf(index, json.dumps(record, **dumps).encode())


# Each case and the leaf its failure names.
LEAF: dict[str, tuple[Bundle, int]] = {
    "flip a byte": (with_leaves(set_leaf(9, flip(HONEST.leaves[9], 40))), 9),
    "reorder": (with_leaves(lambda leaves: swap(leaves, 2, 3)), 2),
    "insert": (
        with_leaves(lambda leaves: leaves.insert(5, event_leaf(5, EventType.DECISION_RECORDED))),
        5,
    ),
    "delete": (with_leaves(lambda leaves: leaves.__delitem__(5)), 5),
    "duplicate JSON key": (with_leaves(set_leaf(3, duplicate_key(HONEST.leaves[3]))), 3),
    "malformed time": (with_leaves(set_leaf(4, retime(4, "2026-05-01T10:00:04Z"))), 4),
    "time goes backwards": (
        with_leaves(set_leaf(4, retime(4, "2026-05-01T09:00:00.000000Z"))),
        4,
    ),
    "signed: malformed time": (
        with_leaves(set_leaf(4, retime(4, "2026-05-01T10:00:04+00:00")), resign=True),
        4,
    ),
    "signed: time goes backwards": (
        with_leaves(set_leaf(4, retime(4, "2026-05-01T09:00:00.000000Z")), resign=True),
        4,
    ),
    "signed: upper-case commitment": (
        with_leaves(set_leaf(6, upper_commitment(HONEST.leaves[6])), resign=True),
        6,
    ),
    "signed: duplicate JSON key": (
        with_leaves(set_leaf(3, duplicate_key(HONEST.leaves[3])), resign=True),
        3,
    ),
    "signed: keys out of order": (with_leaves(signed_variant(3, sort_keys=False), resign=True), 3),
    "signed: NaN": (with_leaves(signed_variant(3, public={"n": float("nan")}), resign=True), 3),
    "signed: a float": (with_leaves(signed_variant(3, public={"n": 0.5}), resign=True), 3),
    "signed: a needless escape": (
        with_leaves(signed_variant(3, public={"n": "\u00e9"}, ensure_ascii=True), resign=True),
        3,
    ),
    "signed: an integer past 2**53 - 1": (
        with_leaves(signed_variant(3, public={"n": 2**53}), resign=True),
        3,
    ),
}

SIGNATURE: dict[str, Bundle] = {
    "flip a signature byte": with_checkpoints(
        lambda notes: notes.__setitem__(2, flip_signature(notes[2]))
    ),
    "signed by a wrong key": with_checkpoints(
        lambda notes: notes.__setitem__(4, signed(HONEST.leaves, [(ATTACKER, (14,))])[0])
    ),
    "signature line missing": with_checkpoints(
        lambda notes: notes.__setitem__(4, notes[4][: notes[4].rfind("\n\n") + 2])
    ),
}

CHECKPOINT: dict[str, Bundle] = {
    "size changed": with_checkpoints(
        lambda notes: notes.__setitem__(1, replace_line(notes[1], 1, "7"))
    ),
    "root changed": with_checkpoints(
        lambda notes: notes.__setitem__(1, replace_line(notes[1], 2, "A" * 43 + "="))
    ),
    "listed out of order": with_checkpoints(lambda notes: notes.reverse()),
    "a fork: two roots for one size": with_checkpoints(
        lambda notes: notes.insert(
            4,
            signed(
                [
                    *HONEST.leaves[:11],
                    event_leaf(11, EventType.DECISION_RECORDED),
                    *HONEST.leaves[12:],
                ],
                [(SECOND, (12,))],
            )[0],
        )
    ),
}

# Each case and where its message says the problem is.
HEADER: dict[str, tuple[Bundle | bytes, str]] = {
    "leaf_count": (manifest(lambda m: m.__setitem__("leaf_count", 15)), "field leaf_count"),
    "erased_subjects dropped": (
        manifest(lambda m: m.__setitem__("erased_subjects", [])),
        "field erased_subjects",
    ),
    "erased_subjects added": (
        manifest(lambda m: m.__setitem__("erased_subjects", [GONE, "subj_x"])),
        "field erased_subjects",
    ),
    "erased_subjects repeated": (
        manifest(lambda m: m.__setitem__("erased_subjects", [GONE, GONE])),
        "field erased_subjects",
    ),
    "keys reordered": (manifest(lambda m: m["keys"].reverse()), "field keys: key 1 is"),
    "keys shortened": (manifest(lambda m: m["keys"].pop()), "field keys: the bundle lists 1"),
    "key period widened": (
        manifest(lambda m: m["keys"][0].__setitem__("last_size", None)),
        "field keys: key 1 is",
    ),
    "key padded with a space": (
        manifest(lambda m: m["keys"][0].__setitem__("vkey", m["keys"][0]["vkey"] + " ")),
        "field keys: key 1 is",
    ),
    "unknown field": (
        manifest(lambda m: m.__setitem__("note", "trust me")),
        "the manifest has unknown note",
    ),
    "unknown field in a key": (
        manifest(lambda m: m["keys"][0].__setitem__("trusted", True)),
        "keys[0] has unknown trusted",
    ),
    "non-canonical base64": (
        manifest(
            lambda m: m["consistency_proofs"][0]["proof"].__setitem__(
                0, other_base64(m["consistency_proofs"][0]["proof"][0])
            )
        ),
        "consistency_proofs[0].proof[0] is not canonical base64",
    ),
    "upper-case hex salt": (
        manifest(
            lambda m: m["openings"]["6"][0].__setitem__(
                "salt", m["openings"]["6"][0]["salt"].upper()
            )
        ),
        "openings['6']: the salt of field 'answers' is not 64 lower-case hex digits",
    ),
    "upper-case playbook hash": (
        manifest(
            lambda m: m.__setitem__("playbooks", {k.upper(): v for k, v in m["playbooks"].items()})
        ),
        "playbooks['AAAA",
    ),
    "duplicate manifest key": (
        encode_bundle(HONEST).replace(b'"format":', b'"leaf_count": 14, "format":', 1),
        "the bundle's manifest holds the key leaf_count twice",
    ),
    "a checkpoint listed twice": (
        with_checkpoints(lambda notes: notes.insert(1, notes[0])),
        "field checkpoints: checkpoint 2 repeats checkpoint 1",
    ),
    "a consistency proof listed twice": (
        dataclasses.replace(
            HONEST, consistency_proofs=(*HONEST.consistency_proofs, HONEST.consistency_proofs[0])
        ),
        "field consistency_proofs[3]: a second consistency proof from size 4 to 8",
    ),
    "the final newline missing": (
        encode_bundle(HONEST)[:-1],
        "leaf 13: the file's last line does not end with a newline",
    ),
    "a blank line at the end": (encode_bundle(HONEST) + b"\n", "leaf 14: the leaf is not valid"),
}


def _forged_scored() -> bytes:
    record = json.loads(scored_leaf(14))
    record["public"]["verdict"] = "strong_pass"
    return canonical_json(record)


TRUNCATION: dict[str, Bundle] = {
    "last leaves dropped": with_leaves(lambda leaves: leaves.__delitem__(slice(12, None))),
    "last checkpoint dropped": with_checkpoints(lambda notes: notes.__delitem__(-1)),
    "forged scoring leaf appended": dataclasses.replace(
        HONEST, leaves=[*HONEST.leaves, _forged_scored()], leaf_count=15
    ),
    "forged erasure appended": dataclasses.replace(
        HONEST,
        leaves=[*HONEST.leaves, event_leaf(14, EventType.SUBJECT_ERASED)],
        leaf_count=15,
        erased_subjects=(GONE, "subj_7g2k"),
    ),
}

CUT = dataclasses.replace(
    HONEST,
    leaves=HONEST.leaves[:12],
    checkpoints=HONEST.checkpoints[:-1],
    consistency_proofs=HONEST.consistency_proofs[:-1],
)


def _resigned_by_attacker() -> Bundle:
    leaves = honest_leaves(ATTACKER, signer_from_key_bytes(ORIGIN, bytes(range(160, 192))))
    second = signer_from_key_bytes(ORIGIN, bytes(range(160, 192)))
    return Bundle(
        origin=ORIGIN,
        leaves=leaves,
        keys=keys_for(ATTACKER, second),
        checkpoints=signed(leaves, ((ATTACKER, (4, 8)), (second, (8, 12, 14)))),
        erased_subjects=(GONE,),
    )


def _rotated_to_attacker_after_the_signed_tree() -> Bundle:
    leaves = [*HONEST.leaves, rotated(14, SECOND, ATTACKER), event_leaf(15)]
    keys = (
        *keys_for()[:1],
        KeyPeriod(SECOND.verifier.vkey, 8, 15),
        KeyPeriod(ATTACKER.verifier.vkey, 15, None),
    )
    return dataclasses.replace(
        HONEST,
        leaves=leaves,
        keys=keys,
        checkpoints=(*HONEST.checkpoints, *signed(leaves, [(ATTACKER, (15, 16))])),
        leaf_count=16,
    )


def _rotation_leaf_rewritten() -> Bundle:
    leaves = list(HONEST.leaves)
    leaves[ROTATION] = rotated(ROTATION, FIRST, ATTACKER)
    return dataclasses.replace(
        HONEST,
        leaves=leaves,
        keys=keys_for(FIRST, ATTACKER),
        checkpoints=signed(leaves, ((FIRST, (4,)), (ATTACKER, (8, 12, 14)))),
        consistency_proofs=(),
    )


KEY_ROTATION: dict[str, tuple[Bundle, str]] = {
    "re-signed end to end with an attacker's key": (_resigned_by_attacker(), "FAILED"),
    "rotation to an attacker's key after the signed tree": (
        _rotated_to_attacker_after_the_signed_tree(),
        "FAILED",
    ),
    "rotation leaf rewritten to name an attacker's key": (_rotation_leaf_rewritten(), "FAILED"),
}


@pytest.mark.parametrize("case", sorted(LEAF))
def test_leaf_mutations_fail_naming_the_leaf(case: str) -> None:
    bundle, position = LEAF[case]
    report = run(bundle)
    assert str(report.result) == "FAILED"
    assert any(
        failure.leaf_index is not None
        and failure.leaf_index <= position < (failure.leaf_end or failure.leaf_index + 1)
        for failure in report.failures
    ), report.summary()


@pytest.mark.parametrize("case", sorted(SIGNATURE))
def test_signature_mutations_fail(case: str) -> None:
    assert verdict(SIGNATURE[case]) == "FAILED"


def test_an_extra_unknown_signature_line_is_ignored() -> None:
    cosigned = signed(HONEST.leaves, [(WITNESS, (14,))])[0]
    extra = cosigned[cosigned.rfind("\n\n") + 2 :]
    bundle = with_checkpoints(lambda notes: notes.__setitem__(4, notes[4] + extra))
    assert verdict(bundle) == "OK"


@pytest.mark.parametrize("case", sorted(CHECKPOINT))
def test_checkpoint_mutations_fail(case: str) -> None:
    assert verdict(CHECKPOINT[case]) == "FAILED"


def verdict_and_text(mutated: Bundle | bytes, **options: Any) -> tuple[str, str]:
    """The verdict and what it says: the refusal, or every failure."""
    try:
        bundle = decode_bundle(mutated) if isinstance(mutated, bytes) else mutated
    except AuditError as error:
        return "unreadable", str(error)
    report = run(bundle, **options)
    return str(report.result), "\n".join(str(failure) for failure in report.failures)


@pytest.mark.parametrize("case", sorted(HEADER))
def test_header_mutations_are_refused_or_fail_naming_the_field(case: str) -> None:
    mutated, where = HEADER[case]
    result, text = verdict_and_text(mutated)
    assert result in {"unreadable", "FAILED"}
    assert where in text


@pytest.mark.parametrize("case", sorted(TRUNCATION))
def test_truncations_and_unsigned_tails_fail(case: str) -> None:
    report = run(TRUNCATION[case])
    assert str(report.result) == "FAILED"
    assert report.proven_size <= 14
    assert report.erased_subjects in {(), (GONE,)}  # a forged erasure is never a fact
    assert "strong_pass" not in report.summary()


def test_a_tail_cut_with_its_checkpoint_fails_against_a_held_checkpoint() -> None:
    assert verdict(CUT) == "OK"  # on its own, a shorter log looks whole
    assert verdict(CUT, held_checkpoints=HONEST.checkpoints[-1:]) == "FAILED"


def test_a_tail_cut_with_its_checkpoint_fails_against_a_trust_file() -> None:
    trust = TrustFile.start(FIRST.verifier.vkey)
    remembered = trust.after(run(HONEST, trusted_vkeys=(), trust=trust))
    assert verdict(CUT, trusted_vkeys=(), trust=remembered) == "FAILED"


@pytest.mark.parametrize("case", sorted(KEY_ROTATION))
def test_key_rotation_attacks_are_detected(case: str) -> None:
    bundle, expected = KEY_ROTATION[case]
    assert verdict(bundle) == expected
    assert verdict(bundle, trusted_vkeys=()) in {"UNTRUSTED", "FAILED"}


# --- witness ---------------------------------------------------------------------------------

W1_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
W2_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
W3_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(3, 35)))  # nobody trusts it
W1, W2 = witness_vkey_of(W1_KEY, "counsel.example/w"), witness_vkey_of(W2_KEY, "council.example/w")
WITNESS_KEYS = {"counsel.example/w": W1_KEY, "council.example/w": W2_KEY, "x.example/w": W3_KEY}
T0 = 1777629600  # 2026-05-01T10:00:00Z, when leaf 0 was written


def body_of(note: str) -> str:
    return note[: note.rfind("\n\n") + 1]


def cosigned_by(note: str, *signatures: tuple[str, int]) -> str:
    """``note`` with the cosignatures of the named witnesses at the given times."""
    lines = [cosign(body_of(note), WITNESS_KEYS[name], name, at) for name, at in signatures]
    return add_cosignatures(note, lines)


def witnessed(
    leaves: Sequence[bytes] | None = None,
    at_8: Sequence[tuple[str, int]] = (
        ("counsel.example/w", T0 + 20),
        ("council.example/w", T0 + 21),
    ),
    at_14: Sequence[tuple[str, int]] = (
        ("counsel.example/w", T0 + 40),
        ("council.example/w", T0 + 41),
    ),
) -> Bundle:
    """The honest bundle, its hand-over (new key) and last checkpoints cosigned by both."""
    bundle = honest(leaves) if leaves is not None else HONEST
    notes = list(bundle.checkpoints)
    notes[2] = cosigned_by(notes[2], *at_8)
    notes[4] = cosigned_by(notes[4], *at_14)
    return dataclasses.replace(bundle, checkpoints=tuple(notes), leaf_count=len(bundle.leaves))


WITNESSED = witnessed()


def test_the_witnessed_bundle_verifies_requiring_both_witnesses() -> None:
    report = run(WITNESSED, witness_vkeys=(W1, W2))
    assert report.failures == ()
    assert (str(report.result), report.witnessed_size, report.witness_quorum) == ("OK", 14, 2)
    assert report.witness_notes == (
        "witnesses: 2 of your 2 cosigned the checkpoint over 14 leaves (quorum 2) by "
        "2026-05-01T10:00:41Z; no leaf is dated after its witnesses' time (allowing 300 s for "
        "clock differences)",
    )


def _future_leaves() -> list[bytes]:
    leaves = list(HONEST.leaves)
    for index in (12, 13):  # the log's clock says 2099, and goes on from there
        leaves[index] = retime(index, f"2099-01-01T00:00:{index:02d}.000000Z")
    return leaves


def _with_last_note(change: Callable[[str], str]) -> Bundle:
    notes = list(WITNESSED.checkpoints)
    notes[-1] = change(notes[-1])
    return dataclasses.replace(WITNESSED, checkpoints=tuple(notes))


def _strip_cosignatures(note: str) -> str:
    return note[: note.index("\n\u2014 ", note.rfind("\n\n")) + 1] + note.split("\n")[-2] + "\n"


def _forge_timestamp(note: str) -> str:
    lines = note.split("\n")
    name, encoded = lines[-2][2:].split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[11] ^= 0x01  # the timestamp's last byte: one second later
    lines[-2] = f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}"
    return "\n".join(lines)


def _cosignature_of_another_tree(note: str) -> str:
    other = WITNESSED.checkpoints[2].split("\n")[-3]  # W1's line over the tree of 8 leaves
    lines = note.split("\n")
    lines[-3] = other
    return "\n".join(lines)


def _second_tree_of_14() -> Bundle:
    forked = list(HONEST.leaves)
    forked[12] = event_leaf(12, EventType.DECISION_RECORDED)
    note = cosigned_by(signed(forked, [(SECOND, (14,))])[0], ("counsel.example/w", T0 + 50))
    return dataclasses.replace(WITNESSED, checkpoints=(*WITNESSED.checkpoints, note))


# Each case and what its message names.
WITNESS_CASES: dict[str, tuple[Bundle, str]] = {
    "cosignatures missing": (
        _with_last_note(_strip_cosignatures),
        "leaves 8-13: no checkpoint cosigned by 2 of your 2 witnesses covers these leaves",
    ),
    "cosigned by a witness nobody trusts": (
        witnessed(at_14=(("counsel.example/w", T0 + 40), ("x.example/w", T0 + 41))),
        "leaves 8-13: no checkpoint cosigned by 2 of your 2 witnesses",
    ),
    "a cosignature over another tree": (
        _with_last_note(_cosignature_of_another_tree),
        "checkpoint 5: the cosignature by counsel.example/w (line 2, time 1777629620) does not",
    ),
    "a forged timestamp": (
        _with_last_note(_forge_timestamp),
        "checkpoint 5: the cosignature by council.example/w (line 3, time 1777629640) does not",
    ),
    "time going backwards": (
        witnessed(at_14=(("counsel.example/w", T0 + 10), ("council.example/w", T0 + 41))),
        "witness counsel.example/w cosigned size 14 at 1777629610, before size 8 at 1777629620",
    ),
    "quorum not met": (
        witnessed(at_14=(("counsel.example/w", T0 + 40),)),
        "leaves 8-13: no checkpoint cosigned by 2 of your 2 witnesses",
    ),
    "a leaf dated after the witnesses' time": (
        witnessed(_future_leaves()),
        "leaves 12-13: dated 2099-01-01T00:00:12.000000Z, after the witnesses cosigned the "
        "checkpoint over 14 leaves covering it at 2026-05-01T10:00:41Z",
    ),
    "a witness that cosigned two trees of one size": (
        _second_tree_of_14(),
        "witness counsel.example/w cosigned two different trees of size 14",
    ),
}


@pytest.mark.parametrize("case", sorted(WITNESS_CASES))
def test_witness_attacks_fail_naming_what(case: str) -> None:
    bundle, what = WITNESS_CASES[case]
    result, text = verdict_and_text(bundle, witness_vkeys=(W1, W2))
    assert result == "FAILED"
    assert what in text


def test_a_trust_file_holding_witnesses_requires_them() -> None:
    trust = TrustFile.start(FIRST.verifier.vkey, [W1, W2])
    assert verdict(WITNESSED, trusted_vkeys=(), trust=trust) == "OK"
    assert verdict(WITNESS_CASES["quorum not met"][0], trusted_vkeys=(), trust=trust) == "FAILED"
    one = TrustFile.start(FIRST.verifier.vkey, [W1, W2], witness_quorum=1)
    assert verdict(WITNESS_CASES["quorum not met"][0], trusted_vkeys=(), trust=one) == "OK"
    # Witnesses named besides the file's join them; all are required unless a quorum is given.
    first = TrustFile.start(FIRST.verifier.vkey, [W1])
    unmet = WITNESS_CASES["quorum not met"][0]
    assert verdict(unmet, trusted_vkeys=(), trust=first, witness_vkeys=(W2,)) == "FAILED"
    assert verdict(unmet, trusted_vkeys=(), trust=first, witness_quorum=1) == "OK"


def test_a_bundle_nobody_cosigned_fails_with_witnesses_and_says_so() -> None:
    report = run(HONEST, witness_vkeys=(W1,))
    assert report.witness_notes == ("witnesses: no checkpoint is cosigned by 1 of your 1",)
    assert [str(failure) for failure in report.failures] == [
        "leaves 0-13: no checkpoint cosigned by 1 of your 1 witnesses covers these leaves: the "
        "witnesses have not seen them, so the log could show them differently to someone else"
    ]
    assert (report.proven_size, report.erased_subjects) == (0, ())  # no fact they have not seen


def test_a_leaf_the_log_signed_malformed_has_no_time_to_hold_to_the_witnesses() -> None:
    leaves = list(HONEST.leaves)
    leaves[13] = b"not an event"
    report = run(witnessed(leaves), witness_vkeys=(W1, W2))
    assert [str(failure) for failure in report.failures] == [
        "leaf 13: the leaf is not valid JSON (Expecting value: line 1 column 1 (char 0))"
    ]


def test_a_cosignature_by_a_witness_nobody_trusts_is_ignored() -> None:
    extra = _with_last_note(lambda note: cosigned_by(note, ("x.example/w", T0 + 45)))
    assert verdict(extra, witness_vkeys=(W1, W2)) == "OK"
    assert verdict(witnessed(at_14=(("counsel.example/w", T0 + 40),)), witness_vkeys=(W1,)) == "OK"


# --- receipt -----------------------------------------------------------------------------------

TREE = MemorySource([leaf_hash(leaf) for leaf in HONEST.leaves])
RECEIPT = Receipt(
    leaf_index=6,
    leaf_hash=leaf_hash(HONEST.leaves[6]),
    checkpoint=HONEST.checkpoints[4],  # the last checkpoint, signed by the second key
    inclusion_proof=tuple(inclusion_proof(TREE, 6, 14)),
    vkey=SECOND.verifier.vkey,
    leaf=HONEST.leaves[6],
    rotations=(
        KeyRotationProof(
            leaf_index=ROTATION,
            leaf=HONEST.leaves[ROTATION],
            checkpoint=HONEST.checkpoints[1],  # the hand-over, signed by the first key
            inclusion_proof=tuple(inclusion_proof(TREE, ROTATION, ROTATION + 1)),
            consistency_proof=tuple(consistency_proof(TREE, ROTATION + 1, 14)),
        ),
    ),
)


def receipt_verdict(receipt: Receipt | str) -> tuple[str, str]:
    """``unreadable`` and why, or the result and every failure, with the first key pinned."""
    try:
        parsed = Receipt.from_json(receipt) if isinstance(receipt, str) else receipt
    except AuditError as error:
        return "unreadable", str(error)
    report = check_receipt(parsed, trusted_vkeys=PINNED)
    return str(report.result), "\n".join(report.failures)


def test_the_receipt_verifies_under_the_first_key_through_the_rotation() -> None:
    assert receipt_verdict(RECEIPT.to_json()) == ("OK", "")
    summary = check_receipt(RECEIPT, trusted_vkeys=PINNED).summary()
    assert summary.endswith("which the key you trust vouches for through 1 key rotation")


def receipt_json(change: Callable[[dict[str, Any]], None]) -> str:
    document = json.loads(RECEIPT.to_json())
    change(document)
    return json.dumps(document)


def with_rotation(**changes: Any) -> Receipt:
    rotation = dataclasses.replace(RECEIPT.rotations[0], **changes)
    return dataclasses.replace(RECEIPT, rotations=(rotation,))


_ATTACKER_NOTE = signed(HONEST.leaves, [(ATTACKER, (14,))])[0]

# Each case and the field its message names.
RECEIPT_CASES: dict[str, tuple[Receipt | str, str]] = {
    "leaf index off by one": (
        dataclasses.replace(RECEIPT, leaf_index=7, leaf=None),
        "field inclusion_proof",
    ),
    "another leaf, with its hash": (
        dataclasses.replace(RECEIPT, leaf=HONEST.leaves[5], leaf_hash=leaf_hash(HONEST.leaves[5])),
        "field inclusion_proof",
    ),
    "the leaf changed, its hash kept": (
        dataclasses.replace(RECEIPT, leaf=_forged_scored()),
        "field leaf: it does not hash to field leaf_hash",
    ),
    "the leaf hash changed": (
        dataclasses.replace(RECEIPT, leaf=None, leaf_hash=leaf_hash(b"x")),
        "field inclusion_proof",
    ),
    "the checkpoint's size changed": (
        dataclasses.replace(RECEIPT, checkpoint=replace_line(RECEIPT.checkpoint, 1, "13")),
        "field checkpoint: the signature by",
    ),
    "the checkpoint's root changed": (
        dataclasses.replace(
            RECEIPT, checkpoint=replace_line(RECEIPT.checkpoint, 2, "A" * 43 + "=")
        ),
        "field checkpoint: the signature by",
    ),
    "a checkpoint of another log": (
        dataclasses.replace(
            RECEIPT, checkpoint=RECEIPT.checkpoint.replace(ORIGIN + "\n", "other.example/log\n", 1)
        ),
        "field checkpoint: it is for log other.example/log",
    ),
    "the inclusion proof truncated": (
        dataclasses.replace(RECEIPT, inclusion_proof=RECEIPT.inclusion_proof[:-1]),
        "field inclusion_proof",
    ),
    "the inclusion proof extended": (
        dataclasses.replace(RECEIPT, inclusion_proof=(*RECEIPT.inclusion_proof, bytes(32))),
        "field inclusion_proof",
    ),
    "the key swapped for the first one": (
        dataclasses.replace(RECEIPT, vkey=FIRST.verifier.vkey),
        "field checkpoint: no trusted key signed the note",
    ),
    "signed by an attacker": (
        dataclasses.replace(
            RECEIPT, checkpoint=_ATTACKER_NOTE, vkey=ATTACKER.verifier.vkey, rotations=()
        ),
        "field vkey: the checkpoint is signed by",
    ),
    "non-canonical base64 in the proof": (
        receipt_json(
            lambda d: d["inclusion_proof"].__setitem__(0, other_base64(d["inclusion_proof"][0]))
        ),
        "field inclusion_proof[0]: not canonical base64",
    ),
    "base64 without padding": (
        receipt_json(lambda d: d["inclusion_proof"].__setitem__(0, d["inclusion_proof"][0][:-1])),
        "field inclusion_proof[0]: not base64",
    ),
    "non-canonical base64 in a rotation's proof": (
        receipt_json(
            lambda d: d["rotations"][0]["consistency_proof"].__setitem__(
                0, other_base64(d["rotations"][0]["consistency_proof"][0])
            )
        ),
        "field rotations[0].consistency_proof[0]: not canonical base64",
    ),
    "upper-case hex": (
        receipt_json(lambda d: d.__setitem__("leaf_hash", d["leaf_hash"].upper())),
        "field leaf_hash: not 64 lower-case hex digits",
    ),
    "hex with spaces": (
        receipt_json(lambda d: d.__setitem__("leaf_hash", " ".join(d["leaf_hash"][:64]))),
        "field leaf_hash: not 64 lower-case hex digits",
    ),
    "the key padded with a space": (
        receipt_json(lambda d: d.__setitem__("vkey", " " + d["vkey"])),
        "field vkey: not written the one way a key is written",
    ),
    "a field twice": (
        RECEIPT.to_json().replace('"leaf_index": 6', '"leaf_index": 7, "leaf_index": 6'),
        "holds the field leaf_index twice",
    ),
    "a float": (RECEIPT.to_json().replace('"leaf_index": 6', '"leaf_index": 6.0'), "6.0"),
    "minus zero": (RECEIPT.to_json().replace('"leaf_index": 7', '"leaf_index": -0'), "-0"),
    "an unknown field": (receipt_json(lambda d: d.__setitem__("ok", True)), "has unknown ok"),
    "the rotations dropped": (
        dataclasses.replace(RECEIPT, rotations=()),
        "field vkey: the checkpoint is signed by",
    ),
    "the rotation leaf rewritten": (
        with_rotation(leaf=rotated(ROTATION, FIRST, ATTACKER)),
        "field rotations[0].inclusion_proof",
    ),
    "the rotation leaf of another index": (
        with_rotation(leaf_index=ROTATION + 1),
        "field rotations[0].leaf: it says it is leaf 7, not leaf 8",
    ),
    "the hand-over signed by the new key": (
        with_rotation(checkpoint=HONEST.checkpoints[2]),
        "field rotations[0].checkpoint: no trusted key signed the note",
    ),
    "the hand-over of another size": (
        with_rotation(checkpoint=HONEST.checkpoints[0]),
        "field rotations[0].checkpoint: it is the checkpoint of log",
    ),
    "the rotation's inclusion proof changed": (
        with_rotation(inclusion_proof=(bytes(32), *RECEIPT.rotations[0].inclusion_proof[1:])),
        "field rotations[0].inclusion_proof",
    ),
    "the rotation's consistency proof truncated": (
        with_rotation(consistency_proof=RECEIPT.rotations[0].consistency_proof[:-1]),
        "field rotations[0].consistency_proof",
    ),
    "the rotation listed twice": (
        dataclasses.replace(RECEIPT, rotations=RECEIPT.rotations * 2),
        "field rotations[1].leaf_index: rotations are listed in log order, each once",
    ),
    "a rotation to a key of another log": (
        with_rotation(leaf=rotated(ROTATION, FIRST, signer_from_key_bytes("x.example/log", KEY))),
        "field rotations[0].leaf: it does not name two keys of log example.com/audit-log-test",
    ),
    "a rotation leaf not in canonical form": (
        with_rotation(leaf=HONEST.leaves[ROTATION].replace(b'{"actor"', b'{ "actor"')),
        "field rotations[0].leaf: it is not canonical JSON (RFC 8785)",
    ),
    "not a rotation but another event": (
        with_rotation(leaf=HONEST.leaves[6], leaf_index=6),
        "field rotations[0].leaf: it is not a key rotation event: it records attempt.scored",
    ),
}


@pytest.mark.parametrize("case", sorted(RECEIPT_CASES))
def test_receipt_attacks_are_refused_or_fail_naming_the_field(case: str) -> None:
    receipt, where = RECEIPT_CASES[case]
    result, text = receipt_verdict(receipt)
    assert result in {"unreadable", "FAILED"}
    assert where in text
