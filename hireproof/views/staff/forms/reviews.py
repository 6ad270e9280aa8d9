"""The reviewer's forms: the note that acknowledges a warning flag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from hireproof.hiring.actions.reviews import MAX_NOTE_CHARS, MIN_NOTE_CHARS


class AcknowledgeFlagForm(forms.Form):
    """A required note (what the reviewer checked) that acknowledges one warning flag."""

    note = forms.CharField(
        label="Your note",
        min_length=MIN_NOTE_CHARS,
        max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            f"At least {MIN_NOTE_CHARS} characters: what you checked, and why the candidate "
            "can move on despite this warning."
        ),
        error_messages={
            "required": "Write a note before acknowledging: what you checked, and why.",
            "min_length": (
                f"The note is too short: write at least {MIN_NOTE_CHARS} characters "
                "(it has %(show_value)d)."
            ),
            "max_length": (
                f"The note is too long: keep it under {MAX_NOTE_CHARS} characters "
                "(it has %(show_value)d)."
            ),
        },
    )

    def __init__(self, data: Mapping[str, Any] | None = None, *, item_id: str) -> None:
        # A prefix per item: the page holds one form per warning, and ids must stay unique.
        super().__init__(data, prefix=f"flag-{item_id}")
