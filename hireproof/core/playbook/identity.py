"""A playbook's identity: its canonical form and the SHA-256 hash over it.

The canonical form holds the validated content only, so comments, formatting and key order in
the YAML do not change the hash, while any change of content does. A score names the hash of the
rubric that produced it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from enum import Enum
from typing import Any

from hireproof.core.canonical import canonical_json, sha256_hex

from .model import AllOf, AnyOf, ContainsNumber, ContainsPhrase, NoneOf, Playbook, Regex, Rule

__all__ = ["canonical_form", "decimal_text", "playbook_hash", "playbook_to_dict"]


def canonical_form(playbook: Playbook) -> dict[str, Any]:
    """The playbook's content as plain JSON values, without its hash.

    Decimals are normalised decimal strings (``0.40`` -> ``"0.4"``), enums their values, tuples
    lists; text rules keep the YAML shape (``{"all_of": [...]}``) so each kind stays distinct.
    """
    form: dict[str, Any] = _plain(playbook)
    del form["hash"]
    return form


def playbook_hash(playbook: Playbook) -> str:
    """SHA-256 (hex) of the canonical JSON of the playbook's canonical form."""
    return sha256_hex(canonical_json(canonical_form(playbook)))


def playbook_to_dict(playbook: Playbook) -> dict[str, Any]:
    """The canonical form plus the ``hash``, e.g. for ``hireproof playbook show --format json``."""
    return canonical_form(playbook) | {"hash": playbook.hash}


def decimal_text(value: Decimal) -> str:
    """A decimal as its shortest exact text: ``70.0`` -> ``"70"``, ``0.40`` -> ``"0.4"``."""
    return "0" if value.is_zero() else format(value.normalize(), "f")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, Enum):  # before str: a StrEnum is a str too
        return value.value
    if isinstance(value, _RULE_TYPES):
        return _rule(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, tuple):
        return [_plain(entry) for entry in value]
    return value


def _rule(rule: Rule) -> dict[str, Any]:
    if isinstance(rule, ContainsNumber):
        number = {"value": decimal_text(rule.value), "tolerance": _plain(rule.tolerance)}
        return {"contains_number": number}
    if isinstance(rule, ContainsPhrase):
        return {"contains_phrase": list(rule.phrases)}
    if isinstance(rule, Regex):
        return {"regex": rule.pattern}
    name = {AllOf: "all_of", AnyOf: "any_of", NoneOf: "none_of"}[type(rule)]
    return {name: [_rule(inner) for inner in rule.rules]}


_RULE_TYPES = (ContainsNumber, ContainsPhrase, Regex, AllOf, AnyOf, NoneOf)
