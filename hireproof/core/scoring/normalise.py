"""Free-text normalisation that remembers where every character came from.

Free answers are compared after three steps, in this order:

1. Unicode NFKC, so full-width digits, ligatures and no-break spaces read as their plain forms
   (``"７０"`` is ``"70"``). It is applied to each character together with the combining marks
   that follow it, which is what lets every normalised character point back into the answer;
2. case folding (``str.casefold``: ``"Straße"`` matches ``"strasse"``);
3. every run of whitespace becomes one space, and leading and trailing whitespace is dropped.

Matching happens on the normalised text, but evidence is reported as offsets into the ORIGINAL
answer, so a page can highlight exactly what the candidate typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["Evidence", "NormalisedText", "is_text", "normalise"]


@dataclass(frozen=True)
class Evidence:
    """What a rule matched: the text as typed and its 0-based, half-open offsets in the answer."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class NormalisedText:
    """An answer's normalised ``text`` and, per normalised character, its span in ``original``.

    ``starts``/``ends`` are None when the two texts line up character for character (the common
    case of plain ASCII with single spaces), which saves building the map.
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def evidence(self, start: int, end: int) -> Evidence:
        """The evidence for the normalised span ``[start, end)``, located in the original text."""
        if self.starts is None or self.ends is None:
            return Evidence(self.original[start:end], start, end)
        first, last = self.starts[start], self.ends[end - 1]
        return Evidence(self.original[first:last], first, last)


def normalise(text: str) -> NormalisedText:
    """Normalise ``text`` (NFKC, case folding, whitespace collapsed) keeping an offset map."""
    if text.isascii():
        lowered = text.lower()  # for ASCII, lower() and casefold() agree; NFKC changes nothing
        if " ".join(lowered.split()) == lowered:  # no whitespace to collapse or trim
            return NormalisedText(text, lowered)
    return _normalise_with_map(text)


def is_text(value: str) -> bool:
    """Whether ``value`` is real Unicode text: no unpaired surrogate (JSON can smuggle one in
    as ``"\\ud800"``), so it can be written as UTF-8 and hashed."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _normalise_with_map(text: str) -> NormalisedText:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(text):
        for char in unicodedata.normalize("NFKC", text[start:end]).casefold():
            if char.isspace():
                if not chars or chars[-1] == " ":
                    continue  # leading whitespace, or the rest of a run already written
                char = " "
            chars.append(char)
            starts.append(start)
            ends.append(end)
    if chars and chars[-1] == " ":
        del chars[-1], starts[-1], ends[-1]
    return NormalisedText(text, "".join(chars), tuple(starts), tuple(ends))


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of one base character plus the combining marks after it (NFKC's unit of work)."""
    spans: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        if spans and unicodedata.combining(char):
            spans[-1] = (spans[-1][0], index + 1)
        else:
            spans.append((index, index + 1))
    return spans
