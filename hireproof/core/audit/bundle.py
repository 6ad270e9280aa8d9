"""The export bundle: everything an outside auditor needs, in one file.

Format ``hireproof-audit-bundle/v1``: UTF-8 text, one record per line, each line ending in
``\\n``::

    line 1        the manifest: one JSON object (below)
    line 2 + i    leaf i: its exact bytes, the canonical JSON the Merkle tree hashes

Leaves are RFC 8785 canonical JSON, which never holds a raw newline, so the file splits into
leaves without any decoding; ``sed -n "$((i + 2))p"`` shows leaf ``i``. A million leaves of
about 300 bytes make a 300 MB file that verifies in a few seconds.

The manifest (keys in any order, each exactly once; no other key)::

    {"format": "hireproof-audit-bundle/v1",
     "origin": "assess.example.org/audit-log/v1",
     "leaf_count": 1000000,
     "keys": [{"vkey": "<name+id+key>", "first_size": 0, "last_size": 5000},
              {"vkey": "<the key after rotation>", "first_size": 5000, "last_size": null}],
     "checkpoints": ["<signed checkpoint note>", ...],
     "consistency_proofs": [{"size1": 10, "size2": 20, "proof": ["<base64>", ...]}, ...],
     "openings": {"42": [{"field": "answers", "value": {...}, "salt": "<hex>"}], ...},
     "playbooks": {"<playbook hash>": {"filename": "data-scientist-mid.yaml", "text": "..."}},
     "erased_subjects": ["subj_...", ...],
     "superseded_checkpoints": [{"note": "<signed note>", "restored_leaf": 1200,
                                 "proof": ["<base64>", ...]}, ...]}

- ``keys``: every signing key the log has used, each with the checkpoint sizes it may sign
  (``first_size <= size <= last_size``; ``null`` = no upper bound), so key rotation is auditable.
- ``checkpoints``: every signed checkpoint note (C2SP tlog-checkpoint in a signed note).
- ``consistency_proofs``: optional proofs between checkpoint sizes; the verifier recomputes
  every root from the leaves anyway, and checks these too.
- ``openings``: disclosed commitment openings, per leaf index (a decimal string key).
- ``playbooks``: the YAML text of every playbook a disclosed scoring event names, keyed by its
  hash, so the auditor re-scores without fetching anything from us.
- ``erased_subjects``: the subjects the operator reports as erased: exactly, sorted, the
  subjects of the ``subject.erased`` events in the signed part of the log (the verifier checks).
- ``superseded_checkpoints`` (only present after a restore): checkpoints signed over leaves a
  restored backup lost, each with the index of the ``log.restored`` leaf that declares the loss
  and a consistency proof to the checkpoint that leaf names (empty for that one itself).
- ``leaf_count``: the number of leaf lines that follow (the verifier checks).

Every line, the last one too, ends in ``\\n``: a file without its final newline was cut off.

One encoding of each value: hashes in canonical base64 (32 bytes), salts and playbook hashes in
64 lower-case hex digits, leaf indices in decimal without leading zeros; each entry has exactly
its keys. A manifest that breaks one of these is refused with its location
(``consistency_proofs[2].proof[0]``); what the verifier checks against the leaves (the key list
against the log's ``log.created`` and ``log.key_rotated`` events, checkpoints listed in
increasing size and each once, consistency proofs each once, the leaf count, the erased
subjects, the final newline) is a verification failure.

Nothing in the bundle is trusted by the verifier except through a signature: the leaves are
checked against signed checkpoints, and the keys can be pinned by the auditor.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hireproof.core.errors import AuditError

from .commitments import HEX64, Opening
from .merkle import HASH_SIZE

__all__ = [
    "BUNDLE_FORMAT",
    "Bundle",
    "ConsistencyProof",
    "KeyPeriod",
    "PlaybookText",
    "SupersededCheckpoint",
    "decode_bundle",
    "encode_bundle",
    "read_bundle",
    "write_bundle",
]

BUNDLE_FORMAT = "hireproof-audit-bundle/v1"
_MANIFEST_KEYS = frozenset(
    {
        "format",
        "origin",
        "leaf_count",
        "keys",
        "checkpoints",
        "consistency_proofs",
        "openings",
        "playbooks",
        "erased_subjects",
    }
)

_OPTIONAL_KEYS = frozenset({"superseded_checkpoints"})
_SUPERSEDED_KEYS = frozenset({"note", "restored_leaf", "proof"})
_KEY_KEYS = frozenset({"vkey", "first_size", "last_size"})
_PROOF_KEYS = frozenset({"size1", "size2", "proof"})
_PLAYBOOK_KEYS = frozenset({"filename", "text"})
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class KeyPeriod:
    """A signing key (vkey) and the checkpoint sizes it may sign, ``last_size`` None = open."""

    vkey: str
    first_size: int = 0
    last_size: int | None = None

    def covers(self, size: int) -> bool:
        """Whether this key may sign a checkpoint of ``size`` leaves."""
        return self.first_size <= size and (self.last_size is None or size <= self.last_size)


@dataclass(frozen=True)
class ConsistencyProof:
    """A consistency proof between two checkpoint sizes, as exported by the log."""

    size1: int
    size2: int
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class SupersededCheckpoint:
    """A checkpoint signed over leaves a restore lost, the ``log.restored`` leaf declaring it,
    and its consistency proof to the checkpoint that leaf names."""

    note: str
    restored_leaf: int
    proof: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class PlaybookText:
    """A playbook's YAML text and the file name it was loaded from."""

    filename: str
    text: str


