"""Playbooks: the YAML format, its JSON Schema, loading and validation, identity, built-ins.

load_playbook(path)                  a YAML file -> validated, content-hashed Playbook
load_playbook_text(text, filename)   the same from text
load_builtin(id) / builtin_ids()     the playbooks bundled with hireproof
playbook_schema()                    the JSON Schema of the format
canonical_form(p) / playbook_hash(p) / playbook_to_dict(p)   identity and export
"""

from __future__ import annotations

from .identity import canonical_form, playbook_hash, playbook_to_dict
from .loader import builtin_ids, load_builtin, load_playbook, load_playbook_text
from .model import Playbook
from .schema import playbook_schema

__all__ = [
    "Playbook",
    "builtin_ids",
    "canonical_form",
    "load_builtin",
    "load_playbook",
    "load_playbook_text",
    "playbook_hash",
    "playbook_schema",
    "playbook_to_dict",
]
