"""The candidate page and the reviewer's actions on it: parse, ask the access funnel, act, render.

Reading needs ``READ_CANDIDATES``; acknowledging a flag ``REVIEW_FLAGS``. The page shows the
candidate's interviews and the decision panel too, each built by its read model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_candidate, access_scored_attempt, may
from hireproof.hiring.actions.reviews import ReviewRefused, do_acknowledge_flag
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.flags import attempt_flags
from hireproof.hiring.reads.candidate_page import CandidatePage, candidate_page, receipt_filename
from hireproof.hiring.reads.decision_panel import decision_panel
from hireproof.hiring.reads.interviews import interviews_panel
from hireproof.views.decorators import staff_view
from hireproof.views.staff.decisions import with_decision_forms
from hireproof.views.staff.forms.reviews import AcknowledgeFlagForm
from hireproof.views.staff.http import CONFLICT, acting_user

Posted = Mapping[str, AcknowledgeFlagForm]


@require_GET
@staff_view
def candidate_detail(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Everything about one candidate: answers, scoring, flags, signals, timeline, receipt,
    interviews and the decision."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    return _render_page(request, candidate, {})


@require_POST
@staff_view
def acknowledge_flag(
    request: HttpRequest, opening_id: int, candidate_id: int, item_id: str
) -> HttpResponse:
    """Acknowledge one warning flag with a note; htmx gets the flag's block back, a plain
    form post is redirected to the page (or shown it again with the errors)."""
    attempt = access_scored_attempt(request.user, opening_id, candidate_id, Permission.REVIEW_FLAGS)
    if item_id not in {flag.item_id for flag in attempt_flags(attempt)}:
        raise Http404("No such flag.")
    form = AcknowledgeFlagForm(request.POST, item_id=item_id)
    refusal = ""
    if form.is_valid():
        try:
            do_acknowledge_flag(
                actor=acting_user(request),
                attempt=attempt,
                item_id=item_id,
                note=form.cleaned_data["note"],
            )
        except ReviewRefused as refused:
            refusal = str(refused)
    posted = {item_id: form} if form.errors else {}
    anchor = reverse("reviews:candidate", args=[opening_id, candidate_id]) + f"#item-{item_id}"
    if request.headers.get("HX-Request") == "true":
        return _flag_fragment(request, opening_id, candidate_id, item_id, posted, refusal)
    if refusal or form.errors:
        candidate = access_candidate(
            request.user, opening_id, candidate_id, Permission.REVIEW_FLAGS
        )
        if refusal:  # already acknowledged, by someone else meanwhile
            messages.error(request, refusal)
        return _render_page(request, candidate, posted, status=CONFLICT if refusal else 400)
    messages.success(request, f"The warning on {item_id} is acknowledged.")
    return redirect(anchor)


def _render_page(
    request: HttpRequest, candidate: Candidate, posted: Posted, status: int = 200
) -> HttpResponse:
    page = _with_flag_forms(request, candidate, posted)
    interviews = None if candidate.is_erased else interviews_panel(candidate, request.user)
    # The interviews panel of the same page lists each scorecard still due.
    decision = decision_panel(candidate, request.user, with_progress=False)
    context = {
        "page": page,
        "interviews_panel": interviews,
        "decision_panel": with_decision_forms(decision),
    }
    return render(request, "reviews/candidate.html", context, status=status)


def _with_flag_forms(request: HttpRequest, candidate: Candidate, posted: Posted) -> CandidatePage:
    """The page, each open warning with its acknowledgement form for a viewer who may review
    (``posted`` holds a bound, invalid form by item id, shown again with its errors)."""
    may_review = may(request.user, Permission.REVIEW_FLAGS)
    page = candidate_page(candidate, may_review=may_review)
    if not may_review:
        return page
    items = [
        dataclasses.replace(
            review, form=posted.get(review.item.id) or AcknowledgeFlagForm(item_id=review.item.id)
        )
        if review.awaits_acknowledgement
        else review
        for review in page.items
    ]
    return dataclasses.replace(page, items=items)


def _flag_fragment(
    request: HttpRequest,
    opening_id: int,
    candidate_id: int,
    item_id: str,
    posted: Posted,
    refusal: str,
) -> HttpResponse:
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.REVIEW_FLAGS)
    page = _with_flag_forms(request, candidate, posted)
    review = next(review for review in page.items if review.item.id == item_id)
    # 200 even with errors: htmx swaps only successful responses, and the errors must show.
    return render(
        request,
        "reviews/_flag_response.html",
        {"page": page, "review": review, "refusal": refusal},
    )


@require_GET
@staff_view
def receipt(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The receipt of the scored event (with the recorded leaf), as a JSON file."""
    attempt = access_scored_attempt(
        request.user, opening_id, candidate_id, Permission.READ_CANDIDATES
    )
    if not attempt.receipt_json:
        raise Http404("No receipt.")
    response = HttpResponse(attempt.receipt_json, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(attempt)}"'
    return response
