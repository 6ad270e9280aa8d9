"""Sections that later stages add to the candidate page, without this app importing them.

The interviews and decisions apps register a panel in their ``AppConfig.ready()``; the candidate
page renders every registered panel, in registration order, after the written test's result.
A panel returns ``None`` to show nothing for this candidate or viewer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from hireproof.accounts.access import AnyUser
from hireproof.openings.models import Candidate


@dataclass(frozen=True)
class Panel:
    """A template and its context, shown on the candidate page."""

    template: str
    context: Mapping[str, Any]


PanelSource = Callable[[Candidate, AnyUser], Panel | None]
_SOURCES: list[PanelSource] = []


def add_candidate_panel(source: PanelSource) -> None:
    """Show ``source``'s panel on every candidate page (registering twice is harmless)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def render_panels(candidate: Candidate, request: HttpRequest) -> list[SafeString]:
    """The registered panels for this candidate and viewer, rendered."""
    rendered = []
    for source in _SOURCES:
        panel = source(candidate, request.user)
        if panel is not None:
            rendered.append(render_to_string(panel.template, dict(panel.context), request))
    return rendered