@dataclass(frozen=True)
class Bundle:
    """An export of the log: leaves, signed checkpoints, keys and disclosures."""

    origin: str
    leaves: Sequence[bytes]
    keys: tuple[KeyPeriod, ...]
    checkpoints: tuple[str, ...]
    consistency_proofs: tuple[ConsistencyProof, ...] = ()
    openings: Mapping[int, tuple[Opening, ...]] = field(default_factory=dict)
    playbooks: Mapping[str, PlaybookText] = field(default_factory=dict)
    erased_subjects: tuple[str, ...] = ()
    superseded_checkpoints: tuple[SupersededCheckpoint, ...] = ()
    # What the manifest declares (None: built in memory, where it is len(leaves) by definition).
    leaf_count: int | None = None
    # Whether the file ended with the newline that ends its last line (a cut-off file does not).
    final_newline: bool = True

    def manifest(self) -> dict[str, Any]:
        """The manifest object (line 1 of the file)."""
        return {
            "format": BUNDLE_FORMAT,
            "origin": self.origin,
            "leaf_count": len(self.leaves) if self.leaf_count is None else self.leaf_count,
            "keys": [
                {"vkey": k.vkey, "first_size": k.first_size, "last_size": k.last_size}
                for k in self.keys
            ],
            "checkpoints": list(self.checkpoints),
            "consistency_proofs": [
                {"size1": p.size1, "size2": p.size2, "proof": [_b64(h) for h in p.proof]}
                for p in self.consistency_proofs
            ],
            "openings": {
                str(index): [o.to_dict() for o in openings]
                for index, openings in sorted(self.openings.items())
            },
            "playbooks": {
                digest: {"filename": p.filename, "text": p.text}
                for digest, p in sorted(self.playbooks.items())
            },
            "erased_subjects": list(self.erased_subjects),
        } | self._superseded()

    def _superseded(self) -> dict[str, Any]:
        if not self.superseded_checkpoints:
            return {}  # the key is absent from a log never restored, as before it existed
        return {
            "superseded_checkpoints": [
                {
                    "note": entry.note,
                    "restored_leaf": entry.restored_leaf,
                    "proof": [_b64(h) for h in entry.proof],
                }
                for entry in self.superseded_checkpoints
            ]
        }


def encode_bundle(bundle: Bundle) -> bytes:
    """The bundle file's bytes."""
    manifest = json.dumps(bundle.manifest(), sort_keys=True, ensure_ascii=False)
    for index, leaf in enumerate(bundle.leaves):
        if b"\n" in leaf:
            raise ValueError(f"leaf {index} holds a newline; leaves are canonical JSON")
    return b"".join([manifest.encode(), b"\n", *(leaf + b"\n" for leaf in bundle.leaves)])


def write_bundle(path: str | os.PathLike[str], bundle: Bundle) -> None:
    """Write the bundle file at ``path``."""
    Path(path).write_bytes(encode_bundle(bundle))


def read_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Read a bundle file; ``AuditError`` if it cannot be read or its manifest is malformed."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise AuditError(f"cannot read the bundle {os.fspath(path)}: {error.strerror}") from None
    return decode_bundle(data)


def decode_bundle(data: bytes) -> Bundle:
    """Split a bundle file into its manifest and leaves; ``AuditError`` for a bad manifest.

    Leaves are not parsed here: a malformed leaf is a verification failure the verifier
    locates, not a reason to refuse the file.
    """
    lines = data.split(b"\n")
    if len(lines) < 2:
        raise AuditError("the bundle has no manifest line")
    final_newline = lines[-1] == b""
    if final_newline:
        lines.pop()  # the newline that ends the last line; a cut-off last leaf stays
    manifest = _manifest(lines[0])
    return Bundle(
        origin=_text(manifest["origin"], "origin"),
        leaves=lines[1:],
        keys=tuple(
            _key_period(k, f"keys[{i}]") for i, k in enumerate(_list(manifest["keys"], "keys"))
        ),
        checkpoints=tuple(
            _text(c, f"checkpoints[{i}]")
            for i, c in enumerate(_list(manifest["checkpoints"], "checkpoints"))
        ),
        consistency_proofs=tuple(
            _consistency_proof(p, f"consistency_proofs[{i}]")
            for i, p in enumerate(_list(manifest["consistency_proofs"], "consistency_proofs"))
        ),
        openings=_openings(manifest["openings"]),
        playbooks=_playbooks(manifest["playbooks"]),
        erased_subjects=tuple(
            _text(s, f"erased_subjects[{i}]")
            for i, s in enumerate(_list(manifest["erased_subjects"], "erased_subjects"))
        ),
        superseded_checkpoints=tuple(
            _superseded(entry, f"superseded_checkpoints[{i}]")
            for i, entry in enumerate(
                _list(manifest.get("superseded_checkpoints", []), "superseded_checkpoints")
            )
        ),
        leaf_count=_integer(manifest["leaf_count"], "leaf_count"),
        final_newline=final_newline,
    )


