"""Witness cosignatures (C2SP tlog-cosignature) and the witness protocol (C2SP tlog-witness)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hireproof.core.audit import (
    EMPTY_ROOT,
    MAX_PROOF_LINES,
    Checkpoint,
    MemorySource,
    Signer,
    WitnessAnswer,
    WitnessedHead,
    WitnessPolicy,
    add_cosignatures,
    check_witnessed,
    consistency_proof,
    cosign,
    decode_add_checkpoint,
    decode_witness_state,
    encode_add_checkpoint,
    encode_witness_state,
    leaf_hash,
    parse_witness_vkey,
    read_cosignatures,
    sign_checkpoint,
    signer_from_key_bytes,
    witness_add,
    witness_vkey_of,
)
from hireproof.core.audit.witness import cosigned_limit, cosigned_time_text
from hireproof.core.errors import AuditError, SignatureError
from hireproof.core.tests.audit.builders import KEY, ORIGIN, OTHER_KEY, SIGNER

WITNESS_NAME = "example.com/witness-test"
VECTOR_KEY = Ed25519PrivateKey.from_private_bytes(KEY)
VECTOR_VKEY = "example.com/witness-test+ab6471c3+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
VECTOR_BODY = "example.com/audit-log-test\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
VECTOR_LINE = (
    "\u2014 example.com/witness-test q2RxwwAAAABlU/EA+XveG/2yOi59ubzCgZI2NmL9gvjpMjl55YBL5QCZjaMZ"
    "FbYcdgIuw5XATC7sjpBiSwc5SvPzq8EEMZ5qnW2AAg==\n"
)
W1 = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
W2 = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
W1_VKEY = witness_vkey_of(W1, "w1.example")
W2_VKEY = witness_vkey_of(W2, "w2.example")
LOG_VERIFIER = SIGNER.verifier
TREE = MemorySource([leaf_hash(b"leaf %d" % i) for i in range(20)])


def note_of(size: int, signer: Signer = SIGNER, origin: str = ORIGIN) -> str:
    return sign_checkpoint(
        signer, Checkpoint(origin, size, TREE.root(size) if size else EMPTY_ROOT)
    )


def cosigned(size: int, *witnesses: tuple[Ed25519PrivateKey, str, int]) -> str:
    note = note_of(size)
    body = note[: note.rfind("\n\n") + 1]
    return add_cosignatures(note, [cosign(body, key, name, ts) for key, name, ts in witnesses])


# --- keys and lines ------------------------------------------------------------------------


def test_the_derived_cosignature_vector_of_the_design_note_is_reproduced() -> None:
    assert witness_vkey_of(VECTOR_KEY, WITNESS_NAME) == VECTOR_VKEY
    assert cosign(VECTOR_BODY, VECTOR_KEY, WITNESS_NAME, 1700000000) == VECTOR_LINE
    witness = parse_witness_vkey(VECTOR_VKEY)
    assert witness.vkey == VECTOR_VKEY
    assert witness.key_id.hex() == "ab6471c3"


def test_the_vector_line_reads_back_with_its_timestamp() -> None:
    note = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 8, base64.b64decode(VECTOR_BODY.split()[2])))
    [found] = read_cosignatures(note + VECTOR_LINE, [VECTOR_VKEY])
    assert (found.name, found.key_id.hex(), found.timestamp) == (
        WITNESS_NAME,
        "ab6471c3",
        1700000000,
    )
    assert found.line == VECTOR_LINE


def test_the_log_signature_and_unknown_witnesses_are_ignored() -> None:
    note = cosigned(5, (W1, "w1.example", 10), (W2, "w2.example", 11))
    found = read_cosignatures(note, [W2_VKEY])
    assert [(c.name, c.timestamp) for c in found] == [("w2.example", 11)]
    assert read_cosignatures(note, []) == []


def test_a_known_witness_line_that_does_not_verify_is_refused() -> None:
    good = cosigned(5, (W1, "w1.example", 10))
    other_tree = note_of(6) + good.splitlines(keepends=True)[-1]
    with pytest.raises(SignatureError, match=r"cosignature by w1\.example \(line 2, time 10\)"):
        read_cosignatures(other_tree, [W1_VKEY])


def test_a_changed_timestamp_breaks_the_cosignature() -> None:
    line = cosign(note_of(5)[: note_of(5).rfind("\n\n") + 1], W1, "w1.example", 10)
    raw = bytearray(base64.b64decode(line.split()[2]))
    raw[11] ^= 1
    forged = f"\u2014 w1.example {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(SignatureError, match="does not verify"):
        read_cosignatures(note_of(5) + forged, [W1_VKEY])


def test_a_known_witness_line_of_the_wrong_length_is_refused() -> None:
    raw = base64.b64decode(VECTOR_LINE.split()[2])[:40]
    short = f"\u2014 {WITNESS_NAME} {base64.b64encode(raw).decode()}\n"
    with pytest.raises(SignatureError, match="is 40 bytes, not 76"):
        read_cosignatures(note_of(8) + short, [VECTOR_VKEY])


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("no blank line\n", "no blank line before its signatures"),
        ("text\n\n", "no signature lines"),
        (VECTOR_BODY + "\n\u2014 x eA=\n", "signature line 1 is not valid base64"),
        (note_of(3) + "\u2014 w1.example AAAA\n" * 100, "101 signatures; at most 100"),
        ("x\x01\n\n\u2014 a AAAAAAAA\n", "control character"),
    ],
)
def test_malformed_notes_are_refused(note: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        read_cosignatures(note, [W1_VKEY])


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("w1.example+abcd", r"not name\+keyid\+key"),
        ("w 1+00000000+BA==", "must be non-empty, without spaces"),
        ("w1.example+ABCDEF01+BA==", "not 8 lower-case hex digits"),
        ("w1.example+00000000+BA=", "not valid base64"),
        (W1_VKEY.replace("+B", "+A", 1), "not an Ed25519 cosignature key"),
        (SIGNER.verifier.vkey, "not an Ed25519 cosignature key"),
        ("w1.example+00000000+" + W1_VKEY.split("+", 2)[2], "does not match its key"),
    ],
)
def test_bad_witness_vkeys_say_what_is_wrong(vkey: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        parse_witness_vkey(vkey)


def test_cosign_refuses_bad_timestamps_names_and_bodies() -> None:
    with pytest.raises(ValueError, match="64-bit unsigned"):
        cosign(VECTOR_BODY, W1, "w1.example", -1)
    with pytest.raises(ValueError, match="64-bit unsigned"):
        cosign(VECTOR_BODY, W1, "w1.example", 2**64)
    with pytest.raises(ValueError, match="key name"):
        cosign(VECTOR_BODY, W1, "w1+x", 1)
    with pytest.raises(SignatureError, match="origin, a size and a root"):
        cosign("not a checkpoint\n", W1, "w1.example", 1)


def test_add_cosignatures_merges_without_duplicates() -> None:
    note = note_of(4)
    body = note[: note.rfind("\n\n") + 1]
    one, two = cosign(body, W1, "w1.example", 1), cosign(body, W2, "w2.example", 2)
    merged = add_cosignatures(note, [one, two.rstrip("\n"), one])
    assert merged == note + one + two
    assert add_cosignatures(merged, [two, one]) == merged
    assert [c.name for c in read_cosignatures(merged, [W1_VKEY, W2_VKEY])] == [
        "w1.example",
        "w2.example",
    ]


def test_add_cosignatures_refuses_what_is_not_a_signature_line() -> None:
    with pytest.raises(SignatureError, match="cosignature 1 is more than one line"):
        add_cosignatures(note_of(4), ["\u2014 a AAAAAAAA\n\u2014 b AAAAAAAA\n"])
    with pytest.raises(SignatureError, match="signature line 1 does not start with an em dash"):
        add_cosignatures(note_of(4), ["- a AAAAAAAA"])
    with pytest.raises(SignatureError, match="at most 100"):
        add_cosignatures(note_of(4), [f"\u2014 w{i} AAAAAAAA" for i in range(100)])


# --- the request codec -------------------------------------------------------------------------


def test_a_request_round_trips() -> None:
    proof = consistency_proof(TREE, 3, 7)
    body = encode_add_checkpoint(3, proof, note_of(7))
    assert body.startswith(b"old 3\n" + base64.b64encode(proof[0]) + b"\n")
    request = decode_add_checkpoint(body)
    assert (request.old_size, list(request.proof), request.note) == (3, proof, note_of(7))
    empty = decode_add_checkpoint(encode_add_checkpoint(0, [], note_of(7)))
    assert (empty.old_size, empty.proof) == (0, ())
    assert encode_add_checkpoint(0, [], "N") == b"old 0\n\nN"


def test_encode_refuses_negative_sizes_and_long_proofs() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        encode_add_checkpoint(-1, [], note_of(1))
    with pytest.raises(ValueError, match="at most 63"):
        encode_add_checkpoint(1, [EMPTY_ROOT] * 64, note_of(1))


HASH_B64 = base64.b64encode(EMPTY_ROOT).decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff", "not UTF-8"),
        (b"old 1\nnote", "no blank line between the proof and the checkpoint"),
        (b"old 01\n\nnote", "first line 'old 01' is not 'old <size>'"),
        (b"new 1\n\nnote", "is not 'old <size>'"),
        (b"old -1\n\nnote", "is not 'old <size>'"),
        (("old 1\n" + (HASH_B64 + "\n") * 64 + "\nn").encode(), "64 proof lines; at most 63"),
        (b"old 1\nAAAA\n\nnote", "proof line 1 is 3 bytes, not 32"),
        (("old 1\n" + HASH_B64.rstrip("=") + "\n\nn").encode(), "proof line 1 is not valid"),
        (("old 1\n" + HASH_B64[:-2] + "9=\n\nn").encode(), "proof line 1 is not in canonical"),
    ],
)
def test_decode_is_strict_and_says_what(body: bytes, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        decode_add_checkpoint(body)


def test_decode_accepts_exactly_63_proof_lines() -> None:
    request = decode_add_checkpoint(
        ("old 1\n" + (HASH_B64 + "\n") * MAX_PROOF_LINES + "\nn").encode()
    )
    assert len(request.proof) == MAX_PROOF_LINES


# --- the witness state machine -----------------------------------------------------------------


def add(
    state: Mapping[str, WitnessedHead],
    old: int,
    note: str,
    proof: list[bytes] | None = None,
    now: int = 100,
) -> WitnessAnswer:
    return witness_add(
        state, encode_add_checkpoint(old, proof or [], note), [LOG_VERIFIER], W1, "w1.example", now
    )


def test_a_first_checkpoint_is_cosigned_and_remembered() -> None:
    status, body, state = add({}, 0, note_of(5))
    assert status == 200
    [found] = read_cosignatures(note_of(5) + body.decode(), [W1_VKEY])
    assert found.timestamp == 100
    assert state == {ORIGIN: WitnessedHead(5, TREE.root(5), 100)}


def test_a_consistent_extension_is_cosigned() -> None:
    _, _, state = add({}, 0, note_of(5))
    status, body, state2 = add(state, 5, note_of(9), consistency_proof(TREE, 5, 9), now=200)
    assert status == 200
    assert state2[ORIGIN] == WitnessedHead(9, TREE.root(9), 200)
    assert read_cosignatures(note_of(9) + body.decode(), [W1_VKEY])[0].timestamp == 200


def test_the_same_checkpoint_again_is_cosigned_and_time_never_goes_backwards() -> None:
    _, _, state = add({}, 0, note_of(5), now=500)
    status, body, state2 = add(state, 5, note_of(5), now=400)
    assert status == 200
    assert read_cosignatures(note_of(5) + body.decode(), [W1_VKEY])[0].timestamp == 500
    assert state2[ORIGIN].timestamp == 500


def test_an_empty_tree_is_cosigned_from_size_0() -> None:
    status, _, state = add({}, 0, note_of(0))
    assert status == 200
    assert state[ORIGIN] == WitnessedHead(0, EMPTY_ROOT, 100)


def test_garbage_is_400() -> None:
    status, body, state = witness_add({}, b"junk", [LOG_VERIFIER], W1, "w1.example", 1)
    assert (status, state) == (400, {})
    assert b"no blank line" in body
    status, body, _ = witness_add({}, b"old 0\n\nnot a note", [LOG_VERIFIER], W1, "w1.example", 1)
    assert (status, body) == (400, b"the note has no blank line before its signatures\n")


def test_an_unknown_origin_is_404() -> None:
    stranger = signer_from_key_bytes("other.example/log", KEY)
    status, body, _ = add({}, 0, note_of(3, stranger, "other.example/log"))
    assert status == 404
    assert body == b"unknown log origin 'other.example/log'\n"


def test_a_checkpoint_signed_by_an_untrusted_key_is_403() -> None:
    impostor = signer_from_key_bytes(ORIGIN, OTHER_KEY)
    status, body, state = add({}, 0, note_of(3, impostor))
    assert (status, state) == (403, {})
    assert body.startswith(b"the checkpoint's log signature does not verify: no trusted key")


def test_an_old_size_above_the_new_size_is_400() -> None:
    status, body, _ = add({}, 6, note_of(5))
    assert (status, body) == (400, b"old size 6 is above the size 5\n")


def test_an_old_size_other_than_the_last_cosigned_is_409_with_that_size() -> None:
    _, _, state = add({}, 0, note_of(5))
    assert add(state, 0, note_of(7))[:2] == (409, b"5\n")
    assert add(state, 6, note_of(7))[:2] == (409, b"5\n")
    assert add({}, 3, note_of(7))[:2] == (409, b"0\n")


def test_a_proof_from_size_0_must_be_empty() -> None:
    status, body, state = add({}, 0, note_of(5), [EMPTY_ROOT])
    assert (status, state) == (422, {})
    assert body == b"a consistency proof from size 0 must be empty\n"


def test_a_fork_at_the_same_size_is_422_and_not_cosigned() -> None:
    _, _, state = add({}, 0, note_of(5))
    fork = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 5, leaf_hash(b"other")))
    status, body, after = add(state, 5, fork)
    assert (status, after) == (422, state)
    assert b"two trees of the same size have different roots" in body


def test_a_larger_tree_that_does_not_extend_is_422() -> None:
    _, _, state = add({}, 0, note_of(5))
    other = MemorySource([leaf_hash(b"other %d" % i) for i in range(9)])
    fork = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 9, other.root(9)))
    status, body, after = add(state, 5, fork, consistency_proof(other, 5, 9))
    assert (status, after) == (422, state)
    assert b"not consistent with the size 5 cosigned before" in body


def test_a_size_0_checkpoint_must_carry_the_empty_root() -> None:
    bad = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 0, leaf_hash(b"x")))
    status, body, _ = add({}, 0, bad)
    assert (status, body) == (422, b"a checkpoint of size 0 must carry the empty tree's root\n")


def test_the_state_round_trips_through_json() -> None:
    state = {
        ORIGIN: WitnessedHead(5, TREE.root(5), 100),
        "a.example": WitnessedHead(0, EMPTY_ROOT, 0),
    }
    text = encode_witness_state(state)
    assert list(json.loads(text)["logs"]) == ["a.example", ORIGIN]
    assert decode_witness_state(text) == state
    assert decode_witness_state(encode_witness_state({})) == {}


def state_text(logs: object, fmt: str = "hireproof-witness-state/v1") -> str:
    return json.dumps({"format": fmt, "logs": logs})


ROOT = base64.b64encode(EMPTY_ROOT).decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ("[]", "not in the format"),
        (state_text({}, "v0"), "not in the format"),
        (json.dumps({"format": "hireproof-witness-state/v1"}), "no 'logs' object"),
        (state_text({"o": []}), "'o' is not an object of size, root and timestamp"),
        (state_text({"o": {"size": 1, "root": ROOT}}), "not an object of size, root"),
        (state_text({"o": {"size": -1, "root": ROOT, "timestamp": 0}}), "not a whole number"),
        (state_text({"o": {"size": True, "root": ROOT, "timestamp": 0}}), "not a whole number"),
        (state_text({"o": {"size": 1, "root": 5, "timestamp": 0}}), "root that is not text"),
        (state_text({"o": {"size": 1, "root": "AA=", "timestamp": 0}}), "root is not valid"),
        (state_text({"o": {"size": 1, "root": "AAAA", "timestamp": 0}}), "3 bytes, not 32"),
    ],
)
def test_a_bad_state_file_says_what(text: str, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        decode_witness_state(text)


# --- the auditor's check -----------------------------------------------------------------------


def test_sizes_with_a_quorum_of_distinct_witnesses_are_witnessed() -> None:
    notes = [
        cosigned(3, (W1, "w1.example", 10), (W2, "w2.example", 12)),
        cosigned(6, (W1, "w1.example", 20)),
        note_of(9),
    ]
    one = check_witnessed(notes, [W1_VKEY, W2_VKEY], 1)
    assert (one.ok, one.sizes, one.latest) == (True, (3, 6), 6)
    assert one.timestamps == {3: {"w1.example": 10, "w2.example": 12}, 6: {"w1.example": 20}}
    assert (one.time_of(3), one.time_of(6), one.time_of(9)) == (10, 20, None)
    two = check_witnessed(notes, [parse_witness_vkey(W1_VKEY), W2_VKEY], 2)
    assert (two.ok, two.sizes, two.latest, two.time_of(3), two.time_of(6)) == (
        True,
        (3,),
        3,
        12,
        None,
    )


def test_the_same_witness_twice_counts_once_with_its_earliest_time() -> None:
    note = cosigned(3, (W1, "w1.example", 10))
    body = note[: note.rfind("\n\n") + 1]
    again = add_cosignatures(note, [cosign(body, W1, "w1.example", 5)])
    result = check_witnessed([again, note], [W1_VKEY, W2_VKEY], 2)
    assert (result.sizes, result.timestamps, result.latest) == ((), {3: {"w1.example": 5}}, None)
    assert result.ok


def test_nothing_witnessed_and_a_quorum_beyond_the_trusted_witnesses() -> None:
    result = check_witnessed([note_of(3)], [W1_VKEY], 2)
    assert result.sizes == ()
    assert result.failures == ("quorum 2 asks for more witnesses than the 1 trusted",)
    assert not result.ok
    with pytest.raises(ValueError, match="at least 1"):
        check_witnessed([], [], 0)


def test_a_bad_cosignature_is_a_failure_naming_the_checkpoint() -> None:
    good = cosigned(5, (W1, "w1.example", 10))
    bad = note_of(6) + good.splitlines(keepends=True)[-1]
    result = check_witnessed([good, bad], [W1_VKEY], 1)
    assert result.sizes == (5,)
    assert result.failures == (
        "checkpoint 2: the cosignature by w1.example (line 2, time 10) does not verify",
    )


def test_a_witness_whose_time_goes_backwards_is_a_failure() -> None:
    notes = [
        cosigned(3, (W1, "w1.example", 50), (W2, "w2.example", 1)),
        cosigned(6, (W1, "w1.example", 40), (W2, "w2.example", 2)),
    ]
    result = check_witnessed(notes, [W1_VKEY, W2_VKEY], 1)
    assert result.failures == (
        "witness w1.example cosigned size 6 at 40, before size 3 at 50: its time goes backwards",
    )


def test_a_witness_that_cosigned_two_trees_of_one_size_is_a_failure() -> None:
    fork = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 5, leaf_hash(b"other")))
    body = fork[: fork.rfind("\n\n") + 1]
    forked = add_cosignatures(fork, [cosign(body, W1, "w1.example", 11)])
    result = check_witnessed([cosigned(5, (W1, "w1.example", 10)), forked], [W1_VKEY], 1)
    assert result.failures == ("witness w1.example cosigned two different trees of size 5",)
    assert result.timestamps == {5: {"w1.example": 10}}


# --- what the auditor requires --------------------------------------------------------------


def test_a_witness_policy_requires_all_its_witnesses_unless_told_otherwise() -> None:
    both = WitnessPolicy.of([W1_VKEY, W2_VKEY, W1_VKEY])
    assert (len(both.keys), both.quorum, both.required) == (2, 2, True)
    assert WitnessPolicy.of([W1_VKEY, W2_VKEY], 1).quorum == 1
    assert WitnessPolicy.of([]) == WitnessPolicy((), 0)
    assert not WitnessPolicy.of([]).required


@pytest.mark.parametrize(
    ("vkeys", "quorum", "message"),
    [
        ([W1_VKEY], 0, "a witness quorum of 0 is not between 1 and the 1 witnesses"),
        ([W1_VKEY], 2, "a witness quorum of 2 is not between 1 and the 1 witnesses"),
        ([], 1, "a witness quorum of 1 needs that many witness keys"),
        ([W1_VKEY, witness_vkey_of(W2, "w1.example")], None, "two witness keys share a name"),
        (["nonsense"], None, "the witness vkey 'nonsense' is not name\\+keyid\\+key"),
    ],
)
def test_an_impossible_witness_policy_is_refused(
    vkeys: list[str], quorum: int | None, message: str
) -> None:
    with pytest.raises(AuditError, match=message):
        WitnessPolicy.of(vkeys, quorum)


def test_a_cosigned_time_bounds_leaf_times_in_the_logs_format() -> None:
    assert cosigned_limit(1777629600) == "2026-05-01T10:05:00.000000Z"  # 300 s of skew
    assert cosigned_limit(1777629600, skew=0) == "2026-05-01T10:00:00.000000Z"
    assert cosigned_time_text(1777629600) == "2026-05-01T10:00:00Z"
    assert cosigned_limit(2**64 - 1) is None  # past the year 9999: bounds nothing
    assert cosigned_time_text(2**64 - 1) == "18446744073709551615 (seconds since 1970)"
