"""Receipts: a small JSON document proving that one event is in the signed log.

A candidate or a company keeps a receipt and checks it later, offline, with nothing but a key
they trust: the log's vkey as it was published when they got the receipt (and, to rule out a
log showing them a history of its own, the keys of witnesses they trust). The checkpoint's
signature binds a size and a root, and the inclusion proof ties the leaf to that root. The JSON
form (``hireproof-receipt/v2``)::

    {"format": "hireproof-receipt/v2", "leaf_index": 42, "leaf_hash": "<hex>",
     "leaf": "<the leaf's canonical JSON text>" | null,
     "checkpoint": "<signed note, with the witnesses' cosignature lines>",
     "inclusion_proof": ["<base64>", ...], "vkey": "<name+id+key that signed the checkpoint>",
     "rotations": [{"leaf_index": 5000, "leaf": "<the log.key_rotated leaf>",
                    "checkpoint": "<the hand-over checkpoint, signed by the old key>",
                    "inclusion_proof": ["<base64>", ...],
                    "consistency_proof": ["<base64>", ...]}, ...]}

``leaf`` is optional: with it, the receipt also shows what was recorded; without it, the
receipt proves only that a leaf with that hash is in the log. ``rotations`` is the log's key
history up to the key that signed the checkpoint, one entry per rotation: the rotation event
(``old_vkey`` -> ``new_vkey``), its inclusion in the hand-over checkpoint the old key signed
(the tree just after the event), and the consistency of that tree with the receipt's
checkpoint. So someone who kept the key published before a rotation still verifies a receipt
signed after it: each key they trust vouches, in a tree it signed, for the next one.
``hireproof-receipt/v1`` documents (issued before, without ``rotations``) are read too.

One encoding of each value: hashes in canonical base64 (32 bytes), ``leaf_hash`` in 64
lower-case hex digits, keys written exactly as ``Verifier.vkey`` writes them, whole numbers
only, each field exactly once. A document that breaks one of these is refused naming the field
(``rotations[0].inclusion_proof[2]``); what does not verify is a failure naming the field.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hireproof.core.errors import AuditError, HireproofError

from .checkpoint import Checkpoint, Verifier, open_checkpoint, parse_checkpoint_body, parse_vkey
from .events import EventType, canonical_problem, parse_leaf
from .merkle import HASH_SIZE, verify_consistency, verify_inclusion
from .merkle import leaf_hash as hash_leaf
from .report import Result
from .trust import TrustFile
from .witness import (
    CLOCK_SKEW_SECONDS,
    WitnessPolicy,
    check_witnessed,
    cosigned_limit,
    cosigned_time_text,
)

__all__ = [
    "RECEIPT_FORMAT",
    "KeyRotationProof",
    "Receipt",
    "ReceiptReport",
    "check_receipt",
    "verify_receipt",
]

RECEIPT_FORMAT = "hireproof-receipt/v2"
_V1 = "hireproof-receipt/v1"
_V1_FIELDS = frozenset(
    {"format", "leaf_index", "leaf_hash", "leaf", "checkpoint", "inclusion_proof", "vkey"}
)
_FIELDS = _V1_FIELDS | {"rotations"}
_ROTATION_FIELDS = frozenset(
    {"leaf_index", "leaf", "checkpoint", "inclusion_proof", "consistency_proof"}
)
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAX_PROOF = 64  # no tree below 2**64 leaves needs a longer inclusion or consistency proof
_MAX_INDEX = 2**63


@dataclass(frozen=True)
class KeyRotationProof:
    """One rotation of the log's key, as a receipt carries it (see the module docstring)."""

    leaf_index: int
    leaf: bytes
    checkpoint: str
    inclusion_proof: tuple[bytes, ...]
    consistency_proof: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "leaf": self.leaf.decode(),
            "checkpoint": self.checkpoint,
            "inclusion_proof": [_b64(h) for h in self.inclusion_proof],
            "consistency_proof": [_b64(h) for h in self.consistency_proof],
        }


