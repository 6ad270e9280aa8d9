"""Reading assessment items: one reader per item kind, chosen by the item's ``kind:`` field.

A new kind (say ``code``) is a new schema definition ``<kind>_item`` plus one entry in
``_KIND_READERS``; the other kinds do not change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import yaml

from .bounds import (
    MAX_ANSWER_CHARS,
    MAX_EXAMPLE_CHARS,
    MAX_ITEMS,
    MAX_NUMBER_RULES,
    MAX_PHRASE_LENGTH,
    MAX_PHRASES,
    MAX_PHRASES_PER_RULE,
    MAX_REGEX_RULES,
    MAX_RULES_PER_ITEM,
)
from .examples import ExampleSite
from .model import (
    AllOf,
    AnyOf,
    ContainsNumber,
    ContainsPhrase,
    Item,
    ItemKind,
    NoneOf,
    NumericItem,
    Option,
    RedFlag,
    Regex,
    RubricExamples,
    Rule,
    Section,
    Severity,
    SingleChoiceItem,
    TextItem,
    Tolerance,
    ToleranceKind,
)
from .patterns import legacy_pattern_problem, pattern_problem
from .reader import Fields, NodeReader, child_path, describe

__all__ = ["MAX_RULE_DEPTH", "read_items"]

# How deep all_of / any_of / none_of may nest. Real rubrics need three or four levels; the bound
# keeps loading and scoring (both recursive) far from Python's recursion limit.
MAX_RULE_DEPTH = 16


def read_items(
    reader: NodeReader, assessment: Fields, sections: dict[str, Section]
) -> tuple[tuple[Item, ...], list[tuple[Item, ExampleSite]]]:
    """The assessment's items, checked against ``sections``, and their rubric examples."""
    items: list[Item] = []
    sites: list[tuple[Item, ExampleSite]] = []
    entries = assessment.entries("items")
    if len(entries) > MAX_ITEMS and not reader.published:
        node, path = entries[MAX_ITEMS]
        reader.report(
            node,
            path,
            f"the assessment has {len(entries)} items; at most {MAX_ITEMS} are allowed "
            f"(this is item {MAX_ITEMS + 1})",
        )
    for node, path in entries:
        read = _read_item(reader, node, path, sections)
        if read is None:
            continue
        item, fields, item_sites = read
        if item.id in {known.id for known in items}:
            reader.report(
                fields.found["id"], fields.path_of("id"), f"duplicate item id '{item.id}'"
            )
        items.append(item)
        sites.extend((item, site) for site in item_sites)
    _check_playbook_tallies(reader)
    return tuple(items), sites


# What one playbook may hold in all: (tally name, bound, what is counted, what to do instead).
_PLAYBOOK_TALLIES = (
    ("regex", MAX_REGEX_RULES, "regex rules", "a submission runs each on its item's answer"),
    (
        "numbers",
        MAX_NUMBER_RULES,
        "numeric items and contains_number rules",
        "each lists every number of its answer in the scorecard",
    ),
    (
        "phrases",
        MAX_PHRASES,
        "contains_phrase phrases",
        "a submission searches each in its item's answer",
    ),
    (
        "examples",
        MAX_EXAMPLE_CHARS,
        "characters of rubric examples (normalised)",
        "each example is scored when the playbook is loaded: keep them short",
    ),
)


def _check_playbook_tallies(reader: NodeReader) -> None:
    """Report each per-playbook bound passed, where it was first passed."""
    if reader.published:
        return
    for name, limit, counted, reason in _PLAYBOOK_TALLIES:
        tally = reader.tallies.get(name)
        if tally is None or tally.passed_at is None:
            continue
        node, path = tally.passed_at
        reader.report(
            node,
            path,
            f"the playbook has {tally.count:,} {counted}; at most {limit:,} are allowed in one "
            f"playbook ({reason}); the bound is passed here",
        )


