"""What a candidate is shown of a playbook: prompts and option texts, never the key.

Templates get these small objects instead of the playbook's items, so no answer key, grading
rule, rationale, audit note, red flag or "correct" option can reach a candidate's page by a
slip in a template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hireproof.core.audit import Receipt
from hireproof.core.playbook import ItemKind, Playbook, Section, SingleChoiceItem
from hireproof.hiring.models.attempts import Answer
from hireproof.hiring.models.candidates import Invitation


@dataclass(frozen=True)
class CandidateOption:
    """One option of a single-choice question, as the candidate sees it."""

    id: str
    text: str
    checked: bool


@dataclass(frozen=True)
class CandidateItem:
    """One question as the candidate sees it, with their current answer and its save state."""

    number: int
    id: str
    section: str
    kind: ItemKind
    prompt: str
    options: tuple[CandidateOption, ...]
    value: str
    saved_at: datetime | None
    error: str

    @property
    def is_choice(self) -> bool:
        """True for a question answered by choosing one option."""
        return self.kind is ItemKind.SINGLE_CHOICE

    @property
    def is_text(self) -> bool:
        """True for a question answered in words (a text area)."""
        return self.kind is ItemKind.TEXT


@dataclass(frozen=True)
class SectionGroup:
    """A section of the assessment and the questions shown in it."""

    section: Section
    items: tuple[CandidateItem, ...]


def candidate_items(
    playbook: Playbook,
    answers: Mapping[str, str],
    saved: Mapping[str, Answer],
    errors: Mapping[str, str],
) -> list[CandidateItem]:
    """Every question in the playbook's order, with the answer shown in its field."""
    items = []
    for number, item in enumerate(playbook.assessment.items, start=1):
        value = answers.get(item.id, "")
        options: tuple[CandidateOption, ...] = ()
        if isinstance(item, SingleChoiceItem):
            options = tuple(CandidateOption(o.id, o.text, o.id == value) for o in item.options)
        answer = saved.get(item.id)
        items.append(
            CandidateItem(
                number=number,
                id=item.id,
                section=item.section,
                kind=item.kind,
                prompt=item.prompt,
                options=options,
                value=value,
                saved_at=answer.saved_at if answer else None,
                error=errors.get(item.id, ""),
            )
        )
    return items


def grouped_by_section(playbook: Playbook, items: Sequence[CandidateItem]) -> list[SectionGroup]:
    """The items under their sections, in the playbook's section order; empty sections left out."""
    groups = []
    for section in playbook.assessment.sections:
        members = tuple(item for item in items if item.section == section.id)
        if members:
            groups.append(SectionGroup(section, members))
    return groups


@dataclass(frozen=True)
class StartFacts:
    """Everything the start page tells the candidate before the clock starts."""

    role: str
    candidate_name: str
    time_limit_minutes: int
    total_time: str
    extended: bool
    question_count: int
    section_count: int
    instructions: str
    notice: str
    contact_name: str
    contact_email: str
    expires_at: datetime
    extension_disclosed: bool


def start_page_facts(invitation: Invitation, playbook: Playbook) -> StartFacts:
    """The start page's facts for this invitation and its pinned playbook."""
    opening = invitation.candidate.opening
    limit = playbook.assessment.time_limit_minutes
    allowance = invitation.allowance(limit)
    return StartFacts(
        role=opening.title,
        candidate_name=invitation.candidate.name,
        time_limit_minutes=limit,
        total_time=duration_words(allowance.total),
        extended=allowance.is_extended,
        question_count=len(playbook.assessment.items),
        section_count=len(playbook.assessment.sections),
        instructions=playbook.assessment.instructions,
        notice=playbook.assessment.notice,
        contact_name=opening.created_by.full_name,
        contact_email=opening.created_by.email,
        expires_at=invitation.expires_at,
        extension_disclosed=invitation.extension_disclosed,
    )


def duration_words(duration: timedelta) -> str:
    """``"45 minutes"``, ``"37 minutes 30 seconds"``, ``"1 minute"``."""
    minutes, seconds = divmod(int(duration.total_seconds()), 60)
    words = f"{minutes} minute" + ("" if minutes == 1 else "s")
    if seconds:
        words += f" {seconds} second" + ("" if seconds == 1 else "s")
    return words


def clock_text(seconds: int) -> str:
    """``"29:59"``, ``"1:05:00"``: the countdown as the page first shows it (before any script)."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def candidate_receipt(receipt_json: str) -> str:
    """The receipt the candidate downloads: the stored one without the leaf's text.

    The scored leaf names the verdict; a candidate learns their result from the hiring team,
    after a person has reviewed it, not from a file. The leaf hash and its inclusion proof stay,
    so the receipt still proves that exactly this record is in the signed log: when the record
    is disclosed later (an export), it must hash to the value the candidate holds.
    """
    return replace(Receipt.from_json(receipt_json), leaf=None).to_json()