@dataclass(frozen=True)
class Receipt:
    """Proof that leaf ``leaf_index`` (hash ``leaf_hash``) is in the checkpointed tree."""

    leaf_index: int
    leaf_hash: bytes
    checkpoint: str
    inclusion_proof: tuple[bytes, ...]
    vkey: str
    leaf: bytes | None = None
    rotations: tuple[KeyRotationProof, ...] = ()

    def to_json(self) -> str:
        """The receipt as a JSON document (keys sorted, two-space indent)."""
        document: dict[str, Any] = {
            "format": RECEIPT_FORMAT,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash.hex(),
            "leaf": None if self.leaf is None else self.leaf.decode(),
            "checkpoint": self.checkpoint,
            "inclusion_proof": [_b64(h) for h in self.inclusion_proof],
            "vkey": self.vkey,
            "rotations": [rotation.to_dict() for rotation in self.rotations],
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Receipt:
        """Read a receipt strictly; ``AuditError`` naming the field that is malformed."""
        try:
            document = json.loads(
                text,
                object_pairs_hook=_refuse_duplicates,
                parse_float=_refuse_fraction,
                parse_constant=_refuse_fraction,
                parse_int=_whole_number,
            )
        except _Malformed as error:
            raise AuditError(f"the receipt {error}") from None
        except (json.JSONDecodeError, RecursionError) as error:
            raise AuditError(f"the receipt is not valid JSON ({error})") from None
        if not isinstance(document, dict):
            raise AuditError("a receipt is a JSON object")
        version = document.get("format")
        if version not in (RECEIPT_FORMAT, _V1):
            raise AuditError(
                f"field format: {version!r} is not {RECEIPT_FORMAT} (or {_V1}, read for old "
                "receipts)"
            )
        _exact_fields(document, _FIELDS if version == RECEIPT_FORMAT else _V1_FIELDS, "")
        leaf = document["leaf"]
        return cls(
            leaf_index=_index(document["leaf_index"], "leaf_index"),
            leaf_hash=_hex_hash(document["leaf_hash"], "leaf_hash"),
            checkpoint=_note(document["checkpoint"], "checkpoint"),
            inclusion_proof=_hashes(document["inclusion_proof"], "inclusion_proof"),
            vkey=_vkey(document["vkey"], "vkey"),
            leaf=None if leaf is None else _text(leaf, "leaf").encode(),
            rotations=tuple(
                _rotation(entry, f"rotations[{number}]")
                for number, entry in enumerate(_list(document.get("rotations", []), "rotations"))
            ),
        )


@dataclass(frozen=True)
class ReceiptReport:
    """What ``check_receipt`` found: every failure (naming its field) and the facts that hold.

    ``result`` is OK only when nothing failed and a key you trust signed the checkpoint, or
    vouches for the key that did through the receipt's rotations; UNTRUSTED when nothing failed
    but you named no key; FAILED otherwise (a key you named that does not lead to the signer is
    a failure: the receipt is not from the log you trust).
    """

    failures: tuple[str, ...]
    anchored: bool
    origin: str
    size: int
    leaf_index: int
    event: str | None
    signer: str
    rotations_followed: int  # how many rotations lead from a key you trust to the signer
    witness_line: str | None  # what the witness checks found, when witnesses were asked for

    @property
    def result(self) -> Result:
        """FAILED if anything failed, else OK when a key you trust signed, else UNTRUSTED."""
        if self.failures:
            return Result.FAILED
        return Result.OK if self.anchored else Result.UNTRUSTED

    def summary(self) -> str:
        """One line with the verdict and what it means, the witnesses, each failure."""
        if self.failures:
            return "\n".join(["receipt FAILED", *(f"  {failure}" for failure in self.failures)])
        if not self.anchored:
            return (
                f"receipt UNTRUSTED: it holds together under its own key {self.signer}, which "
                "you have not said you trust, so it proves nothing: pass the log's published "
                "key with --vkey, or your trust file with --trust"
            )
        event = f" ({self.event})" if self.event else ""
        through = (
            f", which the key you trust vouches for through {self.rotations_followed} key "
            f"rotation{'s' if self.rotations_followed != 1 else ''}"
            if self.rotations_followed
            else ", a key you trust"
        )
        lines = [
            f"receipt OK: leaf {self.leaf_index}{event} is in log {self.origin}: the checkpoint "
            f"over {self.size} leaves is signed by {self.signer}{through}"
        ]
        if self.witness_line:
            lines.append(self.witness_line)
        return "\n".join(lines)


def check_receipt(
    receipt: Receipt,
    *,
    trusted_vkeys: Sequence[str] = (),
    trust: TrustFile | None = None,
    witness_vkeys: Sequence[str] = (),
    witness_quorum: int | None = None,
) -> ReceiptReport:
    """Check everything a receipt claims, against the keys (and witnesses) you trust.

    ``trust`` adds a trust file's keys and witnesses (``TrustFile.witness_policy``). Raises
    ``AuditError`` only for a malformed key or an impossible quorum (bad input); everything
    that does not hold is a failure in the report.
    """
    pinned = [parse_vkey(vkey) for vkey in (*trusted_vkeys, *(trust.trusted if trust else ()))]
    witnesses = (
        trust.witness_policy(witness_vkeys, witness_quorum)
        if trust is not None
        else WitnessPolicy.of(witness_vkeys, witness_quorum)
    )
    return _ReceiptCheck(receipt).run(pinned, witnesses)


def verify_receipt(receipt: Receipt, vkey: str | None = None) -> None:
    """Raise ``AuditError`` naming the first thing about the receipt that does not hold.

    With ``vkey`` (the log's published key), also unless that key signed the checkpoint or
    vouches for its signer through the receipt's rotations. Without it, only the receipt's
    integrity under its own key is checked: that proves consistency, not who signed.
    """
    report = check_receipt(receipt, trusted_vkeys=() if vkey is None else (vkey,))
    if report.failures:
        raise AuditError(report.failures[0])


class _ReceiptCheck:
    """One check of one receipt, collecting failures as it goes."""

    def __init__(self, receipt: Receipt) -> None:
        self.receipt = receipt
        self.failures: list[str] = []

    def fail(self, field: str, message: str) -> None:
        self.failures.append(f"field {field}: {message}")

    def run(self, pinned: Sequence[Verifier], witnesses: WitnessPolicy) -> ReceiptReport:
        receipt = self.receipt
        signer = parse_vkey(receipt.vkey)  # canonical: checked when the receipt was read
        body = parse_checkpoint_body(_body_of(receipt.checkpoint))  # likewise
        if body.origin != signer.name:
            self.fail(
                "checkpoint",
                f"it is for log {body.origin}, but its signer's key is named {signer.name}",
            )
        event, at = self.check_leaf()
        try:
            verify_inclusion(
                receipt.leaf_hash, receipt.leaf_index, body.size, receipt.inclusion_proof, body.root
            )
        except AuditError as error:
            self.fail("inclusion_proof", str(error))
        chain = self.check_rotations(body, signer)
        try:
            open_checkpoint(receipt.checkpoint, [signer])
        except AuditError as error:
            self.fail("checkpoint", f"{error} (the key in field vkey)")
        followed = self.check_trust(pinned, chain, signer, body.origin)
        witness_line = self.check_witnesses(witnesses, body, at) if witnesses.required else None
        return ReceiptReport(
            failures=tuple(self.failures),
            anchored=followed is not None,
            origin=body.origin,
            size=body.size,
            leaf_index=receipt.leaf_index,
            event=event,
            signer=receipt.vkey,
            rotations_followed=followed or 0,
            witness_line=witness_line,
        )

    def check_leaf(self) -> tuple[str | None, str | None]:
        """The leaf, when the receipt carries it: its hash, form and index; its event and time."""
        receipt = self.receipt
        if receipt.leaf is None:
            return None, None
        if hash_leaf(receipt.leaf) != receipt.leaf_hash:
            self.fail("leaf", "it does not hash to field leaf_hash")
            return None, None
        try:
            leaf = parse_leaf(receipt.leaf)
        except AuditError as error:
            self.fail("leaf", f"it is not a log event: {error}")
            return None, None
        problem = canonical_problem(receipt.leaf)
        if problem is not None:
            self.fail("leaf", f"it is not canonical JSON (RFC 8785): {problem}")
        if leaf.index != receipt.leaf_index:
            self.fail("leaf", f"it says it is leaf {leaf.index}, not leaf {receipt.leaf_index}")
        return leaf.event_type.value, leaf.at

    def check_rotations(
        self, body: Checkpoint, signer: Verifier
    ) -> list[tuple[Verifier, Verifier]]:
        """The key history the receipt carries: (old key, new key) for each rotation that holds."""
        chain: list[tuple[Verifier, Verifier]] = []
        previous_index = -1
        for number, rotation in enumerate(self.receipt.rotations):
            where = f"rotations[{number}]"
            keys = self.check_rotation(rotation, where, body)
            if rotation.leaf_index <= previous_index:
                self.fail(f"{where}.leaf_index", "rotations are listed in log order, each once")
            previous_index = rotation.leaf_index
            if keys is None:
                continue
            if chain and keys[0] != chain[-1][1]:
                self.fail(
                    f"{where}.leaf",
                    f"the rotation replaces key {keys[0].vkey}, but the rotation before it "
                    f"introduced {chain[-1][1].vkey}",
                )
            chain.append(keys)
        if self.receipt.rotations and (not chain or chain[-1][1] != signer):
            self.fail(
                "vkey",
                "the checkpoint is signed by a key the receipt's last rotation does not introduce",
            )
        return chain

    def check_rotation(
        self, rotation: KeyRotationProof, where: str, body: Checkpoint
    ) -> tuple[Verifier, Verifier] | None:
        """One rotation: its event, the old key's hand-over checkpoint, both proofs."""
        try:
            leaf = parse_leaf(rotation.leaf)
            if leaf.event_type is not EventType.LOG_KEY_ROTATED:
                raise AuditError(f"it records {leaf.event_type}, not {EventType.LOG_KEY_ROTATED}")
            named = [leaf.public.get("old_vkey"), leaf.public.get("new_vkey")]
            old, new = (parse_vkey(vkey if isinstance(vkey, str) else "") for vkey in named)
        except AuditError as error:
            self.fail(f"{where}.leaf", f"it is not a key rotation event: {error}")
            return None
        problem = canonical_problem(rotation.leaf)
        if leaf.index != rotation.leaf_index:
            problem = f"it says it is leaf {leaf.index}, not leaf {rotation.leaf_index}"
        elif [old.vkey, new.vkey] != named or {old.name, new.name} != {body.origin}:
            problem = f"it does not name two keys of log {body.origin}, each written as one is"
        elif problem is not None:
            problem = f"it is not canonical JSON (RFC 8785): {problem}"
        if problem is not None:
            self.fail(f"{where}.leaf", problem)
            return None
        hand_over = rotation.leaf_index + 1
        try:
            checkpoint = open_checkpoint(rotation.checkpoint, [old])
        except AuditError as error:
            self.fail(f"{where}.checkpoint", f"{error} (the old key, {old.vkey})")
            return None
        if (checkpoint.origin, checkpoint.size) != (body.origin, hand_over):
            self.fail(
                f"{where}.checkpoint",
                f"it is the checkpoint of log {checkpoint.origin} over {checkpoint.size} leaves, "
                f"not the hand-over over {hand_over} leaves of log {body.origin}",
            )
            return None
        try:
            verify_inclusion(
                hash_leaf(rotation.leaf),
                rotation.leaf_index,
                hand_over,
                rotation.inclusion_proof,
                checkpoint.root,
            )
        except AuditError as error:
            self.fail(f"{where}.inclusion_proof", str(error))
            return None
        try:
            verify_consistency(
                hand_over, body.size, checkpoint.root, body.root, rotation.consistency_proof
            )
        except AuditError as error:
            self.fail(f"{where}.consistency_proof", f"{error} (the receipt's checkpoint)")
            return None
        return old, new

    def check_trust(
        self,
        pinned: Sequence[Verifier],
        chain: Sequence[tuple[Verifier, Verifier]],
        signer: Verifier,
        origin: str,
    ) -> int | None:
        """How many rotations lead from a key you trust to the signer (None: none does)."""
        for key in pinned:
            if key.name != origin:
                self.fail(
                    "vkey",
                    f"the key you trust {key.vkey} is the key of log {key.name}, not of this "
                    f"receipt's log {origin}",
                )
        depth = dict.fromkeys(pinned, 0)  # key -> rotations from a key you trust
        for old, new in chain:
            if old in depth and new not in depth:
                depth[new] = depth[old] + 1
        if signer in depth:
            return depth[signer]
        if pinned:
            self.fail(
                "vkey",
                f"the checkpoint is signed by {signer.vkey}, which is not a key you trust, and "
                "no rotation signed by a key you trust vouches for it",
            )
        return None

    def check_witnesses(self, witnesses: WitnessPolicy, body: Checkpoint, at: str | None) -> str:
        """The quorum's cosignatures on the receipt's checkpoint, and the leaf's time."""
        quorum, count = witnesses.quorum, len(witnesses.keys)
        result = check_witnessed([self.receipt.checkpoint], witnesses.keys, quorum)
        for problem in result.failures:
            self.fail("checkpoint", problem.removeprefix("checkpoint 1: "))
        when = result.time_of(body.size)
        if when is None:
            cosigned = len(result.timestamps.get(body.size, {}))
            self.fail(
                "checkpoint",
                f"it is cosigned by {cosigned} of your {count} witnesses, not the {quorum} you "
                "require: they have not seen it, so the log could show it differently",
            )
            return f"witnesses: {cosigned} of your {count} cosigned the checkpoint"
        limit = cosigned_limit(when)
        if at is not None and limit is not None and at > limit:
            self.fail(
                "leaf",
                f"dated {at}, after your witnesses cosigned the checkpoint at "
                f"{cosigned_time_text(when)} (more than {CLOCK_SKEW_SECONDS} s of clock "
                "difference): a leaf dated in the future",
            )
        return (
            f"witnesses: {len(result.timestamps[body.size])} of your {count} cosigned the "
            f"checkpoint (quorum {quorum}) by {cosigned_time_text(when)}"
            + ("; the leaf is not dated after that" if at is not None else "")
        )


# --- reading, strictly ---------------------------------------------------------------------------


class _Malformed(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Malformed(f"holds the field {key} twice")
        result[key] = value
    return result


def _refuse_fraction(text: str) -> Any:
    raise _Malformed(f"holds the number {text}: a receipt's numbers are whole numbers")


def _whole_number(text: str) -> int:
    if text.startswith("-"):
        raise _Malformed(f"holds the number {text}: a receipt's numbers are not negative")
    return int(text)


def _exact_fields(document: dict[str, Any], expected: frozenset[str], where: str) -> None:
    missing = sorted(expected - set(document))
    unknown = sorted(set(document) - expected)
    if missing or unknown:
        parts = [f"lacks {', '.join(missing)}"] if missing else []
        parts += [f"has unknown {', '.join(unknown)}"] if unknown else []
        what = f"field {where}" if where else "the receipt"
        raise AuditError(f"{what} {' and '.join(parts)}")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise AuditError(f"field {where}: not a string")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise AuditError(f"field {where}: not a list")
    return value


def _index(value: object, where: str) -> int:
    if type(value) is not int or value >= _MAX_INDEX:
        raise AuditError(f"field {where}: not a whole number below 2**63")
    return value


def _hex_hash(value: object, where: str) -> bytes:
    text = _text(value, where)
    if not _HEX64.fullmatch(text):
        raise AuditError(f"field {where}: not 64 lower-case hex digits")
    return bytes.fromhex(text)


def _hashes(value: object, where: str) -> tuple[bytes, ...]:
    entries = _list(value, where)
    if len(entries) > _MAX_PROOF:
        raise AuditError(f"field {where}: {len(entries)} hashes; a proof has at most {_MAX_PROOF}")
    return tuple(_hash(entry, f"{where}[{number}]") for number, entry in enumerate(entries))


def _hash(value: object, where: str) -> bytes:
    """A 32-byte hash in canonical base64: the one encoding a receipt accepts."""
    text = _text(value, where)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise AuditError(f"field {where}: not base64") from None
    if _b64(raw) != text:
        raise AuditError(f"field {where}: not canonical base64")
    if len(raw) != HASH_SIZE:
        raise AuditError(f"field {where}: {len(raw)} bytes, not {HASH_SIZE}")
    return raw


def _vkey(value: object, where: str) -> str:
    text = _text(value, where)
    try:
        written = parse_vkey(text).vkey
    except HireproofError as error:
        raise AuditError(f"field {where}: {error}") from None
    if written != text:
        raise AuditError(f"field {where}: not written the one way a key is written ({written})")
    return text


def _note(value: object, where: str) -> str:
    """A signed checkpoint note, its body well formed (its signatures are checked later)."""
    text = _text(value, where)
    try:
        parse_checkpoint_body(_body_of(text))
    except HireproofError as error:
        raise AuditError(f"field {where}: not a signed checkpoint ({error})") from None
    return text


def _body_of(note: str) -> str:
    separator = note.rfind("\n\n")
    return note[: separator + 1] if separator >= 0 else ""


def _rotation(value: object, where: str) -> KeyRotationProof:
    if not isinstance(value, dict):
        raise AuditError(f"field {where}: not an object")
    _exact_fields(value, _ROTATION_FIELDS, where)
    return KeyRotationProof(
        leaf_index=_index(value["leaf_index"], f"{where}.leaf_index"),
        leaf=_text(value["leaf"], f"{where}.leaf").encode(),
        checkpoint=_note(value["checkpoint"], f"{where}.checkpoint"),
        inclusion_proof=_hashes(value["inclusion_proof"], f"{where}.inclusion_proof"),
        consistency_proof=_hashes(value["consistency_proof"], f"{where}.consistency_proof"),
    )


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()
