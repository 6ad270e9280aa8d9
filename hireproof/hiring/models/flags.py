"""An attempt's red flags as reviewers see them, and the gate they put before interviews.

A ``warning`` flag is open until a reviewer acknowledges it with a note. A ``critical`` flag is
never "acknowledged away": it made the verdict ``critical_fail`` and keeps the candidate from
moving on. ``can_move_on`` is what the next stages (interviews, an advancing decision) ask; a
decision to reject needs no gate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hireproof.core.playbook import Severity
from hireproof.core.scoring import Scorecard, scorecard_from_dict
from hireproof.hiring.models.attempts import Attempt, attempt_of
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.reviews import FlagAcknowledgement


@dataclass(frozen=True)
class ReviewFlag:
    """One red flag raised by an answer, with its acknowledgement if a reviewer gave one."""

    item_id: str
    severity: Severity
    reason: str
    acknowledgement: FlagAcknowledgement | None = None

    @property
    def is_critical(self) -> bool:
        """True for a disqualifying flag: shown prominently, never acknowledged."""
        return self.severity is Severity.CRITICAL

    @property
    def is_open(self) -> bool:
        """True for a warning no reviewer has acknowledged yet."""
        return self.severity is Severity.WARNING and self.acknowledgement is None


def stored_scorecard(attempt: Attempt) -> Scorecard | None:
    """The attempt's scorecard, or ``None`` before scoring and after erasure cleared its text.

    ``scorecard_from_dict`` refuses a stored card whose content no longer matches its hash.
    """
    if not attempt.scorecard_json:
        return None
    # Several panels of one page ask for it: parse and hash-check the stored text once per
    # attempt object (a new request loads a new object, so nothing stale is kept).
    cached = attempt.parsed_scorecard
    if cached is None or cached[0] != attempt.scorecard_json:
        cached = (attempt.scorecard_json, scorecard_from_dict(json.loads(attempt.scorecard_json)))
        attempt.parsed_scorecard = cached
    return cached[1]


def attempt_flags(
    attempt: Attempt,
    scorecard: Scorecard | None = None,
    acknowledgements: Iterable[FlagAcknowledgement] | None = None,
) -> list[ReviewFlag]:
    """Every red flag of the attempt, in the playbook's item order, with acknowledgements.

    Pass the ``scorecard`` and ``acknowledgements`` already loaded to avoid reading them again.
    """
    card = scorecard if scorecard is not None else stored_scorecard(attempt)
    if card is None:
        return []
    if acknowledgements is None:
        acknowledgements = FlagAcknowledgement.objects.filter(attempt=attempt)
    by_item: Mapping[str, FlagAcknowledgement] = {a.item_id: a for a in acknowledgements}
    return [
        ReviewFlag(
            flag.item,
            flag.severity,
            flag.reason,
            by_item.get(flag.item) if flag.severity is Severity.WARNING else None,
        )
        for flag in card.flags
    ]


def open_flags(attempt: Attempt) -> list[ReviewFlag]:
    """The warning flags no reviewer has acknowledged yet."""
    return [flag for flag in attempt_flags(attempt) if flag.is_open]


def can_move_on(attempt: Attempt) -> bool:
    """True when the scored attempt has no critical flag and every warning is acknowledged.

    False before scoring, and after the candidate's data was erased (nothing is left to review).
    """
    card = stored_scorecard(attempt)
    if card is None:
        return False
    return not any(flag.is_critical or flag.is_open for flag in attempt_flags(attempt, card))


def why_not_ready(candidate: Candidate) -> str | None:
    """Why interviews cannot be assigned to ``candidate`` yet, in plain words; ``None`` if
    they can: the written test is scored and ``can_move_on`` says yes."""
    if candidate.is_erased:
        return "This candidate's personal data was erased: they cannot be interviewed."
    attempt = attempt_of(candidate)
    if attempt is None or not attempt.scorecard_hash:
        return (
            "The written test is not scored yet: interviews can be assigned once the "
            "candidate has submitted it and it is scored."
        )
    if can_move_on(attempt):
        return None
    # Not ready: read the flags again to say which kind holds the candidate back.
    flags = attempt_flags(attempt)
    if any(flag.is_critical for flag in flags):
        return (
            "The written test has a critical red flag (critical fail): the candidate cannot "
            "move on to interviews."
        )
    waiting = sum(1 for flag in flags if flag.is_open)
    return (
        f"The written test has {waiting} warning flag{'s' if waiting != 1 else ''} that a "
        "reviewer must acknowledge first, on the candidate page."
    )
