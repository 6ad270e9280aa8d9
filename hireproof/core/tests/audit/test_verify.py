"""The auditor's verifier: a clean bundle passes; every kind of tampering is found and located."""

from __future__ import annotations

import dataclasses
import sys
import types
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from hireproof.core.audit.commitments import Opening
from hireproof.core.audit.events import EventType, parse_leaf
from hireproof.core.audit.merkle import EMPTY_ROOT, MemorySource, leaf_hash
from hireproof.core.audit.trust import TrustFile
from hireproof.core.audit.verify import (
    Failure,
    Report,
    Rescored,
    Result,
    rescore_with_core,
    verify_bundle,
)
from hireproof.core.errors import AnswersError, AuditError

from .builders import (
    ANSWERS,
    OTHER_KEY,
    PLAYBOOK_HASH,
    SCORECARD_HASH,
    SIGNER,
    SUBJECT,
    answers_opening,
    checkpoints_for,
    event_leaf,
    make_bundle,
    plain_leaves,
    proofs_for,
    scored_leaf,
)

PLAYBOOKS = {PLAYBOOK_HASH: PlaybookText("data-scientist-mid.yaml", "id: data-scientist-mid\n")}


def fake_rescorer(text: str, filename: str, answers: Mapping[str, str]) -> Rescored:
    """Stands in for the scorer: the expected scorecard hash exactly for ``ANSWERS``."""
    assert (text, filename) == ("id: data-scientist-mid\n", "data-scientist-mid.yaml")
    card = SCORECARD_HASH if dict(answers) == ANSWERS else "d" * 64
    return Rescored("data-scientist-mid", "1.0.0", PLAYBOOK_HASH, card)


def bundle_root(leaves: list[bytes], size: int) -> bytes:
    return MemorySource([leaf_hash(leaf) for leaf in leaves]).root(size)


def verify(bundle: Bundle, **options: object) -> Report:
    options.setdefault("rescorer", fake_rescorer)
    options.setdefault("trusted_vkeys", [SIGNER.verifier.vkey])
    return verify_bundle(bundle, **options)  # type: ignore[arg-type]  # options of any type


def messages(report: Report) -> list[str]:
    return [str(failure) for failure in report.failures]


def located(report: Report, position: int) -> bool:
    """Whether some failure names ``position`` (exactly, or inside a named range)."""
    for failure in report.failures:
        if failure.leaf_index is None:
            continue
        end = failure.leaf_end if failure.leaf_end is not None else failure.leaf_index + 1
        if failure.leaf_index <= position < end:
            return True
    return False


# --- a clean bundle ------------------------------------------------------------------------------


def test_a_clean_bundle_verifies_and_the_report_says_what_was_checked() -> None:
    leaves = [*plain_leaves(9), scored_leaf(9)]
    bundle = make_bundle(
        leaves,
        openings={9: (answers_opening(9),)},
        playbooks=PLAYBOOKS,
        consistency_proofs=proofs_for(leaves, [(4, 8), (8, 10)]),
    )
    report = verify(bundle)
    assert report.failures == ()
    assert report.ok
    assert (report.leaves, report.checkpoints_verified, report.checkpoints_total) == (10, 3, 3)
    assert (report.signed_size, report.consistent_pairs, report.proofs_checked) == (10, 2, 2)
    assert (report.openings_checked, report.rescored, report.unsigned_leaves) == (1, 1, 0)
    assert report.summary() == (
        "bundle: 10 leaves of log example.com/audit-log-test\n"
        "checkpoints: 3 of 3 verified, latest signs 10 leaves\n"
        "consistency: 2 successive checkpoint pairs consistent, 2 consistency proofs checked\n"
        "openings: 1 commitments opened, 1 scoring events re-scored\n"
        "erased subjects: none (their commitments can no longer be opened)\n"
        f"trusted keys: {SIGNER.verifier.vkey}\n"
        "witnesses: none required (no witness keys given)\n"
        "result: OK"
    )
    assert report.result is Result.OK
    assert (report.proven_size, report.proven_root) == (10, bundle_root(leaves, 10))


def test_it_verifies_a_bundle_file(tmp_path: Path) -> None:
    path = tmp_path / "log.bundle"
    path.write_bytes(encode_bundle(make_bundle(plain_leaves(5))))
    assert verify_bundle(path, trusted_vkeys=[SIGNER.verifier.vkey]).ok


def test_it_refuses_a_bundle_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match=r"cannot read the bundle .*missing\.bundle"):
        verify_bundle(tmp_path / "missing.bundle")


UNSIGNED = (
    "not covered by any signed checkpoint: anyone could have written them, "
    "nothing in them is verified"
)


def test_leaves_past_the_latest_checkpoint_fail_as_an_unsigned_tail() -> None:
    report = verify(make_bundle(plain_leaves(7), sizes=[4]))
    assert report.result is Result.FAILED
    assert report.unsigned_leaves == 3
    assert messages(report) == [f"leaves 4-6: {UNSIGNED}"]
    assert report.summary().endswith(f"problems: 1\n  leaves 4-6: {UNSIGNED}\nresult: FAILED")


def test_an_empty_log_with_a_checkpoint_of_size_zero_verifies() -> None:
    report = verify(make_bundle([], sizes=[0]))
    assert report.ok
    assert report.signed_size == 0


