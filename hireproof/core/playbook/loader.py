"""Loading playbook YAML into validated, frozen, content-hashed ``Playbook`` objects.

The only I/O of the package is here (``load_playbook`` reads a file, ``load_builtin`` a bundled
one); ``load_playbook_text`` does the work on text. Every problem in a file is collected and
raised at once as ``PlaybookError``, each naming the file, line, column and field path.

A file is either a complete playbook or an *extension*: ``extends: <built-in id>`` with a new
``id``, ``version``, optional ``title`` and ``section_weights`` (section id -> weight). An
extension reuses everything else of the built-in, so a company can reweigh the seed's sections
without copying its four hundred lines; its hash covers the resolved content.
"""

from __future__ import annotations

import dataclasses
import functools
from decimal import Decimal
from importlib import resources
from pathlib import Path

import yaml

from hireproof.core.errors import PlaybookError, Problem

from .examples import ExampleSite, check_examples
from .identity import playbook_hash
from .items import read_items
from .model import (
    Assessment,
    Band,
    DecisionRules,
    InterviewKit,
    InterviewQuestion,
    InterviewRedFlag,
    Item,
    Playbook,
    RatingAnchor,
    RedFlagPolicy,
    Responsibility,
    Role,
    Section,
    Skill,
    Skills,
    ToolGroup,
    Verdict,
)
from .reader import Fields, NodeReader, child_path, describe

__all__ = ["builtin_ids", "load_builtin", "load_playbook", "load_playbook_text"]

_BUILTIN_PACKAGE = "hireproof.core.playbook.builtin"
_PERCENT_MAX = Decimal(100)


def load_playbook(path: str | Path) -> Playbook:
    """Load and validate the playbook YAML file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        problem = Problem(str(path), 0, 0, "", f"cannot read the file: {reason}")
        raise PlaybookError([problem]) from None
    return load_playbook_text(text, str(path))


def load_playbook_text(
    text: str, filename: str, *, published: bool = False, re2_only: bool = False
) -> Playbook:
    """Validate playbook YAML ``text``; ``filename`` is only used to locate problems.

    ``published``: the text of a version already published (a stored version, a bundle's
    playbook), loaded under the checks it was published with, so that it still loads and its
    scores never change: single-value aliases (bounded), patterns RE2 does not read the way
    Python's ``re`` does, more rules than an upload may have. Uploads leave it ``False``.

    ``re2_only`` (with ``published``): refuse, as an upload does, a pattern that RE2 cannot
    score, before any rubric example runs; for a reader that must never run a backtracking
    regex on a text it did not check (the offline verifier).
    """
    root = _compose(text, filename, published=published)
    reader = NodeReader(filename, published=published, re2_only=re2_only)
    if isinstance(root, yaml.MappingNode) and _has_key(root, "extends"):
        playbook = _read_extension(reader, root)
    else:
        playbook = _read_playbook(reader, root)
    if reader.problems or playbook is None:
        # In file order: a reader reports unknown fields before it reads the values around them.
        raise PlaybookError(sorted(reader.problems, key=lambda p: (p.line, p.column)))
    return dataclasses.replace(playbook, hash=playbook_hash(playbook))


def builtin_ids() -> tuple[str, ...]:
    """The ids of the playbooks bundled with hireproof, sorted."""
    folder = resources.files(_BUILTIN_PACKAGE)
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in folder.iterdir()
            if entry.name.endswith(".yaml")
        )
    )


@functools.cache
def load_builtin(playbook_id: str) -> Playbook:
    """Load a bundled playbook by id (see ``builtin_ids``)."""
    known = builtin_ids()
    if playbook_id not in known:
        message = f"no built-in playbook by this name (built-ins: {', '.join(known)})"
        raise PlaybookError([Problem(playbook_id, 0, 0, "", message)])
    text = resources.files(_BUILTIN_PACKAGE).joinpath(f"{playbook_id}.yaml").read_text("utf-8")
    return load_playbook_text(text, f"{playbook_id}.yaml")


# --- YAML text to nodes -----------------------------------------------------------------------


class _RefusedAlias(Exception):
    """An anchor, alias or tag the playbook refuses, raised before any node for it is built."""

    def __init__(self, problem: str, event: yaml.Event) -> None:
        super().__init__(problem)
        self.problem = problem
        mark = event.start_mark
        assert mark is not None  # the composer's events always carry their place
        self.line, self.column = mark.line + 1, mark.column + 1


_YAML_TAG_PREFIX = "tag:yaml.org,2002:"

# What the aliases of one published file may add, in characters, in all: the upload limit.
MAX_ALIAS_EXPANSION = 1_000_000


class _PlaybookComposer(yaml.SafeLoader):
    """YAML's composer, refusing every anchor (``&name``) and alias (``*name``).

    Aliases are what "billion laughs" files are made of: an anchored value of 100 kB repeated
    a thousand times is a 138 kB file that reads as 100 MB, and ten rules that each repeat the
    one before ten times are ten billion rules. A playbook never needs one, so an upload holding
    one is refused at the first anchor, before anything is built from it. Explicit tags
    (``!!binary``, ``!custom``) are refused the same way, at their place.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's, untyped
        if isinstance(event, yaml.AliasEvent):
            self._check_alias(event)
            return super().compose_node(parent, index)
        # Otherwise a scalar's, a list's or a mapping's event, which may carry both.
        if event.anchor is not None:
            self._check_anchor(event)
        if event.tag is not None:
            self._check_tag(event, str(event.tag))
        return super().compose_node(parent, index)

    def _check_tag(self, event: yaml.NodeEvent, tag: str) -> None:
        # A tag written out (``!!binary``, ``!custom``, ``!!python/object``) makes other YAML
        # readers build something else from the same text than this loader, which reads the
        # value as written: the stored file would not read the same in an auditor's hands.
        shown = (
            "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag
        )
        raise _RefusedAlias(
            problem=f"YAML tags are not allowed in a playbook ({shown}): write the value "
            "plainly, without a tag",
            event=event,
        )

    def _check_anchor(self, event: yaml.NodeEvent) -> None:
        raise _RefusedAlias(
            problem=f"YAML anchors and aliases are not allowed in a playbook (&{event.anchor}): "
            "write the value out where it is used",
            event=event,
        )

    def _check_alias(self, event: yaml.AliasEvent) -> None:
        raise _RefusedAlias(
            problem=f"YAML aliases are not allowed in a playbook (*{event.anchor}): "
            "write the value out where it is used",
            event=event,
        )


