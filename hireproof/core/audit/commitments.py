"""Salted commitments to personal fields, openable one field at a time (design note 6.3).

Each subject (candidate) has a 32-byte random secret ``S`` kept outside the log, wrapped by the
key-encryption key; the application creates it and passes it in. For the event with nonce ``e``
(a value unique within the log, e.g. the leaf index as a decimal string) and the field ``f``::

    salt(e, f)      = HMAC-SHA256(S, "assess/v1/salt" || e || 0x00 || f)
    commit(e, f, v) = SHA-256("assess/v1/commit" || 0x00 || salt(e, f) || canonical_json(v))

The leaf stores the hex commitment only. Handing an auditor ``(f, v, salt(e, f))`` opens that
one field: the salts of other fields come out of an HMAC the auditor cannot compute, so nothing
else is revealed, and a low-entropy value (a score, a name) cannot be guessed from its
commitment. Erasing a subject destroys ``S``: every salt is gone with it, so the commitments can
never be opened again - by design. The log itself is untouched and every proof still verifies.

``data_key`` derives the subject's AES-256-GCM data key from the same secret
(HKDF-SHA256, info ``assess/v1/dek``), so one deletion also shreds the encrypted answers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hireproof.core.canonical import canonical_json
from hireproof.core.errors import AuditError

__all__ = [
    "HEX64",
    "SECRET_SIZE",
    "Opening",
    "commit_fields",
    "commit_value",
    "data_key",
    "field_salt",
    "open_field",
    "opening_problem",
    "verify_opening",
]

SECRET_SIZE = 32
# The one spelling of a salt, a commitment or a hash in hex: 64 lower-case digits.
HEX64 = re.compile(r"[0-9a-f]{64}")
_SALT_LABEL = b"assess/v1/salt"
_COMMIT_LABEL = b"assess/v1/commit\x00"
_DATA_KEY_INFO = b"assess/v1/dek"


@dataclass(frozen=True)
class Opening:
    """What opens one commitment: the field's name, its value and its salt (hex)."""

    field: str
    value: Any
    salt_hex: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in export bundles."""
        return {"field": self.field, "value": self.value, "salt": self.salt_hex}

    @classmethod
    def from_dict(cls, data: object) -> Opening:
        """Read the JSON form back; ``AuditError`` if it is malformed."""
        if not isinstance(data, dict) or set(data) != {"field", "value", "salt"}:
            raise AuditError('an opening must be an object with "field", "value" and "salt"')
        if not isinstance(data["field"], str) or not isinstance(data["salt"], str):
            raise AuditError("an opening's field and salt must be strings")
        if not HEX64.fullmatch(data["salt"]):
            raise AuditError(f"the salt of field {data['field']!r} is not 64 lower-case hex digits")
        return cls(field=data["field"], value=data["value"], salt_hex=data["salt"])


def _require_secret(secret: bytes) -> None:
    if len(secret) != SECRET_SIZE:
        raise ValueError(f"a subject secret is {SECRET_SIZE} bytes, not {len(secret)}")


def field_salt(secret: bytes, nonce: str, field: str) -> bytes:
    """The 32-byte salt of ``field`` in the event with ``nonce``."""
    _require_secret(secret)
    message = _SALT_LABEL + nonce.encode() + b"\x00" + field.encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


def commit_value(salt: bytes, value: Any) -> str:
    """The hex commitment to ``value`` under ``salt``."""
    return hashlib.sha256(_COMMIT_LABEL + salt + canonical_json(value)).hexdigest()


def commit_fields(secret: bytes, nonce: str, fields: Mapping[str, Any]) -> dict[str, str]:
    """Commit every field of one event: ``{field: hex commitment}`` for the leaf."""
    return {
        field: commit_value(field_salt(secret, nonce, field), value)
        for field, value in fields.items()
    }


def open_field(secret: bytes, nonce: str, field: str, value: Any) -> Opening:
    """The opening of one committed field, to hand to an auditor."""
    return Opening(field=field, value=value, salt_hex=field_salt(secret, nonce, field).hex())


def verify_opening(commitment_hex: str, opening: Opening) -> None:
    """Check that ``opening`` opens ``commitment_hex``; ``AuditError`` saying why not."""
    problem = opening_problem(commitment_hex, opening)
    if problem is not None:
        raise AuditError(f"field {opening.field}: {problem}")


def opening_problem(commitment_hex: str, opening: Opening) -> str | None:
    """Why ``opening`` does not open ``commitment_hex`` in plain words, or ``None`` if it does."""
    if not HEX64.fullmatch(opening.salt_hex):
        return "the salt is not 64 lower-case hex digits"
    salt = bytes.fromhex(opening.salt_hex)
    try:
        computed = commit_value(salt, opening.value)
    except (TypeError, ValueError) as error:  # a float, or an integer JSON cannot carry exactly
        return f"the value cannot be hashed ({error})"
    # Compare as bytes: compare_digest refuses non-ASCII text, and a bundle may hold anything.
    if not hmac.compare_digest(computed.encode(), commitment_hex.encode()):
        return "commitment does not open"
    return None


def data_key(secret: bytes) -> bytes:
    """The subject's 32-byte AES-256-GCM data key, derived from the same secret."""
    _require_secret(secret)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DATA_KEY_INFO).derive(secret)