# --- tampering with leaves -----------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(count=st.integers(min_value=1, max_value=40), data=st.data())
def test_any_flipped_byte_in_a_leaf_is_detected_and_located(
    count: int, data: st.DataObject
) -> None:
    leaves = plain_leaves(count)
    position = data.draw(st.integers(min_value=0, max_value=count - 1))
    byte = data.draw(st.integers(min_value=0, max_value=len(leaves[position]) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    bundle = make_bundle(leaves)
    tampered = bytearray(leaves[position])
    tampered[byte] ^= 1 << bit
    leaves[position] = bytes(tampered)
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert not report.ok
    assert located(report, position)


@settings(max_examples=120, deadline=None)
@given(count=st.integers(min_value=1, max_value=30), data=st.data())
def test_any_flipped_byte_in_the_leaves_of_a_bundle_file_is_detected_and_located(
    count: int, data: st.DataObject
) -> None:
    encoded = encode_bundle(make_bundle(plain_leaves(count)))
    first_leaf = encoded.index(b"\n") + 1
    offset = data.draw(st.integers(min_value=first_leaf, max_value=len(encoded) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    position = encoded.count(b"\n", first_leaf, offset)  # the line holding the byte
    tampered = bytearray(encoded)
    tampered[offset] ^= 1 << bit
    report = verify(decode_bundle(bytes(tampered)))
    assert not report.ok
    assert located(report, min(position, count - 1))


@settings(max_examples=60, deadline=None)
@given(count=st.integers(min_value=1, max_value=30), data=st.data())
def test_with_a_checkpoint_per_leaf_a_flipped_byte_is_named_exactly(
    count: int, data: st.DataObject
) -> None:
    leaves = plain_leaves(count)
    position = data.draw(st.integers(min_value=0, max_value=count - 1))
    byte = data.draw(st.integers(min_value=0, max_value=len(leaves[position]) - 1))
    bundle = make_bundle(leaves, sizes=range(1, count + 1))
    tampered = bytearray(leaves[position])
    tampered[byte] ^= 0x01
    leaves[position] = bytes(tampered)
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    named = [f.leaf_index for f in report.failures if f.leaf_index is not None]
    assert named[0] == position or min(named) == position


@settings(max_examples=60, deadline=None)
@given(count=st.integers(min_value=2, max_value=40), data=st.data())
def test_a_dropped_leaf_is_detected_and_located(count: int, data: st.DataObject) -> None:
    leaves = plain_leaves(count)
    position = data.draw(st.integers(min_value=0, max_value=count - 1))
    bundle = make_bundle(leaves)
    del leaves[position]
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert not report.ok
    assert located(report, min(position, count - 1))


@settings(max_examples=60, deadline=None)
@given(count=st.integers(min_value=2, max_value=40), data=st.data())
def test_reordered_leaves_are_detected_and_located(count: int, data: st.DataObject) -> None:
    leaves = plain_leaves(count)
    first = data.draw(st.integers(min_value=0, max_value=count - 2))
    second = data.draw(st.integers(min_value=first + 1, max_value=count - 1))
    bundle = make_bundle(leaves)
    leaves[first], leaves[second] = leaves[second], leaves[first]
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert report.failures[0] == Failure(
        first,
        "answer.saved",
        None,
        f"the leaf says it is leaf {second}: a leaf was dropped, inserted or moved",
    )


@settings(max_examples=60, deadline=None)
@given(count=st.integers(min_value=1, max_value=40), data=st.data())
def test_an_inserted_leaf_is_detected_and_located(count: int, data: st.DataObject) -> None:
    leaves = plain_leaves(count)
    position = data.draw(st.integers(min_value=0, max_value=count - 1))
    bundle = make_bundle(leaves)
    # The forger even gives the new leaf the index of the place it goes.
    leaves.insert(position, event_leaf(position, EventType.DECISION_RECORDED))
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert not report.ok
    assert located(report, position)


def test_a_leaf_appended_after_the_signed_tail_fails_and_is_not_reported_as_a_fact() -> None:
    leaves = [*plain_leaves(3), scored_leaf(3)]
    bundle = make_bundle(leaves, openings={3: (answers_opening(3),)}, playbooks=PLAYBOOKS)
    forged = [*leaves, scored_leaf(4), event_leaf(5, EventType.SUBJECT_ERASED)]
    openings = {3: (answers_opening(3),), 4: (answers_opening(4),)}
    report = verify(dataclasses.replace(bundle, leaves=forged, openings=openings, leaf_count=6))
    assert messages(report) == [f"leaves 4-5: {UNSIGNED}"]
    assert report.unsigned_leaves == 2
    assert (report.openings_checked, report.rescored, report.openings_unchecked) == (1, 1, 1)
    assert report.erased_subjects == ()  # the forged erasure is not reported as done
    assert "openings not checked: 1 (no signed checkpoint covers them)" in report.summary()


@settings(max_examples=40, deadline=None)
@given(count=st.integers(min_value=1, max_value=40), data=st.data())
def test_a_truncated_tail_is_detected_and_located(count: int, data: st.DataObject) -> None:
    leaves = plain_leaves(count)
    keep = data.draw(st.integers(min_value=0, max_value=count - 1))
    report = verify(dataclasses.replace(make_bundle(leaves), leaves=leaves[:keep]))
    assert (
        Failure(
            keep,
            None,
            None,
            f"the checkpoint of size {count} signs leaves {keep}-{count - 1}, which the bundle "
            "does not hold: the tail was cut off or leaves were dropped",
            count,
        )
        in report.failures
    )


def test_a_held_checkpoint_catches_a_tail_cut_together_with_its_checkpoints() -> None:
    leaves = plain_leaves(12)
    held = checkpoints_for(leaves, [12])
    cut = make_bundle(leaves[:8])  # a bundle that looks whole on its own
    assert verify(cut).ok
    report = verify(cut, held_checkpoints=held)
    assert messages(report) == [
        "leaves 8-11: the checkpoint of size 12 signs leaves 8-11, which the bundle does not "
        "hold: the tail was cut off or leaves were dropped"
    ]
    assert report.checkpoints_total == 3
    assert report.proven_size == 8


def test_a_changed_leaf_between_sparse_checkpoints_is_named_as_a_range() -> None:
    leaves = plain_leaves(12)
    bundle = make_bundle(leaves, sizes=[4, 8, 12])
    leaves[5] = leaves[5].replace(b'"item":"q0"', b'"item":"q9"')
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert messages(report) == [
        "leaves 4-7: the checkpoint of size 8 does not match the leaves (the one of size 4 "
        "does): one of these leaves was changed, dropped, inserted or moved",
        "1 later checkpoints (sizes 12) do not match either",
    ]


def test_a_changed_leaf_under_a_checkpoint_per_leaf_is_named_with_its_event() -> None:
    leaves = plain_leaves(3)
    bundle = make_bundle(leaves, sizes=[1, 2, 3])
    leaves[1] = leaves[1].replace(b"staff:7", b"staff:8")
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert messages(report) == [
        "leaf 1 (answer.saved): the checkpoint of size 2 does not match the leaves (the one of "
        "size 1 does): this leaf is not the one that was signed",
        "1 later checkpoints (sizes 3) do not match either",
    ]


def test_many_later_mismatches_are_summarised() -> None:
    leaves = plain_leaves(14)
    bundle = make_bundle(leaves, sizes=range(1, 15))
    leaves[0] = leaves[0].replace(b"staff:7", b"staff:8")
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert messages(report)[1] == (
        "13 later checkpoints (sizes 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 ...) do not match either"
    )


def test_an_unparsable_leaf_is_named_and_its_event_is_unknown() -> None:
    leaves = plain_leaves(2)
    bundle = make_bundle(leaves, sizes=[1, 2])
    leaves[1] = b"{broken"
    report = verify(dataclasses.replace(bundle, leaves=leaves))
    assert messages(report) == [
        "leaf 1: the leaf is not valid JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1))",
        "leaf 1: the checkpoint of size 2 does not match the leaves (the one of size 1 does): "
        "this leaf is not the one that was signed",
    ]


def test_a_leaf_the_log_signed_malformed_is_still_a_failure() -> None:
    leaves = [event_leaf(0), b'{"schema":1}']
    report = verify(make_bundle(leaves))
    assert messages(report) == [
        "leaf 1: the leaf has the wrong fields: missing actor, at, commitments, index, public, "
        "subject, type"
    ]


@pytest.mark.parametrize(("padded", "offset"), [(b" %s", 0), (b"%s ", 177)])
def test_a_leaf_with_stray_whitespace_is_not_canonical(padded: bytes, offset: int) -> None:
    leaves = [event_leaf(0), padded % event_leaf(1)]
    report = verify(make_bundle(leaves))
    assert messages(report) == [
        "leaf 1 (answer.saved): the leaf is not canonical JSON (RFC 8785): its bytes differ "
        f"from the canonical encoding from byte {offset} on (key order, whitespace, number "
        "form or string escapes)"
    ]


def test_a_leaf_that_is_not_utf8_is_not_valid_json() -> None:
    report = verify(make_bundle([event_leaf(0), b'{"a":"\xff"}']))
    assert messages(report) == [
        "leaf 1: the leaf is not valid JSON ('utf-8' codec can't decode "
        "byte 0xff in position 6: invalid start byte)"
    ]


def test_past_twenty_leaf_failures_the_rest_are_counted() -> None:
    leaves = plain_leaves(30)
    bundle = make_bundle(leaves)
    report = verify(dataclasses.replace(bundle, leaves=leaves[1:]))
    leaf_failures = [f for f in report.failures if f.message.startswith("the leaf says")]
    assert len(leaf_failures) == 20
    assert "and 9 more leaves fail the checks above (not listed)" in messages(report)


# --- checkpoints and keys ------------------------------------------------------------------------


def test_a_checkpoint_with_a_broken_signature_is_named() -> None:
    bundle = make_bundle(plain_leaves(8), sizes=[4, 8])
    broken = bundle.checkpoints[1].replace("\n8\n", "\n7\n")
    report = verify(dataclasses.replace(bundle, checkpoints=(bundle.checkpoints[0], broken)))
    assert messages(report) == [
        "checkpoint 2 (size 7): the signature by example.com/audit-log-test does not verify",
        f"leaves 4-7: {UNSIGNED}",
    ]
    assert report.signed_size == 4


def test_an_unreadable_checkpoint_is_named_without_a_size() -> None:
    bundle = make_bundle(plain_leaves(4), sizes=[4])
    report = verify(dataclasses.replace(bundle, checkpoints=(*bundle.checkpoints, "garbage")))
    assert messages(report) == ["checkpoint 2: the note has no blank line before its signatures"]


def test_a_bundle_without_any_verified_checkpoint_fails() -> None:
    report = verify(make_bundle(plain_leaves(3), sizes=[]))
    assert messages(report) == [
        "no checkpoint verifies: nothing ties these leaves to the log's key",
        f"leaves 0-2: {UNSIGNED}",
    ]
    assert report.proven_root is None


def test_a_checkpoint_of_another_log_is_refused() -> None:
    other = signer_from_key_bytes("other.example/log", OTHER_KEY)
    note = sign_checkpoint(other, Checkpoint("other.example/log", 0, EMPTY_ROOT))
    bundle = make_bundle(plain_leaves(4))
    report = verify(
        dataclasses.replace(bundle, checkpoints=(*bundle.checkpoints, note)),
        trusted_vkeys=[SIGNER.verifier.vkey, other.verifier.vkey],
    )
    assert messages(report) == [
        "field checkpoints: checkpoint 2 (size 0) comes after one of size 4: checkpoints are "
        "listed in increasing size",
        f"the key you trust {other.verifier.vkey} is the key of log other.example/log, not of "
        "this bundle's log example.com/audit-log-test",
        "checkpoint 2 (size 0): it is for log other.example/log, not example.com/audit-log-test",
    ]


def test_two_signed_checkpoints_of_one_size_with_different_roots_are_a_fork() -> None:
    leaves = plain_leaves(4)
    forked = [*leaves[:3], event_leaf(3, EventType.DECISION_RECORDED)]
    bundle = make_bundle(leaves, sizes=[4])
    both = (*bundle.checkpoints, *checkpoints_for(forked, [4]))
    report = verify(dataclasses.replace(bundle, checkpoints=both))
    assert "two signed checkpoints of size 4 have different roots: the log has forked" in (
        messages(report)
    )


def test_pinned_keys_refuse_a_bundle_signed_by_another_key() -> None:
    forger = signer_from_key_bytes("example.com/audit-log-test", OTHER_KEY)
    leaves = plain_leaves(4)
    bundle = make_bundle(
        leaves,
        keys=(KeyPeriod(forger.verifier.vkey),),
        checkpoints=checkpoints_for(leaves, [4], forger),
    )
    unpinned = verify(bundle, trusted_vkeys=[])
    assert (unpinned.failures, unpinned.result) == ((), Result.UNTRUSTED)  # self-consistent only
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        f"this log was not signed by a key you trust: its keys are {forger.verifier.vkey}, and "
        "no rotation signed by a key you trust vouches for them"
    ]
    assert report.result is Result.FAILED  # the key you pinned says it is not this log
    assert report.untrusted_keys == (forger.verifier.vkey,)
    assert [line for line in report.summary().splitlines() if "verified" in line] == [
        "not verified: no key you trust signed this log; what follows holds only under the "
        "bundle's own keys, which anyone could have made"
    ]


def test_a_key_of_the_log_named_other_than_its_origin_signs_nothing() -> None:
    misnamed = signer_from_key_bytes("example.com/other-name", OTHER_KEY)
    leaves = plain_leaves(4)
    bundle = make_bundle(
        leaves,
        keys=(KeyPeriod(misnamed.verifier.vkey),),
        checkpoints=checkpoints_for(leaves, [4], misnamed),
    )
    report = verify(bundle, trusted_vkeys=[])
    assert (
        f"the log's key {misnamed.verifier.vkey} is named example.com/other-name: a checkpoint "
        "of log example.com/audit-log-test is signed under the key name "
        "example.com/audit-log-test"
    ) in messages(report)
    assert report.result is Result.FAILED


def test_a_log_created_under_another_origin_is_named() -> None:
    leaves = rotated_log()
    public = {"origin": "example.com/elsewhere", "vkey": SIGNER.verifier.vkey}
    leaves[0] = event_leaf(0, EventType.LOG_CREATED, public=public, actor="system", subject=None)
    report = verify(rotated_bundle(leaves, [2, 5], [5, 8]))
    assert messages(report)[0] == (
        "leaf 0 (log.created): the log was created as log 'example.com/elsewhere', not "
        "example.com/audit-log-test"
    )


def test_without_any_trusted_key_a_whole_bundle_is_untrusted_never_ok() -> None:
    report = verify(make_bundle(plain_leaves(8)), trusted_vkeys=[])
    assert report.failures == ()
    assert report.result is Result.UNTRUSTED
    assert not report.ok
    assert report.summary() == (
        "bundle: 8 leaves of log example.com/audit-log-test\n"
        "not verified: no key you trust signed this log; what follows holds only under the "
        "bundle's own keys, which anyone could have made\n"
        "checkpoints: 2 of 2 signed by the bundle's own keys, the latest over 8 leaves\n"
        "consistency: 1 successive checkpoint pairs agree with the leaves, 0 consistency proofs "
        "agree\n"
        "openings: 0 commitments opened, 0 scoring events re-scored\n"
        "erased subjects, as the bundle claims them: none\n"
        "trusted keys: none\n"
        "witnesses: none required (no witness keys given)\n"
        f"no trusted key: the log's key {SIGNER.verifier.vkey} is not one you trust\n"
        "result: UNTRUSTED"
    )


def test_tampering_found_without_a_trusted_key_is_still_a_failure() -> None:
    leaves = plain_leaves(8)
    bundle = make_bundle(leaves)
    leaves[2] = leaves[2].replace(b"staff:7", b"staff:8")
    report = verify(dataclasses.replace(bundle, leaves=leaves), trusted_vkeys=[])
    assert report.result is Result.FAILED


def test_a_pinned_key_that_the_bundle_lists_keeps_its_period() -> None:
    bundle = make_bundle(plain_leaves(8), keys=(KeyPeriod(SIGNER.verifier.vkey, 0, 4),))
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        "checkpoint 2 (size 8): no key may sign a checkpoint of this size",
        f"leaves 4-7: {UNSIGNED}",
    ]


def test_a_pinned_key_missing_from_the_bundle_may_sign_any_size() -> None:
    assert verify(make_bundle(plain_leaves(8), keys=()), trusted_vkeys=[SIGNER.verifier.vkey]).ok


def test_a_rotated_key_signs_only_its_own_sizes() -> None:
    leaves = plain_leaves(8)
    new = signer_from_key_bytes("example.com/audit-log-test", OTHER_KEY)
    keys = (KeyPeriod(SIGNER.verifier.vkey, 0, 4), KeyPeriod(new.verifier.vkey, 4, None))
    good = (*checkpoints_for(leaves, [4]), *checkpoints_for(leaves, [8], new))
    both = [SIGNER.verifier.vkey, new.verifier.vkey]
    assert verify(make_bundle(leaves, keys=keys, checkpoints=good), trusted_vkeys=both).ok
    late = checkpoints_for(leaves, [8])  # the retired key signs after its rotation
    report = verify(
        make_bundle(leaves, keys=keys, checkpoints=(good[0], *late)), trusted_vkeys=both
    )
    assert messages(report) == [
        "checkpoint 2 (size 8): no trusted key signed the note "
        "(trusted keys: example.com/audit-log-test)",
        f"leaves 4-7: {UNSIGNED}",
    ]


def test_a_key_listed_by_the_bundle_alone_is_not_trusted_for_the_pinned_one() -> None:
    leaves = plain_leaves(8)
    new = signer_from_key_bytes("example.com/audit-log-test", OTHER_KEY)
    keys = (KeyPeriod(SIGNER.verifier.vkey, 0, 4), KeyPeriod(new.verifier.vkey, 4, None))
    signed = (*checkpoints_for(leaves, [4]), *checkpoints_for(leaves, [8], new))
    report = verify(make_bundle(leaves, keys=keys, checkpoints=signed))
    assert not report.ok
    assert (
        f"the log's key {new.verifier.vkey} is not one you trust: no rotation signed by a key "
        "you trust vouches for it"
    ) in messages(report)


ROTATED_TO = signer_from_key_bytes("example.com/audit-log-test", OTHER_KEY)


def rotated_log(old_vkey: str | None = None, first_vkey: str | None = None) -> list[bytes]:
    """Eight leaves: the log is created with ``SIGNER``'s key, rotated to ``ROTATED_TO`` at 4."""
    leaves = plain_leaves(8)
    system: dict[str, object] = {"actor": "system", "subject": None}
    created = {"origin": "example.com/audit-log-test", "vkey": first_vkey or SIGNER.verifier.vkey}
    leaves[0] = event_leaf(0, EventType.LOG_CREATED, public=created, **system)
    rotation = {
        "old_vkey": old_vkey or SIGNER.verifier.vkey,
        "new_vkey": ROTATED_TO.verifier.vkey,
    }
    leaves[4] = event_leaf(4, EventType.LOG_KEY_ROTATED, public=rotation, **system)
    return leaves


def rotated_bundle(leaves: list[bytes], old_sizes: list[int], new_sizes: list[int]) -> Bundle:
    keys = (KeyPeriod(SIGNER.verifier.vkey, 1, 5), KeyPeriod(ROTATED_TO.verifier.vkey, 5, None))
    signed = (*checkpoints_for(leaves, old_sizes), *checkpoints_for(leaves, new_sizes, ROTATED_TO))
    in_order = tuple(sorted(signed, key=lambda note: int(note.split("\n")[1])))
    return make_bundle(leaves, keys=keys, checkpoints=in_order)


@pytest.mark.parametrize("pinned", [SIGNER, ROTATED_TO], ids=["first key", "current key"])
def test_a_pinned_key_vouches_for_the_keys_the_log_rotated_through(pinned: Signer) -> None:
    bundle = rotated_bundle(rotated_log(), [2, 5], [5, 8])
    report = verify(bundle, trusted_vkeys=[pinned.verifier.vkey])
    assert report.failures == ()
    assert (report.checkpoints_verified, report.signed_size) == (4, 8)


def test_a_pinned_key_alone_vouches_but_the_key_list_must_be_the_logs() -> None:
    bundle = dataclasses.replace(rotated_bundle(rotated_log(), [2, 5], [5, 8]), keys=())
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        "field keys: the bundle lists 0 keys; the log's key events define 2"
    ]
    assert report.checkpoints_verified == 4
    assert report.trusted_keys == (SIGNER.verifier.vkey, ROTATED_TO.verifier.vkey)


def test_the_key_list_must_follow_the_logs_order() -> None:
    bundle = rotated_bundle(rotated_log(), [2, 5], [5, 8])
    swapped = dataclasses.replace(bundle, keys=bundle.keys[::-1])
    report = verify(swapped, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        f"field keys: key 1 is {ROTATED_TO.verifier.vkey} for sizes 5-open, but the log's key "
        f"events define {SIGNER.verifier.vkey} for sizes 1-5",
        f"field keys: key 2 is {SIGNER.verifier.vkey} for sizes 1-5, but the log's key "
        f"events define {ROTATED_TO.verifier.vkey} for sizes 5-open",
    ]


def test_the_retired_key_may_not_sign_past_the_hand_over_that_the_log_records() -> None:
    leaves = rotated_log()
    bundle = rotated_bundle(leaves, [2, 5, 8], [5, 8])
    # The bundle claims the first key never retired; the log says it handed over at size 5.
    claimed = (KeyPeriod(SIGNER.verifier.vkey), KeyPeriod(ROTATED_TO.verifier.vkey, 5, None))
    report = verify(dataclasses.replace(bundle, keys=claimed), trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        "checkpoint 4 (size 8): no trusted key signed the note "
        "(trusted keys: example.com/audit-log-test)",
        f"field keys: key 1 is {SIGNER.verifier.vkey} for sizes 0-open, but the log's key "
        f"events define {SIGNER.verifier.vkey} for sizes 1-5",
    ]


def test_a_rotation_the_old_key_never_signed_is_not_followed() -> None:
    # The rotation sits in a tail the first key never signed: anyone could have written it.
    bundle = rotated_bundle(rotated_log(), [2], [5, 8])
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        f"the log's key {ROTATED_TO.verifier.vkey} is not one you trust: no rotation signed by "
        "a key you trust vouches for it",
        "checkpoint 2 (size 5): no trusted key signed the note "
        "(trusted keys: example.com/audit-log-test)",
        "checkpoint 3 (size 8): no key may sign a checkpoint of this size",
        f"leaves 2-7: {UNSIGNED}",
    ]


