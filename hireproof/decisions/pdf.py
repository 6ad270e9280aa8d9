"""The hiring file as PDF: WeasyPrint renders the same template as the page, for print.

Nothing is fetched while rendering: the stylesheet is inline and every other URL is refused,
so a link typed into an answer or a note can never make the server open a connection.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .hiring_file import HiringFile

PRINT_TEMPLATE = "decisions/hiring_file_print.html"


class FetchRefused(ValueError):
    """WeasyPrint asked for a URL while rendering; the hiring file needs none."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A WeasyPrint ``url_fetcher`` that refuses every URL."""
    raise FetchRefused(f"the hiring file fetches nothing (asked for {url[:80]})")


def render_pdf(file: HiringFile) -> bytes:
    """The PDF bytes of ``file``."""
    # Imported here: WeasyPrint loads Pango and fonts, which only this download needs.
    from weasyprint import HTML

    html = render_to_string(PRINT_TEMPLATE, {"file": file, "page": file.page})
    pdf: bytes = HTML(string=html, url_fetcher=refuse_fetch).write_pdf()
    return pdf
