"""The hiring file as a PDF: WeasyPrint's print of the page's own template.

Nothing is fetched while rendering (the stylesheet is given as text and every URL is refused),
so a link typed into an answer or a note can never make the server open a connection. The page
and the API both download this one print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from hireproof.hiring.reads.hiring_file import HiringFile

PRINT_TEMPLATE = "decisions/hiring_file_print.html"
STYLESHEET = "decisions/hiring_file.css"


class FetchRefused(ValueError):
    """WeasyPrint asked for a URL while rendering; the hiring file needs none."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A WeasyPrint ``url_fetcher`` that refuses every URL."""
    raise FetchRefused(f"the hiring file fetches nothing (asked for {url[:80]})")


def render_pdf(file: HiringFile) -> bytes:
    """The PDF bytes of ``file``."""
    # Imported here: WeasyPrint loads Pango and fonts, which only this download needs.
    from weasyprint import CSS, HTML

    html = render_to_string(PRINT_TEMPLATE, {"file": file, "page": file.page})
    # The page's own stylesheet (a static file: the web page links it, as the CSP allows no
    # inline style), given to WeasyPrint as text: it fetches nothing.
    stylesheet = CSS(
        string=Path(str(finders.find(STYLESHEET))).read_text(), url_fetcher=refuse_fetch
    )
    pdf: bytes = HTML(string=html, url_fetcher=refuse_fetch).write_pdf(stylesheets=[stylesheet])
    return pdf
