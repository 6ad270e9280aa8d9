"""Staff-editable message templates (invitations, interview notices, decision notices).

Templates use ``{name}``-style placeholders, but they are filled by this small renderer, not by
``str.format``: a template is typed by staff, and ``str.format`` would let ``{name.__class__}``
reach into Python objects. Only the bare names a template allows are accepted; ``{{`` and ``}}``
stand for literal braces, as in ``str.format``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

__all__ = ["TemplateProblem", "check_template", "fill_template"]


class TemplateProblem(ValueError):
    """A template that cannot be filled in; ``str()`` says what and how to fix it."""


def check_template(text: str, placeholders: Sequence[str]) -> None:
    """Raise ``TemplateProblem`` naming the first unknown or malformed placeholder in ``text``."""
    _pieces(text, placeholders)


def fill_template(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every placeholder replaced by its value; the keys are the allowed names."""
    return "".join(
        literal + (values[field] if field is not None else "")
        for literal, field in _pieces(text, tuple(values))
    )


def _pieces(text: str, placeholders: Sequence[str]) -> list[tuple[str, str | None]]:
    listed = ", ".join("{" + name + "}" for name in placeholders)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise TemplateProblem(
            f"A '{{' or '}}' is not part of a placeholder. Write placeholders like "
            f"{{{placeholders[0]}}}; for a literal brace, write {{{{ or }}}}."
        ) from None
    pieces: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is not None and (field not in placeholders or spec or conversion):
            shown = "{" + field + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise TemplateProblem(f"Unknown placeholder {shown}. The placeholders are {listed}.")
        pieces.append((literal, field))
    return pieces