def _read_item(
    reader: NodeReader, node: yaml.Node, path: str, sections: dict[str, Section]
) -> tuple[Item, Fields, list[ExampleSite]] | None:
    kind = _item_kind(reader, node, path)
    if kind is None:
        return None
    fields = reader.fields(node, path, f"{kind}_item")
    section = fields.text("section")
    if section and sections and section not in sections:
        known = ", ".join(sections)
        reader.report(
            fields.found["section"],
            fields.path_of("section"),
            f"unknown section '{section}' (sections: {known})",
        )
    examples, sites = _read_examples(reader, fields)
    common: dict[str, Any] = {
        "id": fields.text("id"),
        "section": section,
        "prompt": fields.text("prompt"),
        "answer_key": fields.text("answer_key"),
        "grading": fields.text("grading"),
        "rationale": fields.text("rationale"),
        "audit_note": fields.text("audit_note"),
        "points": fields.decimal("points", Decimal(1), above=Decimal(0)),
        "examples": examples,
    }
    item = _KIND_READERS[kind](reader, fields, common)
    return item, fields, sites


def _item_kind(reader: NodeReader, node: yaml.Node, path: str) -> ItemKind | None:
    if not isinstance(node, yaml.MappingNode):
        reader.report(node, path, f"expected a mapping of fields, got {describe(node)}")
        return None
    kinds = ", ".join(f"'{kind}'" for kind in ItemKind)
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "kind":
            text = reader.text(value, child_path(path, "kind"))
            if text in set(ItemKind):
                return ItemKind(text)
            if text:
                reader.report(
                    value,
                    child_path(path, "kind"),
                    f"expected one of {kinds}, got {describe(value)}",
                )
            return None
    reader.report(node, path, f"missing required field 'kind' (one of {kinds})")
    return None


# --- the kinds --------------------------------------------------------------------------------


def _read_single_choice(reader: NodeReader, fields: Fields, common: dict[str, Any]) -> Item:
    options: list[Option] = []
    for entry in [reader.fields(node, path, "option") for node, path in fields.entries("options")]:
        option = Option(entry.text("id"), entry.text("text"), _read_red_flag(reader, entry))
        if option.id.casefold() in {known.id.casefold() for known in options}:
            reader.report(
                entry.found["id"],
                entry.path_of("id"),
                f"duplicate option id '{option.id}' (option ids ignore case)",
            )
        options.append(option)
    correct = fields.text("correct")
    chosen = [option for option in options if option.id == correct]
    if correct and options and not chosen:
        known = ", ".join(option.id for option in options)
        reader.report(
            fields.found["correct"],
            fields.path_of("correct"),
            f"'{correct}' is not one of the options ({known})",
        )
    if chosen and chosen[0].red_flag is not None:
        reader.report(
            fields.found["correct"],
            fields.path_of("correct"),
            f"the correct option '{correct}' carries a red flag",
        )
    return SingleChoiceItem(**common, options=tuple(options), correct=correct)


def _read_red_flag(reader: NodeReader, option: Fields) -> RedFlag | None:
    node = option.get("red_flag")
    if node is None:
        return None
    fields = reader.fields(node, option.path_of("red_flag"), "red_flag")
    return RedFlag(Severity(fields.text("severity") or Severity.WARNING), fields.text("reason"))


def _read_numeric(reader: NodeReader, fields: Fields, common: dict[str, Any]) -> Item:
    reader.tally("numbers", MAX_NUMBER_RULES).add(fields.node, fields.path)
    return NumericItem(
        **common,
        key=fields.decimal("key", Decimal(0)),
        tolerance=_read_tolerance(reader, fields),
    )


def _read_tolerance(reader: NodeReader, parent: Fields) -> Tolerance:
    node = parent.get("tolerance")
    if node is None:
        return Tolerance(ToleranceKind.ABSOLUTE, Decimal(0))
    fields = reader.fields(node, parent.path_of("tolerance"), "tolerance")
    kind = ToleranceKind(fields.text("kind") or ToleranceKind.ABSOLUTE)
    return Tolerance(kind, fields.decimal("value", Decimal(0), minimum=Decimal(0)))


