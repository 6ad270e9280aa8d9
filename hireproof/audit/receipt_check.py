"""Checking a stored receipt against this log's own key history, as the server's pages do.

A receipt names the vkey it was signed with; checking it under that key alone proves only that
it is consistent, since anyone can sign a checkpoint with a key of their own. ``check_receipt``
accepts a receipt only if a key this log registered (``LogKey``: the history every export lists
and the audit page publishes) signed its checkpoint, for a tree size that key was allowed to
sign (from the leaf that introduced it to the rotation that retired it), the receipt names that
key, and its leaf and inclusion proof hold. ``published_vkey`` is the key the log signs with now,
from the same history: what a page tells people to verify with.
"""

from __future__ import annotations

from collections.abc import Sequence

from hireproof.audit.models import LogKey
from hireproof.core.audit import Receipt, open_checkpoint, parse_vkey, verify_receipt
from hireproof.core.errors import AuditError, HireproofError


def key_history() -> list[LogKey]:
    """Every key the log registered, oldest first (one query; pass it to the functions below
    to check many receipts with it)."""
    return list(LogKey.objects.order_by("first_leaf_index"))


def published_vkey(history: Sequence[LogKey] | None = None) -> str | None:
    """The vkey of the key the log signs with now (None before the log's first event)."""
    current = [key for key in history or key_history() if key.retired_at is None]
    return current[-1].vkey if current else None


def check_receipt(receipt: Receipt, history: Sequence[LogKey] | None = None) -> LogKey:
    """The registered key that signed ``receipt``; ``AuditError`` saying what does not hold."""
    history = list(history) if history is not None else key_history()
    signer = _signer(receipt.checkpoint, history)
    if signer is None:
        raise AuditError(
            "its checkpoint is not signed by any key this log registered"
            f" ({', '.join(key.key_id for key in history) or 'none yet'})"
        )
    key, size = signer
    verify_receipt(receipt, vkey=key.vkey)
    position = history.index(key)
    successor = history[position + 1] if position + 1 < len(history) else None
    first = key.first_leaf_index + 1
    last = successor.first_leaf_index + 1 if successor is not None else None
    if size < first or (last is not None and size > last):
        allowed = f"{first} to {last}" if last is not None else f"{first} or more"
        raise AuditError(
            f"its checkpoint of {size} leaves is signed by key {key.key_id}, which signs only"
            f" checkpoints of {allowed} leaves"
        )
    return key


def _signer(note: str, history: list[LogKey]) -> tuple[LogKey, int] | None:
    """The registered key whose signature the note carries, and the note's tree size."""
    for key in history:
        try:
            checkpoint = open_checkpoint(note, [parse_vkey(key.vkey)])
        except HireproofError:
            continue
        return key, checkpoint.size
    return None
