"""The hiring file on screen, as a PDF and as JSON, and each decision's receipt.

Every page needs ``READ_CANDIDATES``. The PDF is WeasyPrint's print of the same template as the
page, prepared by a background task (``hireproof.hiring.pdf``): "Prepare the PDF" (a POST) asks
for it, the page's PDF panel says "being prepared" and looks again every few seconds (htmx),
and the download serves the stored file once it is ready. A GET never prepares anything.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_candidate, access_decision
from hireproof.hiring.pdf import pdf_bytes, pdf_state, request_pdf
from hireproof.hiring.reads.hiring_file import hiring_file, to_json
from hireproof.views.decorators import staff_view

PDF_PANEL = "decisions/_hiring_file_pdf.html"


@require_GET
@staff_view
def hiring_file_page(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The hiring file on screen, with its PDF (prepared on request) and JSON downloads."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    file = hiring_file(candidate)
    context = {"file": file, "page": file.page, "pdf": pdf_state(file)}
    return render(request, "decisions/hiring_file.html", context)


@require_GET
@staff_view
def hiring_file_pdf(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The prepared PDF as a download; until it is ready, a page saying where it stands (it
    looks again every few seconds while it is being prepared)."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    file = hiring_file(candidate)
    state = pdf_state(file)
    if not state.ready or state.stored is None:
        context = {"file": file, "page": file.page, "pdf": state}
        return render(request, "decisions/hiring_file_pdf.html", context)
    response = HttpResponse(pdf_bytes(candidate, state.stored), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file.filename_stem}.pdf"'
    return response


@require_GET
@staff_view
def hiring_file_pdf_panel(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The PDF panel alone: what the page's htmx asks for while the PDF is being prepared."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    file = hiring_file(candidate)
    return render(request, PDF_PANEL, {"file": file, "page": file.page, "pdf": pdf_state(file)})


@require_POST
@staff_view
def hiring_file_pdf_prepare(
    request: HttpRequest, opening_id: int, candidate_id: int
) -> HttpResponse:
    """Have the PDF prepared (again), then back to the hiring file, which shows its progress."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    request_pdf(candidate)
    page = reverse("decisions:file", args=[candidate.opening_id, candidate.pk])
    return redirect(f"{page}#pdf")


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