def _read_text(reader: NodeReader, fields: Fields, common: dict[str, Any]) -> Item:
    node = fields.get("rule")
    rule = read_rule(reader, node, fields.path_of("rule")) if node is not None else AllOf(())
    count = _rule_count(rule)
    if count > MAX_RULES_PER_ITEM and not reader.published:
        assert node is not None  # an item without a rule has none
        reader.report(
            node,
            fields.path_of("rule"),
            f"the item has {count} rules (all_of, any_of and none_of included); at most "
            f"{MAX_RULES_PER_ITEM} are allowed",
        )
    return TextItem(**common, rule=rule)


def _rule_count(rule: Rule) -> int:
    if isinstance(rule, AllOf | AnyOf | NoneOf):
        return 1 + sum(_rule_count(inner) for inner in rule.rules)
    return 1


_KIND_READERS: dict[ItemKind, Callable[[NodeReader, Fields, dict[str, Any]], Item]] = {
    ItemKind.SINGLE_CHOICE: _read_single_choice,
    ItemKind.NUMERIC: _read_numeric,
    ItemKind.TEXT: _read_text,
}


# --- text rules -------------------------------------------------------------------------------


def read_rule(reader: NodeReader, node: yaml.Node, path: str, depth: int = 1) -> Rule:
    """A text rule: a mapping with exactly one of the rule fields, nested ``depth`` deep."""
    if depth > MAX_RULE_DEPTH:
        reader.report(node, path, f"rules may nest at most {MAX_RULE_DEPTH} levels deep")
        return AllOf(())
    fields = reader.fields(node, path, "rule")
    names = fields.names()
    if len(names) != 1:
        if isinstance(node, yaml.MappingNode):
            choices = ", ".join(fields.schema["properties"])
            reader.report(node, path, f"a rule takes exactly one of {choices}; got {len(names)}")
        return AllOf(())
    name = names[0]
    return _RULE_READERS[name](reader, fields, fields.path_of(name), depth)


def _read_contains_number(reader: NodeReader, fields: Fields, path: str, depth: int) -> Rule:
    reader.tally("numbers", MAX_NUMBER_RULES).add(fields.found["contains_number"], path)
    inner = reader.fields(fields.found["contains_number"], path, "contains_number")
    return ContainsNumber(inner.decimal("value", Decimal(0)), _read_tolerance(reader, inner))


def _read_contains_phrase(reader: NodeReader, fields: Fields, path: str, depth: int) -> Rule:
    entries = fields.entries("contains_phrase")
    phrases = tuple(reader.text(node, entry) for node, entry in entries)
    if not reader.published:
        if len(entries) > MAX_PHRASES_PER_RULE:
            reader.report(
                fields.found["contains_phrase"],
                path,
                f"the rule lists {len(entries)} phrases; at most {MAX_PHRASES_PER_RULE} are "
                "allowed in one contains_phrase (split them into several rules under any_of)",
            )
        for (node, entry), phrase in zip(entries, phrases, strict=True):
            reader.tally("phrases", MAX_PHRASES).add(node, entry)
            length = scored_length(phrase)
            if length > MAX_PHRASE_LENGTH:
                reader.report(
                    node,
                    entry,
                    f"the phrase is {length} characters long (normalised); at most "
                    f"{MAX_PHRASE_LENGTH} are allowed (a phrase is a few words)",
                )
    return ContainsPhrase(phrases)


def _read_regex(reader: NodeReader, fields: Fields, path: str, depth: int) -> Rule:
    pattern = fields.text("regex")
    if not reader.published:
        reader.tally("regex", MAX_REGEX_RULES).add(fields.found["regex"], path)
    # A version published before patterns were checked for RE2 keeps the patterns it was
    # published with (they are scored as they were then); an upload must fit RE2, and so must
    # a published text read with ``re2_only`` (checked here, before any example runs).
    legacy = reader.published and not reader.re2_only
    problem = legacy_pattern_problem(pattern) if legacy else pattern_problem(pattern)
    if problem:
        reader.report(fields.found["regex"], path, problem)
        return Regex(pattern)
    unmatchable = _never_matching_character(pattern)
    if unmatchable:
        reader.report(
            fields.found["regex"],
            path,
            "answers are matched after Unicode NFKC normalisation and case folding, so "
            f"{unmatchable!r} in the pattern can never match; write {_normalised(unmatchable)!r}",
        )
    return Regex(pattern)


