"""Literal, deterministic logs and bundles for the audit tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hireproof.core.audit.bundle import Bundle, ConsistencyProof, KeyPeriod, PlaybookText
from hireproof.core.audit.checkpoint import (
    Checkpoint,
    Signer,
    sign_checkpoint,
    signer_from_key_bytes,
)
from hireproof.core.audit.commitments import Opening, commit_fields, open_field
from hireproof.core.audit.events import EventType, build_leaf, scoring_public
from hireproof.core.audit.merkle import (
    MemorySource,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
)
from hireproof.core.audit.receipt import KeyRotationProof, Receipt

ORIGIN = "example.com/audit-log-test"
KEY = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
OTHER_KEY = bytes(range(32))
SIGNER = signer_from_key_bytes(ORIGIN, KEY)
SECRET = bytes(range(100, 132))
SUBJECT = "subj_7g2k"
PLAYBOOK_HASH = "a" * 64
ANSWERS = {"q1": "70", "q2": "B"}
SCORECARD_HASH = "c" * 64


def leaf_time(index: int) -> str:
    """A leaf time as the log writes it, one second after the leaf before."""
    hours, rest = divmod(index, 3600)
    return f"2026-05-01T{10 + hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000000Z"


def event_leaf(index: int, event: EventType = EventType.ANSWER_SAVED, **changes: Any) -> bytes:
    """A realistic leaf at ``index``."""
    fields: dict[str, Any] = {
        "schema": 1,
        "index": index,
        "event_type": event,
        "at": leaf_time(index),
        "actor": "staff:7",
        "subject": SUBJECT,
        "public": {"attempt": "att_1", "item": f"q{index % 5}"},
        "commitments": {},
    }
    fields.update(changes)
    return build_leaf(**fields)


def scored_leaf(index: int, *, scorecard_hash: str = SCORECARD_HASH) -> bytes:
    """An attempt.scored leaf committing ``ANSWERS`` under the subject's secret."""
    return event_leaf(
        index,
        EventType.ATTEMPT_SCORED,
        # The format before scorecard hashes were committed: the verifier still re-scores it.
        public={
            **scoring_public(
                playbook_id="data-scientist-mid",
                playbook_version="1.0.0",
                playbook_hash=PLAYBOOK_HASH,
            ),
            "scorecard_hash": scorecard_hash,
        },
        commitments=commit_fields(SECRET, str(index), {"answers": ANSWERS, "email": "a@b.org"}),
    )


def plain_leaves(count: int) -> list[bytes]:
    return [event_leaf(i) for i in range(count)]


def checkpoints_for(
    leaves: Sequence[bytes], sizes: Iterable[int], signer: Signer = SIGNER
) -> tuple[str, ...]:
    tree = MemorySource([leaf_hash(leaf) for leaf in leaves])
    return tuple(
        sign_checkpoint(signer, Checkpoint(ORIGIN, size, tree.root(size))) for size in sizes
    )


def proofs_for(
    leaves: Sequence[bytes], pairs: Iterable[tuple[int, int]]
) -> tuple[ConsistencyProof, ...]:
    tree = MemorySource([leaf_hash(leaf) for leaf in leaves])
    return tuple(ConsistencyProof(a, b, tuple(consistency_proof(tree, a, b))) for a, b in pairs)


def make_bundle(
    leaves: Sequence[bytes],
    *,
    sizes: Iterable[int] | None = None,
    openings: Mapping[int, tuple[Opening, ...]] | None = None,
    playbooks: Mapping[str, PlaybookText] | None = None,
    **changes: Any,
) -> Bundle:
    """A bundle over ``leaves`` signed at ``sizes`` (by default: every 4 leaves and the end)."""
    if sizes is None:
        sizes = sorted({*range(4, len(leaves), 4), len(leaves)})
    fields: dict[str, Any] = {
        "origin": ORIGIN,
        "leaves": list(leaves),
        "keys": (KeyPeriod(SIGNER.verifier.vkey),),
        "checkpoints": checkpoints_for(leaves, sizes),
        "openings": openings or {},
        "playbooks": playbooks or {},
    }
    fields.update(changes)
    return Bundle(**fields)


def answers_opening(index: int, value: object = None) -> Opening:
    opening = open_field(SECRET, str(index), "answers", ANSWERS)
    return opening if value is None else Opening("answers", value, opening.salt_hex)


def receipt_for(
    leaves: Sequence[bytes],
    index: int,
    size: int,
    signer: Signer = SIGNER,
    rotations: Sequence[tuple[int, Signer]] = (),
) -> Receipt:
    """A receipt for leaf ``index`` in the tree of ``size`` leaves signed by ``signer``.

    ``rotations`` are (rotation leaf index, old key): each rotation's evidence is the old key's
    hand-over checkpoint just after its event.
    """
    tree = MemorySource([leaf_hash(leaf) for leaf in leaves])
    return Receipt(
        leaf_index=index,
        leaf_hash=leaf_hash(leaves[index]),
        checkpoint=sign_checkpoint(signer, Checkpoint(ORIGIN, size, tree.root(size))),
        inclusion_proof=tuple(inclusion_proof(tree, index, size)),
        vkey=signer.verifier.vkey,
        leaf=leaves[index],
        rotations=tuple(
            KeyRotationProof(
                leaf_index=at,
                leaf=leaves[at],
                checkpoint=sign_checkpoint(old, Checkpoint(ORIGIN, at + 1, tree.root(at + 1))),
                inclusion_proof=tuple(inclusion_proof(tree, at, at + 1)),
                consistency_proof=tuple(consistency_proof(tree, at + 1, size)),
            )
            for at, old in rotations
        ),
    )


def rotation_leaf(index: int, old: Signer, new: Signer) -> bytes:
    """The log.key_rotated leaf at ``index``, from ``old``'s key to ``new``'s."""
    public = {"old_vkey": old.verifier.vkey, "new_vkey": new.verifier.vkey}
    return event_leaf(index, EventType.LOG_KEY_ROTATED, public=public, actor="system", subject=None)
