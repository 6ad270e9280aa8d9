"""Canonical JSON (RFC 8785, JCS) and the SHA-256 digests taken over it.

Every hash the product shows (playbook, scorecard, audit leaf) is taken over these bytes, so the
same value hashes the same on every machine and Python version.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

__all__ = ["canonical_json", "sha256_hex"]


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` (dicts, lists, str, int, bool, None) to RFC 8785 canonical bytes.

    Floats are refused on purpose: exact numbers travel as decimal strings.
    """
    _refuse_floats(value)
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical JSON takes no floats; pass exact numbers as decimal strings")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)