def test_a_rotation_whose_signed_tree_does_not_match_the_leaves_is_not_followed() -> None:
    leaves = rotated_log()
    bundle = rotated_bundle(leaves, [2, 5], [5, 8])
    changed = [*leaves[:3], event_leaf(3, actor="staff:8"), *leaves[4:]]  # under size 5
    report = verify(
        dataclasses.replace(bundle, leaves=changed), trusted_vkeys=[SIGNER.verifier.vkey]
    )
    assert not report.ok
    assert (
        f"the log's key {ROTATED_TO.verifier.vkey} is not one you trust: no rotation signed by "
        "a key you trust vouches for it"
    ) in messages(report)


def test_without_pinned_keys_the_bundles_keys_must_be_the_ones_the_log_records() -> None:
    honest = rotated_bundle(rotated_log(), [2, 5], [5, 8])
    assert verify(honest, trusted_vkeys=[]).failures == ()
    stranger = signer_from_key_bytes("example.com/audit-log-test", bytes(range(1, 33)))
    extra = dataclasses.replace(honest, keys=(*honest.keys, KeyPeriod(stranger.verifier.vkey)))
    assert messages(verify(extra, trusted_vkeys=[])) == [
        f"the bundle's key {stranger.verifier.vkey} is not one the log records "
        "(log.created or log.key_rotated)",
        "field keys: the bundle lists 3 keys; the log's key events define 2",
    ]


