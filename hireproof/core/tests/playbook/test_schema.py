"""The published JSON Schema describes every field of the model, and the built-ins satisfy it.

The ``jsonschema`` package is not a dependency, so ``conforms`` below checks the small part of
JSON Schema the playbook schema uses (types, properties, required, additionalProperties, items,
minItems, pattern, enum, const, minimum, min/maxProperties, oneOf, $ref).
"""

from __future__ import annotations

import dataclasses
import re
from importlib import resources
from typing import Any

import pytest
import yaml

from hireproof.core.playbook import model, playbook_schema

SCHEMA = playbook_schema()

# Each model dataclass and the schema definition that describes it.
DEFINITIONS = {
    model.Playbook: "playbook",
    model.Role: "role",
    model.Responsibility: "responsibility",
    model.Skills: "skills",
    model.Skill: "skill",
    model.ToolGroup: "tool_group",
    model.Assessment: "assessment",
    model.Section: "section",
    model.SingleChoiceItem: "single_choice_item",
    model.NumericItem: "numeric_item",
    model.TextItem: "text_item",
    model.Option: "option",
    model.RedFlag: "red_flag",
    model.Tolerance: "tolerance",
    model.RubricExamples: "rubric_examples",
    model.ContainsNumber: "contains_number",
    model.InterviewKit: "interview",
    model.InterviewQuestion: "interview_question",
    model.InterviewRedFlag: "interview_red_flag",
    model.RatingAnchor: "rating_anchor",
    model.DecisionRules: "decision",
    model.Band: "band",
    model.RedFlagPolicy: "red_flag_policy",
}
# Rules are written as one-field mappings, {"all_of": [...]}, named in the "rule" definition.
RULES = {
    model.ContainsNumber: "contains_number",
    model.ContainsPhrase: "contains_phrase",
    model.Regex: "regex",
    model.AllOf: "all_of",
    model.AnyOf: "any_of",
    model.NoneOf: "none_of",
}
COMPUTED = {"hash"}  # set by the loader, never written in a file

_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "array": list,
    "object": dict,
}


def conforms(value: Any, schema: dict[str, Any]) -> list[str]:
    """Every way ``value`` breaks ``schema`` (empty if it conforms)."""
    if "$ref" in schema:
        return conforms(value, SCHEMA["$defs"][schema["$ref"].removeprefix("#/$defs/")])
    if "oneOf" in schema:
        matching = [option for option in schema["oneOf"] if not conforms(value, option)]
        return [] if len(matching) == 1 else [f"{value!r} matches {len(matching)} of oneOf"]
    errors = _type_errors(value, schema)
    if errors:
        return errors
    if isinstance(value, dict):
        return _object_errors(value, schema)
    if isinstance(value, list):
        errors = (
            [f"too few entries: {len(value)}"] if len(value) < schema.get("minItems", 0) else []
        )
        return errors + [error for entry in value for error in conforms(entry, schema["items"])]
    return _scalar_errors(value, schema)


def _type_errors(value: Any, schema: dict[str, Any]) -> list[str]:
    kinds = schema.get("type")
    if kinds is None:
        return []
    names = kinds if isinstance(kinds, list) else [kinds]
    ok = any(isinstance(value, _TYPES[name]) and not isinstance(value, bool) for name in names)
    return [] if ok else [f"{value!r} is not {kinds}"]


def _object_errors(value: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    errors = [f"missing {name}" for name in schema.get("required", []) if name not in value]
    if not schema.get("minProperties", 0) <= len(value) <= schema.get("maxProperties", len(value)):
        errors.append(f"{len(value)} fields")
    for name, entry in value.items():
        if name in properties:
            errors += conforms(entry, properties[name])
        elif schema.get("additionalProperties") is False:
            errors.append(f"unknown field {name}")
        else:
            errors += conforms(entry, schema["additionalProperties"])
    return errors


def _scalar_errors(value: Any, schema: dict[str, Any]) -> list[str]:
    errors = []
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{value!r} does not match {schema['pattern']}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{value!r} is not {schema['const']!r}")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{value!r} is below {schema['minimum']}")
    return errors


def _builtin_document(playbook_id: str) -> Any:
    folder = resources.files("hireproof.core.playbook.builtin")
    return yaml.safe_load(folder.joinpath(f"{playbook_id}.yaml").read_text("utf-8"))


def _walk(schema: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every sub-schema with its place in the schema."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(schema, dict):
        found.append((path, schema))
        for key, value in schema.items():
            found += _walk(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += _walk(value, f"{path}/{index}")
    return found


@pytest.mark.parametrize("playbook_id", ["data-scientist-mid", "data-scientist-mid-weighted"])
def test_the_builtins_validate_against_the_schema(playbook_id: str) -> None:
    assert conforms(_builtin_document(playbook_id), SCHEMA) == []


def test_the_schema_check_catches_a_misspelt_field() -> None:
    document = _builtin_document("data-scientist-mid")
    document["assessment"]["items"][0]["tolerence"] = 0
    assert conforms(document, SCHEMA) == [f"{document!r} matches 0 of oneOf"]
    assert conforms(document["assessment"]["items"][0], SCHEMA["$defs"]["numeric_item"]) == [
        "unknown field tolerence"
    ]


def test_it_is_a_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("model_class", list(DEFINITIONS), ids=lambda cls: cls.__name__)
def test_the_schema_describes_every_field_of_the_model(model_class: type) -> None:
    properties = SCHEMA["$defs"][DEFINITIONS[model_class]]["properties"]
    fields = {field.name for field in dataclasses.fields(model_class)} - COMPUTED
    assert set(properties) == fields


def test_the_rule_definition_names_every_rule_kind() -> None:
    assert set(SCHEMA["$defs"]["rule"]["properties"]) == set(RULES.values())


def test_every_model_dataclass_is_mapped_to_the_schema() -> None:
    dataclasses_in_model = {
        value
        for value in vars(model).values()
        if isinstance(value, type) and dataclasses.is_dataclass(value)
    }
    assert dataclasses_in_model == set(DEFINITIONS) | set(RULES) | {model.ItemBase}


def test_every_property_has_a_description() -> None:
    missing = [
        f"{path}/{name}"
        for path, schema in _walk(SCHEMA)
        if path.endswith("/properties")
        for name, prop in schema.items()
        if "description" not in prop
    ]
    assert missing == []


def test_every_object_refuses_unknown_fields() -> None:
    open_objects = [
        path
        for path, schema in _walk(SCHEMA)
        if schema.get("type") == "object" and schema.get("additionalProperties") is not False
    ]
    # section_weights is a map from section id to weight, so its keys are not fixed names.
    assert open_objects == ["/$defs/extension/properties/section_weights"]
