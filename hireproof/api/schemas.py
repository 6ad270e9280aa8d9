"""Shapes the API reads and writes, and the text types every field of a request goes through.

A line of text (a name, a title) may hold no control character and no line separator; a
longer text (a reason, an email body, a YAML file) may hold newlines and tabs but no other
control character. A NUL is refused everywhere: no text anyone types holds one, and
PostgreSQL refuses to store it.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field

_REFUSED_IN_LINES = {"Cc", "Zl", "Zp"}
_ALLOWED_IN_TEXT = {"\n", "\r", "\t"}


def _line(value: str) -> str:
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in _REFUSED_IN_LINES:
            raise ValueError(
                f"character {position} is U+{ord(char):04X}, which a one-line text may not hold"
            )
    return value.strip()


def _text(value: str) -> str:
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_IN_TEXT:
            raise ValueError(f"character {position} is U+{ord(char):04X}, a control character")
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError(f"character {position} is a lone surrogate, not text")
    return value


OneLine = Annotated[str, AfterValidator(_line)]
"""A one-line text; its length is set where it is used (``Field(max_length=...)``)."""

LongText = Annotated[str, AfterValidator(_text)]
"""A text that may span lines."""


class PlaybookRef(Schema):
    """A published playbook version."""

    playbook_id: str
    version: str
    hash: str


MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row's id in a path: a positive 64-bit integer (anything else is a 422, never a 500)."""