def test_a_rotation_that_names_the_wrong_old_key_is_named() -> None:
    stranger = ROTATED_TO.verifier.vkey
    bundle = rotated_bundle(rotated_log(old_vkey=stranger), [2, 5], [5, 8])
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        f"leaf 4 (log.key_rotated): the rotation replaces key {stranger}, "
        f"but the log's key at that point is {SIGNER.verifier.vkey}"
    ]


def test_a_second_log_creation_is_named() -> None:
    leaves = rotated_log()
    again = {"origin": "example.com/audit-log-test", "vkey": ROTATED_TO.verifier.vkey}
    leaves[4] = event_leaf(4, EventType.LOG_CREATED, public=again, actor="system", subject=None)
    bundle = rotated_bundle(leaves, [2, 5], [5, 8])
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report) == [
        "leaf 4 (log.created): a log is created once, at leaf 0; this names a new key"
    ]


def test_a_key_event_naming_a_malformed_vkey_is_named() -> None:
    bundle = rotated_bundle(rotated_log(first_vkey="nonsense"), [2, 5], [5, 8])
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert messages(report)[0] == (
        "leaf 0 (log.created): the key it introduces: the vkey 'nonsense' is not name+keyid+key"
    )
    assert not report.ok


def test_a_malformed_key_in_the_bundle_is_named() -> None:
    bundle = make_bundle(
        plain_leaves(4), keys=(KeyPeriod("nonsense"), KeyPeriod(SIGNER.verifier.vkey))
    )
    assert messages(verify(bundle)) == [
        "key 1 in the bundle: the vkey 'nonsense' is not name+keyid+key"
    ]


