"""Columns that later stages add to the pipeline, without this app importing them.

An app registers a column in its ``AppConfig.ready()``: a header and a function that renders
the cells of many candidates at once (one query for the whole page, never one per row).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString


@dataclass(frozen=True)
class PipelineColumn:
    """A pipeline column: its header and ``cells(candidate_ids) -> {candidate id: HTML}``."""

    header: str
    cells: Callable[[Sequence[int]], Mapping[int, SafeString]]


_COLUMNS: list[PipelineColumn] = []


def add_pipeline_column(column: PipelineColumn) -> None:
    """Show ``column`` on every pipeline page (registering twice is harmless)."""
    if column not in _COLUMNS:
        _COLUMNS.append(column)


def extra_columns(candidate_ids: Sequence[int]) -> tuple[list[str], list[list[SafeString]]]:
    """The registered headers, and per candidate (in order) the cells under them."""
    headers = [column.header for column in _COLUMNS]
    rendered = [column.cells(candidate_ids) for column in _COLUMNS]
    empty = SafeString("")
    return headers, [[cells.get(pk, empty) for cells in rendered] for pk in candidate_ids]