# What in a pattern is not a character to match: escapes (\D, \N{...}, \u00C9), group names,
# inline flags and comments.
_NOT_MATCHED = re.compile(
    r"\\N\{[^}]*\}|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\x[0-9A-Fa-f]{2}|\\."
    r"|\(\?P<[^>]*>|\(\?P=[^)]*\)|\(\?[aiLmsux-]+[:)]|\(\?#[^)]*\)"
)
# Patterns that ignore case themselves, or are verbose (their comments are not matched).
_OWN_CASE_OR_VERBOSE = re.compile(r"\(\?[aLmsu-]*[ix]")


def _never_matching_character(pattern: str) -> str:
    """A character of ``pattern`` that normalisation removes from every answer (else ``""``).

    The answer is NFKC-normalised and case-folded before the pattern searches it, so ``"NaN"``
    or ``[A-Z]`` would silently never match: a rubric that quietly gives 0 points to right
    answers.
    """
    if _OWN_CASE_OR_VERBOSE.search(pattern):
        return ""
    literal = _NOT_MATCHED.sub("", pattern)
    return next((char for char in literal if _normalised(char) != char), "")


def _normalised(char: str) -> str:
    return unicodedata.normalize("NFKC", char).casefold()


def _read_composite(kind: type[AllOf | AnyOf | NoneOf], name: str) -> Callable[..., Rule]:
    def read(reader: NodeReader, fields: Fields, path: str, depth: int) -> Rule:
        entries = fields.entries(name)
        return kind(tuple(read_rule(reader, node, entry, depth + 1) for node, entry in entries))

    return read


_RULE_READERS: dict[str, Callable[[NodeReader, Fields, str, int], Rule]] = {
    "contains_number": _read_contains_number,
    "contains_phrase": _read_contains_phrase,
    "regex": _read_regex,
    "all_of": _read_composite(AllOf, "all_of"),
    "any_of": _read_composite(AnyOf, "any_of"),
    "none_of": _read_composite(NoneOf, "none_of"),
}


# --- rubric examples --------------------------------------------------------------------------


def _read_examples(reader: NodeReader, item: Fields) -> tuple[RubricExamples, list[ExampleSite]]:
    node = item.get("examples")
    if node is None:
        return RubricExamples(), []
    fields = reader.fields(node, item.path_of("examples"), "rubric_examples")
    sites: list[ExampleSite] = []
    answers: dict[str, tuple[str, ...]] = {}
    for name in ("accept", "reject"):
        read = [
            ExampleSite(entry, path, reader.text(entry, path, allow_empty=True), name == "accept")
            for entry, path in fields.entries(name)
        ]
        sites.extend(read)
        answers[name] = tuple(site.answer for site in read)
    if not reader.published:
        for site in sites:
            _check_example_length(reader, site)
    return RubricExamples(accept=answers["accept"], reject=answers["reject"]), sites


def _check_example_length(reader: NodeReader, site: ExampleSite) -> None:
    """An example is an answer: at most ``MAX_ANSWER_CHARS`` as typed and normalised."""
    length = max(len(site.answer), scored_length(site.answer))
    reader.tally("examples", MAX_EXAMPLE_CHARS).add(site.node, site.path, length)
    if length > MAX_ANSWER_CHARS:
        reader.report(
            site.node,
            site.path,
            f"the example is {length:,} characters long (as typed or normalised, the longer); "
            f"an answer is at most {MAX_ANSWER_CHARS:,}",
        )


def scored_length(text: str) -> int:
    """How many characters scoring reads of ``text``: its length once normalised."""
    # Imported here: the scoring package imports the playbook model.
    from hireproof.core.scoring import normalise

    return len(normalise(text).text)