def test_a_bad_consistency_proof_in_the_bundle_is_named() -> None:
    leaves = plain_leaves(8)
    good = proofs_for(leaves, [(3, 8)])[0]
    bad = dataclasses.replace(good, proof=good.proof[:-1])
    stray = dataclasses.replace(good, size1=2)
    report = verify(make_bundle(leaves, sizes=[3, 8], consistency_proofs=(bad, stray)))
    assert messages(report) == [
        "the consistency proof from size 3 to 8: the consistency proof is shorter than the tree "
        "is high",
        "the consistency proof from size 2 to 8 names a size no verified checkpoint has",
    ]
    assert report.proofs_checked == 0


# --- openings, re-scoring and erasure ------------------------------------------------------------


def scored_bundle(opening: Opening | None = None, **changes: object) -> Bundle:
    leaves = [*plain_leaves(3), scored_leaf(3)]
    fields: dict[str, object] = {"openings": {3: (opening or answers_opening(3),)}}
    fields["playbooks"] = PLAYBOOKS
    fields.update(changes)
    return make_bundle(leaves, **fields)  # type: ignore[arg-type]  # fields of any type


def test_an_opening_that_does_not_open_is_named_by_leaf_event_and_field() -> None:
    report = verify(scored_bundle(answers_opening(3, {"q1": "71", "q2": "B"})))
    assert messages(report) == ["leaf 3 (attempt.scored): field answers: commitment does not open"]
    assert report.rescored == 0


