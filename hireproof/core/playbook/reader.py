"""Reading a composed YAML node tree field by field, collecting every located problem.

The loader never uses ``yaml.safe_load``: it composes the document into nodes (which keep their
line and column) and reads them here, so every problem can say where it is. Reading never stops
at the first problem; a wrong value is reported and replaced by a placeholder so the rest of the
file is still checked, and the loader raises once with everything it found.

Field names, required fields, patterns, enums and minimum list lengths come from the JSON Schema
definitions (``schema.definition``), so the loader and the published schema agree by construction.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from hireproof.core.errors import Problem

from .schema import (
    DECIMAL_PATTERN,
    IDENTIFIER_PATTERN,
    OPTION_ID_PATTERN,
    VERSION_PATTERN,
    definition,
)

__all__ = ["Fields", "NodeReader", "Tally", "child_path", "describe"]

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"

_PATTERN_HINTS = {
    IDENTIFIER_PATTERN: "an id of lower-case letters, digits and hyphens, like 'sql-basics'",
    OPTION_ID_PATTERN: "an option id of letters and digits, like 'B'",
    VERSION_PATTERN: "a version like '1.0.0'",
}
_MAX_DIGITS = 15
_MAX_DECIMALS = 12
_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]+")  # YAML 1.1 also reads 0x1F, 0o17 and 1_000 as ints


def child_path(path: str, name: str) -> str:
    """The field path of ``name`` inside ``path`` (``assessment`` + ``items`` -> ...)."""
    return f"{path}.{name}" if path else name


def describe(node: yaml.Node) -> str:
    """A value as a message shows it: ``"seventy"``, ``42``, ``nothing``, ``a list``."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL_TAG:
        return "nothing"
    if node.tag == _STR_TAG:
        return json.dumps(node.value, ensure_ascii=False)
    return str(node.value)


@dataclass
class Tally:
    """A count over a whole file against its bound, and where the count first passed it."""

    limit: int
    count: int = 0
    passed_at: tuple[yaml.Node, str] | None = None

    def add(self, node: yaml.Node, path: str, amount: int = 1) -> None:
        """Count ``amount`` more, found at ``node`` (``path``)."""
        self.count += amount
        if self.count > self.limit and self.passed_at is None:
            self.passed_at = (node, path)


@dataclass
class NodeReader:
    """Reads values out of YAML nodes and records every problem it meets."""

    filename: str
    problems: list[Problem] = field(default_factory=list)
    # The text of a version already published: loaded with the checks it was published under.
    published: bool = False
    # A published text read by someone who must not run a backtracking regex on it (the
    # verifier, on a bundle's playbook): its patterns must fit RE2 as an upload's must.
    re2_only: bool = False
    # Counts over the whole file, by name (regex rules, phrases, ...), for per-file bounds.
    tallies: dict[str, Tally] = field(default_factory=dict)

    def tally(self, name: str, limit: int) -> Tally:
        """The file's count called ``name``, bounded by ``limit`` (created at zero)."""
        return self.tallies.setdefault(name, Tally(limit))

    def report(self, node: yaml.Node, path: str, message: str) -> None:
        """Record a problem located at ``node``."""
        mark = node.start_mark
        # A YAML escape like "\ud800" can put an unpaired surrogate in a quoted value or field
        # name; spelled out, it can still be printed and shown on a page.
        path, message = _printable(path), _printable(message)
        self.problems.append(Problem(self.filename, mark.line + 1, mark.column + 1, path, message))

    def fields(self, node: yaml.Node, path: str, definition_name: str) -> Fields:
        """The fields of a mapping node checked against a schema definition.

        Reports a node that is not a mapping, duplicate and unknown fields (with the closest
        known name), and missing required fields.
        """
        schema = definition(definition_name)
        if not isinstance(node, yaml.MappingNode):
            self.report(node, path, f"expected a mapping of fields, got {describe(node)}")
            return Fields(self, path, node, schema, {})
        known: dict[str, Any] = schema["properties"]
        found: dict[str, yaml.Node] = {}
        for key, value in self.mapping(node, path):
            if key.value in known:
                found[key.value] = value
            else:
                self.report(key, path, _unknown_field(key.value, known))
        for name in schema.get("required", []):
            if name not in found:
                self.report(node, path, f"missing required field '{name}'")
        return Fields(self, path, node, schema, found)

    def mapping(self, node: yaml.MappingNode, path: str) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        """The (key, value) pairs of a mapping, skipping (and reporting) bad or repeated keys."""
        seen: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _NULL_TAG:
                self.report(key, path, f"expected a field name, got {describe(key)}")
            elif key.value in seen:
                first = seen[key.value].start_mark.line + 1
                self.report(
                    key, path, f"duplicate field '{key.value}' (first given on line {first})"
                )
            else:
                seen[key.value] = key
                yield key, value

    def text(self, node: yaml.Node, path: str, *, allow_empty: bool = False) -> str:
        """A scalar as text, exactly as written (``1.0`` stays ``"1.0"``)."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL_TAG:
            self.report(node, path, f"expected text, got {describe(node)}")
            return ""
        value: str = node.value
        if _printable(value) != value:
            self.report(
                node, path, "holds an unpaired surrogate (an escape like \\ud800), not text"
            )
            return ""
        if not allow_empty and not value.strip():
            self.report(node, path, "must not be empty")
        return value

    def decimal(self, node: yaml.Node, path: str) -> Decimal | None:
        """An exact decimal from the node's source text (never through a float)."""
        if not (
            isinstance(node, yaml.ScalarNode)
            and node.tag in (_INT_TAG, _FLOAT_TAG, _STR_TAG)
            and re.match(DECIMAL_PATTERN, node.value)
        ):
            self.report(node, path, f"expected a number, got {describe(node)}")
            return None
        value = Decimal(node.value)
        # Exponents like 1e999999 are valid decimals but would blow up every later computation.
        if value.adjusted() >= _MAX_DIGITS or int(value.as_tuple().exponent) < -_MAX_DECIMALS:
            self.report(
                node,
                path,
                f"expected a number with at most {_MAX_DIGITS} digits before the point and "
                f"{_MAX_DECIMALS} after it, got {node.value}",
            )
            return None
        return value

    def integer(self, node: yaml.Node, path: str) -> int | None:
        """A whole number written as a plain YAML integer (``30``, ``-1``)."""
        if not (
            isinstance(node, yaml.ScalarNode)
            and node.tag == _INT_TAG
            and _WHOLE_NUMBER.fullmatch(node.value)
        ):
            self.report(node, path, f"expected a whole number, got {describe(node)}")
            return None
        if len(node.value.lstrip("+-")) > _MAX_DIGITS:
            self.report(
                node,
                path,
                f"expected a whole number of at most {_MAX_DIGITS} digits, got {node.value}",
            )
            return None
        return int(node.value)

    def sequence(self, node: yaml.Node, path: str) -> list[tuple[yaml.Node, str]]:
        """The entries of a list node with their paths (``items[0]``, ``items[1]``, ...)."""
        if not isinstance(node, yaml.SequenceNode):
            self.report(node, path, f"expected a list, got {describe(node)}")
            return []
        return [(entry, f"{path}[{index}]") for index, entry in enumerate(node.value)]


