"""Receipts and inclusion proofs, built from the stored perfect nodes (O(log n) reads).

A receipt cites a checkpoint that covers its leaf, with every cosignature the witnesses gave
that checkpoint, and carries the log's key history up to the key that signed it: for each
rotation, the rotation event, the hand-over checkpoint the old key signed just after it, and
the proofs joining them to the receipt's checkpoint. So a candidate who kept the key the log
published before a rotation still verifies a receipt signed after it.
"""

from __future__ import annotations

import base64
import itertools
import logging
from typing import Any

from django.db.models import Count

from hireproof.audit import witnessing
from hireproof.audit.checkpoints import sign_checkpoint_now
from hireproof.audit.models import Checkpoint, LogKey, LogLeaf
from hireproof.audit.store import StoredTree, read_head
from hireproof.core.audit import KeyRotationProof, Receipt, consistency_proof, inclusion_proof
from hireproof.core.errors import AuditError

logger = logging.getLogger(__name__)


def receipt_for(leaf_index: int) -> Receipt:
    """A receipt for one leaf against a checkpoint that covers it.

    Of the checkpoints covering the leaf, the one the most witnesses cosigned, the latest among
    equals; signs a fresh checkpoint first if none covers the leaf yet (its witnesses have not
    seen it yet: a receipt issued again later cites a cosigned one).
    """
    leaf = _leaf(leaf_index)
    checkpoint = _best_covering(leaf_index) or sign_checkpoint_now()
    signer = LogKey.objects.get(key_id=checkpoint.key_id)
    tree = StoredTree()
    return Receipt(
        leaf_index=leaf_index,
        leaf_hash=bytes(leaf.leaf_hash),
        checkpoint=witnessing.cosigned_note(checkpoint),
        inclusion_proof=tuple(inclusion_proof(tree, leaf_index, checkpoint.size)),
        vkey=signer.vkey,
        leaf=bytes(leaf.data),
        rotations=_rotations(signer, checkpoint.size, tree),
    )


def _rotations(signer: LogKey, size: int, tree: StoredTree) -> tuple[KeyRotationProof, ...]:
    """The evidence of every rotation from the log's first key to ``signer``.

    A rotation whose old key signed no hand-over (a log rotated before hand-overs were signed)
    breaks the chain there: only the rotations after it are carried.
    """
    history = list(
        LogKey.objects.filter(first_leaf_index__lte=signer.first_leaf_index).order_by(
            "first_leaf_index"
        )
    )
    proofs: list[KeyRotationProof] = []
    for old, new in itertools.pairwise(history):
        at = new.first_leaf_index
        hand_over = Checkpoint.objects.filter(size=at + 1, key_id=old.key_id).order_by("id").first()
        if hand_over is None:
            logger.warning(
                "key %s signed no checkpoint over its rotation at leaf %d: receipts carry the "
                "key history from %s on",
                old.vkey,
                at,
                new.vkey,
            )
            proofs = []
            continue
        proofs.append(
            KeyRotationProof(
                leaf_index=at,
                leaf=bytes(_leaf(at).data),
                checkpoint=witnessing.cosigned_note(hand_over),
                inclusion_proof=tuple(inclusion_proof(tree, at, at + 1)),
                consistency_proof=tuple(consistency_proof(tree, at + 1, size)),
            )
        )
    return tuple(proofs)


def inclusion_proof_document(leaf_index: int, size: int | None = None) -> dict[str, Any]:
    """The inclusion proof of ``leaf_index`` in the tree of ``size`` leaves, as JSON data.

    ``size`` defaults to the latest checkpoint's, signing a fresh one first if none covers the
    leaf yet (as a receipt does): a proof is only worth something against a signed root. When a
    checkpoint of that size exists its signed note is included, with its cosignatures.
    """
    leaf = _leaf(leaf_index)
    if size is None:
        size = (_latest_covering(leaf_index) or sign_checkpoint_now()).size
    head_size = read_head().size
    if not leaf_index < size <= head_size:
        raise AuditError(
            f"cannot prove leaf {leaf_index} in a tree of {size} leaves: the size must be more"
            f" than the leaf index and at most {head_size} (the log's size)"
        )
    tree = StoredTree()
    checkpoint = Checkpoint.objects.filter(size=size).order_by("-id").first()
    return {
        "leaf_index": leaf_index,
        "tree_size": size,
        "leaf_hash": bytes(leaf.leaf_hash).hex(),
        "root": base64.b64encode(tree.root(size)).decode(),
        "inclusion_proof": [
            base64.b64encode(h).decode() for h in inclusion_proof(tree, leaf_index, size)
        ],
        "checkpoint": witnessing.cosigned_note(checkpoint) if checkpoint else None,
    }


def _leaf(leaf_index: int) -> LogLeaf:
    leaf = LogLeaf.objects.filter(index=leaf_index).first()
    if leaf is None:
        raise AuditError(
            f"the log has no leaf {leaf_index} (it holds {read_head().size} leaves, from 0)"
        )
    return leaf


def _latest_covering(leaf_index: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(size__gt=leaf_index).order_by("-size", "-id").first()


def _best_covering(leaf_index: int) -> Checkpoint | None:
    """The covering checkpoint most witnesses cosigned; the latest among equals."""
    return (
        Checkpoint.objects.filter(size__gt=leaf_index)
        .annotate(cosigners=Count("cosignatures"))
        .order_by("-cosigners", "-size", "-id")
        .first()
    )