class _PublishedComposer(_PlaybookComposer):
    """The composer for a version already published, when aliases of single values were
    allowed: it keeps them (bounded by ``MAX_ALIAS_EXPANSION`` in all) and still refuses an
    alias of a whole list or mapping."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.expanded = 0

    def _check_anchor(self, event: yaml.NodeEvent) -> None:
        return

    def _check_tag(self, event: yaml.NodeEvent, tag: str) -> None:
        return  # read as written, as when it was published

    def _check_alias(self, event: yaml.AliasEvent) -> None:
        target = self.anchors.get(str(event.anchor))
        if isinstance(target, yaml.CollectionNode):
            raise _RefusedAlias(
                problem=f"the alias *{event.anchor} repeats a whole list or mapping; "
                "write its content out (an alias may only repeat a single value)",
                event=event,
            )
        self.expanded += len(str(target.value)) if target is not None else 0
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise _RefusedAlias(
                problem=f"the aliases repeat more than {MAX_ALIAS_EXPANSION:,} characters "
                "in all; write the values out",
                event=event,
            )


def _compose(text: str, filename: str, *, published: bool) -> yaml.Node:
    loader = _PublishedComposer if published else _PlaybookComposer
    try:
        root = yaml.compose(text, Loader=loader)
    except _RefusedAlias as error:
        problem = Problem(filename, error.line, error.column, "", error.problem)
        raise PlaybookError([problem]) from None
    except yaml.MarkedYAMLError as error:
        raise PlaybookError([_yaml_problem(error, filename)]) from None
    except yaml.reader.ReaderError as error:  # characters YAML does not allow
        raise PlaybookError([_reader_problem(error, text, filename)]) from None
    except RecursionError:  # lists or mappings nested hundreds deep
        message = "lists and mappings are nested too deeply to be a playbook"
        raise PlaybookError([Problem(filename, 0, 0, "", message)]) from None
    if root is None:
        raise PlaybookError(
            [Problem(filename, 0, 0, "", "the file holds no playbook (it is empty)")]
        )
    return root


def _yaml_problem(error: yaml.MarkedYAMLError, filename: str) -> Problem:
    message = f"not valid YAML: {error.problem}"
    if error.context:
        message += f" ({error.context})"
    if "'\\t'" in message:
        message += "; indent with spaces, not tabs"
    mark = error.problem_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(filename, line, column, "", message)


def _reader_problem(error: yaml.reader.ReaderError, text: str, filename: str) -> Problem:
    position: int = error.position
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    message = f"not valid YAML: unacceptable character #x{error.character:04x}: {error.reason}"
    return Problem(filename, line, column, "", message)


def _has_key(node: yaml.MappingNode, name: str) -> bool:
    return any(isinstance(key, yaml.ScalarNode) and key.value == name for key, _ in node.value)


# --- the playbook -----------------------------------------------------------------------------


def _read_playbook(reader: NodeReader, root: yaml.Node) -> Playbook:
    fields = reader.fields(root, "", "playbook")
    assessment, sites = _read_assessment(reader, fields)
    playbook = Playbook(
        id=fields.text("id"),
        version=fields.text("version"),
        title=fields.text("title"),
        role=_read_role(reader, fields),
        assessment=assessment,
        interview=_read_interview(reader, fields),
        decision=_read_decision(reader, fields),
    )
    if not reader.problems:  # examples need a fully valid rubric to be run against
        check_examples(reader, sites)
    return playbook


def _read_extension(reader: NodeReader, root: yaml.MappingNode) -> Playbook | None:
    fields = reader.fields(root, "", "extension")
    playbook_id, version, title = fields.text("id"), fields.text("version"), fields.text("title")
    base = _extended_playbook(reader, fields)
    known = [section.id for section in base.assessment.sections] if base else None
    weights = _section_weights(reader, fields, known)
    if base is None:
        return None
    if playbook_id == base.id:
        reader.report(fields.found["id"], "id", "must differ from the extended playbook's id")
    sections = tuple(
        dataclasses.replace(section, weight=weights.get(section.id, section.weight))
        for section in base.assessment.sections
    )
    return dataclasses.replace(
        base,
        id=playbook_id,
        version=version,
        title=title or base.title,
        assessment=dataclasses.replace(base.assessment, sections=sections),
        hash="",
    )


def _extended_playbook(reader: NodeReader, fields: Fields) -> Playbook | None:
    base_id = fields.text("extends")
    if not base_id:  # missing or empty, already reported
        return None
    if base_id not in builtin_ids():
        known = ", ".join(builtin_ids())
        message = f"no built-in playbook '{base_id}' (built-ins: {known})"
        reader.report(fields.found["extends"], "extends", message)
        return None
    return load_builtin(base_id)


def _section_weights(
    reader: NodeReader, fields: Fields, known: list[str] | None
) -> dict[str, Decimal]:
    """The new weights by section id; ``known`` is ``None`` when the base could not be read."""
    node = fields.get("section_weights")
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        reader.report(node, "section_weights", f"expected a mapping, got {describe(node)}")
        return {}
    weights: dict[str, Decimal] = {}
    for key, value in reader.mapping(node, "section_weights"):
        path = child_path("section_weights", key.value)
        weight = reader.decimal(value, path)
        if known is not None and key.value not in known:
            sections = ", ".join(known)
            reader.report(
                key, "section_weights", f"unknown section '{key.value}' (sections: {sections})"
            )
        elif weight is not None and weight <= 0:
            reader.report(value, path, f"must be more than 0, got {value.value}")
        elif weight is not None:
            weights[key.value] = weight
    return weights


# --- the role ---------------------------------------------------------------------------------


def _read_role(reader: NodeReader, parent: Fields) -> Role:
    fields = _child(reader, parent, "role")
    return Role(
        title=fields.text("title"),
        department=fields.text("department"),
        level=fields.text("level"),
        summary=fields.text("summary"),
        overview=fields.text("overview"),
        responsibilities=tuple(
            Responsibility(entry.text("title"), entry.text("description"))
            for entry in _children(reader, fields, "responsibilities", "responsibility")
        ),
        skills=_read_skills(reader, fields),
        tools=tuple(
            ToolGroup(entry.text("name"), entry.text("description"))
            for entry in _children(reader, fields, "tools", "tool_group")
        ),
        when_to_use=fields.text("when_to_use"),
    )


def _read_skills(reader: NodeReader, parent: Fields) -> Skills:
    fields = _child(reader, parent, "skills")

    def group(name: str) -> tuple[Skill, ...]:
        entries = _children(reader, fields, name, "skill")
        return tuple(Skill(entry.text("name"), entry.text("description")) for entry in entries)

    return Skills(soft=group("soft"), attitude=group("attitude"), technical=group("technical"))


# --- the assessment ---------------------------------------------------------------------------


def _read_assessment(
    reader: NodeReader, parent: Fields
) -> tuple[Assessment, list[tuple[Item, ExampleSite]]]:
    fields = _child(reader, parent, "assessment")
    read = _read_sections(reader, fields)
    sections = {section.id: section for section, _ in read}
    items, sites = read_items(reader, fields, sections)
    used = {item.section for item in items}
    for section, entry in read:
        if section.id and section.id not in used:
            reader.report(entry.node, entry.path, f"the section '{section.id}' has no items")
    assessment = Assessment(
        title=fields.text("title"),
        time_limit_minutes=fields.integer("time_limit_minutes"),
        instructions=fields.text("instructions"),
        notice=fields.text("notice"),
        sections=tuple(sections.values()),
        items=items,
    )
    return assessment, sites


def _read_sections(reader: NodeReader, fields: Fields) -> list[tuple[Section, Fields]]:
    """The sections with their fields, the first of each id only."""
    read: list[tuple[Section, Fields]] = []
    for entry in _children(reader, fields, "sections", "section"):
        section = Section(
            id=entry.text("id"),
            title=entry.text("title"),
            weight=entry.decimal("weight", Decimal(1), above=Decimal(0)),
            description=entry.text("description"),
        )
        if section.id and section.id in {known.id for known, _ in read}:
            reader.report(
                entry.found["id"], entry.path_of("id"), f"duplicate section id '{section.id}'"
            )
        else:
            read.append((section, entry))
    return read


# --- the interview ----------------------------------------------------------------------------


def _read_interview(reader: NodeReader, parent: Fields) -> InterviewKit:
    fields = _child(reader, parent, "interview")
    questions: list[InterviewQuestion] = []
    for entry in _children(reader, fields, "questions", "interview_question"):
        question = _read_question(reader, entry)
        if question.id in {known.id for known in questions}:
            reader.report(
                entry.found["id"], entry.path_of("id"), f"duplicate question id '{question.id}'"
            )
        questions.append(question)
    return InterviewKit(questions=tuple(questions), scale=_read_scale(reader, fields))


def _read_question(reader: NodeReader, fields: Fields) -> InterviewQuestion:
    red_flags: list[InterviewRedFlag] = []
    for entry in _children(reader, fields, "red_flags", "interview_red_flag"):
        flag = InterviewRedFlag(entry.text("id"), entry.text("text"))
        if flag.id in {known.id for known in red_flags}:
            reader.report(
                entry.found["id"], entry.path_of("id"), f"duplicate red flag id '{flag.id}'"
            )
        red_flags.append(flag)
    return InterviewQuestion(
        id=fields.text("id"),
        competency=fields.text("competency"),
        text=fields.text("text"),
        look_for=fields.texts("look_for"),
        strong_answer=fields.text("strong_answer"),
        weak_answer=fields.text("weak_answer"),
        red_flags=tuple(red_flags),
    )


def _read_scale(reader: NodeReader, fields: Fields) -> tuple[RatingAnchor, ...]:
    anchors: list[RatingAnchor] = []
    for entry in _children(reader, fields, "scale", "rating_anchor"):
        anchor = RatingAnchor(entry.integer("value"), entry.text("label"))
        if anchors and entry.has("value") and anchor.value <= anchors[-1].value:
            reader.report(
                entry.found["value"],
                entry.path_of("value"),
                f"the scale must be ascending: {anchor.value} comes after {anchors[-1].value}",
            )
        anchors.append(anchor)
    return tuple(anchors)


# --- the decision rules -----------------------------------------------------------------------


def _read_decision(reader: NodeReader, parent: Fields) -> DecisionRules:
    fields = _child(reader, parent, "decision")
    policy = _child(reader, fields, "red_flags", "red_flag_policy")
    share = {"minimum": Decimal(0), "maximum": Decimal(1)}
    percent = {"minimum": Decimal(0), "maximum": _PERCENT_MAX}
    rules = DecisionRules(
        bands=_read_bands(reader, fields),
        red_flags=RedFlagPolicy(policy.text("critical"), policy.text("warning")),
        test_weight=fields.decimal("test_weight", Decimal(0), **share),
        interview_weight=fields.decimal("interview_weight", Decimal(1), **share),
        hire_min_combined=fields.decimal("hire_min_combined", _PERCENT_MAX, **percent),
        no_hire_below_combined=fields.decimal("no_hire_below_combined", Decimal(0), **percent),
        summary=fields.text("summary"),
    )
    _check_decision(reader, fields, rules)
    return rules


def _read_bands(reader: NodeReader, fields: Fields) -> tuple[Band, ...]:
    bands: list[Band] = []
    entries = fields.entries("bands")
    for node, path in entries:
        entry = reader.fields(node, path, "band")
        band = Band(
            verdict=Verdict(entry.text("verdict") or Verdict.FAIL),
            min_percent=entry.decimal(
                "min_percent", Decimal(0), minimum=Decimal(0), maximum=_PERCENT_MAX
            ),
        )
        if entry.has("verdict") and band.verdict in {known.verdict for known in bands}:
            reader.report(
                entry.found["verdict"],
                entry.path_of("verdict"),
                f"the band '{band.verdict}' is given twice",
            )
        if entry.has("min_percent") and bands and band.min_percent >= bands[-1].min_percent:
            reader.report(
                entry.found["min_percent"],
                entry.path_of("min_percent"),
                "bands must be listed highest first: "
                f"{band.min_percent} is not below {bands[-1].min_percent}",
            )
        bands.append(band)
    if bands and bands[-1].min_percent != 0:
        node, path = entries[-1]
        reader.report(node, path, f"the last band must start at 0, not {bands[-1].min_percent}")
    return tuple(bands)


def _check_decision(reader: NodeReader, fields: Fields, rules: DecisionRules) -> None:
    if fields.has("test_weight") and fields.has("interview_weight"):
        total = rules.test_weight + rules.interview_weight
        if total != 1:
            reader.report(
                fields.found["interview_weight"],
                fields.path_of("interview_weight"),
                f"test_weight + interview_weight must be 1, got {rules.test_weight} + "
                f"{rules.interview_weight} = {total}",
            )
    if (
        fields.has("hire_min_combined")
        and fields.has("no_hire_below_combined")
        and rules.no_hire_below_combined > rules.hire_min_combined
    ):
        reader.report(
            fields.found["no_hire_below_combined"],
            fields.path_of("no_hire_below_combined"),
            f"must not be above hire_min_combined ({rules.hire_min_combined}), "
            f"got {rules.no_hire_below_combined}",
        )


# --- helpers ----------------------------------------------------------------------------------


def _child(reader: NodeReader, parent: Fields, name: str, definition_name: str = "") -> Fields:
    """The fields of the mapping in ``parent``'s field ``name`` (empty if it is missing).

    ``definition_name`` is the schema definition to check it against (default: ``name``).
    """
    node = parent.get(name)
    if node is None:
        return Fields(reader, parent.path_of(name), parent.node, {"properties": {}}, {})
    return reader.fields(node, parent.path_of(name), definition_name or name)


def _children(reader: NodeReader, parent: Fields, name: str, definition_name: str) -> list[Fields]:
    """The fields of each mapping in ``parent``'s list field ``name``."""
    return [reader.fields(node, path, definition_name) for node, path in parent.entries(name)]