@dataclass
class Fields:
    """The checked fields of one mapping; getters return placeholders for missing or bad values.

    A placeholder never hides a problem: the problem is recorded first, and the loader refuses
    the file if any problem was recorded.
    """

    reader: NodeReader
    path: str
    node: yaml.Node
    schema: dict[str, Any]
    found: dict[str, yaml.Node]

    def has(self, name: str) -> bool:
        """Whether the field was given."""
        return name in self.found

    def names(self) -> list[str]:
        """The known fields given, in file order."""
        return list(self.found)

    def get(self, name: str) -> yaml.Node | None:
        """The field's node, or ``None`` if it was not given."""
        return self.found.get(name)

    def path_of(self, name: str) -> str:
        """The field path of ``name``."""
        return child_path(self.path, name)

    def text(self, name: str) -> str:
        """A text field (checked against its schema pattern or enum); ``""`` if absent."""
        node = self.found.get(name)
        if node is None:
            return ""
        value = self.reader.text(node, self.path_of(name))
        prop = self.schema["properties"][name]
        if value and "pattern" in prop and not re.match(prop["pattern"], value):
            hint = _PATTERN_HINTS[prop["pattern"]]
            self.reader.report(node, self.path_of(name), f"expected {hint}, got {describe(node)}")
        if value and "enum" in prop and value not in prop["enum"]:
            choices = ", ".join(f"'{choice}'" for choice in prop["enum"])
            self.reader.report(
                node, self.path_of(name), f"expected one of {choices}, got {describe(node)}"
            )
            return str(prop["enum"][0])
        return value

    def decimal(
        self,
        name: str,
        default: Decimal,
        *,
        minimum: Decimal | None = None,
        above: Decimal | None = None,
        maximum: Decimal | None = None,
    ) -> Decimal:
        """A decimal field within bounds (``above`` is exclusive); ``default`` if absent or bad."""
        node = self.found.get(name)
        if node is None:
            return default
        value = self.reader.decimal(node, self.path_of(name))
        if value is None:
            return default
        bound = _out_of_bounds(value, minimum, above, maximum)
        if bound:
            self.reader.report(node, self.path_of(name), f"must be {bound}, got {node.value}")
        return value

    def integer(self, name: str) -> int:
        """A whole-number field within its schema minimum and maximum; 0 if absent or bad."""
        node = self.found.get(name)
        if node is None:
            return 0
        value = self.reader.integer(node, self.path_of(name))
        if value is None:
            return 0
        prop = self.schema["properties"][name]
        bound = _out_of_bounds(value, prop.get("minimum"), None, prop.get("maximum"))
        if bound:
            self.reader.report(node, self.path_of(name), f"must be {bound}, got {value}")
        return value

    def entries(self, name: str) -> list[tuple[yaml.Node, str]]:
        """The entries of a list field (at least its schema ``minItems``); ``[]`` if absent."""
        node = self.found.get(name)
        if node is None:
            return []
        entries = self.reader.sequence(node, self.path_of(name))
        minimum = self.schema["properties"][name].get("minItems", 0)
        if isinstance(node, yaml.SequenceNode) and len(entries) < minimum:
            self.reader.report(node, self.path_of(name), f"must list at least {minimum}")
        return entries

    def texts(self, name: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        """A list field of text entries."""
        return tuple(
            self.reader.text(node, path, allow_empty=allow_empty)
            for node, path in self.entries(name)
        )


def _unknown_field(name: str, known: dict[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown field '{name}'{hint}"


def _printable(text: str) -> str:
    """``text`` with any unpaired surrogate spelled out as ``\\udXXX`` (else unchanged)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _out_of_bounds(
    value: Decimal | int,
    minimum: Decimal | int | None,
    above: Decimal | None,
    maximum: Decimal | int | None,
) -> str:
    if minimum is not None and value < minimum:
        return f"at least {minimum}"
    if above is not None and value <= above:
        return f"more than {above}"
    if maximum is not None and value > maximum:
        return f"at most {maximum}"
    return ""
