"""Witnesses: C2SP ``tlog-cosignature`` (Ed25519 ``cosignature/v1``) and ``tlog-witness``.

A witness is run by someone outside the log's operator (counsel, an auditor, a works council)
with its own key. The log sends it each new checkpoint with a consistency proof from the last
size the witness cosigned; the witness checks that the new tree extends the one it saw, stores
the new head and answers with a cosignature: "as of ``timestamp``, this is the largest
consistent tree I have seen for this origin". An auditor who requires a quorum of cosignatures
from witnesses it trusts cannot be shown a history other than the one the witnesses saw.

Cosignature line (a signed-note signature line, type 0x04)::

    \\u2014 <witness name> base64(key id[4] || uint64_be(timestamp) || Ed25519 signature[64])

The key id is ``SHA-256(name || 0x0A || 0x04 || public key)[:4]``; the signed message is
``"cosignature/v1\\ntime <timestamp>\\n"`` followed by the checkpoint body. A witness's vkey is
``<name>+<hex key id>+<base64(0x04 || public key)>``.

The ``add-checkpoint`` request body is ``"old <size>\\n"``, at most 63 base64 proof lines, a
blank line, then the signed checkpoint note. ``witness_add`` is the witness's whole decision,
pure: the server around it only reads the request and persists the state it returns.

Everything here is pure: no clock, no randomness, no file or network access.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hireproof.core.errors import AuditError, ProofError, SignatureError

from .checkpoint import (
    MAX_SIGNATURES,
    Checkpoint,
    Verifier,
    _decode_base64,
    _parse_signature_line,
    _require_key_name,
    _require_note_characters,
    open_note,
    parse_checkpoint_body,
)
from .merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency

__all__ = [
    "CLOCK_SKEW_SECONDS",
    "MAX_PROOF_LINES",
    "SIZE_CONTENT_TYPE",
    "AddCheckpoint",
    "Cosignature",
    "WitnessAnswer",
    "WitnessKey",
    "WitnessPolicy",
    "Witnessed",
    "WitnessedHead",
    "add_cosignatures",
    "check_witnessed",
    "cosign",
    "cosigned_limit",
    "decode_add_checkpoint",
    "decode_witness_state",
    "encode_add_checkpoint",
    "encode_witness_state",
    "parse_witness_vkey",
    "read_cosignatures",
    "witness_add",
    "witness_vkey_of",
]

COSIGNATURE_TYPE = b"\x04"
MAX_PROOF_LINES = 63  # tlog-witness: a consistency proof of a tree below 2**63 leaves
SIZE_CONTENT_TYPE = "text/x.tlog.size"  # the 409 answer: the witness's latest size
_SIGNATURE_PREFIX = "\u2014 "
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_MAX_TIMESTAMP = 2**64 - 1
_RAW_LENGTH = 4 + 8 + 64  # key id, timestamp, signature
_STATE_FORMAT = "hireproof-witness-state/v1"
# How far a leaf's time may run ahead of the time a witness cosigned a checkpoint covering it:
# the log's clock and the witness's are different machines' clocks.
CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class WitnessKey:
    """A witness's public key: its name, 4-byte cosignature key id and raw Ed25519 key."""

    name: str
    key_id: bytes
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The published form ``name+keyid+base64(0x04 || public key)``."""
        encoded = base64.b64encode(COSIGNATURE_TYPE + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


@dataclass(frozen=True)
class Cosignature:
    """One verified cosignature line of a checkpoint note."""

    name: str
    key_id: bytes
    timestamp: int
    line: str  # the whole line, ending in a newline


@dataclass(frozen=True)
class AddCheckpoint:
    """A decoded ``add-checkpoint`` request."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str


@dataclass(frozen=True)
class WitnessedHead:
    """What a witness keeps per log: the latest tree it cosigned and when."""

    size: int
    root: bytes
    timestamp: int


class WitnessAnswer(NamedTuple):
    """The witness's answer: HTTP status, response body and the state to persist."""

    status: int
    body: bytes
    state: Mapping[str, WitnessedHead]


