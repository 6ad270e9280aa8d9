"""A restored backup the log declares (``log.restored``): a declared gap, never a silent fork.

The history before the restore had 12 leaves, signed at 4, 8 and 12. The backup held 6 of them;
after the restore the log appended 3 leaves, then the ``log.restored`` event at leaf 9 naming
the checkpoint of size 12, then 2 more, signed at 4, 10 and 12.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hireproof.core.audit import (
    Bundle,
    EventType,
    MemorySource,
    Result,
    SupersededCheckpoint,
    consistency_proof,
    decode_bundle,
    encode_bundle,
    leaf_hash,
    verify_bundle,
)
from hireproof.core.errors import AuditError
from hireproof.core.tests.audit.builders import (
    SIGNER,
    checkpoints_for,
    event_leaf,
    make_bundle,
)

KEPT = 6
RESTORE_LEAF = 9
OLD = [event_leaf(i) for i in range(12)]
OLD_TREE = MemorySource([leaf_hash(leaf) for leaf in OLD])
VKEY = SIGNER.verifier.vkey


def restore_leaf(index: int = RESTORE_LEAF, **public: Any) -> bytes:
    fields: dict[str, Any] = {
        "lost_from": KEPT,
        "lost_to": 12,
        "superseded": {"size": 12, "root": OLD_TREE.root(12).hex()},
        "consistency": [node.hex() for node in consistency_proof(OLD_TREE, KEPT, 12)],
        "snapshot_at": "2026-05-01T09:00:00+00:00",
    }
    fields.update(public)
    return event_leaf(index, EventType.LOG_RESTORED, public=fields, actor="cli", subject=None)


def new_leaves(restore: bytes | None = None) -> list[bytes]:
    after = [event_leaf(i, public={"after": "restore", "n": i}) for i in range(KEPT, 12)]
    leaves = OLD[:KEPT] + after
    leaves[RESTORE_LEAF] = restore if restore is not None else restore_leaf()
    return leaves


def superseded(
    sizes: tuple[int, ...] = (8, 12), leaf: int = RESTORE_LEAF
) -> tuple[SupersededCheckpoint, ...]:
    notes = dict(zip((4, 8, 12), checkpoints_for(OLD, (4, 8, 12)), strict=True))
    return tuple(
        SupersededCheckpoint(
            note=notes[size],
            restored_leaf=leaf,
            proof=tuple(consistency_proof(OLD_TREE, size, 12)) if size < 12 else (),
        )
        for size in sizes
    )


def restored_bundle(**changes: Any) -> Bundle:
    leaves = changes.pop("leaves", None) or new_leaves()
    fields: dict[str, Any] = {"sizes": (4, 10, 12), "superseded_checkpoints": superseded()}
    fields.update(changes)
    return make_bundle(leaves, **fields)


def messages(bundle: Bundle, **options: Any) -> list[str]:
    return [
        str(failure) for failure in verify_bundle(bundle, trusted_vkeys=[VKEY], **options).failures
    ]


def test_a_declared_restore_verifies_and_the_report_names_each_superseded_checkpoint() -> None:
    report = verify_bundle(restored_bundle(), trusted_vkeys=[VKEY])
    assert report.result is Result.OK, report.summary()
    assert report.restore_notes == (
        "checkpoint of size 8: superseded by the declared restore at leaf 9 (leaves 6-11 lost)",
        "checkpoint of size 12: superseded by the declared restore at leaf 9 (leaves 6-11 lost)",
    )
    assert report.restore_notes[1] in report.summary()


def test_the_bundle_file_carries_the_superseded_checkpoints() -> None:
    bundle = restored_bundle()
    again = decode_bundle(encode_bundle(bundle))
    assert again.superseded_checkpoints == bundle.superseded_checkpoints
    assert verify_bundle(again, trusted_vkeys=[VKEY]).ok
    plain = make_bundle(OLD)
    assert b"superseded_checkpoints" not in encode_bundle(plain)
    broken = encode_bundle(bundle).replace(b'"restored_leaf": 9', b'"restored_leaf": "9"')
    with pytest.raises(AuditError, match=r"superseded_checkpoints\[0\].restored_leaf"):
        decode_bundle(broken)


def test_without_the_declaration_the_old_checkpoints_are_a_fork() -> None:
    leaves = new_leaves(event_leaf(RESTORE_LEAF))
    old_notes = checkpoints_for(OLD, (8, 12))
    bundle = make_bundle(leaves, sizes=(4, 10, 12))
    bundle = replace(bundle, checkpoints=tuple(sorted((*bundle.checkpoints, *old_notes))))
    assert verify_bundle(bundle, trusted_vkeys=[VKEY]).result is Result.FAILED


def test_a_restore_leaf_naming_the_wrong_root_fails() -> None:
    wrong = restore_leaf(superseded={"size": 12, "root": "ab" * 32})
    found = messages(restored_bundle(leaves=new_leaves(wrong)))
    assert any("holds no such signed checkpoint" in line for line in found)


def test_a_restore_leaf_without_the_checkpoint_it_names_fails() -> None:
    found = messages(restored_bundle(superseded_checkpoints=superseded((8,))))
    assert any("holds no such signed checkpoint" in line for line in found)


def test_a_second_fork_after_a_declared_restore_fails() -> None:
    other = [*new_leaves()[:11], event_leaf(11, public={"forked": True})]
    bundle = restored_bundle()
    forked = checkpoints_for(other, (12,))
    bundle = replace(bundle, checkpoints=(*bundle.checkpoints, *forked))
    found = messages(bundle)
    assert any("different roots" in line or "does not match" in line for line in found)


def test_a_superseded_checkpoint_that_is_not_consistent_with_the_named_one_fails() -> None:
    entries = superseded()
    bad = replace(entries[0], proof=(b"\0" * 32,))
    found = messages(restored_bundle(superseded_checkpoints=(bad, entries[1])))
    assert any("not consistent with the one the restore names" in line for line in found)


def test_a_superseded_checkpoint_outside_the_lost_range_fails() -> None:
    entries = superseded((4, 12))
    found = messages(restored_bundle(superseded_checkpoints=entries))
    assert any("is not among the lost leaves 6-11" in line for line in found)


def test_superseded_checkpoints_naming_a_leaf_that_is_no_restore_fail() -> None:
    found = messages(restored_bundle(superseded_checkpoints=(*superseded(), *superseded((8,), 3))))
    assert any("leaf 3" in line and "not a log.restored event" in line for line in found)


def test_a_declared_history_that_does_not_extend_the_kept_leaves_fails() -> None:
    wrong = restore_leaf(consistency=["00" * 32])
    found = messages(restored_bundle(leaves=new_leaves(wrong)))
    assert any("does not extend the 6 leaves kept" in line for line in found)


@pytest.mark.parametrize(
    ("public", "why"),
    [
        ({"lost_from": "6"}, "not whole numbers"),
        ({"superseded": {"size": 12, "root": "ab"}}, "not 32 bytes"),
        ({"lost_from": 10}, "must start at or before the leaf"),
        ({"lost_to": 11}, "must start at or before the leaf"),
        ({"consistency": "nope"}, "malformed log.restored"),
        ({"superseded": None}, "malformed log.restored"),
    ],
)
def test_a_malformed_restore_leaf_fails(public: dict[str, Any], why: str) -> None:
    found = messages(restored_bundle(leaves=new_leaves(restore_leaf(**public))))
    assert any(why in line for line in found), found


def test_an_auditor_holding_a_superseded_checkpoint_sees_the_declared_gap() -> None:
    (held,) = checkpoints_for(OLD, (12,))
    report = verify_bundle(restored_bundle(), trusted_vkeys=[VKEY], held_checkpoints=[held])
    assert report.result is Result.OK, report.summary()
    undeclared = restored_bundle(superseded_checkpoints=())
    leaves = new_leaves(event_leaf(RESTORE_LEAF))
    undeclared = replace(
        undeclared, leaves=leaves, checkpoints=checkpoints_for(leaves, (4, 10, 12))
    )
    assert messages(undeclared, held_checkpoints=[held])


def test_an_unsigned_superseded_checkpoint_is_not_taken() -> None:
    entries = superseded()
    forged = replace(entries[1], note=entries[1].note.replace("12\n", "13\n", 1))
    found = messages(restored_bundle(superseded_checkpoints=(entries[0], forged)))
    assert any("superseded checkpoint 2" in line for line in found)


def test_a_restore_to_an_empty_snapshot_needs_no_proof_from_the_kept_leaves() -> None:
    leaves = [event_leaf(i, public={"after": "restore", "n": i}) for i in range(5)]
    leaves.append(restore_leaf(5, lost_from=0, consistency=[]))
    bundle = make_bundle(leaves, sizes=(6,), superseded_checkpoints=superseded((8, 12), leaf=5))
    report = verify_bundle(bundle, trusted_vkeys=[VKEY])
    assert report.result is Result.OK, report.summary()
    assert "leaves 0-11 lost" in report.restore_notes[0]
