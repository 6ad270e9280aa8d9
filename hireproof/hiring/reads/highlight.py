"""The candidate's answer as HTML with the scorer's evidence marked: ``<mark>`` on each span.

Evidence offsets are 0-based, half-open, in characters of the answer exactly as it was scored
(``hireproof.core.scoring.normalise``). Every piece of the answer is HTML-escaped on its own,
so a mark never splits an entity like ``&amp;`` and nothing the candidate typed becomes markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hireproof.core.scoring import Evidence


def evidence_spans(answer: str, evidence: Iterable[Evidence]) -> list[tuple[int, int]]:
    """The evidence spans that really point into ``answer``, sorted, overlaps merged.

    A span whose text does not match the answer at its offsets is dropped rather than marking
    the wrong characters (it cannot happen for an answer scored as stored; this is a guard).
    """
    spans = sorted(
        (e.start, e.end)
        for e in evidence
        if 0 <= e.start < e.end <= len(answer) and answer[e.start : e.end] == e.text
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight_evidence(answer: str, evidence: Iterable[Evidence]) -> SafeString:
    """``answer`` HTML-escaped, with each evidence span wrapped in ``<mark>``."""
    pieces: list[str] = []
    position = 0
    for start, end in evidence_spans(answer, evidence):
        pieces.append(escape(answer[position:start]))
        pieces.append(f"<mark>{escape(answer[start:end])}</mark>")
        position = end
    pieces.append(escape(answer[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped
