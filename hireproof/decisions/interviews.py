"""The interviews app, as this app reads it (``hireproof.interviews.services``, its contract).

- ``core_scorecards(candidate)``: the latest submitted scorecards as core ``InterviewScorecard``;
- ``scorecard_rows_for_file(candidate)``: every version of every scorecard, for the hiring file;
- ``interview_status(candidate)``: how many interviews are assigned, and how many scored.

Until that app is installed they give nothing, and the recommendation is the test's alone.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps

from hireproof.core.scoring import InterviewScorecard
from hireproof.openings.models import Candidate

SERVICES = "hireproof.interviews.services"


@dataclass(frozen=True)
class InterviewRow:
    """One version of one interviewer's scorecard, as the interviews app reports it."""

    interviewer: str
    version: int
    submitted_at: datetime | None
    ratings: dict[str, Any]
    red_flags: tuple[str, ...]
    notes: str
    amendment_reason: str
    assignment_cancelled: bool  # a cancelled assignment's scorecards no longer count


def interviews_installed() -> bool:
    """True once the interviews app and its services module are there."""
    return (
        apps.is_installed("hireproof.interviews") and importlib.util.find_spec(SERVICES) is not None
    )


def interview_scorecards(candidate: Candidate) -> list[InterviewScorecard]:
    """The candidate's submitted interview scorecards as the core reads them (latest versions)."""
    if not interviews_installed():
        return []
    return list(importlib.import_module(SERVICES).core_scorecards(candidate))


@dataclass(frozen=True)
class InterviewProgress:
    """How many interviewers are assigned to a candidate and how many have submitted."""

    assigned: int
    submitted: int

    @property
    def waiting(self) -> int:
        """Assigned interviewers whose scorecard is not in yet."""
        return self.assigned - self.submitted


def interview_progress(candidate: Candidate) -> InterviewProgress:
    """The candidate's active interview assignments and how many have a scorecard."""
    if not interviews_installed():
        return InterviewProgress(0, 0)
    assigned, submitted = importlib.import_module(SERVICES).interview_status(candidate)
    return InterviewProgress(int(assigned), int(submitted))


def interview_rows(candidate: Candidate) -> list[InterviewRow]:
    """Every version of every interview scorecard about ``candidate``, for the hiring file."""
    if not interviews_installed():
        return []
    rows = importlib.import_module(SERVICES).scorecard_rows_for_file(candidate)
    return [_interview_row(row) for row in rows]


def _interview_row(row: Any) -> InterviewRow:
    # The rows may be mappings or objects with these attributes; both are read the same way.
    def get(name: str, default: Any = None) -> Any:
        if isinstance(row, Mapping):
            return row.get(name, default)
        return getattr(row, name, default)

    interviewer = get("interviewer", "")
    return InterviewRow(
        interviewer=getattr(interviewer, "full_name", None) or str(interviewer),
        version=int(get("version", 1) or 1),
        submitted_at=get("submitted_at"),
        ratings=dict(get("ratings", {}) or {}),
        red_flags=tuple(str(flag) for flag in get("red_flags", ()) or ()),
        notes=str(get("notes", "") or ""),
        amendment_reason=str(get("amendment_reason", "") or ""),
        assignment_cancelled=bool(get("assignment_cancelled", False)),
    )
