"""Adversarial bundles, by class of attack: every mutation of an honest export is detected.

The honest bundle is a realistic log of 14 leaves: created with one key, a scored attempt whose
answers are disclosed, a key rotation at leaf 7, an erasure, checkpoints signed by both keys
(both sign the hand-over), consistency proofs. Each case mutates it one way and asserts the
verdict of ``decode_bundle`` + ``verify_bundle`` with the first key pinned: ``unreadable`` (the
manifest is refused, exit 2), ``FAILED`` (exit 1) or ``UNTRUSTED`` (exit 3); never OK.

============  ==========================================================  =====================
class         mutations                                                   detected as
============  ==========================================================  =====================
leaf          flip a byte, reorder, insert, delete, duplicate JSON key,   FAILED
              malformed time, time going backwards (the last two also
              when the log itself signed them), upper-case commitment
signature     flip a signature byte, signed by a wrong key, signature     FAILED (an extra
              line missing                                                unknown line: OK)
checkpoint    size changed, root changed, listed out of order, a second   FAILED
              checkpoint of one size (a fork)
header        leaf_count, erased_subjects (dropped, added, repeated),     FAILED, or
              keys (order, length, period), unknown field, duplicate      unreadable
              key, non-canonical base64, upper-case hex salt or hash
truncation    last leaves dropped; last checkpoint dropped (unsigned      FAILED
              tail); both dropped, against a held checkpoint or a trust
              file; a forged leaf appended with leaf_count bumped
key rotation  re-signed end to end with an attacker's key; rotation to    UNTRUSTED; FAILED
              an attacker's key after the signed tree; the rotation leaf
              rewritten to name an attacker's key
============  ==========================================================  =====================
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

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
from hireproof.core.audit.merkle import MemorySource, leaf_hash
from hireproof.core.audit.report import Report
from hireproof.core.audit.rescore import Rescored
from hireproof.core.audit.trust import TrustFile
from hireproof.core.audit.verify import verify_bundle
from hireproof.core.canonical import canonical_json
from hireproof.core.errors import AuditError

from .audit.builders import (
    ANSWERS,
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
    """The same 32 bytes spelled with non-zero padding bits: decodes alike, not canonical."""
    return text[:-2] + ("B" if text[-2] == "A" else "A") + "="


def duplicate_key(leaf: bytes) -> bytes:
    return leaf.replace(b'{"actor":"staff:7",', b'{"actor":"staff:9","actor":"staff:7",', 1)


# --- the cases, by class ---------------------------------------------------------------------

LEAF: dict[str, Bundle] = {
    "flip a byte": with_leaves(set_leaf(9, flip(HONEST.leaves[9], 40))),
    "reorder": with_leaves(lambda leaves: swap(leaves, 2, 3)),
    "insert": with_leaves(
        lambda leaves: leaves.insert(5, event_leaf(5, EventType.DECISION_RECORDED))
    ),
    "delete": with_leaves(lambda leaves: leaves.__delitem__(5)),
    "duplicate JSON key": with_leaves(set_leaf(3, duplicate_key(HONEST.leaves[3]))),
    "malformed time": with_leaves(set_leaf(4, retime(4, "2026-05-01T10:00:04Z"))),
    "time goes backwards": with_leaves(set_leaf(4, retime(4, "2026-05-01T09:00:00.000000Z"))),
    "signed: malformed time": with_leaves(
        set_leaf(4, retime(4, "2026-05-01T10:00:04+00:00")), resign=True
    ),
    "signed: time goes backwards": with_leaves(
        set_leaf(4, retime(4, "2026-05-01T09:00:00.000000Z")), resign=True
    ),
    "signed: upper-case commitment": with_leaves(
        set_leaf(6, upper_commitment(HONEST.leaves[6])), resign=True
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

HEADER: dict[str, Bundle | bytes] = {
    "leaf_count": manifest(lambda m: m.__setitem__("leaf_count", 15)),
    "erased_subjects dropped": manifest(lambda m: m.__setitem__("erased_subjects", [])),
    "erased_subjects added": manifest(lambda m: m.__setitem__("erased_subjects", [GONE, "subj_x"])),
    "erased_subjects repeated": manifest(lambda m: m.__setitem__("erased_subjects", [GONE, GONE])),
    "keys reordered": manifest(lambda m: m["keys"].reverse()),
    "keys shortened": manifest(lambda m: m["keys"].pop()),
    "key period widened": manifest(lambda m: m["keys"][0].__setitem__("last_size", None)),
    "unknown field": manifest(lambda m: m.__setitem__("note", "trust me")),
    "unknown field in a key": manifest(lambda m: m["keys"][0].__setitem__("trusted", True)),
    "non-canonical base64": manifest(
        lambda m: m["consistency_proofs"][0]["proof"].__setitem__(
            0, other_base64(m["consistency_proofs"][0]["proof"][0])
        )
    ),
    "upper-case hex salt": manifest(
        lambda m: m["openings"]["6"][0].__setitem__("salt", m["openings"]["6"][0]["salt"].upper())
    ),
    "upper-case playbook hash": manifest(
        lambda m: m.__setitem__("playbooks", {k.upper(): v for k, v in m["playbooks"].items()})
    ),
    "duplicate manifest key": encode_bundle(HONEST).replace(
        b'"format":', b'"leaf_count": 14, "format":', 1
    ),
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
    "re-signed end to end with an attacker's key": (_resigned_by_attacker(), "UNTRUSTED"),
    "rotation to an attacker's key after the signed tree": (
        _rotated_to_attacker_after_the_signed_tree(),
        "FAILED",
    ),
    "rotation leaf rewritten to name an attacker's key": (_rotation_leaf_rewritten(), "FAILED"),
}


@pytest.mark.parametrize("case", sorted(LEAF))
def test_leaf_mutations_fail(case: str) -> None:
    assert verdict(LEAF[case]) == "FAILED"


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


@pytest.mark.parametrize("case", sorted(HEADER))
def test_header_mutations_are_refused_or_fail(case: str) -> None:
    assert verdict(HEADER[case]) in {"unreadable", "FAILED"}


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
