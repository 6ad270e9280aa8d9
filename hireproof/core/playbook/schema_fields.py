"""Building blocks of the playbook's JSON Schema: patterns, limits and small constructors."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

# An exact decimal as written: 70, -3, 0.40, 1e3. No YAML-1.1 extras (0x1F, 1_000, .inf).
DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
# Ids of playbooks, sections, items, questions and red flags: lower-case words joined by hyphens.
IDENTIFIER_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Option ids are what a candidate types ("B"), so letters and digits only: "B, D" must read as two.
OPTION_ID_PATTERN = r"^[A-Za-z0-9]+$"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
MAX_TIME_LIMIT_MINUTES = 7 * 24 * 60
MAX_RATING = 100

NORMALISATION = (
    "Answers are compared after Unicode NFKC normalisation, case folding and collapsing runs of "
    "whitespace into one space."
)


def _text(description: str) -> JSON:
    return {"type": "string", "description": description}


def _identifier(description: str) -> JSON:
    return {"type": "string", "pattern": IDENTIFIER_PATTERN, "description": description}


def _decimal(description: str) -> JSON:
    # Written as a YAML number or a decimal string; the loader reads its source text, never a float.
    return {"type": ["number", "string"], "pattern": DECIMAL_PATTERN, "description": description}


def _list(description: str, items: JSON, min_items: int = 0) -> JSON:
    schema: JSON = {"type": "array", "description": description, "items": items}
    if min_items:
        schema["minItems"] = min_items
    return schema


def _ref(name: str, description: str) -> JSON:
    return {"$ref": f"#/$defs/{name}", "description": description}


def _object(description: str, properties: JSON, required: list[str]) -> JSON:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