def test_an_opening_of_a_field_the_leaf_does_not_commit_is_named() -> None:
    report = verify(scored_bundle(Opening("phone", "555", "00" * 32)))
    assert messages(report) == [
        "leaf 3 (attempt.scored): field phone: the leaf commits to no such field"
    ]


def test_openings_for_a_leaf_the_bundle_lacks_are_named() -> None:
    bundle = make_bundle(plain_leaves(2), openings={5: (answers_opening(5),)})
    assert messages(verify(bundle)) == [
        "leaf 5: the bundle discloses openings for a leaf it does not hold"
    ]


def test_openings_on_an_unparsable_leaf_are_left_to_the_leaf_failure() -> None:
    leaves = [event_leaf(0), b"not json"]
    bundle = make_bundle(leaves, openings={1: (answers_opening(1),)})
    assert messages(verify(bundle)) == [
        "leaf 1: the leaf is not valid JSON (Expecting value: line 1 column 1 (char 0))"
    ]


def test_a_disclosed_answer_sheet_that_scores_differently_is_named() -> None:
    leaves = [*plain_leaves(3), scored_leaf(3, scorecard_hash="e" * 64)]
    bundle = make_bundle(leaves, openings={3: (answers_opening(3),)}, playbooks=PLAYBOOKS)
    assert messages(verify(bundle)) == [
        f"leaf 3 (attempt.scored): field answers: re-scoring the disclosed answers gives "
        f"scorecard hash {SCORECARD_HASH}, the log recorded {'e' * 64}"
    ]


def _rescorer_returning(result: Rescored) -> object:
    return lambda text, filename, answers: result


@pytest.mark.parametrize(
    ("changes", "rescorer", "message"),
    [
        (
            {"playbooks": {}},
            fake_rescorer,
            "the bundle does not include playbook data-scientist-mid 1.0.0",
        ),
        (
            {},
            _rescorer_returning(Rescored("data-scientist-mid", "1.0.0", "f" * 64, SCORECARD_HASH)),
            f"the bundled playbook text hashes to {'f' * 64}, not {PLAYBOOK_HASH}",
        ),
        (
            {},
            _rescorer_returning(Rescored("other", "2.0.0", PLAYBOOK_HASH, SCORECARD_HASH)),
            "the bundled playbook is other 2.0.0, not data-scientist-mid 1.0.0",
        ),
    ],
)
def test_it_names_why_re_scoring_does_not_reproduce_the_event(
    changes: dict[str, object], rescorer: object, message: str
) -> None:
    report = verify(scored_bundle(**changes), rescorer=rescorer)  # type: ignore[arg-type]  # a stand-in
    assert messages(report) == [f"leaf 3 (attempt.scored): field answers: {message}"]


def test_a_scorer_error_is_reported_as_a_failure() -> None:
    def refusing(text: str, filename: str, answers: Mapping[str, str]) -> Rescored:
        raise AnswersError("unknown item id 'q9'")

    report = verify(scored_bundle(), rescorer=refusing)
    assert messages(report) == [
        "leaf 3 (attempt.scored): field answers: re-scoring failed: unknown item id 'q9'"
    ]


def test_a_scoring_event_must_name_its_playbook() -> None:
    from hireproof.core.audit.commitments import commit_fields

    from .builders import SECRET

    leaf = event_leaf(
        0,
        EventType.CLI_SCORED,
        public={"playbook": {"id": "x"}},
        commitments=commit_fields(SECRET, "0", {"answers": ANSWERS}),
    )
    bundle = make_bundle([leaf], openings={0: (answers_opening(0),)})
    assert messages(verify(bundle)) == [
        "leaf 0 (cli.scored): field answers: the scoring event does not name its playbook "
        "(id, version, hash)"
    ]


