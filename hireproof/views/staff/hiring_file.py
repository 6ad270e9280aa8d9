"""The hiring file on screen, as a PDF and as JSON, and each decision's receipt.

Every page needs ``READ_CANDIDATES``. The PDF is WeasyPrint's print of the same template as
the page: nothing is fetched while rendering (the stylesheet is given as text and every URL is
refused), so a link typed into an answer or a note can never make the server open a connection.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_candidate, access_decision
from hireproof.hiring.reads.hiring_file import HiringFile, hiring_file, to_json
from hireproof.views.decorators import staff_view

PRINT_TEMPLATE = "decisions/hiring_file_print.html"
STYLESHEET = "decisions/hiring_file.css"


@require_GET
@staff_view
def hiring_file_page(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The hiring file on screen, with its PDF and JSON downloads."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    file = hiring_file(candidate)
    return render(request, "decisions/hiring_file.html", {"file": file, "page": file.page})


@require_GET
@staff_view
def hiring_file_pdf(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The hiring file as a PDF download."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    file = hiring_file(candidate)
    response = HttpResponse(render_pdf(file), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file.filename_stem}.pdf"'
    return response


@require_GET
@staff_view
def hiring_file_json(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The hiring file as a JSON download (the structure documented in its read model)."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    file = hiring_file(candidate)
    body = json.dumps(to_json(file), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{file.filename_stem}.json"'
    return response


@require_GET
@staff_view
def decision_receipt(
    request: HttpRequest, opening_id: int, candidate_id: int, decision_id: int
) -> HttpResponse:
    """The receipt of one ``decision.recorded`` event, as a JSON file."""
    decision = access_decision(
        request.user, opening_id, candidate_id, decision_id, Permission.READ_CANDIDATES
    )
    response = HttpResponse(decision.receipt_json, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="receipt-decision-{decision.pk}.json"'
    return response


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