@dataclass(frozen=True)
class Witnessed:
    """Which checkpoint sizes a quorum of trusted witnesses cosigned, when, and what failed.

    ``timestamps`` maps each size that has at least one valid cosignature to the witnesses'
    names and their (earliest) timestamps; ``sizes`` lists those with at least ``quorum``
    distinct witnesses, in increasing order.
    """

    quorum: int
    sizes: tuple[int, ...]
    timestamps: Mapping[int, Mapping[str, int]] = field(hash=False)
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when no cosignature was bad and no witness's time went backwards."""
        return not self.failures

    @property
    def latest(self) -> int | None:
        """The largest size a quorum cosigned, or None."""
        return self.sizes[-1] if self.sizes else None

    def time_of(self, size: int) -> int | None:
        """When a quorum had seen ``size``: the quorum-th earliest timestamp (None if short)."""
        times = sorted(self.timestamps.get(size, {}).values())
        return times[self.quorum - 1] if len(times) >= self.quorum else None


@dataclass(frozen=True)
class WitnessPolicy:
    """The witnesses an auditor requires: the keys they trust, and how many must cosign."""

    keys: tuple[WitnessKey, ...]
    quorum: int

    @classmethod
    def of(cls, vkeys: Iterable[str], quorum: int | None = None) -> WitnessPolicy:
        """The policy of ``vkeys`` (each once) with ``quorum`` of them (default: all of them).

        Raises ``SignatureError`` for a malformed vkey and ``AuditError`` for a quorum that is
        not between 1 and the number of witnesses (0 only when there are none).
        """
        keys = tuple(dict.fromkeys(parse_witness_vkey(vkey) for vkey in vkeys))
        if len({key.name for key in keys}) != len(keys):
            raise AuditError("two witness keys share a name: a cosigner has one key")
        wanted = len(keys) if quorum is None else quorum
        if keys and not 1 <= wanted <= len(keys):
            raise AuditError(
                f"a witness quorum of {wanted} is not between 1 and the {len(keys)} witnesses"
            )
        if not keys and wanted:
            raise AuditError(f"a witness quorum of {wanted} needs that many witness keys")
        return cls(keys, wanted)

    @property
    def required(self) -> bool:
        """Whether any cosignature is required at all."""
        return bool(self.keys)