def test_opened_answers_must_be_item_ids_to_texts() -> None:
    from hireproof.core.audit.commitments import commit_fields, open_field

    from .builders import SECRET

    leaf = event_leaf(
        0,
        EventType.ATTEMPT_SCORED,
        public={
            "playbook": {"id": "x", "version": "1", "hash": PLAYBOOK_HASH},
            "scorecard_hash": SCORECARD_HASH,
        },
        commitments=commit_fields(SECRET, "0", {"answers": ["70"]}),
    )
    bundle = make_bundle([leaf], openings={0: (open_field(SECRET, "0", "answers", ["70"]),)})
    assert messages(verify(bundle)) == [
        "leaf 0 (attempt.scored): field answers: the opened answers are not an object of item "
        "id -> answer text"
    ]


def test_erased_subjects_are_listed_separately() -> None:
    leaves = [*plain_leaves(3), event_leaf(3, EventType.SUBJECT_ERASED, public={"basis": "art17"})]
    report = verify(make_bundle(leaves, erased_subjects=(SUBJECT,)))
    assert report.ok
    assert report.erased_subjects == (SUBJECT,)
    assert f"erased subjects: {SUBJECT} (their commitments can no longer be opened)" in (
        report.summary()
    )


def test_a_subject_listed_as_erased_without_an_erasure_event_is_named() -> None:
    report = verify(make_bundle(plain_leaves(2), erased_subjects=("subj_x",)))
    assert messages(report) == [
        "field erased_subjects: the bundle lists subject subj_x as erased, but the log's signed "
        "leaves hold no subject.erased event for it"
    ]


def test_an_erasure_the_bundle_does_not_list_is_named() -> None:
    leaves = [*plain_leaves(3), event_leaf(3, EventType.SUBJECT_ERASED)]
    assert messages(verify(make_bundle(leaves))) == [
        f"field erased_subjects: the log erased subject {SUBJECT} at leaf 3, but the bundle "
        "does not list it"
    ]


def test_erased_subjects_are_listed_sorted_and_once() -> None:
    leaves = [
        *plain_leaves(3),
        event_leaf(3, EventType.SUBJECT_ERASED, subject="subj_b"),
        event_leaf(4, EventType.SUBJECT_ERASED, subject="subj_a"),
    ]
    for listed in [("subj_b", "subj_a"), ("subj_a", "subj_b", "subj_a")]:
        report = verify(make_bundle(leaves, erased_subjects=listed))
        assert messages(report) == [
            "field erased_subjects: the erased subjects are not listed once each, sorted"
        ]


def test_an_erasure_event_without_a_subject_is_a_leaf_failure() -> None:
    leaf = event_leaf(0, EventType.LOG_CREATED).replace(b'"log.created"', b'"subject.erased"')
    leaf = leaf.replace(b'"subject":"subj_7g2k"', b'"subject":null')
    report = verify(make_bundle([leaf]))
    assert messages(report) == ["leaf 0: a subject.erased event must name the erased subject"]


def test_opening_an_erased_subjects_fields_is_a_failure() -> None:
    leaves = [*plain_leaves(3), scored_leaf(3), event_leaf(4, EventType.SUBJECT_ERASED)]
    bundle = make_bundle(
        leaves,
        openings={3: (answers_opening(3),)},
        playbooks=PLAYBOOKS,
        erased_subjects=(SUBJECT,),
    )
    assert messages(verify(bundle)) == [
        f"leaf 3 (attempt.scored): the bundle opens fields of erased subject {SUBJECT}, whose "
        "secret should have been destroyed"
    ]


# --- the real scorer, reached by name ------------------------------------------------------------


def test_rescore_with_core_loads_the_playbook_and_scores_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []
    no_items = types.SimpleNamespace(items=())
    playbook = types.SimpleNamespace(id="p", version="1", hash="h" * 64, assessment=no_items)

    def load_playbook_text(
        text: str, filename: str, *, published: bool = False, re2_only: bool = False
    ) -> object:
        calls.append((text, filename, published, re2_only))
        return playbook

    def score(loaded: object, answers: Mapping[str, str]) -> object:
        calls.append((loaded, dict(answers)))
        return types.SimpleNamespace(hash="s" * 64)

    monkeypatch.setitem(
        sys.modules,
        "hireproof.core.playbook",
        types.SimpleNamespace(load_playbook_text=load_playbook_text, TextItem=type("T", (), {})),
    )
    monkeypatch.setitem(sys.modules, "hireproof.core.scoring", types.SimpleNamespace(score=score))
    assert rescore_with_core("yaml", "p.yaml", {"q1": "70"}) == Rescored(
        "p", "1", "h" * 64, "s" * 64
    )
    # A bundle's playbook was published: it loads as published (see test_patterns), its
    # patterns held to RE2 (test_rescore).
    assert calls == [("yaml", "p.yaml", True, True), (playbook, {"q1": "70"})]


def test_failure_text_names_leaf_event_and_field() -> None:
    assert str(Failure(42, "attempt.scored", "answers", "commitment does not open")) == (
        "leaf 42 (attempt.scored): field answers: commitment does not open"
    )
    assert str(Failure(None, None, None, "no checkpoint verifies")) == "no checkpoint verifies"
    assert str(Failure(4, None, None, "changed", 8)) == "leaves 4-7: changed"
    assert str(Failure(4, None, None, "changed", 5)) == "leaf 4: changed"


def test_a_report_counts_several_problems_in_the_plural() -> None:
    report = verify(make_bundle(plain_leaves(2), erased_subjects=("subj_x", "subj_y")))
    assert "problems: 2\n" in report.summary()


def test_a_failed_report_lists_each_failure_in_its_summary() -> None:
    report = verify(make_bundle(plain_leaves(2), erased_subjects=("subj_x",)))
    assert report.summary().endswith(
        "problems: 1\n"
        "  field erased_subjects: the bundle lists subject subj_x as erased, but the log's "
        "signed leaves hold no subject.erased event for it\n"
        "result: FAILED"
    )


# --- time --------------------------------------------------------------------------------------


def test_time_going_backwards_is_named_at_the_leaf() -> None:
    leaves = plain_leaves(6)
    leaves[3] = event_leaf(3, at="2026-05-01T09:59:59.999999Z")
    report = verify(make_bundle(leaves))
    assert messages(report) == [
        "leaf 3 (answer.saved): time goes backwards at leaf 3: 2026-05-01T09:59:59.999999Z is "
        "before 2026-05-01T10:00:02.000000Z, the time of the leaf before it"
    ]


