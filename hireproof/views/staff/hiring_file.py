"""The hiring file on screen, as a PDF and as JSON, and each decision's receipt.

Every page needs ``READ_CANDIDATES``. The PDF is ``hiring.reads.hiring_file_pdf``'s print of
the same template as the page, which fetches nothing while rendering.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_candidate, access_decision
from hireproof.hiring.reads.hiring_file import hiring_file, to_json
from hireproof.hiring.reads.hiring_file_pdf import render_pdf
from hireproof.views.decorators import staff_view


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