def cosigned_limit(timestamp: int, skew: int = CLOCK_SKEW_SECONDS) -> str | None:
    """The latest leaf time (the log's format) a checkpoint cosigned at ``timestamp`` covers.

    None when that lies past the year 9999, which no leaf time can reach.
    """
    try:
        moment = datetime.fromtimestamp(timestamp + skew, UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cosigned_time_text(timestamp: int) -> str:
    """A cosignature's time as RFC 3339 UTC to the second, for messages."""
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return f"{timestamp} (seconds since 1970)"


# --- keys and cosignatures --------------------------------------------------------------------


def witness_key_id(name: str, public_key: bytes) -> bytes:
    """The cosignature key id: ``SHA-256(name || 0x0A || 0x04 || public key)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + COSIGNATURE_TYPE + public_key).digest()[:4]


def _witness_key(private_key: Ed25519PrivateKey, name: str) -> WitnessKey:
    _require_key_name(name, ValueError)
    public = private_key.public_key().public_bytes_raw()
    return WitnessKey(name, witness_key_id(name, public), public)


def witness_vkey_of(private_key: Ed25519PrivateKey, name: str) -> str:
    """The vkey a witness publishes for its key under ``name``."""
    return _witness_key(private_key, name).vkey


def parse_witness_vkey(vkey: str) -> WitnessKey:
    """Read a witness vkey (``name+keyid+base64(0x04 || key)``); ``SignatureError`` if bad."""
    parts = vkey.strip().split("+", 2)  # the base64 part may itself contain "+"
    if len(parts) != 3:
        raise SignatureError(f"the witness vkey {vkey!r} is not name+keyid+key")
    name, key_id_hex, encoded = parts
    _require_key_name(name, SignatureError)
    if not re.fullmatch(r"[0-9a-f]{8}", key_id_hex):
        raise SignatureError(
            f"the witness vkey's key id {key_id_hex!r} is not 8 lower-case hex digits"
        )
    raw = _decode_base64(encoded, "the witness vkey's key")
    if raw[:1] != COSIGNATURE_TYPE or len(raw) != 33:
        raise SignatureError("the witness vkey is not an Ed25519 cosignature key (type 0x04)")
    public = raw[1:]
    if witness_key_id(name, public) != bytes.fromhex(key_id_hex):
        raise SignatureError(f"the witness vkey's key id {key_id_hex} does not match its key")
    return WitnessKey(name, bytes.fromhex(key_id_hex), public)


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(body: str, key: Ed25519PrivateKey, name: str, timestamp: int) -> str:
    """The cosignature line of ``key`` (named ``name``) over a checkpoint body at ``timestamp``."""
    witness = _witness_key(key, name)
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise ValueError(f"a cosignature timestamp is a 64-bit unsigned number, not {timestamp}")
    parse_checkpoint_body(body)
    signature = key.sign(_cosigned_message(body, timestamp))
    raw = witness.key_id + timestamp.to_bytes(8, "big") + signature
    return f"{_SIGNATURE_PREFIX}{name} {base64.b64encode(raw).decode()}\n"


def _split_note(note: str) -> tuple[str, list[str]]:
    """The note's text and its signature lines (without newlines), checked for shape only."""
    _require_note_characters(note)
    separator = note.rfind("\n\n")
    if separator < 0 or not note.endswith("\n"):
        raise SignatureError("the note has no blank line before its signatures")
    lines = note[separator + 2 :].split("\n")[:-1]
    if not lines:
        raise SignatureError("the note has no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise SignatureError(
            f"the note has {len(lines)} signatures; at most {MAX_SIGNATURES} are read"
        )
    return note[: separator + 1], lines


def _witness_keys(witness_vkeys: Iterable[str | WitnessKey]) -> dict[tuple[str, bytes], WitnessKey]:
    keys = (parse_witness_vkey(k) if isinstance(k, str) else k for k in witness_vkeys)
    return {(key.name, key.key_id): key for key in keys}


def read_cosignatures(note: str, witness_vkeys: Iterable[str | WitnessKey]) -> list[Cosignature]:
    """The verified cosignatures of known witnesses on a checkpoint note, in note order.

    Lines of unknown (name, key id) pairs are ignored (the log's own signature among them); a
    line of a known witness that does not verify raises ``SignatureError`` naming it. The log's
    signature is not checked here (``open_note`` does that).
    """
    body, lines = _split_note(note)
    parse_checkpoint_body(body)
    known = _witness_keys(witness_vkeys)
    found = []
    for number, line in enumerate(lines, start=1):
        name, raw = _parse_signature_line(line, number)
        witness = known.get((name, raw[:4]))
        if witness is None:
            continue
        if len(raw) != _RAW_LENGTH:
            raise SignatureError(
                f"the cosignature by {name} (line {number}) is {len(raw)} bytes, not {_RAW_LENGTH}"
            )
        timestamp = int.from_bytes(raw[4:12], "big")
        try:
            Ed25519PublicKey.from_public_bytes(witness.public_key).verify(
                raw[12:], _cosigned_message(body, timestamp)
            )
        except InvalidSignature:
            raise SignatureError(
                f"the cosignature by {name} (line {number}, time {timestamp}) does not verify"
            ) from None
        found.append(Cosignature(name, witness.key_id, timestamp, line + "\n"))
    return found


def add_cosignatures(note: str, lines: Iterable[str]) -> str:
    """``note`` with signature ``lines`` appended, each at most once (shape checked only)."""
    _, existing = _split_note(note)
    merged = list(existing)
    for number, line in enumerate(lines, start=1):
        bare = line.removesuffix("\n")
        if "\n" in bare:
            raise SignatureError(f"cosignature {number} is more than one line")
        _parse_signature_line(bare, number)
        if bare not in merged:
            merged.append(bare)
    added = merged[len(existing) :]
    result = note + "".join(line + "\n" for line in added)
    _split_note(result)  # still within the bound on signatures
    return result


# --- the add-checkpoint request ----------------------------------------------------------------


def encode_add_checkpoint(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """The body of a POST to ``<prefix>/add-checkpoint``."""
    if old_size < 0:
        raise ValueError(f"the old size cannot be negative ({old_size})")
    if len(proof) > MAX_PROOF_LINES:
        raise ValueError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes")
    lines = [f"old {old_size}", *(base64.b64encode(node).decode() for node in proof)]
    return ("".join(line + "\n" for line in lines) + "\n" + note).encode()


def decode_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Read an ``add-checkpoint`` body strictly; ``AuditError`` saying what is wrong."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise AuditError("the request body is not UTF-8 text") from None
    header, separator, note = text.partition("\n\n")
    if not separator:
        raise AuditError("the request has no blank line between the proof and the checkpoint")
    lines = header.split("\n")
    old_line, proof_lines = lines[0], lines[1:]
    if not old_line.startswith("old ") or not _DECIMAL.fullmatch(old_line[4:]):
        raise AuditError(f"the request's first line {old_line!r} is not 'old <size>'")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise AuditError(
            f"the request carries {len(proof_lines)} proof lines; at most {MAX_PROOF_LINES}"
        )
    proof = []
    for number, line in enumerate(proof_lines, start=1):
        try:
            node = _decode_base64(line, f"proof line {number}")
        except SignatureError as error:
            raise AuditError(str(error)) from None
        if len(node) != HASH_SIZE:
            raise AuditError(f"proof line {number} is {len(node)} bytes, not {HASH_SIZE}")
        proof.append(node)
    return AddCheckpoint(int(old_line[4:]), tuple(proof), note)


# --- the witness -------------------------------------------------------------------------------


def witness_add(
    state: Mapping[str, WitnessedHead],
    request: bytes,
    trusted_logs: Iterable[Verifier],
    key: Ed25519PrivateKey,
    name: str,
    now: int,
) -> WitnessAnswer:
    """The witness's answer to one ``add-checkpoint`` request body, per C2SP tlog-witness.

    ``state`` maps each origin to the head last cosigned; ``trusted_logs`` are the log keys
    trusted, each for the origin equal to its key name; ``now`` is the time in seconds. The
    checks run in the specification's order: a malformed body 400, unknown origin 404, no
    trusted log signature 403, old size above the new size 400, old size other than the size
    last cosigned 409 (body: that size), then a non-empty proof from size 0, a proof that does
    not verify, or a root that differs at an equal size 422. On success the returned state holds
    the new head, which the caller must persist before sending the 200 answer (the cosignature).
    The timestamp never goes backwards for an origin, even if the clock does.
    """
    try:
        added = decode_add_checkpoint(request)
        new = parse_checkpoint_body(_split_note(added.note)[0])
    except AuditError as error:
        return _refuse(400, str(error), state)
    logs = [verifier for verifier in trusted_logs if verifier.name == new.origin]
    if not logs:
        return _refuse(404, f"unknown log origin {new.origin!r}", state)
    try:
        open_note(added.note, logs)
    except SignatureError as error:
        return _refuse(403, f"the checkpoint's log signature does not verify: {error}", state)
    if added.old_size > new.size:
        return _refuse(400, f"old size {added.old_size} is above the size {new.size}", state)
    latest = state.get(new.origin, WitnessedHead(0, EMPTY_ROOT, 0))
    if added.old_size != latest.size:
        return WitnessAnswer(409, f"{latest.size}\n".encode(), state)
    problem = _inconsistency(latest, new, added.proof)
    if problem:
        return _refuse(422, problem, state)
    timestamp = max(now, latest.timestamp)
    line = cosign(new.body(), key, name, timestamp)
    updated = {**state, new.origin: WitnessedHead(new.size, new.root, timestamp)}
    return WitnessAnswer(200, line.encode(), updated)


def _refuse(status: int, message: str, state: Mapping[str, WitnessedHead]) -> WitnessAnswer:
    return WitnessAnswer(status, (message + "\n").encode(), state)


def _inconsistency(latest: WitnessedHead, new: Checkpoint, proof: Sequence[bytes]) -> str:
    if new.size == 0 and new.root != EMPTY_ROOT:
        return "a checkpoint of size 0 must carry the empty tree's root"
    if latest.size == 0:
        return "a consistency proof from size 0 must be empty" if proof else ""
    try:
        verify_consistency(latest.size, new.size, latest.root, new.root, proof)
    except ProofError as error:
        return (
            f"the checkpoint of size {new.size} is not consistent with the size {latest.size}"
            f" cosigned before: {error}"
        )
    return ""


def encode_witness_state(state: Mapping[str, WitnessedHead]) -> str:
    """The witness state as JSON text, one entry per origin."""
    logs = {
        origin: {
            "size": head.size,
            "root": base64.b64encode(head.root).decode(),
            "timestamp": head.timestamp,
        }
        for origin, head in sorted(state.items())
    }
    return json.dumps({"format": _STATE_FORMAT, "logs": logs}, indent=1) + "\n"


def decode_witness_state(text: str) -> dict[str, WitnessedHead]:
    """Read ``encode_witness_state``'s JSON; ``AuditError`` naming what is wrong."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise AuditError(f"the witness state is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != _STATE_FORMAT:
        raise AuditError(f"the witness state is not in the format {_STATE_FORMAT}")
    logs = document.get("logs")
    if not isinstance(logs, dict):
        raise AuditError("the witness state has no 'logs' object")
    state = {}
    for origin, entry in logs.items():
        where = f"the witness state of {origin!r}"
        if not isinstance(entry, dict) or set(entry) != {"size", "root", "timestamp"}:
            raise AuditError(f"{where} is not an object of size, root and timestamp")
        size, timestamp, root_text = entry["size"], entry["timestamp"], entry["root"]
        if not all(type(value) is int and value >= 0 for value in (size, timestamp)):
            raise AuditError(f"{where} has a size or timestamp that is not a whole number")
        if not isinstance(root_text, str):
            raise AuditError(f"{where} has a root that is not text")
        try:
            root = _decode_base64(root_text, f"{where}'s root")
        except SignatureError as error:
            raise AuditError(str(error)) from None
        if len(root) != HASH_SIZE:
            raise AuditError(f"{where}'s root is {len(root)} bytes, not {HASH_SIZE}")
        state[origin] = WitnessedHead(size, root, timestamp)
    return state


# --- the auditor's side ------------------------------------------------------------------------


def check_witnessed(
    checkpoint_notes: Iterable[str],
    witness_vkeys: Iterable[str | WitnessKey],
    quorum: int,
) -> Witnessed:
    """Which sizes ``quorum`` distinct trusted witnesses cosigned, and every failure found.

    A failure is a known witness's line that does not verify, a witness whose timestamps go
    backwards as sizes grow, or a witness that cosigned two different trees of the same size.
    The log's own signatures are not checked here. ``ValueError`` for a quorum below 1.
    """
    if quorum < 1:
        raise ValueError(f"a witness quorum is at least 1, not {quorum}")
    known = _witness_keys(witness_vkeys)
    failures: list[str] = []
    names = {name for name, _ in known}
    if len(names) < quorum:
        failures.append(f"quorum {quorum} asks for more witnesses than the {len(names)} trusted")
    seen: dict[tuple[str, int], tuple[bytes, int]] = {}  # (witness, size) -> (root, earliest)
    for number, note in enumerate(checkpoint_notes, start=1):
        try:
            cosignatures = read_cosignatures(note, known.values())
            checkpoint = parse_checkpoint_body(_split_note(note)[0])
        except SignatureError as error:
            failures.append(f"checkpoint {number}: {error}")
            continue
        for cosignature in cosignatures:
            key = (cosignature.name, checkpoint.size)
            root, earliest = seen.get(key, (checkpoint.root, cosignature.timestamp))
            if root != checkpoint.root:
                failures.append(
                    f"witness {cosignature.name} cosigned two different trees of size"
                    f" {checkpoint.size}"
                )
            seen[key] = (root, min(earliest, cosignature.timestamp))
    timestamps: dict[int, dict[str, int]] = {}
    for (witness, size), (_, timestamp) in sorted(seen.items(), key=lambda item: item[0][1]):
        timestamps.setdefault(size, {})[witness] = timestamp
    failures.extend(_backwards_times(timestamps))
    sizes = tuple(size for size, names in sorted(timestamps.items()) if len(names) >= quorum)
    return Witnessed(quorum, sizes, timestamps, tuple(failures))


def _backwards_times(timestamps: Mapping[int, Mapping[str, int]]) -> list[str]:
    failures = []
    last: dict[str, tuple[int, int]] = {}  # witness -> (size, timestamp) of its last size
    for size in sorted(timestamps):
        for witness, timestamp in sorted(timestamps[size].items()):
            if witness in last and timestamp < last[witness][1]:
                before_size, before = last[witness]
                failures.append(
                    f"witness {witness} cosigned size {size} at {timestamp}, before size"
                    f" {before_size} at {before}: its time goes backwards"
                )
            last[witness] = (size, max(timestamp, last.get(witness, (0, 0))[1]))
    return failures
