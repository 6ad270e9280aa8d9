"""``hireproof playbook``: validate, show, list playbooks and print the format's JSON Schema.

hireproof playbook validate FILE...                       check files; exit 2 if any is wrong
hireproof playbook show ID|FILE [--format text|markdown|json]   the hiring guide (staff view)
hireproof playbook schema                                 the JSON Schema of the YAML format
hireproof playbook list                                   the built-in playbooks
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

from hireproof.core.errors import PlaybookError, Problem
from hireproof.core.playbook import (
    Item,
    NumericItem,
    Option,
    Playbook,
    SingleChoiceItem,
    Skill,
    TextItem,
    builtin_ids,
    decimal_text,
    load_builtin,
    load_playbook,
    percent_text,
    playbook_schema,
    playbook_to_dict,
    rule_words,
    tolerance_words,
)
from hireproof.core.scoring import decimal_string, item_maxima

__all__ = ["ShowFormat", "register", "render_guide", "resolve_playbook"]

_WIDTH = 100


class ShowFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``hireproof playbook ...``."""
    parser = subparsers.add_parser("playbook", help="validate, show and list playbooks")
    commands = parser.add_subparsers(dest="playbook_command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check playbook files and print every problem")
    validate.add_argument("files", nargs="+", metavar="FILE", help="playbook YAML files")
    validate.set_defaults(handler=run_validate)

    show = commands.add_parser("show", help="show a playbook as a hiring guide (staff view)")
    show.add_argument("playbook", metavar="ID|FILE", help="a built-in playbook id or a YAML file")
    show.add_argument(
        "--format", choices=[choice.value for choice in ShowFormat], default=ShowFormat.TEXT.value
    )
    show.set_defaults(handler=run_show)

    schema = commands.add_parser("schema", help="print the JSON Schema of the playbook format")
    schema.set_defaults(handler=run_schema)

    listing = commands.add_parser("list", help="list the built-in playbooks")
    listing.set_defaults(handler=run_list)


def resolve_playbook(ref: str) -> Playbook:
    """A built-in playbook by id, or the playbook YAML file at the path ``ref``."""
    if ref in builtin_ids():
        return load_builtin(ref)
    if Path(ref).exists() or Path(ref).suffix:
        return load_playbook(ref)
    known = ", ".join(builtin_ids())
    message = f"no such file, and no built-in playbook by this name (built-ins: {known})"
    raise PlaybookError([Problem(ref, 0, 0, "", message)])


def run_validate(args: argparse.Namespace) -> int:
    """Print ``FILE: ok (id version, hash)`` or every problem of each file."""
    failed = False
    for name in args.files:
        try:
            playbook = load_playbook(name)
        except PlaybookError as error:
            failed = True
            for problem in error.problems:
                print(problem, file=sys.stderr)
            continue
        print(f"{name}: ok ({playbook.id} {playbook.version}, {playbook.hash})")
    return 2 if failed else 0


def run_show(args: argparse.Namespace) -> int:
    """Print a playbook as text, Markdown or JSON."""
    playbook = resolve_playbook(args.playbook)
    if args.format == ShowFormat.JSON:
        print(json.dumps(playbook_to_dict(playbook), indent=2, ensure_ascii=False))
    else:
        print(render_guide(playbook, markdown=args.format == ShowFormat.MARKDOWN), end="")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the playbook format."""
    print(json.dumps(playbook_schema(), indent=2, ensure_ascii=False))
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print each built-in playbook: id, version, title, hash prefix."""
    playbooks = [load_builtin(playbook_id) for playbook_id in builtin_ids()]
    width = max(len(playbook.id) for playbook in playbooks)
    for playbook in playbooks:
        print(
            f"{playbook.id:<{width}}  {playbook.version:<8}  {playbook.hash[:12]}  {playbook.title}"
        )
    return 0


# --- the hiring guide as text or Markdown -----------------------------------------------------


