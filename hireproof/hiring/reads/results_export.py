"""An opening's results as a CSV file, for companies without an applicant tracking system.

One row per candidate the pipeline's filters keep (``reads.pipeline``: the same search, stage,
verdict and review filters, in the same order): the candidate's id, name and email, stage,
when they were invited, started and submitted, the score, verdict, each section's percent, the
flag count and the recommendation (``hiring.ats.facts.scored_result``, what an ATS is told),
the decision in force, and the playbook version the opening is pinned to. Never an answer, an
answer key or a rubric. An erased candidate keeps only their id and stage.

The file is written as it is sent: the candidates' ids are read first, in the page's order, in
one query; then each ``CHUNK`` of them is read with the pipeline's row query (stage,
invitation, attempt with its scorecard) and their decisions in force (one more query), and
only those names are unsealed. Memory stays flat whatever the opening's size.

Each cell is safe to open in a spreadsheet (``spreadsheet_safe``: no formula), and the text
starts with a byte order mark so Excel reads it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.text import slugify

from hireproof.hiring.ats.facts import scored_result
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.reads.candidate_page import RECOMMENDATION_LABELS
from hireproof.hiring.reads.pipeline import (
    PipelineQuery,
    decision_marks,
    in_order,
    matching_candidates,
    pipeline_row,
    spreadsheet_safe,
    with_rows,
)
from hireproof.hiring.reads.playbook_guide import verdict_label

CHUNK = 500
"""Candidates read, unsealed and written at a time."""

BOM = "\ufeff"
LEADING_COLUMNS = (
    "candidate_id",
    "name",
    "email",
    "stage",
    "invited_at",
    "started_at",
    "submitted_at",
    "score_percent",
    "verdict",
)
TRAILING_COLUMNS = (
    "flags",
    "recommendation",
    "decision",
    "playbook_id",
    "playbook_version",
    "playbook_hash",
)
FILTERS = ("status", "verdict", "review")
"""The pipeline's filters an export carries (and records); the search is carried but never
recorded, since its text may be a name."""


class ExportRefused(Exception):
    """A filter of the export is not one the pipeline understands; ``str()`` names it."""


def export_query(params: Mapping[str, str]) -> PipelineQuery:
    """The pipeline's query an export was asked with (``q``, ``status``, ``verdict``,
    ``review``, ``sort``); ``ExportRefused`` naming each value it cannot use (an export never
    quietly leaves a filter out: the file would hold candidates the user did not ask for)."""
    query = PipelineQuery.from_params(params)
    if query.ignored:
        raise ExportRefused(" ".join(query.ignored).replace(" It was left out.", ""))
    return query


@dataclass(frozen=True)
class ResultsExport:
    """The candidates an export holds, in order, and how to write them."""

    opening: Opening
    query: PipelineQuery
    now: datetime
    ids: list[int]
    sections: list[str]

    @property
    def count(self) -> int:
        """How many candidates the file holds."""
        return len(self.ids)

    @property
    def filename(self) -> str:
        """``<opening title>-results-<date>.csv``, the title as a slug."""
        slug = slugify(self.opening.title)[:60].strip("-") or f"opening-{self.opening.pk}"
        return f"{slug}-results-{self.now.astimezone(UTC):%Y-%m-%d}.csv"

    @property
    def filters(self) -> dict[str, str]:
        """The filters used, as the audit event records them (the search is not one)."""
        return {k: v for k, v in self.query.filter_params().items() if k in FILTERS}

    @property
    def columns(self) -> list[str]:
        """The header: fixed columns, one ``section_<id>_percent`` per section, fixed again."""
        sections = [f"section_{section}_percent" for section in self.sections]
        return [*LEADING_COLUMNS, *sections, *TRAILING_COLUMNS]

    def lines(self) -> Iterator[str]:
        """The file, a line at a time (the first begins with the byte order mark)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def line(cells: Iterable[str]) -> str:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
            return buffer.getvalue()

        yield BOM + line(self.columns)
        for start in range(0, len(self.ids), CHUNK):
            for candidate, decision in self._chunk(self.ids[start : start + CHUNK]):
                yield line(self._cells(candidate, decision))

    def chunks(self) -> Iterator[bytes]:
        """The file as UTF-8 bytes, a line at a time (what a streamed response sends)."""
        return (line.encode("utf-8") for line in self.lines())

    def _chunk(self, ids: list[int]) -> list[tuple[Candidate, str]]:
        """The candidates of ``ids`` with what a row shows, in the order of ``ids``."""
        chosen = Candidate.objects.filter(pk__in=ids)
        read = {c.pk: c for c in with_rows(chosen, self.query, self.now, scorecards=True)}
        marks = decision_marks(ids)
        return [
            (read[pk], marks[pk].label if pk in marks else "")
            for pk in ids
            if pk in read  # a candidate deleted since the ids were read is left out
        ]

    def _cells(self, candidate: Candidate, decision: str) -> list[str]:
        row = pipeline_row(candidate, None, None)
        version = self.opening.playbook_version
        pinned = [version.playbook_id, version.version, version.content_hash]
        if candidate.is_erased:
            blank = [""] * (len(self.columns) - 7)  # all but the id, stage and playbook
            return [str(candidate.pk), "", "", str(row.stage.label), *blank, *pinned]
        invitation = row.invitation
        attempt = getattr(invitation, "attempt", None) if invitation is not None else None
        result = scored_result(attempt)
        sections = result.sections if result is not None else {}
        return [
            str(candidate.pk),
            row.name,
            candidate.email,
            str(row.stage.label),
            _time(invitation.sent_at if invitation is not None else None),
            _time(attempt.started_at if attempt is not None else None),
            _time(attempt.submitted_at if attempt is not None else None),
            "" if row.score_percent is None else str(row.score_percent),
            verdict_label(row.verdict),
            *(sections.get(section, "") for section in self.sections),
            "" if result is None else str(result.flags),
            "" if result is None else RECOMMENDATION_LABELS.get(result.recommendation, ""),
            decision,
            *pinned,
        ]


def _time(moment: datetime | None) -> str:
    """A time as ISO 8601 in UTC, to the second ("" for none)."""
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def results_export(opening: Opening, query: PipelineQuery, now: datetime) -> ResultsExport:
    """The export of ``opening``'s candidates that ``query`` keeps, in its order (their ids
    read now, in one query; the rows as the file is written)."""
    chosen = in_order(matching_candidates(opening, query, now, staged=False), query)
    ids = list(chosen.values_list("pk", flat=True))
    playbook = opening.playbook_version.load()
    sections = [section.id for section in playbook.assessment.sections]
    return ResultsExport(opening, query, now, ids, sections)