def test_equal_times_do_not_go_backwards() -> None:
    leaves = [event_leaf(i, at="2026-05-01T10:00:00.000000Z") for i in range(3)]
    assert verify(make_bundle(leaves)).ok


def test_a_backdated_key_event_still_joins_the_key_history() -> None:
    leaves = rotated_log()
    rotation = parse_leaf(leaves[4]).public
    leaves[4] = event_leaf(
        4,
        EventType.LOG_KEY_ROTATED,
        public=dict(rotation),
        actor="system",
        subject=None,
        at="2026-05-01T09:00:00.000000Z",
    )
    bundle = rotated_bundle(leaves, [2, 5], [5, 8])
    report = verify(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert [f.message.split(":")[0] for f in report.failures] == ["time goes backwards at leaf 4"]


def test_a_backdated_erasure_is_still_counted() -> None:
    leaves = [
        *plain_leaves(3),
        event_leaf(3, EventType.SUBJECT_ERASED, at="2026-05-01T09:00:00.000000Z"),
    ]
    report = verify(make_bundle(leaves, erased_subjects=(SUBJECT,)))
    assert report.erased_subjects == (SUBJECT,)
    assert len(report.failures) == 1


@pytest.mark.parametrize(
    "at",
    ["2026-05-01T10:00:00Z", "2026-05-01T10:00:00.000000+00:00", "2026-05-01 10:00:00.000000Z"],
)
def test_a_time_not_in_the_logs_one_format_is_named(at: str) -> None:
    leaves = plain_leaves(3)
    leaves[1] = leaves[1].replace(b"2026-05-01T10:00:01.000000Z", at.encode())
    report = verify(make_bundle(leaves, sizes=[1, 2, 3]))
    assert messages(report)[0] == (
        f"leaf 1: the leaf's time {at!r} is not RFC 3339 UTC with six fractional digits "
        "(2026-05-01T10:00:00.000000Z)"
    )


def test_an_upper_case_commitment_in_a_leaf_is_named() -> None:
    leaves = [*plain_leaves(3), scored_leaf(3)]
    commitment = parse_leaf(leaves[3]).commitments["answers"]
    leaves[3] = leaves[3].replace(commitment.encode(), commitment.upper().encode())
    report = verify(make_bundle(leaves, sizes=[3, 4]))
    assert messages(report)[0] == (
        "leaf 3: the commitment to 'answers' is not 64 lower-case hex digits"
    )


# --- the manifest against the content ------------------------------------------------------------


def test_a_leaf_count_that_does_not_match_the_leaves_is_named() -> None:
    report = verify(dataclasses.replace(make_bundle(plain_leaves(4)), leaf_count=5))
    assert messages(report) == ["field leaf_count: the manifest says 5 leaves, the bundle holds 4"]


def test_checkpoints_out_of_order_are_named() -> None:
    bundle = make_bundle(plain_leaves(8), sizes=[4, 8])
    report = verify(dataclasses.replace(bundle, checkpoints=bundle.checkpoints[::-1]))
    assert messages(report) == [
        "field checkpoints: checkpoint 2 (size 4) comes after one of size 8: checkpoints are "
        "listed in increasing size"
    ]


# --- the trust file ------------------------------------------------------------------------------


def test_a_trust_file_pins_its_keys_and_moves_forward_after_an_ok_report() -> None:
    leaves = plain_leaves(12)
    start = TrustFile.start(SIGNER.verifier.vkey)
    first = verify(make_bundle(leaves[:8]), trusted_vkeys=[], trust=start)
    assert first.ok
    assert first.checked_against is None
    remembered = start.after(first)
    assert remembered.checkpoint == (8, bundle_root(leaves, 8))
    later = verify(make_bundle(leaves), trusted_vkeys=[], trust=remembered)
    assert later.ok
    assert later.checked_against == remembered.checkpoint
    assert remembered.after(later).checkpoint == (12, bundle_root(leaves, 12))


def test_a_bundle_smaller_than_the_remembered_checkpoint_fails() -> None:
    leaves = plain_leaves(12)
    trust = dataclasses.replace(
        TrustFile.start(SIGNER.verifier.vkey), checkpoint=(12, bundle_root(leaves, 12))
    )
    report = verify(make_bundle(leaves[:8]), trusted_vkeys=[], trust=trust)
    assert messages(report) == [
        "your trust file remembers a verified checkpoint of size 12; this bundle's checkpoints "
        "sign only 8 leaves: it goes back on what you verified"
    ]


def test_a_bundle_that_does_not_extend_the_remembered_checkpoint_fails() -> None:
    leaves = plain_leaves(12)
    other = [*leaves[:5], event_leaf(5, actor="staff:9"), *leaves[6:]]
    trust = dataclasses.replace(
        TrustFile.start(SIGNER.verifier.vkey), checkpoint=(8, bundle_root(leaves, 8))
    )
    report = verify(make_bundle(other), trusted_vkeys=[], trust=trust)
    assert messages(report) == [
        "the leaves do not extend the checkpoint of size 8 your trust file remembers: this is "
        "not the history you verified before"
    ]


def test_a_trust_file_for_another_log_fails() -> None:
    other = signer_from_key_bytes("other.example/log", OTHER_KEY)
    report = verify(make_bundle(plain_leaves(4)), trust=TrustFile.start(other.verifier.vkey))
    assert "your trust file is for log other.example/log, not example.com/audit-log-test" in (
        messages(report)
    )


def test_a_trust_file_learns_the_key_a_trusted_rotation_vouches_for() -> None:
    bundle = rotated_bundle(rotated_log(), [2, 5], [5, 8])
    trust = TrustFile.start(SIGNER.verifier.vkey)
    report = verify(bundle, trusted_vkeys=[], trust=trust)
    assert report.ok
    assert trust.after(report).trusted_vkeys == (SIGNER.verifier.vkey, ROTATED_TO.verifier.vkey)


def test_a_pinned_key_that_signed_nothing_here_is_not_trust() -> None:
    report = verify(make_bundle(plain_leaves(2), sizes=[]))
    assert report.result is Result.FAILED
    assert not report.anchored
    assert "no trusted key: no checkpoint is signed by a key you trust\n" in report.summary()
