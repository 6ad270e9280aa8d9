"""Receipts and inclusion proofs, built from the stored perfect nodes (O(log n) reads)."""

from __future__ import annotations

import base64
from typing import Any

from hireproof.audit.checkpoints import sign_checkpoint_now
from hireproof.audit.models import Checkpoint, LogKey, LogLeaf
from hireproof.audit.store import StoredTree, read_head
from hireproof.core.audit import Receipt, inclusion_proof
from hireproof.core.errors import AuditError


def receipt_for(leaf_index: int) -> Receipt:
    """A receipt for one leaf against the latest checkpoint that covers it.

    Signs a fresh checkpoint first if no checkpoint covers the leaf yet.
    """
    leaf = _leaf(leaf_index)
    checkpoint = _latest_covering(leaf_index) or sign_checkpoint_now()
    return Receipt(
        leaf_index=leaf_index,
        leaf_hash=bytes(leaf.leaf_hash),
        checkpoint=checkpoint.note,
        inclusion_proof=tuple(inclusion_proof(StoredTree(), leaf_index, checkpoint.size)),
        vkey=LogKey.objects.get(key_id=checkpoint.key_id).vkey,
        leaf=bytes(leaf.data),
    )


def inclusion_proof_document(leaf_index: int, size: int | None = None) -> dict[str, Any]:
    """The inclusion proof of ``leaf_index`` in the tree of ``size`` leaves, as JSON data.

    ``size`` defaults to the latest checkpoint's, signing a fresh one first if none covers the
    leaf yet (as a receipt does): a proof is only worth something against a signed root. When a
    checkpoint of that size exists its signed note is included.
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
        "checkpoint": checkpoint.note if checkpoint else None,
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