class _DuplicateKeyError(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _manifest(line: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(line, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKeyError as error:
        raise AuditError(f"the bundle's manifest holds the key {error} twice") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AuditError(
            f"the file is not a {BUNDLE_FORMAT} bundle: line 1 is not valid JSON ({error})"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise AuditError(f"the file is not a {BUNDLE_FORMAT} bundle (line 1)")
    missing = sorted(_MANIFEST_KEYS - set(manifest))
    if missing:
        raise AuditError(f"the bundle's manifest lacks: {', '.join(missing)}")
    _exact_keys(
        {key: value for key, value in manifest.items() if key not in _OPTIONAL_KEYS},
        _MANIFEST_KEYS,
        "the manifest",
    )
    return manifest


def _superseded(value: object, where: str) -> SupersededCheckpoint:
    entry = _object(value, where)
    _exact_keys(entry, _SUPERSEDED_KEYS, where)
    return SupersededCheckpoint(
        note=_text(entry["note"], f"{where}.note"),
        restored_leaf=_integer(entry["restored_leaf"], f"{where}.restored_leaf"),
        proof=tuple(
            _hash(h, f"{where}.proof[{i}]")
            for i, h in enumerate(_list(entry["proof"], f"{where}.proof"))
        ),
    )


def _exact_keys(entry: dict[str, Any], expected: frozenset[str], what: str) -> None:
    missing = sorted(expected - set(entry))
    unknown = sorted(set(entry) - expected)
    if missing or unknown:
        parts = [f"lacks {', '.join(missing)}"] if missing else []
        parts += [f"has unknown {', '.join(unknown)}"] if unknown else []
        raise AuditError(f"in the bundle's manifest, {what} {' and '.join(parts)}")


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise AuditError(f"in the bundle's manifest, {what} is not a string")
    return value


def _integer(value: object, what: str) -> int:
    if type(value) is not int or value < 0:
        raise AuditError(f"in the bundle's manifest, {what} is not a whole number >= 0")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise AuditError(f"in the bundle's manifest, {what} is not a list")
    return value


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AuditError(f"in the bundle's manifest, {what} is not an object")
    return value


def _key_period(value: object, where: str) -> KeyPeriod:
    entry = _object(value, where)
    _exact_keys(entry, _KEY_KEYS, where)
    last = entry["last_size"]
    return KeyPeriod(
        vkey=_text(entry["vkey"], f"{where}.vkey"),
        first_size=_integer(entry["first_size"], f"{where}.first_size"),
        last_size=None if last is None else _integer(last, f"{where}.last_size"),
    )


def _consistency_proof(value: object, where: str) -> ConsistencyProof:
    entry = _object(value, where)
    _exact_keys(entry, _PROOF_KEYS, where)
    hashes = _list(entry["proof"], f"{where}.proof")
    return ConsistencyProof(
        size1=_integer(entry["size1"], f"{where}.size1"),
        size2=_integer(entry["size2"], f"{where}.size2"),
        proof=tuple(_hash(h, f"{where}.proof[{j}]") for j, h in enumerate(hashes)),
    )


def _hash(value: object, where: str) -> bytes:
    """A 32-byte hash in canonical base64: the one encoding a bundle accepts."""
    text = _text(value, where)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise AuditError(f"in the bundle's manifest, {where} is not base64") from None
    if base64.b64encode(raw).decode() != text:
        raise AuditError(f"in the bundle's manifest, {where} is not canonical base64")
    if len(raw) != HASH_SIZE:
        raise AuditError(f"in the bundle's manifest, {where} is {len(raw)} bytes, not {HASH_SIZE}")
    return raw


def _openings(value: object) -> dict[int, tuple[Opening, ...]]:
    openings: dict[int, tuple[Opening, ...]] = {}
    for key, entries in _object(value, "openings").items():
        if not _DECIMAL.fullmatch(key):
            raise AuditError(f"in the bundle's manifest, openings key {key!r} is not a leaf index")
        listed = _list(entries, f"the openings of leaf {key}")
        try:
            openings[int(key)] = tuple(Opening.from_dict(e) for e in listed)
        except AuditError as error:
            raise AuditError(f"in the bundle's manifest, openings[{key!r}]: {error}") from None
    return openings


def _playbooks(value: object) -> dict[str, PlaybookText]:
    playbooks = {}
    for digest, entry in _object(value, "playbooks").items():
        where = f"playbooks[{digest!r}]"
        if not HEX64.fullmatch(digest):
            raise AuditError(
                f"in the bundle's manifest, {where}: a playbook hash is 64 lower-case hex digits"
            )
        fields = _object(entry, where)
        _exact_keys(fields, _PLAYBOOK_KEYS, where)
        playbooks[digest] = PlaybookText(
            filename=_text(fields["filename"], f"{where}.filename"),
            text=_text(fields["text"], f"{where}.text"),
        )
    return playbooks
