"""Receipts: a small JSON document proving that one event is in the signed log.

A candidate or a company keeps a receipt and can check it later, offline, with nothing but the
log's vkey: the checkpoint's signature binds a size and a root, and the inclusion proof ties the
leaf to that root. The JSON form::

    {"format": "hireproof-receipt/v1", "leaf_index": 42, "leaf_hash": "<hex>",
     "leaf": "<the leaf's canonical JSON text>" | null, "checkpoint": "<signed note>",
     "inclusion_proof": ["<base64>", ...], "vkey": "<name+id+key>"}

``leaf`` is optional: with it, the receipt also shows what was recorded; without it, the
receipt proves only that a leaf with that hash is in the log.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from hireproof.core.errors import AuditError

from .checkpoint import open_checkpoint, parse_vkey
from .merkle import leaf_hash as hash_leaf
from .merkle import verify_inclusion

__all__ = ["RECEIPT_FORMAT", "Receipt", "verify_receipt"]

RECEIPT_FORMAT = "hireproof-receipt/v1"
_FIELDS = frozenset(
    {"format", "leaf_index", "leaf_hash", "leaf", "checkpoint", "inclusion_proof", "vkey"}
)


@dataclass(frozen=True)
class Receipt:
    """Proof that leaf ``leaf_index`` (hash ``leaf_hash``) is in the checkpointed tree."""

    leaf_index: int
    leaf_hash: bytes
    checkpoint: str
    inclusion_proof: tuple[bytes, ...]
    vkey: str
    leaf: bytes | None = None

    def to_json(self) -> str:
        """The receipt as a JSON document (keys sorted, two-space indent)."""
        document: dict[str, Any] = {
            "format": RECEIPT_FORMAT,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash.hex(),
            "leaf": None if self.leaf is None else self.leaf.decode(),
            "checkpoint": self.checkpoint,
            "inclusion_proof": [base64.b64encode(h).decode() for h in self.inclusion_proof],
            "vkey": self.vkey,
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Receipt:
        """Read a receipt; ``AuditError`` naming what is malformed."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise AuditError(f"the receipt is not valid JSON ({error})") from None
        if not isinstance(document, dict) or set(document) != _FIELDS:
            raise AuditError(
                f"a receipt is a JSON object with exactly: {', '.join(sorted(_FIELDS))}"
            )
        if document["format"] != RECEIPT_FORMAT:
            raise AuditError(f"the receipt format {document['format']!r} is not {RECEIPT_FORMAT}")
        return cls(
            leaf_index=_integer(document["leaf_index"], "leaf_index"),
            leaf_hash=_hex_hash(document["leaf_hash"]),
            checkpoint=_text(document["checkpoint"], "checkpoint"),
            inclusion_proof=_proof(document["inclusion_proof"]),
            vkey=_text(document["vkey"], "vkey"),
            leaf=None if document["leaf"] is None else _text(document["leaf"], "leaf").encode(),
        )


def verify_receipt(receipt: Receipt, vkey: str | None = None) -> None:
    """Check a receipt; raise ``AuditError`` (or a subclass) saying what does not hold.

    Pass ``vkey`` (the log's published key) to pin the signer: otherwise the receipt's own
    vkey is used, which proves consistency but not who signed.
    """
    if vkey is not None and vkey.strip() != receipt.vkey:
        raise AuditError("the receipt is signed by a different key than the one given")
    checkpoint = open_checkpoint(receipt.checkpoint, [parse_vkey(receipt.vkey)])
    if receipt.leaf is not None and hash_leaf(receipt.leaf) != receipt.leaf_hash:
        raise AuditError("the receipt's leaf does not match its leaf hash")
    verify_inclusion(
        receipt.leaf_hash,
        receipt.leaf_index,
        checkpoint.size,
        receipt.inclusion_proof,
        checkpoint.root,
    )


def _integer(value: object, name: str) -> int:
    if type(value) is not int:
        raise AuditError(f"the receipt's {name} is not a whole number")
    return value


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise AuditError(f"the receipt's {name} is not a string")
    return value


def _hex_hash(value: object) -> bytes:
    try:
        return bytes.fromhex(_text(value, "leaf_hash"))
    except ValueError:
        raise AuditError("the receipt's leaf_hash is not hex") from None


def _proof(value: object) -> tuple[bytes, ...]:
    if not isinstance(value, list):
        raise AuditError("the receipt's inclusion_proof is not a list")
    try:
        return tuple(base64.b64decode(_text(h, "proof hash"), validate=True) for h in value)
    except (binascii.Error, ValueError):
        raise AuditError("a hash in the receipt's inclusion_proof is not base64") from None
