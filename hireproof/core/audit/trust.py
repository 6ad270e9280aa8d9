"""The auditor's trust file: the keys they trust and the latest checkpoint they verified.

Format ``hireproof-trust/v1``, one JSON object the auditor keeps (never the log's operator)::

    {"format": "hireproof-trust/v1",
     "origin": "assess.example.org/audit-log/v1",
     "trusted_vkeys": ["<name+id+key>", ...],
     "witness_vkeys": ["<name+id+key>", ...],
     "witness_quorum": 0,
     "checkpoint": {"size": 5000, "root": "<base64>"} | null}

It starts from one key the auditor got from the log's operator out of band, and the keys of
the witnesses they rely on (``TrustFile.start``). After a verification whose result is OK,
``after`` returns the next state: the keys that rotations signed by a trusted key vouched for
join ``trusted_vkeys``, and ``checkpoint`` moves forward to the proven prefix. Never backwards:
a bundle whose leaves do not extend the remembered checkpoint, or whose checkpoints are smaller,
fails verification (``verify_bundle(..., trust=...)``).

``witness_vkeys`` are witness cosignature keys (``name+id+base64(0x04 || key)``), and
``witness_quorum`` how many of them must have cosigned: 0 exactly when there are none, else
between 1 and their number. With witnesses, every verification with the file requires their
cosignatures.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hireproof.core.errors import AuditError, SignatureError

from .checkpoint import Verifier, parse_vkey
from .merkle import HASH_SIZE
from .report import Report, Result
from .witness import WitnessKey, WitnessPolicy, parse_witness_vkey

__all__ = ["TRUST_FORMAT", "TrustFile"]

TRUST_FORMAT = "hireproof-trust/v1"
_KEYS = frozenset(
    {"format", "origin", "trusted_vkeys", "witness_vkeys", "witness_quorum", "checkpoint"}
)


@dataclass(frozen=True)
class TrustFile:
    """What an auditor trusts about one log, and how far they have verified it."""

    origin: str
    trusted: tuple[str, ...]
    witness_vkeys: tuple[str, ...] = ()
    witness_quorum: int = 0
    checkpoint: tuple[int, bytes] | None = None  # (size, root) of the last verified prefix

    @property
    def trusted_vkeys(self) -> tuple[str, ...]:
        """The log keys to pass to ``verify_bundle``."""
        return self.trusted

    @classmethod
    def start(
        cls, vkey: str, witness_vkeys: Sequence[str] = (), witness_quorum: int | None = None
    ) -> TrustFile:
        """A trust file trusting ``vkey`` (the log's origin is the key's name) and requiring
        ``witness_quorum`` (default: all) of the witnesses ``witness_vkeys`` to cosign.

        Raises ``SignatureError`` for a malformed key and ``AuditError`` for a bad quorum.
        """
        verifier = parse_vkey(vkey)
        policy = WitnessPolicy.of(witness_vkeys, witness_quorum)
        return cls(
            origin=verifier.name,
            trusted=(verifier.vkey,),
            witness_vkeys=tuple(key.vkey for key in policy.keys),
            witness_quorum=policy.quorum,
        )

    @classmethod
    def from_json(cls, text: str) -> TrustFile:
        """Read a trust file strictly; ``AuditError`` naming the field that is wrong."""
        try:
            document = json.loads(text, object_pairs_hook=_refuse_duplicates)
        except json.JSONDecodeError as error:
            raise AuditError(f"the trust file is not valid JSON ({error})") from None
        if not isinstance(document, dict) or document.get("format") != TRUST_FORMAT:
            raise AuditError(f"the file is not a {TRUST_FORMAT} trust file (field format)")
        missing = sorted(_KEYS - set(document))
        unknown = sorted(set(document) - _KEYS)
        if missing:
            raise AuditError(f"the trust file lacks: {', '.join(missing)}")
        if unknown:
            raise AuditError(f"the trust file has unknown fields: {', '.join(unknown)}")
        origin = document["origin"]
        if not isinstance(origin, str) or not origin:
            raise AuditError("in the trust file, field origin is not a non-empty string")
        trusted = _vkeys(document["trusted_vkeys"], "trusted_vkeys", parse_vkey)
        if not trusted:
            raise AuditError("in the trust file, field trusted_vkeys names no key")
        witnesses = _vkeys(document["witness_vkeys"], "witness_vkeys", parse_witness_vkey)
        quorum = document["witness_quorum"]
        lowest = 1 if witnesses else 0
        if type(quorum) is not int or not lowest <= quorum <= len(witnesses):
            raise AuditError(
                f"in the trust file, field witness_quorum is not a whole number from {lowest} to "
                f"{len(witnesses)} (the number of witness keys)"
            )
        return cls(origin, trusted, witnesses, quorum, _checkpoint(document["checkpoint"]))

    def to_json(self) -> str:
        """The trust file's text (keys sorted, two-space indent, final newline)."""
        checkpoint: dict[str, Any] | None = None
        if self.checkpoint is not None:
            size, root = self.checkpoint
            checkpoint = {"size": size, "root": base64.b64encode(root).decode()}
        document = {
            "format": TRUST_FORMAT,
            "origin": self.origin,
            "trusted_vkeys": list(self.trusted),
            "witness_vkeys": list(self.witness_vkeys),
            "witness_quorum": self.witness_quorum,
            "checkpoint": checkpoint,
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def witness_policy(
        self, witness_vkeys: Sequence[str] = (), witness_quorum: int | None = None
    ) -> WitnessPolicy:
        """The witnesses a verification with this file requires: the file's and
        ``witness_vkeys``, ``witness_quorum`` of them (default: the file's quorum when no
        others are named, else all). ``AuditError`` for an impossible quorum."""
        if witness_quorum is None and not witness_vkeys and self.witness_vkeys:
            witness_quorum = self.witness_quorum
        return WitnessPolicy.of((*self.witness_vkeys, *witness_vkeys), witness_quorum)

    def after(self, report: Report) -> TrustFile:
        """The trust file after ``report``, a verification made with this file.

        Adds the keys the verified rotations vouched for and moves the checkpoint forward to
        the proven prefix. Raises ``AuditError`` unless the result is OK and the report was
        checked against this file's checkpoint.
        """
        if report.result is not Result.OK:
            raise AuditError(
                f"the trust file moves only after an OK verification, not {report.result}"
            )
        if report.origin != self.origin:
            raise AuditError(f"the report is for log {report.origin}, not {self.origin}")
        if report.checked_against != self.checkpoint:
            raise AuditError("the report was not checked against this trust file's checkpoint")
        if report.proven_root is None:  # an OK report always has a proven prefix
            raise AuditError("the report proves no checkpoint")
        if self.checkpoint is not None and report.proven_size < self.checkpoint[0]:
            raise AuditError(
                f"the report proves {report.proven_size} leaves, fewer than the "
                f"{self.checkpoint[0]} already verified"
            )
        trusted = tuple(dict.fromkeys([*self.trusted, *report.trusted_keys]))
        return replace(self, trusted=trusted, checkpoint=(report.proven_size, report.proven_root))


class _DuplicateKeyError(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise AuditError(f"the trust file holds the field {key} twice")
        result[key] = value
    return result


def _vkeys(
    value: object, field: str, parse: Callable[[str], Verifier | WitnessKey]
) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise AuditError(f"in the trust file, field {field} is not a list")
    vkeys = []
    for index, vkey in enumerate(value):
        if not isinstance(vkey, str):
            raise AuditError(f"in the trust file, field {field}[{index}] is not a string")
        try:
            parsed = parse(vkey)
        except SignatureError as error:
            raise AuditError(f"in the trust file, field {field}[{index}]: {error}") from None
        if parsed.vkey != vkey:
            raise AuditError(
                f"in the trust file, field {field}[{index}] is not written the one way a key is "
                "written (no spaces around it)"
            )
        vkeys.append(vkey)
    if len(set(vkeys)) != len(vkeys):
        raise AuditError(f"in the trust file, field {field} names a key twice")
    return tuple(vkeys)


def _checkpoint(value: object) -> tuple[int, bytes] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"size", "root"}:
        raise AuditError('in the trust file, field checkpoint is not {"size", "root"} or null')
    size = value["size"]
    if type(size) is not int or size < 1:
        raise AuditError("in the trust file, field checkpoint.size is not a whole number >= 1")
    root = value["root"]
    try:
        raw = base64.b64decode(root if isinstance(root, str) else "!", validate=True)
    except (binascii.Error, ValueError):
        raise AuditError("in the trust file, field checkpoint.root is not base64") from None
    if base64.b64encode(raw).decode() != root or len(raw) != HASH_SIZE:
        raise AuditError(
            "in the trust file, field checkpoint.root is not a 32-byte hash in canonical base64"
        )
    return size, raw