@dataclass
class _Guide:
    """Collects the guide's blocks; ``markdown`` chooses between Markdown and plain text."""

    markdown: bool
    blocks: list[str] = field(default_factory=list)

    def heading(self, level: int, text: str) -> None:
        if self.markdown:
            self.blocks.append(f"{'#' * level} {text}")
        elif level <= 2:
            self.blocks.append(f"{text}\n{('=' if level == 1 else '-') * len(text)}")
        else:
            self.blocks.append(f"[ {text} ]")

    def paragraph(self, text: str, label: str = "") -> None:
        if label:
            text = f"{self._strong(label + ':')} {text}"
        self.blocks.extend(_wrap(paragraph) for paragraph in text.split("\n\n"))

    def bullets(self, entries: list[str], label: str = "") -> None:
        lines = [
            textwrap.fill(
                entry, _WIDTH, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False
            )
            for entry in entries
        ]
        if label:
            lines.insert(0, self._strong(label + ":"))
        self.blocks.append("\n".join(lines))

    def named(self, name: str, description: str) -> str:
        return f"{self._strong(name + ':')} {description}"

    def render(self) -> str:
        return "\n\n".join(self.blocks) + "\n"

    def _strong(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text


def render_guide(playbook: Playbook, *, markdown: bool = False) -> str:
    """The whole hiring guide, for staff: role, assessment with keys, interview kit, rules."""
    guide = _Guide(markdown)
    _render_role(guide, playbook)
    _render_assessment(guide, playbook)
    _render_interview(guide, playbook)
    _render_decision(guide, playbook)
    return guide.render()


def _render_role(guide: _Guide, playbook: Playbook) -> None:
    role = playbook.role
    guide.heading(1, playbook.title)
    guide.bullets(
        [
            guide.named("Department", role.department),
            guide.named("Level", role.level),
            guide.named("Playbook", f"{playbook.id} {playbook.version}"),
            guide.named("Hash", playbook.hash),
        ]
    )
    guide.paragraph(role.summary)
    guide.heading(2, "Role overview")
    guide.paragraph(role.overview)
    guide.heading(2, "Core responsibilities")
    guide.bullets([guide.named(entry.title, entry.description) for entry in role.responsibilities])
    guide.heading(2, "Must-have skills")
    groups: list[tuple[str, tuple[Skill, ...]]] = [
        ("Soft skills", role.skills.soft),
        ("Attitude & work ethic", role.skills.attitude),
        ("Technical (hard) skills", role.skills.technical),
    ]
    for title, skills in groups:
        guide.heading(3, title)
        guide.bullets([guide.named(skill.name, skill.description) for skill in skills])
    if role.tools:
        guide.heading(2, "Tools & systems")
        guide.bullets([guide.named(group.name, group.description) for group in role.tools])
    if role.when_to_use:
        guide.heading(2, "When to use this playbook")
        guide.paragraph(role.when_to_use)


def _render_assessment(guide: _Guide, playbook: Playbook) -> None:
    assessment = playbook.assessment
    guide.heading(2, f"Written assessment: {assessment.title}")
    guide.paragraph(f"{assessment.time_limit_minutes} minutes", label="Time limit")
    guide.paragraph(assessment.notice, label="Notice shown to candidates up front")
    guide.paragraph(assessment.instructions, label="Instructions")
    guide.bullets(
        [
            f"{section.title} ({section.id}): weight {decimal_text(section.weight)}"
            + (f" - {section.description}" if section.description else "")
            for section in assessment.sections
        ],
        label="Sections",
    )
    # What each item is worth in the whole test (its section's weight shared by its items), so
    # a weighted playbook does not read as "1 point" for an item worth 3 of 10.
    maxima = item_maxima(playbook)
    total = sum((Fraction(section.weight) for section in assessment.sections), Fraction(0))
    for number, item in enumerate(assessment.items, start=1):
        worth = f"{_exact_points(maxima[item.id])} of {_exact_points(total)} points"
        _render_item(guide, playbook, number, item, worth)


def _exact_points(value: Fraction) -> str:
    """``3``, ``0.5``, or ``2/3`` when the decimal never ends."""
    text = decimal_string(value)
    return text if Fraction(text) == value else f"{value.numerator}/{value.denominator}"


def _render_item(guide: _Guide, playbook: Playbook, number: int, item: Item, worth: str) -> None:
    section = playbook.section(item.section).title
    guide.heading(3, f"{number}. {item.id} ({section}, {item.kind}, {worth})")
    guide.paragraph(item.prompt)
    if isinstance(item, SingleChoiceItem):
        guide.bullets([_option_line(option) for option in item.options], label="Options")
        guide.paragraph(item.correct, label="Correct option")
    elif isinstance(item, NumericItem):
        key = f"{decimal_text(item.key)} {tolerance_words(item.tolerance)}"
        guide.paragraph(key, label="Key")
    elif isinstance(item, TextItem):
        guide.paragraph(f"the answer {rule_words(item.rule)}", label="Rule")
    guide.paragraph(item.answer_key, label="Answer key")
    guide.paragraph(item.grading, label="Grading")
    if item.rationale:
        guide.paragraph(item.rationale, label="Rationale")
    if item.audit_note:
        guide.paragraph(item.audit_note, label="Audit note")
    examples = item.examples
    if examples.accept or examples.reject:
        guide.bullets(
            [
                f"accept: {_quoted(examples.accept)}",
                f"reject: {_quoted(examples.reject)}",
            ],
            label="Rubric examples (checked when the playbook loads)",
        )


def _render_interview(guide: _Guide, playbook: Playbook) -> None:
    kit = playbook.interview
    guide.heading(2, "Interview kit")
    scale = ", ".join(f"{anchor.value} {anchor.label}" for anchor in kit.scale)
    guide.paragraph(scale, label="Rating scale")
    for number, question in enumerate(kit.questions, start=1):
        guide.heading(3, f"Q{number}. {question.competency} ({question.id})")
        guide.paragraph(question.text)
        guide.bullets(list(question.look_for), label="Look for")
        guide.paragraph(question.strong_answer, label="Strong answer")
        guide.paragraph(question.weak_answer, label="Weak answer")
        if question.red_flags:
            flags = [f"{flag.text} ({flag.id})" for flag in question.red_flags]
            guide.bullets(flags, label="Red flags")


def _render_decision(guide: _Guide, playbook: Playbook) -> None:
    rules = playbook.decision
    guide.heading(2, "Decision rules")
    bands = [f"{band.verdict}: {decimal_text(band.min_percent)}% or more" for band in rules.bands]
    guide.bullets(bands, label="Test bands (on the exact percent of points)")
    guide.paragraph(rules.red_flags.critical, label="Critical red flags")
    guide.paragraph(rules.red_flags.warning, label="Warning red flags")
    guide.paragraph(
        f"{percent_text(rules.test_weight)} test + "
        f"{percent_text(rules.interview_weight)} interview; "
        f"hire needs at least {decimal_text(rules.hire_min_combined)}%, "
        f"below {decimal_text(rules.no_hire_below_combined)}% is no hire",
        label="Combined score",
    )
    if rules.summary:
        guide.paragraph(rules.summary, label="Scoring guidance")


# --- words ------------------------------------------------------------------------------------


def _wrap(paragraph: str) -> str:
    """Wrap prose to the terminal width; keep indented lines (code) exactly as written."""
    lines = paragraph.splitlines()
    if any(line.startswith("    ") for line in lines):
        return paragraph
    return textwrap.fill(" ".join(line.strip() for line in lines), _WIDTH, break_on_hyphens=False)


def _option_line(option: Option) -> str:
    line = f"{option.id}. {option.text}"
    if option.red_flag is not None:
        line += f" [red flag, {option.red_flag.severity}: {option.red_flag.reason}]"
    return line


def _quoted(answers: tuple[str, ...]) -> str:
    return ", ".join(json.dumps(answer, ensure_ascii=False) for answer in answers) or "(none)"
